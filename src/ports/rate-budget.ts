import { Context } from "effect"
import type { Effect } from "effect"

/**
 * One request budget per Alegra account, shared by every process that uses it (the
 * daemon, a `backfill` beside it): Alegra counts per user, not per process. The
 * engine provides an implementation over the store (src/store/rate-budget.ts), so
 * processes sharing a store share the budget; the connector falls back to an
 * in-process one when none is provided.
 */
export interface TakeRequest {
  /** Identifies the account (never a secret: a fingerprint of base URL and user). */
  readonly key: string
  /** Starts allowed in any span of `windowMs` (plus `marginMs`). */
  readonly limit: number
  readonly windowMs: number
  /** Extra span beyond the window, to absorb clock and network jitter at the server. */
  readonly marginMs: number
  /** Least time between two starts (even pacing: windowMs / limit); 0 for none. */
  readonly spacingMs: number
  /** A background read (the sweep): also limited to `backgroundLimit` starts per window. */
  readonly background: boolean
  readonly backgroundLimit: number
  /** Epoch ms. */
  readonly now: number
}

export interface RateBudgetPort {
  /**
   * Atomically: when a request may start at `now` (not paused, fewer than `limit`
   * starts in the window, spacing kept, and for background reads room in the
   * background share), records the start and returns 0; otherwise records nothing
   * and returns how many milliseconds to wait before asking again (at least 1).
   */
  readonly take: (request: TakeRequest) => Effect.Effect<number>
  /**
   * Holds every request of the account until `untilMs` (epoch), e.g. the server's
   * X-Rate-Limit-Reset after a 429. Pauses never add up: the later end wins.
   */
  readonly pauseUntil: (key: string, untilMs: number) => Effect.Effect<void>
}

export class RateBudget extends Context.Tag("alegra-sync/RateBudget")<RateBudget, RateBudgetPort>() {}
