/**
 * Webhook ingest: a bare node:http server and the daemon's /webhooks/alegra/<token>, loaded by
 * the same load generator (load.mjs, its own process); deliveries lost; inbox age in a burst;
 * the worker's cost per row of a backlog.
 */
import Database from "better-sqlite3"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { tempDir, waitFor } from "../support/process.js"
import { readStore } from "../support/store.js"
import type { Account } from "./account.js"
import { copyOfStore, type RunningDaemon, startDaemon } from "./daemon.js"
import { procCpuMs, runToEnd, sleep, spawnScript, stopAtOnce } from "./processes.js"
import { formatNumber, type Recorder, Section } from "./report.js"
import { latencySummary } from "./stats.js"

export interface LoadSpec {
  readonly url: string
  readonly concurrency: number
  readonly durationMs: number
  readonly rate?: number
  readonly targets?: ReadonlyArray<readonly [subject: string, key: string, id: string]>
  readonly idBase?: number
}

interface LoadOutput {
  readonly sent: number
  readonly statuses: Readonly<Record<string, number>>
  readonly errors: number
  readonly elapsedMs: number
  readonly latencies: ReadonlyArray<number>
}

export interface LoadResult extends LoadOutput {
  readonly ok: number
  readonly perSecond: number
}

export const runLoad = async (spec: LoadSpec): Promise<LoadResult> => {
  const file = path.join(tempDir("bench-load"), "spec.json")
  writeFileSync(file, JSON.stringify(spec))
  const exit = await runToEnd(spawnScript("load.mjs", [file]), "load generator")
  const output = JSON.parse(exit.stdout) as LoadOutput
  const ok = Object.entries(output.statuses).reduce((n, [status, count]) => (Number(status) >= 200 && Number(status) < 300 ? n + count : n), 0)
  return { ...output, ok, perSecond: ok / (output.elapsedMs / 1000) }
}

const describeLoad = (what: string, load: LoadResult) => {
  const l = latencySummary(load.latencies)
  const other = Object.entries(load.statuses).filter(([s]) => !s.startsWith("2")).map(([s, n]) => `${n}×${s}`)
  return `  ${what}: ${load.ok} answered 2xx in ${formatNumber(load.elapsedMs / 1000)} s = ${formatNumber(load.perSecond)}/s; ` +
    `p50 ${formatNumber(l.p50)} ms, p99 ${formatNumber(l.p99)} ms, p99.9 ${formatNumber(l.p999)} ms, max ${formatNumber(l.max)} ms` +
    `${other.length > 0 ? `; other answers ${other.join(", ")}` : ""}${load.errors > 0 ? `; ${load.errors} transport errors` : ""}`
}

/** The bare baseline: its own process, answering 200 to every POST. */
const withBareServer = async <A>(use: (url: string) => Promise<A>): Promise<A> => {
  const server = spawnScript("bare-server.mjs", [])
  try {
    const { port } = await waitFor("the bare server's port", () => {
      const line = server.output().stdout.split("\n")[0]
      return line !== undefined && line !== "" ? JSON.parse(line) as { port: number } : undefined
    })
    return await use(`http://127.0.0.1:${port}/webhooks/alegra/bench`)
  } finally {
    await server.stop("SIGTERM")
  }
}

const lastInboxId = (storePath: string): number =>
  readStore(storePath, (db) => (db.prepare("SELECT coalesce(max(id), 0) AS n FROM inbox").get() as { n: number }).n)

/** Inbox rows created after `afterId` for the records the deliveries named. */
const rowsCreated = (storePath: string, afterId: number, records: ReadonlySet<string>) =>
  readStore(storePath, (db) => {
    const rows = db.prepare("SELECT kind, record_id FROM inbox WHERE id > ? AND system = 'alegra'").all(afterId) as Array<{ kind: string; record_id: string }>
    const matching = rows.filter((row) => records.has(`${row.kind}/${row.record_id}`))
    return { rows: matching.length, distinct: new Set(matching.map((row) => `${row.kind}/${row.record_id}`)).size }
  })

const kindOfKey: Record<string, string> = { item: "item", client: "contact", invoice: "invoice", bill: "bill" }

/** The records a load run named: its targets, or the `edit-item` ids it counted up from idBase. */
const recordsOf = (spec: LoadSpec, sent: number): Set<string> =>
  new Set(
    spec.targets !== undefined
      ? spec.targets.slice(0, sent).map(([, key, id]) => `${kindOfKey[key]}/${id}`)
      : Array.from({ length: sent }, (_, i) => `item/${(spec.idBase ?? 0) + i}`)
  )

/**
 * Runs `load` against a fresh daemon on a copy of the account's store, then kills it with
 * SIGKILL (an answer given before the row is durable would show as a lost delivery) and
 * counts the inbox rows created for the records the deliveries named.
 */
const againstDaemon = async (
  account: Account,
  spec: (url: string) => LoadSpec,
  during?: (daemon: RunningDaemon) => Promise<unknown>
) => {
  const daemon = await startDaemon(account, await copyOfStore(account))
  try {
    const afterId = lastInboxId(daemon.config.storePath)
    const loadSpec = spec(daemon.url)
    const [load, observed] = await Promise.all([runLoad(loadSpec), during?.(daemon)])
    await daemon.process.stop(stopAtOnce)
    return { load, observed, created: rowsCreated(daemon.config.storePath, afterId, recordsOf(loadSpec, load.sent)) }
  } finally {
    await daemon.process.stop(stopAtOnce)
  }
}

/** Deliveries per second and latencies at each concurrency, bare vs daemon, and deliveries lost. */
export const measureIngest = async (r: Recorder, account: Account, options: { readonly durationMs: number }) => {
  const concurrencies = [10, 100] as const
  r.log(`\n${Section.ingest}: ${formatNumber(options.durationMs / 1000)} s of keep-alive POSTs per run, each with a new item id (the daemon re-reads it: a 404)`)
  const bare = await withBareServer(async (url) => {
    const out: Array<Awaited<ReturnType<typeof runLoad>>> = []
    for (const [i, concurrency] of concurrencies.entries()) {
      out.push(await runLoad({ url, concurrency, durationMs: options.durationMs, idBase: 1_000_000 * (i + 1) }))
      r.log(describeLoad(`bare node:http, concurrency ${concurrency}`, out[i]!))
    }
    return out
  })
  for (const [i, concurrency] of concurrencies.entries()) {
    const base = bare[i]!
    const { load, created } = await againstDaemon(account, (url) => ({
      url,
      concurrency,
      durationMs: options.durationMs,
      idBase: 10_000_000 * (i + 1)
    }))
    r.log(describeLoad(`daemon, concurrency ${concurrency}`, load))
    r.detail(`ingest.c${concurrency}`, {
      bare: { ...base, latencies: latencySummary(base.latencies) },
      daemon: { ...load, latencies: latencySummary(load.latencies), created }
    })
    r.add(Section.ingest, `deliveries/s, concurrency ${concurrency}`, load.perSecond, "/s", {
      baseline: { name: "bare node:http", value: base.perSecond },
      ...(concurrency === 100 ? { goal: { on: "ratio", op: ">=", target: 0.25 } as const } : {})
    })
    const l = latencySummary(load.latencies)
    const b = latencySummary(base.latencies)
    r.add(Section.ingest, `p50 latency, concurrency ${concurrency}`, l.p50, "ms", { baseline: { name: "bare", value: b.p50 } })
    r.add(Section.ingest, `p99 latency, concurrency ${concurrency}`, l.p99, "ms", { baseline: { name: "bare", value: b.p99 } })
    r.add(Section.ingest, `p99.9 latency, concurrency ${concurrency}`, l.p999, "ms", {
      baseline: { name: "bare", value: b.p999 },
      ...(concurrency === 100 ? { goal: { on: "value", op: "<", target: 100 } as const } : {})
    })
    r.add(Section.ingest, `max latency, concurrency ${concurrency}`, l.max, "ms", { baseline: { name: "bare", value: b.max } })
    r.add(Section.ingest, `no delivery lost, concurrency ${concurrency}: inbox rows created`, created.rows, "rows", {
      baseline: { name: "2xx answers", value: load.ok },
      goal: { on: "ratio", op: "=", target: 1 }
    })
  }
}

interface AgeSample {
  /** ms since the burst began */
  readonly t: number
  readonly pending: number
  /** now − received_at of the oldest pending row; 0 when none is pending. */
  readonly ageMs: number
}

const inboxAge = (storePath: string): { pending: number; ageMs: number } =>
  readStore(storePath, (db) => {
    const row = db.prepare("SELECT count(*) AS pending, min(received_at) AS oldest FROM inbox WHERE status = 'pending'").get() as {
      pending: number
      oldest: number | null
    }
    return { pending: row.pending, ageMs: row.oldest === null ? 0 : Date.now() - row.oldest }
  })

/**
 * `total` webhook targets [subject, key, id]: edits of the account's items, clients, invoices
 * and bills, interleaved, then made-up item ids once the account runs out. `existing`: how many
 * name a record the account has.
 */
const editTargets = (account: Account, total: number) => {
  const byKind = (["item", "client", "invoice", "bill"] as const).map((key) =>
    account.sim.admin.ids(kindOfKey[key] as "item" | "contact" | "invoice" | "bill").map((id) => [`edit-${key}`, key, id] as const)
  )
  const targets: Array<readonly [string, string, string]> = []
  for (let i = 0; targets.length < total && byKind.some((ids) => i < ids.length); i++) {
    for (const ids of byKind) if (i < ids.length && targets.length < total) targets.push(ids[i]!)
  }
  const existing = targets.length
  for (let id = 90_000_000; targets.length < total; id++) targets.push(["edit-item", "item", String(id)])
  return { targets, existing }
}

/**
 * A burst of edits to existing records (items, contacts, invoices, bills, interleaved; made-up
 * item ids once the account runs out), sent at a fixed rate, while the age of the oldest pending
 * inbox row is sampled every 100 ms; then how long the worker takes to drain what is left.
 */
export const measureBurst = async (r: Recorder, account: Account, options: { readonly rate: number; readonly durationMs: number }) => {
  const total = Math.floor((options.rate * options.durationMs) / 1000)
  const { existing, targets } = editTargets(account, total)
  r.log(`\n${Section.ingest}: a burst of ${total} deliveries at ${options.rate}/s for ${formatNumber(options.durationMs / 1000)} s ` +
    `(${existing} edits of existing records, ${total - existing} of unknown items), at most 100 in flight`)

  const samples: Array<AgeSample> = []
  let drainedAfterMs = Number.NaN
  const { load, created } = await againstDaemon(
    account,
    (url) => ({ url, concurrency: 100, durationMs: options.durationMs, rate: options.rate, targets }),
    async (daemon) => {
      const started = performance.now()
      // Sample through the burst, then until the inbox is empty (at most 60 s more).
      for (;;) {
        const sample = { t: performance.now() - started, ...inboxAge(daemon.config.storePath) }
        samples.push(sample)
        if (sample.t > options.durationMs && sample.pending === 0) {
          drainedAfterMs = sample.t - options.durationMs
          break
        }
        if (sample.t > options.durationMs + 60_000) break
        await sleep(100)
      }
    }
  )
  const during = samples.filter((s) => s.t <= options.durationMs)
  const worst = during.reduce((a, b) => (b.ageMs > a.ageMs ? b : a), { t: 0, pending: 0, ageMs: 0 })
  r.log(describeLoad("burst", load))
  r.log(`  oldest pending row: at most ${formatNumber(worst.ageMs)} ms old (at ${formatNumber(worst.t / 1000)} s, ${worst.pending} pending); ` +
    `most pending ${Math.max(0, ...during.map((s) => s.pending))}; ` +
    (Number.isNaN(drainedAfterMs) ? "not drained 60 s after the burst" : `inbox empty ${formatNumber(drainedAfterMs / 1000)} s after the burst`))
  r.detail("ingest.burst", { rate: options.rate, durationMs: options.durationMs, total, existing, load: { ...load, latencies: latencySummary(load.latencies) }, created, drainedAfterMs, samples })
  r.add(Section.ingest, `burst of ${options.rate}/s: oldest pending inbox row, worst age`, worst.ageMs, "ms", {
    goal: { on: "value", op: "<", target: 2000 }
  })
  r.add(Section.ingest, "burst: inbox drained, after the burst ended", drainedAfterMs, "ms")
  r.add(Section.ingest, "no delivery lost, burst: inbox rows created", created.rows, "rows", {
    baseline: { name: "2xx answers", value: load.ok },
    goal: { on: "ratio", op: "=", target: 1 }
  })
}

/**
 * The worker alone: a running daemon finds a backlog of `rows` webhook rows in its inbox (the
 * same edits as the burst, written straight into the store, as after a restart), and re-reads
 * and records them. Its CPU while it does (/proc/<pid>/stat, every thread) per row, and how
 * fast the backlog goes.
 */
export const measureDrain = async (r: Recorder, account: Account, options: { readonly rows: number }) => {
  const { existing, targets } = editTargets(account, options.rows)
  r.log(`\n${Section.ingest}: a backlog of ${options.rows} webhook rows (${existing} edits of existing records) found by a running daemon`)
  const daemon = await startDaemon(account, await copyOfStore(account))
  const db = new Database(daemon.config.storePath)
  try {
    db.pragma("busy_timeout = 5000")
    const pid = daemon.process.child.pid!
    const pending = db.prepare("SELECT count(*) AS n FROM inbox WHERE status = 'pending'")
    const insert = db.prepare(`INSERT INTO inbox (system, kind, record_id, channel, action, event_key, payload, read_at, status,
        generation, attempts, next_attempt_at, received_at)
      VALUES ('alegra', ?, ?, 'webhook', 'changed', ?, NULL, NULL, 'pending', 0, 0, ?, ?)`)
    // The daemon's start-up work (catch-up, first polls) done first: at most 30 ms of CPU in 500 ms.
    let cpuBefore = procCpuMs(pid)
    await waitFor("the daemon to be idle", async () => {
      await sleep(500)
      const cpu = procCpuMs(pid)
      const idle = cpu - cpuBefore <= 30
      cpuBefore = cpu
      return idle ? true : undefined
    }, { timeoutMs: 60_000, intervalMs: 0 })
    const lastId = lastInboxId(daemon.config.storePath)
    const now = Date.now()
    db.transaction(() => {
      for (const [subject, key, id] of targets) insert.run(kindOfKey[key], id, `bench-drain:${subject}:${id}`, now, now)
    })()
    await waitFor("the backlog to be drained", () => (pending.get() as { n: number }).n === 0 ? true : undefined, {
      timeoutMs: 300_000,
      intervalMs: 20
    })
    const cpuUs = (procCpuMs(pid) - cpuBefore) * 1000
    // From the first row done to the last (the idle worker looks at the inbox once a second).
    const done = db.prepare("SELECT min(done_at) AS first, max(done_at) AS last FROM inbox WHERE id > ?").get(lastId) as {
      first: number
      last: number
    }
    const perSecond = options.rows / (Math.max(1, done.last - done.first) / 1000)
    r.log(`  drained in ${formatNumber((done.last - done.first) / 1000)} s from the first row done: ${formatNumber(perSecond)} rows/s, daemon CPU ${formatNumber(cpuUs / 1e6)} s`)
    r.add(Section.ingest, `worker: daemon CPU per row of a ${options.rows}-row backlog`, cpuUs / options.rows, "µs")
    r.add(Section.ingest, `worker: backlog of ${options.rows} rows drained`, perSecond, "/s")
  } finally {
    db.close()
    await daemon.process.stop(stopAtOnce)
  }
}
