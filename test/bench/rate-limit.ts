/** The rate limit: how much of each window's budget a backfill uses, and never more. */
import { startAccount } from "./account.js"
import { rateLimitedCount, runBackfill } from "./backfill.js"
import { formatNumber, type Recorder, Section } from "./report.js"
import { windowUse } from "./stats.js"

/**
 * A backfill of about `records` records, the simulator and the client both at `limit`
 * requests per `windowSeconds`: per aligned window (the simulator's), the share of the limit
 * used — the lowest among windows the run covered entirely, the highest among all — the 429s,
 * and the requests against the minimum.
 */
const measureLimited = async (
  r: Recorder,
  section: string,
  options: { readonly records: number; readonly limit: number; readonly windowSeconds: number }
) => {
  const windowMs = options.windowSeconds * 1000
  const account = await startAccount({
    records: options.records,
    requestsPerMinute: (options.limit * 60) / options.windowSeconds,
    rateLimitWindowSeconds: options.windowSeconds,
    freshWindow: true
  })
  try {
    const { limit } = account.sim.rateLimit
    r.log(`\n${section}: backfill of ${account.records} records, the simulator and the client at ${limit} requests per ` +
      `${options.windowSeconds} s (about ${formatNumber((account.minimumRequests / limit) * options.windowSeconds)} s)`)
    const run = await runBackfill(account)
    const windows = windowUse(run.requests.map((q) => q.at), windowMs)
    const full = windows.filter((w) => w.full)
    r.log(`  requests per window: ${windows.map((w) => `${w.requests}${w.full ? "" : "*"}`).join(" ")}   (* partial: the run began or ended in it)`)
    r.detail(`rateLimit.${options.windowSeconds}s`, { limit, windows, requests: run.requests.length, minimum: account.minimumRequests, wallMs: run.exit.wallMs })
    r.add(section, `lowest share of the limit among ${full.length} full windows`, Math.min(...full.map((w) => w.requests / limit)), "", {
      goal: { on: "value", op: ">=", target: 0.95 }
    })
    r.add(section, "highest share of the limit in any window", Math.max(...windows.map((w) => w.requests / limit)), "", {
      goal: { on: "value", op: "<=", target: 1 }
    })
    r.add(section, `busiest ${options.windowSeconds} s, sliding`, account.sim.stats.maxInAnySlidingWindow(windowMs), "requests", {
      baseline: { name: "limit", value: limit }
    })
    r.add(section, "429s received", rateLimitedCount(run.requests), "", { goal: { on: "value", op: "=", target: 0 } })
    r.add(section, "requests", run.requests.length, "", {
      baseline: { name: "minimum", value: account.minimumRequests },
      goal: { on: "ratio", op: "=", target: 1 }
    })
  } finally {
    await account.sim.close()
  }
}

/** A short window, 150 per 6 s, so that many windows fit in a short run. */
export const measureShortWindow = (r: Recorder, options: { readonly records: number }) =>
  measureLimited(r, Section.rateLimit, { records: options.records, limit: 150, windowSeconds: 6 })

/** `--real-limit`: Alegra's own limit, 150 per 60 s, on a large account. */
export const measureRealLimit = (r: Recorder, options: { readonly records: number }) =>
  measureLimited(r, Section.realLimit, { records: options.records, limit: 150, windowSeconds: 60 })
