/**
 * Keeping under Stripe's rate limit: at most `opsPerSecond` request starts in any span of a
 * second (plus a margin for the time a request takes to reach Stripe), as Stripe counts them.
 * A token bucket or a fixed window would let up to twice that through across a window edge.
 *
 * `delay` decides and records in one synchronous step, so two fibers never take the same slot.
 */
import { Effect } from "effect"

export interface Pacer {
  /** 0 when a request may start at `now` (recorded as started), else the milliseconds to wait before asking again. */
  readonly delay: (now: number) => Effect.Effect<number>
}

/** Extra span beyond the second: a request reaches Stripe some tens of milliseconds after it starts. */
const MARGIN_MS = 100

export const makePacer = (opsPerSecond: number): Pacer => {
  const limit = Math.max(1, Math.floor(opsPerSecond))
  const span = 1000 + MARGIN_MS
  // A ring of the last `limit` start times: the oldest must have left the span before another start.
  const starts: Array<number> = []
  let next = 0
  return {
    delay: (now) =>
      Effect.sync(() => {
        if (starts.length === limit) {
          const wait = starts[next]! + span - now
          if (wait > 0) return Math.ceil(wait)
          starts[next] = now
          next = (next + 1) % limit
          return 0
        }
        starts.push(now)
        return 0
      })
  }
}
