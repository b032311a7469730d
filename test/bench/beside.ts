/**
 * Issue 8's figures: a `backfill --restart` beside the running daemon on one Alegra
 * account (one store), while records keep changing in Alegra and their webhooks reach the
 * daemon. Both processes share the account's budget through the store: how many 429s
 * came back, the busiest window against the limit, and, once everything settled, how many
 * records the store holds older (or other) than the simulator.
 */
import { isDeepStrictEqual } from "node:util"
import { Either } from "effect"
import { decodeRecord } from "../../connectors/alegra/mapping.js"
import { type Kind, kinds } from "../../schema/index.js"
import { tempDir, waitFor, writeConfig } from "../support/process.js"
import { cursor, mirrorRows } from "../support/store.js"
import { email, startAccount, token } from "./account.js"
import { rateLimitedCount, runBackfill } from "./backfill.js"
import { startDaemon } from "./daemon.js"
import { stopAtOnce } from "./processes.js"
import { formatNumber, type Recorder, Section } from "./report.js"
import { windowUse } from "./stats.js"

/** Records of the simulator whose canonical form the store does not hold. */
const differences = (account: { readonly sim: { readonly admin: { list: (kind: Kind) => ReadonlyArray<unknown> } } }, storePath: string) => {
  let different = 0
  for (const kind of kinds) {
    const mirror = new Map(mirrorRows(storePath, kind).map((row) => [row.id, row.content]))
    for (const wire of account.sim.admin.list(kind)) {
      const canonical = Either.getOrThrow(decodeRecord(kind, wire)).record
      if (!isDeepStrictEqual(mirror.get(canonical.id), canonical)) different++
    }
  }
  return different
}

export const measureBeside = async (
  r: Recorder,
  options: { readonly records: number; readonly limit: number; readonly windowSeconds: number; readonly editsPerSecond: number }
) => {
  const windowMs = options.windowSeconds * 1000
  const account = await startAccount({
    records: options.records,
    requestsPerMinute: (options.limit * 60) / options.windowSeconds,
    rateLimitWindowSeconds: options.windowSeconds
  })
  const section = Section.beside
  try {
    const config = await writeConfig({
      dir: tempDir("bench-beside"),
      alegraUrl: account.sim.url,
      email,
      token,
      requestsPerMinute: (options.limit * 60) / options.windowSeconds,
      rateLimitWindowSeconds: options.windowSeconds,
      polling: { paymentsSeconds: 5, paymentsRecent: 30, creditNotesSeconds: 10 }
    })
    r.log(`\n${section}: ${account.records} records, ${options.limit} requests per ${options.windowSeconds} s; the daemon runs ` +
      `(its first backfill), then \`backfill --restart\` beside it while ${options.editsPerSecond} records per second change in Alegra`)
    const daemon = await startDaemon(account, config)
    try {
      // The daemon's own first backfill holds the store's backfill lease (a pause at the
      // window's end can look like quiet): the measured one starts once it has finished.
      await waitFor("the daemon's first backfill", () => {
        const state = cursor(config.storePath, "backfill") as { readonly completedAt?: number | null } | undefined
        return typeof state?.completedAt === "number"
      }, { timeoutMs: 120_000, intervalMs: 200 })
      const items = account.sim.admin.list("item") as ReadonlyArray<{ readonly id: string }>
      const contacts = account.sim.admin.list("contact") as ReadonlyArray<{ readonly id: string }>
      let n = 0
      const timer = setInterval(() => {
        n++
        if (n % 2 === 0) account.sim.admin.update("item", items[n % items.length]!.id, { description: `cambio ${n}` })
        else account.sim.admin.update("contact", contacts[n % contacts.length]!.id, { phonePrimary: `+57 601 555 ${String(n).padStart(4, "0")}` })
      }, 1000 / options.editsPerSecond)
      const since = Date.now()
      // On the daemon's own config and store: one install, one budget.
      const run = await runBackfill({ ...account, config }, ["--restart"]).finally(() => clearInterval(timer))
      const requests = account.sim.stats.requests().filter((q) => q.at >= since)
      // Let the daemon apply the last edits' webhooks.
      await waitFor("the daemon to settle", () => differences(account, config.storePath) === 0, { timeoutMs: 60_000, intervalMs: 500 })
        .catch(() => undefined)
      const windows = windowUse(requests.map((q) => q.at), windowMs)
      r.log(`  backfill: ${run.summary.records} records in ${formatNumber(run.exit.wallMs / 1000)} s beside the daemon; ${n} edits made meanwhile; ` +
        `${requests.length} requests from both processes; per window: ${windows.map((w) => `${w.requests}${w.full ? "" : "*"}`).join(" ")}`)
      r.add(section, "429s received by both processes", rateLimitedCount(requests), "", { goal: { on: "value", op: "=", target: 0 } })
      r.add(section, `busiest ${options.windowSeconds} s window (aligned), both processes`, Math.max(...windows.map((w) => w.requests)), "requests", {
        baseline: { name: "limit", value: options.limit },
        goal: { on: "ratio", op: "<=", target: 1 }
      })
      r.add(section, `busiest ${options.windowSeconds} s, sliding`, account.sim.stats.maxInAnySlidingWindow(windowMs), "requests", {
        baseline: { name: "limit", value: options.limit }
      })
      r.add(section, "records older than (or other than) the simulator afterwards", differences(account, config.storePath), "records", {
        goal: { on: "value", op: "=", target: 0 }
      })
    } finally {
      await daemon.process.stop(stopAtOnce)
    }
  } finally {
    await account.sim.close()
  }
}
