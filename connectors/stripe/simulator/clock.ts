/**
 * The simulator's clock: `created`, event times, signature timestamps, idempotency-key expiry,
 * search lag and the one-hour automatic finalization of drafts read it. Tests move it forward with
 * `advance` (never back: Stripe's times only grow). Rate limits and delivery retries use real time.
 */
export interface StripeSimulatorClock {
  /** Milliseconds since the epoch, as the simulator sees them. */
  nowMs(): number
  /** Unix seconds: what `created` fields carry. */
  nowSeconds(): number
  /** Moves the clock forward, then runs whatever became due (automatic finalization). */
  advance(ms: number): void
}

export class Clock implements StripeSimulatorClock {
  private offsetMs = 0
  private readonly listeners: Array<() => void> = []

  constructor(private readonly base: () => number = Date.now) {}

  nowMs(): number {
    return this.base() + this.offsetMs
  }
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000)
  }
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock.advance needs a non-negative number of ms, got ${ms}`)
    this.offsetMs += ms
    for (const listener of this.listeners) listener()
  }
  onAdvance(listener: () => void): void {
    this.listeners.push(listener)
  }
}
