/**
 * The Alegra request budget, shared through the store by every process that uses it
 * (the daemon and a `backfill` beside it): Alegra counts requests per user, so one
 * account has one budget. Each start is a row; a take is one short write
 * transaction (BEGIN IMMEDIATE makes check-and-record atomic across processes).
 * Implements the `RateBudget` port (src/ports/rate-budget.ts).
 */
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { RateBudgetPort, TakeRequest } from "../ports/rate-budget.js"
import type { WriteTransaction } from "./transaction.js"

/** Milliseconds until the start `offset` places back (0-based, newest first) leaves the window, or 0. */
const nthStart = (sql: SqlClient.SqlClient, request: TakeRequest, offset: number, backgroundOnly: boolean) =>
  Effect.map(
    backgroundOnly
      ? sql<{ started_at: number }>`SELECT started_at FROM rate_starts
          WHERE account = ${request.key} AND background = 1
          ORDER BY started_at DESC LIMIT 1 OFFSET ${offset}`
      : sql<{ started_at: number }>`SELECT started_at FROM rate_starts
          WHERE account = ${request.key}
          ORDER BY started_at DESC LIMIT 1 OFFSET ${offset}`,
    (rows) => rows[0]?.started_at
  )

export const makeRateBudget = (sql: SqlClient.SqlClient, wt: WriteTransaction): RateBudgetPort => ({
  take: (request) =>
    wt(Effect.gen(function*() {
      const { now } = request
      const horizon = request.windowMs + request.marginMs
      const paused = yield* sql<{ until_at: number }>`SELECT until_at FROM rate_pauses WHERE account = ${request.key}`
      const pausedFor = (paused[0]?.until_at ?? 0) - now
      if (pausedFor > 0) return pausedFor
      yield* sql`DELETE FROM rate_starts WHERE account = ${request.key} AND started_at <= ${now - horizon}`
      let wait = 0
      const latest = yield* nthStart(sql, request, 0, false)
      if (latest !== undefined && request.spacingMs > 0) wait = Math.max(wait, latest + request.spacingMs - now)
      const blocking = yield* nthStart(sql, request, Math.max(0, request.limit - 1), false)
      if (blocking !== undefined) wait = Math.max(wait, blocking + horizon - now)
      if (request.background) {
        const blockingBackground = yield* nthStart(sql, request, Math.max(0, request.backgroundLimit - 1), true)
        if (blockingBackground !== undefined) wait = Math.max(wait, blockingBackground + horizon - now)
      }
      if (wait > 0) return Math.max(1, Math.ceil(wait))
      yield* sql`INSERT INTO rate_starts (account, started_at, background)
        VALUES (${request.key}, ${now}, ${request.background ? 1 : 0})`
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
})
