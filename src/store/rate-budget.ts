/**
 * The Alegra request budget, shared through the store by every process that uses it
 * (the daemon and a `backfill` beside it): Alegra counts requests per user, so one
 * account has one budget. Each start is a row; a take is one write statement that
 * reads the pause, the latest start and the starts that could block, and records the
 * start when nothing does (SQLite takes a write statement's lock before it reads, so
 * check-and-record is atomic across processes). Starts are numbered per account, so the
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
 * How the store sees the account: everything a take decides on, as the row `look`.
 * Parameters: see `lookParams`.
 */
const LOOK_CTES = `last AS (SELECT seq, started_at FROM rate_starts WHERE account = ? ORDER BY seq DESC LIMIT 1),
    last_background AS (
      SELECT background_seq FROM rate_starts WHERE account = ? AND background_seq IS NOT NULL
      ORDER BY background_seq DESC LIMIT 1),
    look AS (SELECT
      (SELECT until_at FROM rate_pauses WHERE account = ?) AS paused,
      (SELECT seq FROM last) AS seq,
      (SELECT started_at FROM last) AS latest,
      (SELECT background_seq FROM last_background) AS background_seq,
      (SELECT started_at FROM rate_starts WHERE account = ? AND seq = (SELECT seq FROM last) - ? + 1) AS blocking,
      (SELECT started_at FROM rate_starts
        WHERE account = ? AND background_seq = (SELECT background_seq FROM last_background) - ? + 1) AS blocking_background)`

const LOOK = `WITH ${LOOK_CTES} SELECT * FROM look`

/**
 * A take that may go: the start is recorded by the same statement that looks, only when
 * nothing blocks it (the conditions of `waitOf`, in SQL). One write statement takes the
 * write lock before it reads, so it is as atomic across processes as a BEGIN IMMEDIATE
 * transaction, for a third of the cost on every request. Parameters: `lookParams`, then
 * `takeParams`.
 */
const TAKE = `WITH ${LOOK_CTES}
  INSERT INTO rate_starts (account, seq, background_seq, started_at)
  SELECT ?, coalesce(seq, 0) + 1, CASE WHEN ? = 1 THEN coalesce(background_seq, 0) + 1 END, ?
  FROM look
  WHERE coalesce(paused, 0) <= ?
    AND (? <= 0 OR latest IS NULL OR latest + ? <= ?)
    AND (blocking IS NULL OR blocking <= ?)
    AND (? = 0 OR blocking_background IS NULL OR blocking_background <= ?)
  RETURNING seq`

const lookParams = (key: string, limit: number, backgroundLimit: number) => [
  key,
  key,
  key,
  key,
  Math.max(1, limit),
  key,
  Math.max(1, backgroundLimit)
]

const takeParams = (request: TakeRequest, cut: number) => {
  const background = request.background ? 1 : 0
  return [request.key, background, request.now, request.now, request.spacingMs, request.spacingMs, request.now, cut, background, cut]
}

interface Look {
  readonly paused: number | null
  readonly seq: number | null
  readonly latest: number | null
  readonly background_seq: number | null
  /** The `limit`-th newest start: the one that leaves the window before another fits. */
  readonly blocking: number | null
  readonly blocking_background: number | null
}

/** How long a take must wait, as the account stands (0: it may go now). */
const waitOf = (look: Look | undefined, request: TakeRequest): number => {
  const { now } = request
  const horizon = request.windowMs + request.marginMs
  const cut = now - horizon
  const pausedFor = (look?.paused ?? 0) - now
  if (pausedFor > 0) return pausedFor
  let wait = 0
  if (look?.latest != null && request.spacingMs > 0) wait = Math.max(wait, look.latest + request.spacingMs - now)
  // A blocking start older than the window (or already deleted) blocks nothing.
  if (look?.blocking != null && look.blocking > cut) wait = Math.max(wait, look.blocking + horizon - now)
  if (request.background && look?.blocking_background != null && look.blocking_background > cut) {
    wait = Math.max(wait, look.blocking_background + horizon - now)
  }
  return wait > 0 ? Math.max(1, Math.ceil(wait)) : 0
}

export const makeRateBudget = (sql: SqlClient.SqlClient, wt: WriteTransaction): RateBudgetPort => {
  // Per process: when this process last deleted the starts that left the window.
  let prunedAt = 0
  return {
    take: (request: TakeRequest) =>
      Effect.gen(function*() {
        const { key, now } = request
        const horizon = request.windowMs + request.marginMs
        const cut = now - horizon
        const params = lookParams(key, request.limit, request.backgroundLimit)
        const taken = yield* sql.unsafe(TAKE, [...params, ...takeParams(request, cut)])
        if (taken.length === 0) {
          // Blocked: how long for, read afterwards. Another process may have moved on
          // meanwhile; a take that would now go is tried again at once (1 ms).
          const [look] = yield* sql.unsafe<Look>(LOOK, params)
          return Math.max(1, waitOf(look, request))
        }
        if (now - prunedAt > horizon) {
          prunedAt = now
          yield* sql.unsafe("DELETE FROM rate_starts WHERE account = ? AND started_at <= ?", [key, cut])
        }
        return 0
      }).pipe(
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
