/**
 * Backfills through the CLI (peak memory, CPU per record, requests) against the raw pipeline
 * floor doing the same list reads, and a re-run on an account already in sync.
 */
import { createHash } from "node:crypto"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import type { RequestRecord } from "../../connectors/alegra/simulator/index.js"
import { tempDir } from "../support/process.js"
import { readStore } from "../support/store.js"
import type { Account } from "./account.js"
import { type Exited, kbToMb, type ProbeReport, runToEnd, spawnCli, spawnScript, workCpuUs } from "./processes.js"
import { formatNumber, type Recorder, Section } from "./report.js"

/** What `backfill --json` prints (the fields the bench reads). */
interface BackfillSummary {
  readonly records: number
  readonly requests: number
  readonly rateLimited: number
  readonly elapsedMs: number
}

export interface BackfillRun {
  readonly exit: Exited & { readonly report: ProbeReport }
  readonly summary: BackfillSummary
  /** Every request the simulator saw during the run. */
  readonly requests: ReadonlyArray<RequestRecord>
  /** This process's CPU during the run: the simulator's work, mostly. */
  readonly harnessCpuUs: number
}

/** `alegra-sync backfill --json [args]` on the account's config, to its end. */
export const runBackfill = async (account: Account, args: ReadonlyArray<string> = []): Promise<BackfillRun> => {
  account.sim.stats.reset()
  const before = process.cpuUsage()
  const exit = await runToEnd(
    spawnCli(["backfill", "--json", ...args, "--config", account.config.file], account.config.env),
    "alegra-sync backfill"
  )
  const cpu = process.cpuUsage(before)
  return {
    exit,
    summary: JSON.parse(exit.stdout) as BackfillSummary,
    requests: account.sim.stats.requests(),
    harnessCpuUs: cpu.user + cpu.system
  }
}

export const rateLimitedCount = (requests: ReadonlyArray<RequestRecord>) => requests.filter((q) => q.status === 429).length

export interface RawRun {
  readonly exit: Exited & { readonly report: ProbeReport }
  readonly records: number
}

/** The raw floor replaying the list GETs a product run made (those answered 200), into its own store. */
export const runRawFloor = async (account: Account, product: BackfillRun): Promise<RawRun> => {
  const dir = tempDir("bench-raw")
  const plan = path.join(dir, "plan.json")
  const origin = new URL(account.sim.url).origin
  const paths = product.requests.filter((q) => q.method === "GET" && q.status === 200 && /[?&]start=/.test(q.path)).map((q) => q.path)
  writeFileSync(plan, JSON.stringify({ origin, paths }))
  const auth = `Basic ${Buffer.from(`${account.sim.email}:${account.sim.token}`).toString("base64")}`
  const exit = await runToEnd(spawnScript("raw-backfill.mjs", [plan, path.join(dir, "raw.db")], { BENCH_AUTH: auth }), "raw floor")
  return { exit, records: (JSON.parse(exit.stdout) as { records: number }).records }
}

const cpuPerRecordUs = (report: ProbeReport, records: number) => workCpuUs(report) / records

const describeRun = (what: string, run: BackfillRun, account: Account) => {
  const wallS = run.exit.wallMs / 1000
  return `  ${what}: ${run.summary.records} records, ${run.requests.length} requests (minimum ${account.minimumRequests}), ` +
    `${formatNumber(wallS)} s wall, ${formatNumber(run.summary.records / (run.summary.elapsedMs / 1000))} records/s; ` +
    `the simulator (this process) used ${formatNumber(run.harnessCpuUs / 1e6)} s of CPU, ${formatNumber(run.harnessCpuUs / 1e4 / wallS)}% of the wall time`
}

export interface BackfillMeasure {
  readonly account: Account
  readonly run: BackfillRun
  readonly raw: RawRun
}

/** One fresh backfill of an account and its raw floor. */
export const measureBackfill = async (r: Recorder, account: Account, key: string): Promise<BackfillMeasure> => {
  r.log(`\nbackfill of ${account.records} records (the simulator at ${account.sim.rateLimit.limit} requests per ${account.sim.rateLimit.windowSeconds} s)`)
  const run = await runBackfill(account)
  r.log(describeRun("alegra-sync backfill", run, account))
  const raw = await runRawFloor(account, run)
  r.log(`  raw floor: ${raw.records} records, ${formatNumber(raw.exit.wallMs / 1000)} s wall`)
  if (raw.records !== run.summary.records) r.log(`  WARNING: the raw floor stored ${raw.records} records, the product ${run.summary.records}`)
  r.detail(`backfill.${key}`, {
    records: run.summary.records,
    requests: run.requests.length,
    minimumRequests: account.minimumRequests,
    wallMs: run.exit.wallMs,
    probe: run.exit.report,
    harnessCpuUs: run.harnessCpuUs,
    raw: { records: raw.records, wallMs: raw.exit.wallMs, probe: raw.exit.report }
  })
  return { account, run, raw }
}

/** Memory and CPU figures from a small and a large backfill. */
export const backfillFigures = (r: Recorder, small: BackfillMeasure, large: BackfillMeasure) => {
  const rssMb = (m: BackfillMeasure) => kbToMb(m.run.exit.report.maxRssKb)
  const label = (m: BackfillMeasure) => `${m.run.summary.records.toLocaleString("en-US")} records`
  r.log(`\n${Section.memory} (peak RSS: getrusage maxrss written by the probe at exit)`)
  for (const m of [small, large]) {
    r.add(Section.memory, `backfill peak RSS, ${label(m)}`, rssMb(m), "MB", {
      baseline: { name: "raw floor", value: kbToMb(m.raw.exit.report.maxRssKb) },
      goal: { on: "value", op: "<", target: 200 }
    })
  }
  r.add(Section.memory, `backfill peak RSS, ${label(large)} vs ${label(small)}`, rssMb(large), "MB", {
    baseline: { name: label(small), value: rssMb(small) },
    goal: { on: "ratio", op: "<=", target: 1.1 }
  })

  r.log(`\n${Section.cpu} (process CPU after its first HTTP request, per record stored)`)
  for (const m of [small, large]) {
    r.add(Section.cpu, `CPU per backfilled record, ${label(m)}`, cpuPerRecordUs(m.run.exit.report, m.run.summary.records), "µs", {
      baseline: { name: "raw floor", value: cpuPerRecordUs(m.raw.exit.report, m.raw.records) },
      ...(m === large ? { goal: { on: "ratio", op: "<=", target: 1.5 } as const } : {})
    })
  }
}

/** A digest of every mirror row as stored (all its columns), to see which rows a run wrote. */
const mirrorState = (storePath: string): Map<string, string> =>
  readStore(storePath, (db) => {
    const state = new Map<string, string>()
    for (const row of db.prepare("SELECT * FROM alegra_records").iterate() as Iterable<Record<string, unknown>>) {
      state.set(`${String(row["kind"])}/${String(row["id"])}`, createHash("sha1").update(JSON.stringify(row)).digest("base64"))
    }
    return state
  })

const rowsWritten = (before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): number => {
  let n = 0
  for (const [key, state] of after) if (before.get(key) !== state) n++
  for (const key of before.keys()) if (!after.has(key)) n++
  return n
}

/** A second `backfill --restart` on the account just backfilled, with nothing changed in Alegra. */
export const measureRerun = async (r: Recorder, first: BackfillMeasure) => {
  const { account } = first
  const before = mirrorState(account.config.storePath)
  const rerun = await runBackfill(account, ["--restart"])
  const after = mirrorState(account.config.storePath)
  const written = rowsWritten(before, after)
  const bytes = (run: BackfillRun) => (run.exit.report.io?.["write_bytes"] ?? Number.NaN) / 1024 / 1024
  r.log(`\n${Section.reruns}: backfill --restart on an account already in sync (${account.records} records)`)
  r.log(describeRun("re-run", rerun, account))
  r.add(Section.reruns, "re-run: mirror rows written (inserted, changed in any column, or deleted)", written, "rows", {
    goal: { on: "value", op: "=", target: 0 }
  })
  r.add(Section.reruns, "re-run: bytes written to disk (/proc write_bytes)", bytes(rerun), "MB", {
    baseline: { name: "first backfill", value: bytes(first.run) }
  })
  r.add(Section.reruns, "re-run: requests", rerun.requests.length, "", {
    baseline: { name: "minimum", value: account.minimumRequests },
    goal: { on: "ratio", op: "=", target: 1 }
  })
  r.add(Section.reruns, "first backfill: requests", first.run.requests.length, "", {
    baseline: { name: "minimum", value: account.minimumRequests },
    goal: { on: "ratio", op: "=", target: 1 }
  })
  r.detail("rerun", { rowsWritten: written, wallMs: rerun.exit.wallMs, probe: rerun.exit.report, requests: rerun.requests.length })
}
