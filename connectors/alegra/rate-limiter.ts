/**
 * Pacing of the requests sent to Alegra.
 *
 * Alegra allows `requestsPerMinute` requests per user and counts them in 60 s windows.
 * Effect's `RateLimiter` (fixed-window and token-bucket algorithms) can let through up to
 * twice the limit across a window edge: a full burst at the end of one window and another
 * at the start of the next both fit, yet they fall within a single 60 s span. Whatever
 * window the server uses, the only way never to exceed the budget in ANY span of
 * `windowMs` is to remember when each request started: a sliding-window log. A request may
 * start at `now` only when fewer than `budget` requests started in `(now - windowMs, now]`.
 *
 * On top of the log:
 * - a pause set from the server's headers (X-Rate-Limit-Remaining reaching 0, or a 429),
 *   so that other clients of the same account (a backfill, another install) are respected;
 * - a second log at half the budget for background reads (the sweep), checked and
 *   recorded atomically with the main one, so that background work never uses more than
 *   half of any window.
 *
 * The check-and-record runs inside one `Effect.sync`, which JavaScript executes without
 * interleaving, so concurrent fibers cannot both take the last slot.
 */
import { Clock, Duration, Effect } from "effect"

/** A log of start times (milliseconds on a monotonic clock), oldest first. */
export class SlidingWindowLog {
  private readonly starts: Array<number> = []

  constructor(
    readonly budget: number,
    readonly windowMs: number,
    /** Extra spacing beyond the window, to absorb jitter between our clock and the server's arrival times. */
    readonly marginMs: number
  ) {}

  /** Milliseconds to wait before a request may start at `now`; 0 when it may start now. */
  waitAt(now: number): number {
    const horizon = this.windowMs + this.marginMs
    while (this.starts.length > 0 && this.starts[0]! <= now - horizon) this.starts.shift()
    if (this.starts.length < this.budget) return 0
    // The start that must leave the window before another one fits.
    const blocking = this.starts[this.starts.length - this.budget]!
    return Math.max(1, blocking + horizon - now)
  }

  record(now: number): void {
    this.starts.push(now)
  }

  /** Starts within the window (plus margin) that ends at `now`. */
  countAt(now: number): number {
    const horizon = this.windowMs + this.marginMs
    while (this.starts.length > 0 && this.starts[0]! <= now - horizon) this.starts.shift()
    return this.starts.length
  }

  /** Start times currently remembered (for tests and diagnostics). */
  get size(): number {
    return this.starts.length
  }
}

export interface RateLimiterOptions {
  readonly requestsPerMinute: number
  readonly windowSeconds: number
}

export interface RateLimiter {
  /** Requests allowed per window for foreground work. */
  readonly budget: number
  /** Requests allowed per window for background work (half of `budget`, at least 1). */
  readonly backgroundBudget: number
  readonly windowMs: number
  /**
   * Waits until a request may start and records its start. Background requests fail to be
   * admitted (false) when the background log has no room, so that the caller can release
   * its concurrency permit and wait for room outside it.
   */
  readonly admit: (background: boolean) => Effect.Effect<boolean>
  /** Waits, without recording anything, until the background log has room. */
  readonly awaitBackgroundRoom: Effect.Effect<void>
  /** Pauses every request until `delayMs` from now (extends, never shortens, a pause). */
  readonly pauseFor: (delayMs: number) => Effect.Effect<void>
}

const nowMs = (clock: Clock.Clock): number => Number(clock.unsafeCurrentTimeNanos() / 1_000_000n)

export const makeRateLimiter = (options: RateLimiterOptions): Effect.Effect<RateLimiter> =>
  Effect.sync(() => {
    const windowMs = Math.max(1, Math.round(options.windowSeconds * 1000))
    const budget = Math.max(1, Math.floor((options.requestsPerMinute * options.windowSeconds) / 60))
    const backgroundBudget = Math.max(1, Math.floor(budget / 2))
    // 2.5 % of the window, between 10 ms and 250 ms: costs < 0.5 % of a 60 s window.
    const marginMs = Math.min(250, Math.max(10, Math.round(windowMs * 0.025)))
    const main = new SlidingWindowLog(budget, windowMs, marginMs)
    const background = new SlidingWindowLog(backgroundBudget, windowMs, marginMs)
    let pausedUntil = 0

    const sleepMs = (ms: number) => Effect.sleep(Duration.millis(ms))

    type Decision = { readonly _tag: "admitted" } | { readonly _tag: "wait"; readonly ms: number } | {
      readonly _tag: "no-background-room"
    }

    const tryAdmit = (isBackground: boolean) =>
      Effect.clockWith((clock) =>
        Effect.sync((): Decision => {
          const now = nowMs(clock)
          const wait = Math.max(pausedUntil - now, main.waitAt(now))
          if (wait > 0) return { _tag: "wait", ms: wait }
          if (isBackground && background.waitAt(now) > 0) return { _tag: "no-background-room" }
          main.record(now)
          if (isBackground) background.record(now)
          return { _tag: "admitted" }
        })
      )

    const admit = (isBackground: boolean): Effect.Effect<boolean> =>
      tryAdmit(isBackground).pipe(
        Effect.flatMap((decision) =>
          decision._tag === "admitted"
            ? Effect.succeed(true)
            : decision._tag === "no-background-room"
            ? Effect.succeed(false)
            : Effect.zipRight(sleepMs(decision.ms), Effect.suspend(() => admit(isBackground)))
        )
      )

    const awaitBackgroundRoom: Effect.Effect<void> = Effect.clockWith((clock) =>
      Effect.sync(() => background.waitAt(nowMs(clock)))
    ).pipe(
      Effect.flatMap((wait) => wait > 0 ? Effect.zipRight(sleepMs(wait), Effect.suspend(() => awaitBackgroundRoom)) : Effect.void)
    )

    const pauseFor = (delayMs: number) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          pausedUntil = Math.max(pausedUntil, nowMs(clock) + Math.max(0, delayMs))
        })
      )

    return { budget, backgroundBudget, windowMs, admit, awaitBackgroundRoom, pauseFor } satisfies RateLimiter
  })

/**
 * The pause the X-Rate-Limit headers of a response ask for, in milliseconds, or null.
 * `Remaining` reaching 0 means: wait until `Reset` (seconds left in the window) elapses.
 * A `Reset` that looks like an epoch timestamp is read as one; a missing or unreadable
 * one falls back to a whole window.
 */
export const resetDelayMs = (reset: string | undefined, windowMs: number, nowEpochMs: number): number => {
  const seconds = reset === undefined ? Number.NaN : Number(reset.trim())
  if (!Number.isFinite(seconds) || seconds < 0) return windowMs
  const ms = seconds > 1e9 ? seconds * 1000 - nowEpochMs : seconds * 1000
  // Never trust a header to park the client for longer than two windows (or two minutes).
  return Math.min(Math.max(0, Math.ceil(ms)), Math.max(2 * windowMs, 120_000))
}

export const remainingIsExhausted = (remaining: string | undefined): boolean => {
  if (remaining === undefined) return false
  const n = Number(remaining.trim())
  return Number.isFinite(n) && n <= 0
}
