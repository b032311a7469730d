/**
 * Measured child processes: `alegra-sync` as a user runs it (package.json's bin), the raw
 * floor, the bare server and the load generator, each under the probe (probe.mjs).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { repoRoot, tempDir } from "../support/process.js"

export const benchDir = path.join(repoRoot, "test/bench")

/** BENCH_CPU_PROF=<dir>: every measured process writes a V8 CPU profile into that folder. */
const cpuProfileDir = process.env.BENCH_CPU_PROF
/** How a measured daemon is stopped at once: SIGKILL, or SIGTERM when it must write its CPU profile. */
export const stopAtOnce: NodeJS.Signals = cpuProfileDir === undefined ? "SIGKILL" : "SIGTERM"

/** What `npx alegra-sync` runs (BENCH_BIN=<path>: another build's bin.mjs, to compare two builds). */
export const cliBin = (): string => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { bin: string | Record<string, string> }
  return process.env.BENCH_BIN ?? path.join(repoRoot, typeof pkg.bin === "string" ? pkg.bin : pkg.bin["alegra-sync"]!)
}

/** What probe.mjs writes when the process exits. */
export interface ProbeReport {
  readonly maxRssKb: number
  readonly cpuUs: number
  /** CPU and time at the process's first outgoing HTTP request; null if it made none. */
  readonly workStart: { readonly cpuUs: number; readonly at: number } | null
  readonly io: Readonly<Record<string, number>> | null
}

export interface Exited {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** From spawn to exit, as seen from here. */
  readonly wallMs: number
  /** Null when the process was killed before it could write it (SIGKILL). */
  readonly report: ProbeReport | null
  readonly stdout: string
  readonly stderr: string
}

export interface Measured {
  readonly child: ChildProcess
  /** performance.now() at spawn. */
  readonly spawnedAt: number
  readonly output: () => { readonly stdout: string; readonly stderr: string }
  readonly exited: Promise<Exited>
  readonly stop: (signal?: NodeJS.Signals) => Promise<Exited>
}

let probes = 0
let probeDir: string | undefined

/** Runs `node --import probe.mjs <args>` with a minimal environment plus `env`. */
export const spawnMeasured = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Measured => {
  probeDir ??= tempDir("bench-probe")
  const out = path.join(probeDir, `probe-${++probes}.json`)
  const spawnedAt = performance.now()
  const profile = cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`]
  const child = spawn(process.execPath, [...profile, "--import", path.join(benchDir, "probe.mjs"), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "INFO", ...env, BENCH_PROBE_OUT: out },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()))
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
  let exitedAt = Number.NaN
  child.on("exit", () => (exitedAt = performance.now()))
  // "close" comes after "exit", once stdout and stderr are drained.
  const exited = new Promise<Exited>((resolve) =>
    child.on("close", (code, signal) => {
      let report: ProbeReport | null = null
      try {
        report = JSON.parse(readFileSync(out, "utf8")) as ProbeReport
      } catch {
        // Killed before its exit handler ran.
      }
      resolve({ code, signal, wallMs: exitedAt - spawnedAt, report, stdout, stderr })
    })
  )
  return {
    child,
    spawnedAt,
    output: () => ({ stdout, stderr }),
    exited,
    stop: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    }
  }
}

/** `alegra-sync <args>` under the probe. */
export const spawnCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Measured =>
  spawnMeasured([cliBin(), ...args], env)

/** A bench script (test/bench/<name>) under the probe. */
export const spawnScript = (name: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): Measured =>
  spawnMeasured([path.join(benchDir, name), ...args], env)

/** Runs to the end; fails with the process's stderr when it does not exit 0. */
export const runToEnd = async (measured: Measured, what: string): Promise<Exited & { readonly report: ProbeReport }> => {
  const exit = await measured.exited
  if (exit.code !== 0 || exit.report === null) {
    throw new Error(`${what} exited with ${exit.code ?? exit.signal}:\n${exit.stderr.slice(-4000)}`)
  }
  return exit as Exited & { readonly report: ProbeReport }
}

/** CPU (µs) a process spent after its first HTTP request: its fixed start-up cost taken out. */
export const workCpuUs = (report: ProbeReport): number =>
  report.cpuUs - (report.workStart?.cpuUs ?? Number.NaN)

/** A field of /proc/<pid>/status in kB (VmRSS: resident now, VmHWM: its peak); NaN once the process is gone. */
export const procStatusKb = (pid: number, field: "VmRSS" | "VmHWM"): number => {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return match === null ? Number.NaN : Number(match[1])
  } catch {
    return Number.NaN
  }
}

/** CPU (ms, every thread) a running process has used so far: utime + stime of /proc/<pid>/stat, in USER_HZ (100) ticks. */
export const procCpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const kbToMb = (kb: number) => kb / 1024
