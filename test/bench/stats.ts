/** The arithmetic of the benchmark: medians, percentiles, rate-limit windows, minimum requests. */

export const median = (values: ReadonlyArray<number>): number => percentile(values, 0.5)

const ascending = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)

/** Nearest-rank percentile (p in [0, 1]) of sorted values; NaN for none. */
const nearestRank = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1]!

export const percentile = (values: ReadonlyArray<number>, p: number): number => nearestRank(ascending(values), p)

export interface LatencySummary {
  readonly p50: number
  readonly p99: number
  readonly p999: number
  readonly max: number
}

export const latencySummary = (latencies: ReadonlyArray<number>): LatencySummary => {
  const sorted = ascending(latencies)
  return { p50: nearestRank(sorted, 0.5), p99: nearestRank(sorted, 0.99), p999: nearestRank(sorted, 0.999), max: nearestRank(sorted, 1) }
}

export interface WindowUse {
  /** The window's index: it covers [index·windowMs, (index+1)·windowMs), like the simulator's windows. */
  readonly index: number
  readonly requests: number
  /** Whether the run covered the whole window: it began before the window and ended after it. */
  readonly full: boolean
}

/** Requests per aligned window, from the first request's window to the last one's. */
export const windowUse = (times: ReadonlyArray<number>, windowMs: number): ReadonlyArray<WindowUse> => {
  if (times.length === 0) return []
  const first = Math.min(...times)
  const last = Math.max(...times)
  const lo = Math.floor(first / windowMs)
  const hi = Math.floor(last / windowMs)
  const counts = new Array<number>(hi - lo + 1).fill(0)
  for (const t of times) counts[Math.floor(t / windowMs) - lo]! += 1
  // The first window began before the run and the last one ends after it: both partial.
  return counts.map((requests, i) => ({ index: lo + i, requests, full: i > 0 && i < counts.length - 1 }))
}

/**
 * The fewest list requests that read `rows` rows at 30 a page: a page shorter than 30 ends
 * the list, so a kind whose last page is full needs one more (empty) read — floor(n/30)+1.
 */
export const minimumListRequests = (rows: number, pageSize = 30): number => Math.floor(rows / pageSize) + 1
