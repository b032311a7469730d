/**
 * The Alegra request budget, shared through the store by every process that uses it
 * (the daemon and a `backfill` beside it): Alegra counts requests per user, so one
 * account has one budget. Each start is a row; a take is one short write
 * transaction (BEGIN IMMEDIATE makes check-and-record atomic across processes): one
 * query reads the pause, the latest start and the starts that could block, and one
 * insert records the start when it may go. Starts are numbered per account, so the
 * start that may block the next one (the `limit`-th newest) is found by its number in
 * the index, whatever the limit, instead of by walking the window. Starts older than
 * the window are deleted from time to time, not on every take. Implements the
 * `RateBudget` port (src/ports/rate-budget.ts).
 */
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { RateBudgetPort, TakeRequest } from "../ports/rate-budget.js"
import type { WriteTransaction } from "./transaction.js"

/**
 * How the store sees the account: everything a take decides on, in one query.
 * Parameters: see `lookParams`.
 */
const LOOK = `WITH last AS (SELECT seq, started_at FROM rate_starts WHERE account = ? ORDER BY seq DESC LIMIT 1),
    last_background AS (
      SELECT background_seq FROM rate_starts WHERE account = ? AND background_seq IS NOT NULL
      ORDER BY background_seq DESC LIMIT 1)
  SELECT
    (SELECT until_at FROM rate_pauses WHERE account = ?) AS paused,
    (SELECT seq FROM last) AS seq,
    (SELECT started_at FROM last) AS latest,
    (SELECT background_seq FROM last_background) AS background_seq,
    (SELECT started_at FROM rate_starts WHERE account = ? AND seq = (SELECT seq FROM last) - ? + 1) AS blocking,
    (SELECT started_at FROM rate_starts
      WHERE account = ? AND background_seq = (SELECT background_seq FROM last_background) - ? + 1) AS blocking_background`

const lookParams = (key: string, limit: number, backgroundLimit: number) => [
  key,
  key,
  key,
  key,
  Math.max(1, limit),
  key,
  Math.max(1, backgroundLimit)
]

interface Look {
  readonly paused: number | null
  readonly seq: number | null
  readonly latest: number | null
  readonly background_seq: number | null
  /** The `limit`-th newest start: the one that leaves the window before another fits. */
  readonly blocking: number | null
  readonly blocking_background: number | null
}

export const makeRateBudget = (sql: SqlClient.SqlClient, wt: WriteTransaction): RateBudgetPort => {
  // Per process: when this process last deleted the starts that left the window.
  let prunedAt = 0
  return {
    take: (request: TakeRequest) =>
      wt(Effect.gen(function*() {
        const { key, now } = request
        const horizon = request.windowMs + request.marginMs
        const cut = now - horizon
        const [look] = yield* sql.unsafe<Look>(LOOK, lookParams(key, request.limit, request.backgroundLimit))
        const pausedFor = (look?.paused ?? 0) - now
        if (pausedFor > 0) return pausedFor
        let wait = 0
        if (look?.latest != null && request.spacingMs > 0) wait = Math.max(wait, look.latest + request.spacingMs - now)
        // A blocking start older than the window (or already deleted) blocks nothing.
        if (look?.blocking != null && look.blocking > cut) wait = Math.max(wait, look.blocking + horizon - now)
        if (request.background && look?.blocking_background != null && look.blocking_background > cut) {
          wait = Math.max(wait, look.blocking_background + horizon - now)
        }
        if (wait > 0) return Math.max(1, Math.ceil(wait))
        yield* sql.unsafe("INSERT INTO rate_starts (account, seq, background_seq, started_at) VALUES (?, ?, ?, ?)", [
          key,
          (look?.seq ?? 0) + 1,
          request.background ? (look?.background_seq ?? 0) + 1 : null,
          now
        ])
        if (now - prunedAt > horizon) {
          prunedAt = now
          yield* sql.unsafe("DELETE FROM rate_starts WHERE account = ? AND started_at <= ?", [key, cut])
        }
        return 0
      })).pipe(
        // The budget must never take the daemon down: a store error pauses briefly.
        Effect.catchAll((error) =>
          Effect.logWarning("rate budget unavailable; pausing 1 s").pipe(
            Effect.annotateLogs("error", error.message),
            Effect.as(1_000)
          )
        )
      ),

    pauseUntil: (key, untilMs) =>
      wt(sql`INSERT INTO rate_pauses (account, until_at) VALUES (${key}, ${untilMs})
        ON CONFLICT (account) DO UPDATE SET until_at = CASE
          WHEN excluded.until_at > rate_pauses.until_at THEN excluded.until_at ELSE rate_pauses.until_at END`).pipe(
          Effect.asVoid,
          Effect.catchAll((error) =>
            Effect.logWarning("could not record a rate-limit pause").pipe(Effect.annotateLogs("error", error.message))
          )
        )
  }
}
