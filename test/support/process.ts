import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const bin = path.join(repoRoot, "src/bin.mjs")
const builtMain = path.join(repoRoot, "dist/main.js")

/** The newest of the sources that go into dist/, with its modification time. */
const newestSource = (folder: string): { readonly file: string; readonly time: number } =>
  readdirSync(folder, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(folder, entry.name)
    const source = /\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith(".test.ts")
    const found = entry.isDirectory() ? newestSource(full) : { file: full, time: source ? statSync(full).mtimeMs : 0 }
    return found.time > newest.time ? found : newest
  }, { file: "", time: 0 })

let checkedBuild = false
/**
 * The e2e tests run the built CLI, as users do: fail clearly when dist/ is missing or
 * older than the sources (`npm test` bundles first; a lone `npx vitest run` does not).
 */
const assertBuilt = () => {
  if (checkedBuild) return
  if (!existsSync(builtMain)) throw new Error("dist/ is missing: run `npm run bundle` before these tests")
  const newest = ["src", "connectors", "schema"].map((f) => newestSource(path.join(repoRoot, f)))
    .reduce((a, b) => (b.time > a.time ? b : a))
  if (statSync(builtMain).mtimeMs < newest.time) {
    throw new Error(`dist/ is older than the sources (${path.relative(repoRoot, newest.file)}): run \`npm run bundle\` before these tests`)
  }
  checkedBuild = true
}

const created: Array<string> = []

/** Removes the temp folders made so far (test/support/setup.ts calls it after each test file). */
export const removeTempDirs = () => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** A fresh temp folder, removed after the test file. */
export const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), `alegra-sync-${prefix}-`))
  created.push(dir)
  return dir
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

/** Polls until `check` returns a value other than undefined/false; fails with `what` after the timeout. */
export const waitFor = async <A>(
  what: string,
  check: () => A | undefined | false | Promise<A | undefined | false>,
  { timeoutMs = 30_000, intervalMs = 50 } = {}
): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined && value !== false) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

export interface CliProcess {
  readonly child: ChildProcess
  readonly output: () => { stdout: string; stderr: string }
  readonly exited: Promise<number | null>
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

export interface CliOptions {
  /** Flags for node itself, before the program (e.g. `--import` of a tracing hook). */
  readonly nodeArgs?: ReadonlyArray<string>
  /** Run as this user and group (a test running as root checking file permissions). */
  readonly user?: { readonly uid: number; readonly gid: number }
}

/** Runs `alegra-sync <args>` (the built CLI) as a real process, the way a user would. */
export const runCli = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  options: CliOptions = {}
): CliProcess => {
  assertBuilt()
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "INFO", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.user === undefined ? {} : { uid: options.user.uid, gid: options.user.gid })
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()))
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    }
  }
}

/** Runs a CLI command to its end, within a time limit. */
export const runCliToEnd = async (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  timeoutMs = 90_000,
  options: CliOptions = {}
) => {
  const cli = runCli(args, env, options)
  const timer = setTimeout(() => cli.child.kill("SIGKILL"), timeoutMs)
  const code = await cli.exited
  clearTimeout(timer)
  return { code, ...cli.output() }
}

export interface TestConfig {
  readonly dir: string
  readonly file: string
  readonly storePath: string
  readonly port: number
  readonly env: Record<string, string>
}

/**
 * Writes a sync.config.ts for a test into a fresh folder. It imports nothing
 * (outside the package "alegra-sync" does not resolve), exactly like a user's
 * config without defineConfig would.
 */
export const writeConfig = async (options: {
  readonly alegraUrl: string
  readonly email: string
  readonly token: string
  readonly requestsPerMinute?: number
  readonly rateLimitWindowSeconds?: number
  readonly webhooks?: boolean
  readonly polling?: Record<string, number>
  readonly dir?: string
  /** Where the store goes (default: ./store/alegra-sync.db beside the config). */
  readonly storePath?: string
  /** More sections of the config (stripe, sync), as written in the file. */
  readonly sections?: Record<string, unknown>
  /** More environment for the CLI (the secrets those sections name). */
  readonly env?: Record<string, string>
  /** The daemon's port (default: a free one). */
  readonly port?: number
}): Promise<TestConfig> => {
  const dir = options.dir ?? tempDir("e2e")
  const port = options.port ?? await freePort()
  const file = path.join(dir, "sync.config.ts")
  const config = {
    store: { path: options.storePath ?? "./store/alegra-sync.db" },
    server: { port, publicUrl: `http://127.0.0.1:${port}` },
    alegra: {
      email: options.email,
      token: { env: "ALEGRA_TOKEN" },
      baseUrl: options.alegraUrl,
      requestsPerMinute: options.requestsPerMinute ?? 6000,
      rateLimitWindowSeconds: options.rateLimitWindowSeconds ?? 60,
      webhooks: options.webhooks ?? true
    },
    polling: { paymentsSeconds: 3600, creditNotesSeconds: 3600, sweepMinutes: 600, ...options.polling },
    worker: { maxAttempts: 4, concurrency: 2 },
    ...options.sections
  }
  writeFileSync(file, `export default ${JSON.stringify(config, null, 2)}\n`)
  return { dir, file, storePath: path.resolve(dir, options.storePath ?? "store/alegra-sync.db"), port, env: { ALEGRA_TOKEN: options.token, ...options.env } }
}
