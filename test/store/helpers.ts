/** Shared helpers of the store tests: temp files, the store layer, child processes. */
import type { SqlClient } from "@effect/sql"
import type { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Layer } from "effect"
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import * as path from "node:path"
import { sqliteLayer, type SqliteLayerOptions, Store } from "../../src/store/index.js"
import { repoRoot, tempDir } from "../support/process.js"

export { repoRoot }

/** A database path inside a new temp directory, one level down (the layer must create it). */
export const tempDbFile = (): string => path.join(tempDir("store"), "data", "store.db")

/** Store + SqlClient + SqliteClient on `file`, built once per call (one connection). */
export const storeLayer = (file: string, options?: SqliteLayerOptions) => {
  const sql = sqliteLayer(file, options)
  return Store.Default.pipe(Layer.provideMerge(sql))
}

export type StoreEnv = Store | SqlClient.SqlClient | SqliteClient.SqliteClient

/** Runs `effect` against a fresh store on a new temp file. */
export const withStore = <A, E>(effect: Effect.Effect<A, E, StoreEnv>, file: string = tempDbFile()) =>
  Effect.provide(effect, storeLayer(file))

export interface Child {
  readonly process: ChildProcessWithoutNullStreams
  /** Resolves when the child printed exactly `line` (or already had). */
  readonly waitForLine: (line: string) => Promise<void>
  readonly send: (line: string) => void
  /** The child's final { result } line, once it exited; rejects on a non-zero exit or an { error } line. */
  readonly result: Promise<any>
  readonly stderr: () => string
}

/** Starts `node --import tsx test/store/fixtures/<name>.ts <args...>`. */
export const startChild = (name: string, args: ReadonlyArray<string>): Child => {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "test/store/fixtures", `${name}.ts`), ...args], {
    cwd: repoRoot,
    stdio: ["pipe", "pipe", "pipe"]
  })
  const lines: Array<string> = []
  const watchers: Array<{ line: string; resolve: () => void }> = []
  let buffer = ""
  let stderr = ""
  child.stdout.setEncoding("utf8")
  child.stderr.setEncoding("utf8")
  child.stdout.on("data", (chunk: string) => {
    buffer += chunk
    let newline: number
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline)
      buffer = buffer.slice(newline + 1)
      lines.push(line)
      for (const watcher of watchers.filter((w) => w.line === line)) {
        watchers.splice(watchers.indexOf(watcher), 1)
        watcher.resolve()
      }
    }
  })
  child.stderr.on("data", (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const result = exited.then((code) => {
    const last = [...lines].reverse().find((line) => line.startsWith("{"))
    const parsed = last === undefined ? undefined : JSON.parse(last)
    if (code !== 0 || parsed === undefined || "error" in parsed) {
      throw new Error(`${name} exited with ${code}: ${parsed?.error ?? ""}\nstdout: ${lines.join("\n")}\nstderr: ${stderr}`)
    }
    return parsed.result
  })
  result.catch(() => {}) // awaited by the test; this only keeps an early failure from being "unhandled"
  const waitForLine = (line: string) =>
    lines.includes(line)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
        watchers.push({ line, resolve })
        // A child that dies before printing the line fails the wait instead of hanging it.
        exited.then((code) => reject(new Error(`${name} exited (${code}) before printing "${line}"\nstderr: ${stderr}`)))
      })
  return {
    process: child,
    waitForLine,
    send: (line) => void child.stdin.write(line + "\n"),
    result,
    stderr: () => stderr
  }
}
