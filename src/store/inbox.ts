/**
 * The inbox: durable, deduplicated work items, one pending row per record.
 *
 * Capture (webhooks, pollers, backfill) offers rows; the worker takes due rows,
 * re-reads the record from its source, and completes, retries or dead-letters
 * them. Deliberately not SqlPersistedQueue (STACK.md pitfall 6): backoff is a
 * column, done rows are pruned, dedup is per (source, kind, record).
 */
import type { SqlClient } from "@effect/sql"
import { Clock, Effect, Option, Schema } from "effect"
import type { Kind } from "../../schema/index.js"
import { canonicalJson, nullableJson, parseNullableJson } from "./json.js"
import type { WriteTransaction } from "./transaction.js"

export const InboxAction = Schema.Literal("created", "updated", "deleted", "changed")
export type InboxAction = typeof InboxAction.Type

export const InboxStatus = Schema.Literal("pending", "done", "dead")
export type InboxStatus = typeof InboxStatus.Type

export interface InboxOffer {
  /** The system the record lives in, where the worker re-reads it (a `System`, e.g. "alegra"). */
  readonly source: string
  readonly kind: Kind
  readonly recordId: string
  readonly action: InboxAction
  /** Identifies the change (a webhook event id, a poll's updated-at...): equal keys are the same change. */
  readonly eventKey: string
  /** The record when capture already read it from the API (a poll or backfill page); never a webhook body. Null or omitted: none. */
  readonly payload?: unknown
}

export type OfferResult = "inserted" | "coalesced" | "duplicate"

export interface InboxRow {
  readonly id: number
  readonly source: string
  readonly kind: Kind
  readonly recordId: string
  readonly action: InboxAction
  readonly eventKey: string
  /** The record read by capture, or null when the row carries none (the worker reads it). */
  readonly payload: unknown
  readonly status: InboxStatus
  /** Bumped by every coalesced offer: `complete` only succeeds with the generation the worker read. */
  readonly generation: number
  readonly attempts: number
  readonly nextAttemptAt: number
  readonly lastError: string | null
  readonly receivedAt: number
  readonly doneAt: number | null
}

export interface InboxDepth {
  readonly pending: number
  /** Pending rows whose next attempt is due now. */
  readonly due: number
  readonly dead: number
}

/** What a dead letter keeps of its error: the fields of a Schema.TaggedError such as AlegraError. */
export const DeadLetterError = Schema.Struct({
  _tag: Schema.String,
  reason: Schema.String,
  message: Schema.String,
  status: Schema.NullOr(Schema.Number),
  code: Schema.NullOr(Schema.Number)
})
export type DeadLetterError = typeof DeadLetterError.Type

/** @internal the columns as SQLite returns them */
export interface InboxRecord {
  readonly id: number
  readonly source: string
  readonly kind: string
  readonly record_id: string
  readonly action: string
  readonly event_key: string
  readonly payload: string | null
  readonly status: string
  readonly generation: number
  readonly attempts: number
  readonly next_attempt_at: number
  readonly last_error: string | null
  readonly received_at: number
  readonly done_at: number | null
}

/** @internal */
export const toInboxRow = (row: InboxRecord): InboxRow => ({
  id: row.id,
  source: row.source,
  kind: row.kind as Kind,
  recordId: row.record_id,
  action: row.action as InboxAction,
  eventKey: row.event_key,
  payload: parseNullableJson(row.payload),
  status: row.status as InboxStatus,
  generation: row.generation,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastError: row.last_error,
  receivedAt: row.received_at,
  doneAt: row.done_at
})

const columns = "id, source, kind, record_id, action, event_key, payload, status, generation, attempts, next_attempt_at, last_error, received_at, done_at"

/** @internal the pending row of a record, if any; the caller holds the write transaction */
export const pendingRowOf = (sql: SqlClient.SqlClient, source: string, kind: string, recordId: string) =>
  Effect.map(
    sql<{ id: number; event_key: string }>`SELECT id, event_key FROM inbox
      WHERE source = ${source} AND kind = ${kind} AND record_id = ${recordId} AND status = 'pending'`,
    (rows) => Option.fromNullable(rows[0])
  )

export const makeInbox = (sql: SqlClient.SqlClient, wt: WriteTransaction) => ({
  /**
   * Records that a record changed, in one write transaction:
   * - a pending row for (source, kind, recordId) with the same event key: "duplicate";
   * - a pending row with another key: it takes the new event key, action and
   *   payload, generation + 1, due at once: "coalesced" (the worker re-reads the
   *   record when it runs, so one pending row per record is enough);
   * - else, when the most recent row of the record (done or dead) has the same
   *   event key: "duplicate" (a redelivery);
   * - else a new pending row: "inserted" (a change after the last one was done
   *   must get its own row).
   */
  offer: Effect.fn("Store.inbox.offer")(function*(input: InboxOffer) {
    const now = yield* Clock.currentTimeMillis
    const payload = nullableJson(input.payload)
    return yield* wt(Effect.gen(function*() {
      const pending = yield* pendingRowOf(sql, input.source, input.kind, input.recordId)
      if (Option.isSome(pending)) {
        // A redelivery of the change the pending row already carries: bumping the
        // generation would only make a busy worker do it twice, and resetting
        // next_attempt_at would cut short a retry's backoff.
        if (pending.value.event_key === input.eventKey) return "duplicate" as const
        yield* sql`UPDATE inbox
          SET event_key = ${input.eventKey}, action = ${input.action}, payload = ${payload},
              generation = generation + 1, next_attempt_at = ${now}
          WHERE id = ${pending.value.id}`
        return "coalesced" as const
      }
      const latest = yield* sql<{ event_key: string }>`SELECT event_key FROM inbox
        WHERE source = ${input.source} AND kind = ${input.kind} AND record_id = ${input.recordId}
        ORDER BY id DESC LIMIT 1`
      if (latest[0]?.event_key === input.eventKey) return "duplicate" as const
      yield* sql`INSERT INTO inbox (source, kind, record_id, action, event_key, payload, status, generation, attempts,
                                    next_attempt_at, received_at)
        VALUES (${input.source}, ${input.kind}, ${input.recordId}, ${input.action}, ${input.eventKey}, ${payload},
                'pending', 0, 0, ${now}, ${now})`
      return "inserted" as const
    }))
  }),

  get: Effect.fn("Store.inbox.get")(function*(id: number) {
    const rows = yield* sql<InboxRecord>`SELECT ${sql.literal(columns)} FROM inbox WHERE id = ${id}`
    return Option.map(Option.fromNullable(rows[0]), toInboxRow)
  }),

  /** Pending rows due at `now`, longest due first. */
  due: Effect.fn("Store.inbox.due")(function*(now: number, limit: number) {
    const rows = yield* sql<InboxRecord>`SELECT ${sql.literal(columns)} FROM inbox
      WHERE status = 'pending' AND next_attempt_at <= ${now}
      ORDER BY next_attempt_at, id LIMIT ${limit}`
    return rows.map(toInboxRow) as ReadonlyArray<InboxRow>
  }),

  /**
   * Marks the row done, only if it is still pending at `generation`: a delivery
   * coalesced while the worker was busy keeps it pending (false), to run again.
   */
  complete: Effect.fn("Store.inbox.complete")(function*(id: number, generation: number) {
    const now = yield* Clock.currentTimeMillis
    const rows = yield* wt(sql<{ id: number }>`UPDATE inbox SET status = 'done', done_at = ${now}
      WHERE id = ${id} AND generation = ${generation} AND status = 'pending' RETURNING id`)
    return rows.length > 0
  }),

  /** A failed attempt: attempts + 1, the error kept, next attempt at `nextAttemptAt`. False when the row is not pending. */
  retry: Effect.fn("Store.inbox.retry")(function*(id: number, error: string, nextAttemptAt: number) {
    const rows = yield* wt(sql<{ id: number }>`UPDATE inbox
      SET attempts = attempts + 1, last_error = ${error}, next_attempt_at = ${nextAttemptAt}
      WHERE id = ${id} AND status = 'pending' RETURNING id`)
    return rows.length > 0
  }),

  /**
   * A permanent failure: the row becomes dead and a dead letter keeps the error
   * and the row's payload. With `generation`, only if the row was not coalesced
   * since (a newer change deserves its own attempt). Some(dead letter id), or None
   * when the row is not pending (at that generation).
   */
  deadLetter: Effect.fn("Store.inbox.deadLetter")(function*(
    id: number,
    error: DeadLetterError,
    generation?: number
  ) {
    const now = yield* Clock.currentTimeMillis
    const stored = canonicalJson({
      _tag: error._tag,
      reason: error.reason,
      message: error.message,
      status: error.status,
      code: error.code
    })
    return yield* wt(Effect.gen(function*() {
      const rows = yield* sql<InboxRecord>`SELECT ${sql.literal(columns)} FROM inbox WHERE id = ${id} AND status = 'pending'`
      const row = rows[0]
      if (row === undefined || (generation !== undefined && row.generation !== generation)) {
        return Option.none<number>()
      }
      yield* sql`UPDATE inbox SET status = 'dead', attempts = attempts + 1, last_error = ${error.message} WHERE id = ${id}`
      const inserted = yield* sql<{ id: number }>`INSERT INTO dead_letters
          (inbox_id, source, kind, record_id, error, payload, created_at)
        VALUES (${row.id}, ${row.source}, ${row.kind}, ${row.record_id}, ${stored}, ${row.payload}, ${now})
        RETURNING id`
      return Option.fromNullable(inserted[0]?.id)
    }))
  }),

  depth: Effect.fn("Store.inbox.depth")(function*() {
    const now = yield* Clock.currentTimeMillis
    const rows = yield* sql<{ pending: number | null; due: number | null; dead: number | null }>`SELECT
        sum(status = 'pending') AS pending,
        sum(status = 'pending' AND next_attempt_at <= ${now}) AS due,
        sum(status = 'dead') AS dead
      FROM inbox`
    const row = rows[0]
    return { pending: row?.pending ?? 0, due: row?.due ?? 0, dead: row?.dead ?? 0 } as InboxDepth
  }),

  /**
   * Deletes done rows completed before `doneBefore`; returns how many. Pending
   * and dead rows are kept. A redelivery of a pruned event gets a new row, which
   * is harmless: the worker re-reads the record and finds its hash unchanged.
   */
  prune: Effect.fn("Store.inbox.prune")(function*(doneBefore: number) {
    return yield* wt(Effect.gen(function*() {
      yield* sql`DELETE FROM inbox WHERE status = 'done' AND done_at < ${doneBefore}`
      const rows = yield* sql<{ n: number }>`SELECT changes() AS n`
      return rows[0]?.n ?? 0
    }))
  }),

  /** When the earliest pending row is due (may be in the past), None when nothing is pending. */
  nextDueAt: Effect.fn("Store.inbox.nextDueAt")(function*() {
    const rows = yield* sql<{ t: number | null }>`SELECT min(next_attempt_at) AS t FROM inbox WHERE status = 'pending'`
    return Option.fromNullable(rows[0]?.t)
  })
})

export type Inbox = ReturnType<typeof makeInbox>
