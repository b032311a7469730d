/**
 * Alegra's rate limit (alegra-api.md §2): N requests per fixed window; every response carries
 * X-Rate-Limit-Limit, X-Rate-Limit-Remaining and X-Rate-Limit-Reset (seconds left, ≥ 1);
 * over the limit the answer is 429 until the window ends. Every request counts: 401s, 404s,
 * 429s and faulted responses too. Windows are aligned on multiples of the window length
 * (wall-clock), the same windows stats.maxPerWindow uses.
 */

export interface RateDecision {
  readonly allowed: boolean
  /** Seconds left in the window, as X-Rate-Limit-Reset says. */
  readonly resetSeconds: number
  readonly headers: Readonly<Record<string, string>>
}

export class RateLimiter {
  private window = -1
  private used = 0

  constructor(
    readonly limit: number,
    readonly windowMs: number
  ) {}

  hit(nowMs: number): RateDecision {
    const window = Math.floor(nowMs / this.windowMs)
    if (window !== this.window) {
      this.window = window
      this.used = 0
    }
    this.used += 1
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * this.windowMs - nowMs) / 1000))
    return {
      allowed: this.used <= this.limit,
      resetSeconds,
      headers: {
        "X-Rate-Limit-Limit": String(this.limit),
        "X-Rate-Limit-Remaining": String(Math.max(0, this.limit - this.used)),
        "X-Rate-Limit-Reset": String(resetSeconds)
      }
    }
  }
}
