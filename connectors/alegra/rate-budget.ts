/**
 * The in-process `RateBudgetPort`: what the client uses when no shared budget (the
 * store's) is provided. A sliding-window log of starts per account, because fixed-window
 * and token-bucket limiters let up to twice the limit through across a window edge.
 *
 * Each `take` checks and records inside one `Effect.sync`, which JavaScript runs without
 * interleaving, so two fibers can never both take the last slot.
 */
import { Effect, Layer } from "effect"
import { RateBudget } from "../../src/ports/rate-budget.js"
import type { RateBudgetPort, TakeRequest } from "../../src/ports/rate-budget.js"

/** Start times (epoch ms), oldest first. */
export class StartLog {
  private starts: Array<number> = []
  private head = 0

  /** Forgets the starts at or before `cutoff`. */
  prune(cutoff: number): void {
    while (this.head < this.starts.length && this.starts[this.head]! <= cutoff) this.head++
    // Compact now and then, so the array does not grow without end.
    if (this.head > 1024 && this.head * 2 > this.starts.length) {
      this.starts = this.starts.slice(this.head)
      this.head = 0
    }
  }

  get size(): number {
    return this.starts.length - this.head
  }

  /** The latest start, or undefined. */
  get last(): number | undefined {
    return this.size > 0 ? this.starts[this.starts.length - 1] : undefined
  }

  /**
   * Milliseconds until fewer than `limit` of the remembered starts fall within the span
   * `horizonMs` ending at that moment; 0 when that holds at `now`. Prune first.
   */
  waitFor(limit: number, horizonMs: number, now: number): number {
    if (this.size < limit) return 0
    // The start that must leave the span before another one fits.
    const blocking = this.starts[this.starts.length - Math.max(1, limit)]!
    return Math.max(0, blocking + horizonMs - now)
  }

  record(at: number): void {
    // Callers' clocks may disagree by a little: keep the log sorted.
    let i = this.starts.length
    while (i > this.head && this.starts[i - 1]! > at) i--
    this.starts.splice(i, 0, at)
  }
}

interface Account {
  readonly all: StartLog
  readonly background: StartLog
  pausedUntil: number
}

/** A budget kept in this process's memory: shared by every client given the same instance. */
export const memoryRateBudget = (): RateBudgetPort => {
  const accounts = new Map<string, Account>()
  const account = (key: string): Account => {
    let found = accounts.get(key)
    if (found === undefined) {
      found = { all: new StartLog(), background: new StartLog(), pausedUntil: 0 }
      accounts.set(key, found)
    }
    return found
  }

  const take = (request: TakeRequest): Effect.Effect<number> =>
    Effect.sync(() => {
      const { now } = request
      const a = account(request.key)
      const horizon = request.windowMs + request.marginMs
      a.all.prune(now - horizon)
      a.background.prune(now - horizon)
      let wait = Math.max(a.pausedUntil - now, a.all.waitFor(Math.max(1, request.limit), horizon, now))
      const last = a.all.last
      if (request.spacingMs > 0 && last !== undefined) wait = Math.max(wait, last + request.spacingMs - now)
      if (request.background) {
        wait = Math.max(wait, a.background.waitFor(Math.max(1, request.backgroundLimit), horizon, now))
      }
      if (wait > 0) return Math.max(1, Math.ceil(wait))
      a.all.record(now)
      if (request.background) a.background.record(now)
      return 0
    })

  const pauseUntil = (key: string, untilMs: number): Effect.Effect<void> =>
    Effect.sync(() => {
      const a = account(key)
      // The later end wins: pauses never add up.
      a.pausedUntil = Math.max(a.pausedUntil, untilMs)
    })

  return { take, pauseUntil }
}

/** One in-process budget as a layer, for clients in one process that must share it. */
export const MemoryRateBudgetLive: Layer.Layer<RateBudget> = Layer.sync(RateBudget, memoryRateBudget)
