/**
 * Stripe's request rate limits: N operations in any one-second span (test mode 25, live 100;
 * search 20), counted from the requests let through (a refused request does not count). Real time,
 * not the simulator's clock. `Infinity` turns a limit off.
 */
export class RateLimiter {
  private readonly times: Array<number> = []

  constructor(public perSecond: number) {}

  /** Counts a request at `nowMs` if it fits; answers whether it did. */
  hit(nowMs: number): boolean {
    if (!Number.isFinite(this.perSecond)) return true
    while (this.times.length > 0 && this.times[0]! <= nowMs - 1000) this.times.shift()
    if (this.times.length >= this.perSecond) return false
    this.times.push(nowMs)
    return true
  }
}
