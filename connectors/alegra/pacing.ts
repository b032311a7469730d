/**
 * How fast the client may talk to Alegra: the budget per window, the margin, the even
 * spacing of starts, the background share, and reading the X-Rate-Limit-* headers.
 *
 * Alegra allows `requestsPerMinute` per user and counts in fixed 60 s windows we cannot
 * see. Never exceeding the limit in ANY span of the window (plus a margin for jitter
 * between our clock and the server's arrival times) keeps every fixed window under it,
 * wherever its edges fall. Spacing the starts evenly keeps each window near full: a burst
 * straddling an unseen window edge leaves one window short.
 */
import { createHash } from "node:crypto"

export interface Pacing {
  /** Starts allowed in any span of `windowMs + marginMs`. */
  readonly limit: number
  readonly windowMs: number
  readonly marginMs: number
  /** Least time between two starts. */
  readonly spacingMs: number
  /** Starts allowed to background reads (the sweep) in the same span: half the limit. */
  readonly backgroundLimit: number
}

/**
 * The pacing for a configured limit.
 *
 * The log holds `limit` starts per window + margin, so a fixed window of the server's,
 * shorter than that span by the margin, misses one margin's worth of the log's cycle: at
 * most margin / spacing starts. The spacing keeps that loss near 2 % of the limit, and is
 * never more than 0.8 of the even share (windowMs / limit), so that the log, not the
 * spacing, stays the binding rule: a start a busy event loop made late then costs only its
 * own slot, instead of pushing back every start after it. No more than that, so that a
 * few changes at once are not held back (150 per 60 s: 166 ms apart, not 400).
 * test/alegra/pacing.test.ts measures it.
 */
export const pacingFor = (requestsPerMinute: number, windowSeconds: number): Pacing => {
  const windowMs = Math.max(1, Math.round(windowSeconds * 1000))
  const limit = Math.max(1, Math.floor((requestsPerMinute * windowSeconds) / 60))
  // 1.5 % of the window, between 100 ms and 500 ms (< 1 % of a 60 s window). A request on a
  // fresh connection reaches the server tens of milliseconds after it was started here
  // (measured: ~60 ms on loopback; a TLS handshake to Alegra takes longer).
  const marginMs = Math.min(500, Math.max(100, Math.round(windowMs * 0.015)))
  return {
    limit,
    windowMs,
    marginMs,
    spacingMs: Math.floor(Math.min((0.8 * windowMs) / limit, marginMs / (0.02 * limit))),
    backgroundLimit: Math.max(1, Math.floor(limit / 2))
  }
}

/**
 * Identifies the Alegra account a budget belongs to: Alegra counts per user, so the base
 * URL and the email (case-insensitive), hashed. Never the token.
 */
export const accountKey = (baseUrl: string, email: string): string =>
  createHash("sha256").update(`${baseUrl.trim().replace(/\/+$/, "")}\n${email.trim().toLowerCase()}`).digest("hex")

/**
 * The pause X-Rate-Limit-Reset asks for, in milliseconds: the seconds left in the server's
 * window. A value that looks like an epoch timestamp is read as one; a missing or
 * unreadable one falls back to a whole window. Use `rateLimitedPauseMs` after a 429.
 */
export const resetDelayMs = (reset: string | undefined, windowMs: number, nowEpochMs: number): number => {
  const seconds = reset === undefined ? Number.NaN : Number(reset.trim())
  if (!Number.isFinite(seconds) || seconds < 0) return windowMs
  const ms = seconds > 1e9 ? seconds * 1000 - nowEpochMs : seconds * 1000
  // Never trust a header to park the client for longer than two windows (or two minutes).
  return Math.min(Math.max(0, Math.ceil(ms)), Math.max(2 * windowMs, 120_000))
}

/**
 * The pause after a 429: until the reset, and at least a second, since Reset counts whole
 * seconds ("0" means the window ends within this second): a server that said 429 is never
 * asked again at once.
 */
export const rateLimitedPauseMs = (reset: string | undefined, windowMs: number, nowEpochMs: number): number =>
  Math.max(1000, resetDelayMs(reset, windowMs, nowEpochMs))

/** X-Rate-Limit-Remaining says the server's window is used up. */
export const remainingIsExhausted = (remaining: string | undefined): boolean => {
  if (remaining === undefined) return false
  const n = Number(remaining.trim())
  return Number.isFinite(n) && n <= 0
}
