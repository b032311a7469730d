/**
 * Keeping under Stripe's rate limit: at most `opsPerSecond` request starts in any span of a
 * second (plus a margin for the time a request takes to reach Stripe), as Stripe counts them.
 * A token bucket or a fixed window would let up to twice that through across a window edge.
 *
 * Plain synchronous methods: the caller checks and records in one step (one `Effect.sync`), so
 * two fibers never take the same slot.
 */

export interface Pacer {
  /** 0 when a request may start at `now`, else the milliseconds until one may. */
  readonly waitMs: (now: number) => number
  /** Records a start at `now` (after `waitMs(now)` said 0). */
  readonly record: (now: number) => void
}

/** Extra span beyond the second: a request reaches Stripe some tens of milliseconds after it starts. */
const MARGIN_MS = 100

export const makePacer = (opsPerSecond: number): Pacer => {
  const limit = Math.max(1, Math.floor(opsPerSecond))
  const span = 1000 + MARGIN_MS
  // A ring of the last `limit` start times: the oldest must have left the span before another start.
  const starts: Array<number> = []
  let oldest = 0
  return {
    waitMs: (now) => (starts.length < limit ? 0 : Math.max(0, Math.ceil(starts[oldest]! + span - now))),
    record: (now) => {
      if (starts.length < limit) starts.push(now)
      else {
        starts[oldest] = now
        oldest = (oldest + 1) % limit
      }
    }
  }
}
