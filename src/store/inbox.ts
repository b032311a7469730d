/**
 * The inbox: durable, deduplicated work items, one pending row per record.
 *
 * Rows are keyed by the system the record lives in (where the worker re-reads it),
 * not by the channel that saw the change: whichever webhook, poll, sweep or backfill
 * saw it, a record has at most one pending row. The worker takes due rows, re-reads
 * the record from its source (unless the row carries a payload just read from the
 * API), and completes, retries or dead-letters them. Deliberately not
 * SqlPersistedQueue (STACK.md pitfall 6): backoff is a column, done rows are pruned,
 * dedup is per record.
 *
 * Offers are set-based: a batch of deliveries costs three statements however large
 * it is, so webhook ingest can group-commit (see src/capture/ingest.ts).
 */
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Clock, Effect, Option, Schema } from "effect"
import type { Kind, System } from "../../schema/index.js"
import { canonicalJson, nullableJson, parseNullableJson } from "./json.js"
import type { WriteTransaction } from "./transaction.js"

export const InboxAction = Schema.Literal("created", "updated", "deleted", "changed")
export type InboxAction = typeof InboxAction.Type

export const InboxStatus = Schema.Literal("pending", "done", "dead")
export type InboxStatus = typeof InboxStatus.Type

/** What saw the change (kept for diagnosis; it does not key the row). */
export const InboxChannel = Schema.Literal("webhook", "poll", "sweep", "related", "backfill", "replay", "fanout")
export type InboxChannel = typeof InboxChannel.Type

export interface InboxOffer {
  /** The system the record lives in, where the worker re-reads it. */
  readonly system: System
  readonly kind: Kind
  readonly recordId: string
  readonly channel: InboxChannel
  readonly action: InboxAction
  /** Identifies the change (a webhook event id, a poll's content hash...): equal keys are the same change. */
  readonly eventKey: string
  /** The record when capture already read it from the API (a poll or sweep page); never a webhook body. Null or omitted: none. */
  readonly payload?: unknown
  /** When the payload was read (epoch ms); required with a payload. */
  readonly readAt?: number
}

export type OfferResult = "inserted" | "coalesced" | "duplicate"

export interface InboxRow {
  readonly id: number
  readonly system: System
  readonly kind: Kind
  readonly recordId: string
  readonly channel: InboxChannel
  readonly action: InboxAction
  readonly eventKey: string
  /** The record read by capture, or null when the row carries none (the worker reads it). */
  readonly payload: unknown
  /** When the payload was read, null without payload. */
  readonly readAt: number | null
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
  /** Age of the oldest pending row that is due (ms), 0 when none. */
  readonly oldestDueMs: number
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

const InboxRecord = Schema.Struct({
  id: Schema.Number,
  system: Schema.String,
  kind: Schema.String,
  record_id: Schema.String,
  channel: InboxChannel,
  action: InboxAction,
  event_key: Schema.String,
  payload: Schema.NullOr(Schema.String),
  read_at: Schema.NullOr(Schema.Number),
  status: InboxStatus,
  generation: Schema.Number,
  attempts: Schema.Number,
  next_attempt_at: Schema.Number,
  last_error: Schema.NullOr(Schema.String),
  received_at: Schema.Number,
  done_at: Schema.NullOr(Schema.Number)
})
const decodeInboxRecord = Schema.decodeUnknownSync(InboxRecord)

/** @internal */
export const toInboxRow = (raw: unknown): InboxRow => {
  const row = decodeInboxRecord(raw)
  return {
    id: row.id,
    system: row.system as System,
    kind: row.kind as Kind,
    recordId: row.record_id,
    channel: row.channel,
    action: row.action,
    eventKey: row.event_key,
    payload: parseNullableJson(row.payload),
    readAt: row.read_at,
    status: row.status,
    generation: row.generation,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    receivedAt: row.received_at,
    doneAt: row.done_at
  }
}

const columns =
  "id, system, kind, record_id, channel, action, event_key, payload, read_at, status, generation, attempts, next_attempt_at, last_error, received_at, done_at"

/** Offers per statement: 9 parameters each, well under SQLite's and PostgreSQL's limits. */
const OFFERS_PER_STATEMENT = 200

const recordKey = (system: string, kind: string, recordId: string) => `${system}\u0000${kind}\u0000${recordId}`

interface Latest {
  readonly id: number
  readonly system: string
  readonly kind: string
  readonly record_id: string
  readonly status: string
  readonly event_key: string
  readonly has_payload: number
  readonly read_at: number | null
}

/** @internal the pending row of a record, if any; the caller holds the write transaction */
export const pendingRowOf = (sql: SqlClient.SqlClient, system: string, kind: string, recordId: string) =>
  Effect.map(
    sql<{ id: number; event_key: string }>`SELECT id, event_key FROM inbox
      WHERE system = ${system} AND kind = ${kind} AND record_id = ${recordId} AND status = 'pending'`,
    (rows) => Option.fromNullable(rows[0])
  )

/** The payload a pending row ends up with: none (the worker re-reads), the one it has, or a new one. */
type PayloadChoice =
  | { readonly _tag: "none" }
  | { readonly _tag: "keep"; readonly readAt: number | null }
  | { readonly _tag: "set"; readonly json: string; readonly readAt: number }

interface Prepared {
  readonly offer: InboxOffer
  readonly payload: PayloadChoice
}

const payloadOf = (offer: InboxOffer, now: number): PayloadChoice => {
  const json = nullableJson(offer.payload)
  return json === null ? { _tag: "none" } : { _tag: "set", json, readAt: offer.readAt ?? now }
}

const readAtOf = (choice: PayloadChoice): number | null => (choice._tag === "none" ? null : choice.readAt)

/**
 * The payload a pending row keeps when a newer offer folds into it: a record read by
 * capture is only worth keeping when both carry one, and then the one read later
 * wins; otherwise (a webhook carries none) the worker re-reads the record.
 */
const mergePayload = (previous: PayloadChoice, next: PayloadChoice): PayloadChoice => {
  if (previous._tag === "none" || next._tag === "none") return { _tag: "none" }
  return (next.readAt ?? 0) > (readAtOf(previous) ?? 0) ? next : previous
}

/**
 * Offers in one transaction the caller holds. Per record, against its latest row
 * (the pending row, when there is one, is always the latest):
 * - pending with the same event key: "duplicate" (bumping the generation would only
 *   make a busy worker do it twice, and resetting next_attempt_at would cut short a
 *   retry's backoff);
 * - pending with another key: it takes the new key, action and channel, generation
 *   + 1, due at once: "coalesced" (payload: see mergePayload);
 * - done or dead with the same event key: "duplicate" (a redelivery);
 * - else a new pending row: "inserted".
 * Offers for the same record within one batch are applied in order.
 */
const offerAll = (
  sql: SqlClient.SqlClient,
  offers: ReadonlyArray<InboxOffer>,
  now: number
): Effect.Effect<Array<OfferResult>, SqlError> =>
  Effect.gen(function*() {
    const latest = new Map<string, Latest>()
    for (let start = 0; start < offers.length; start += OFFERS_PER_STATEMENT) {
      const chunk = offers.slice(start, start + OFFERS_PER_STATEMENT)
      const keys = sql.csv(chunk.map((o) => sql`(${o.system}, ${o.kind}, ${o.recordId})`))
      const rows = yield* sql<Latest>`SELECT i.id, i.system, i.kind, i.record_id, i.status, i.event_key,
          i.payload IS NOT NULL AS has_payload, i.read_at
        FROM inbox i
        JOIN (SELECT max(id) AS id FROM inbox WHERE (system, kind, record_id) IN (VALUES ${keys})
              GROUP BY system, kind, record_id) m ON m.id = i.id`
      for (const row of rows) latest.set(recordKey(row.system, row.kind, row.record_id), row)
    }
    const results: Array<OfferResult> = []
    // Per record, what this batch will write: a new row, or an update of the pending one.
    const planned = new Map<string, { readonly existingId: number | null; readonly prepared: Prepared }>()
    for (const offer of offers) {
      const key = recordKey(offer.system, offer.kind, offer.recordId)
      const incoming = payloadOf(offer, now)
      const earlier = planned.get(key)
      if (earlier !== undefined) {
        if (earlier.prepared.offer.eventKey === offer.eventKey) {
          results.push("duplicate")
          continue
        }
        planned.set(key, {
          existingId: earlier.existingId,
          prepared: { offer, payload: mergePayload(earlier.prepared.payload, incoming) }
        })
        results.push(earlier.existingId === null ? "inserted" : "coalesced")
        continue
      }
      const row = latest.get(key)
      if (row !== undefined && row.event_key === offer.eventKey) {
        results.push("duplicate")
        continue
      }
      if (row !== undefined && row.status === "pending") {
        const stored: PayloadChoice = row.has_payload ? { _tag: "keep", readAt: row.read_at } : { _tag: "none" }
        planned.set(key, { existingId: row.id, prepared: { offer, payload: mergePayload(stored, incoming) } })
        results.push("coalesced")
        continue
      }
      planned.set(key, { existingId: null, prepared: { offer, payload: incoming } })
      results.push("inserted")
    }
    const fresh: Array<Prepared> = []
    for (const { existingId, prepared } of planned.values()) {
      if (existingId === null) {
        fresh.push(prepared)
        continue
      }
      const { offer, payload } = prepared
      const payloadSql = payload._tag === "keep" ? sql`payload` : payload._tag === "set" ? sql`${payload.json}` : sql`NULL`
      const readAtSql = payload._tag === "keep" ? sql`read_at` : payload._tag === "set" ? sql`${payload.readAt}` : sql`NULL`
      yield* sql`UPDATE inbox SET
          event_key = ${offer.eventKey}, action = ${offer.action}, channel = ${offer.channel},
          payload = ${payloadSql}, read_at = ${readAtSql},
          generation = generation + 1, next_attempt_at = ${now}
        WHERE id = ${existingId}`
    }
    for (let start = 0; start < fresh.length; start += OFFERS_PER_STATEMENT) {
      const values = sql.csv(fresh.slice(start, start + OFFERS_PER_STATEMENT).map(({ offer, payload }) =>
        sql`(${offer.system}, ${offer.kind}, ${offer.recordId}, ${offer.channel}, ${offer.action}, ${offer.eventKey},
             ${payload._tag === "set" ? payload.json : null}, ${readAtOf(payload)}, 'pending', 0, 0, ${now}, ${now})`
      ))
      yield* sql`INSERT INTO inbox (system, kind, record_id, channel, action, event_key, payload, read_at, status,
                                    generation, attempts, next_attempt_at, received_at)
        VALUES ${values}`
    }
    return results
  })

// Methods called per row or per batch (offerMany, due, complete) are untraced: see mirror.ts.
export const makeInbox = (sql: SqlClient.SqlClient, wt: WriteTransaction) => ({
  /** Records that a record changed (see `offerMany` for the rules). */
  offer: Effect.fn("Store.inbox.offer")(function*(input: InboxOffer) {
    const now = yield* Clock.currentTimeMillis
    const [result] = yield* wt(offerAll(sql, [input], now))
    return result!
  }),

  /**
   * Records a batch of changes in ONE write transaction (group commit): the results
   * in the order of the offers. Per record: a redelivery is a "duplicate", a change
   * folds into the pending row ("coalesced"), else a new row ("inserted").
   */
  offerMany: Effect.fnUntraced(function*(offers: ReadonlyArray<InboxOffer>) {
    if (offers.length === 0) return [] as ReadonlyArray<OfferResult>
    const now = yield* Clock.currentTimeMillis
    return (yield* wt(offerAll(sql, offers, now))) as ReadonlyArray<OfferResult>
  }),

  get: Effect.fn("Store.inbox.get")(function*(id: number) {
    const rows = yield* sql`SELECT ${sql.literal(columns)} FROM inbox WHERE id = ${id}`
    return Option.map(Option.fromNullable(rows[0]), toInboxRow)
  }),

  /** Pending rows due at `now`, longest due first. */
  due: Effect.fnUntraced(function*(now: number, limit: number) {
    const rows = yield* sql`SELECT ${sql.literal(columns)} FROM inbox
      WHERE status = 'pending' AND next_attempt_at <= ${now}
      ORDER BY next_attempt_at, id LIMIT ${limit}`
    return rows.map(toInboxRow) as ReadonlyArray<InboxRow>
  }),

  /**
   * Marks the row done, only if it is still pending at `generation`: a delivery
   * coalesced while the worker was busy keeps it pending (false), to run again.
   */
  complete: Effect.fnUntraced(function*(id: number, generation: number) {
    const now = yield* Clock.currentTimeMillis
    const rows = yield* wt(sql<{ id: number }>`UPDATE inbox SET status = 'done', done_at = ${now}
      WHERE id = ${id} AND generation = ${generation} AND status = 'pending' RETURNING id`)
    return rows.length > 0
  }),

  /**
   * A failed attempt: the error kept, next attempt at `nextAttemptAt`. `countAttempt:
   * false` for failures that say nothing about the row (Alegra's rate limit, bad
   * credentials), so that waiting them out never moves a change to the dead letters.
   * False when the row is not pending.
   */
  retry: Effect.fn("Store.inbox.retry")(function*(
    id: number,
    error: string,
    nextAttemptAt: number,
    options?: { readonly countAttempt?: boolean }
  ) {
    const increment = options?.countAttempt === false ? 0 : 1
    const rows = yield* wt(sql<{ id: number }>`UPDATE inbox
      SET attempts = attempts + ${increment}, last_error = ${error}, next_attempt_at = ${nextAttemptAt}
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
      const rows = yield* sql`SELECT ${sql.literal(columns)} FROM inbox WHERE id = ${id} AND status = 'pending'`
      const row = rows[0] === undefined ? undefined : decodeInboxRecord(rows[0])
      if (row === undefined || (generation !== undefined && row.generation !== generation)) {
        return Option.none<number>()
      }
      yield* sql`UPDATE inbox SET status = 'dead', attempts = attempts + 1, last_error = ${error.message} WHERE id = ${id}`
      const inserted = yield* sql<{ id: number }>`INSERT INTO dead_letters
          (inbox_id, system, channel, kind, record_id, error, payload, created_at)
        VALUES (${row.id}, ${row.system}, ${row.channel}, ${row.kind}, ${row.record_id}, ${stored}, ${row.payload}, ${now})
        RETURNING id`
      return Option.fromNullable(inserted[0]?.id)
    }))
  }),

  /** Reads only pending and dead rows (the index on status), never the done ones. */
  depth: Effect.fn("Store.inbox.depth")(function*() {
    const now = yield* Clock.currentTimeMillis
    const pending = yield* sql<{ n: number; due: number | null; oldest: number | null }>`SELECT count(*) AS n,
        sum(next_attempt_at <= ${now}) AS due,
        min(CASE WHEN next_attempt_at <= ${now} THEN received_at END) AS oldest
      FROM inbox WHERE status = 'pending'`
    const dead = yield* sql<{ n: number }>`SELECT count(*) AS n FROM inbox WHERE status = 'dead'`
    const row = pending[0]
    return {
      pending: row?.n ?? 0,
      due: row?.due ?? 0,
      dead: dead[0]?.n ?? 0,
      oldestDueMs: row?.oldest === null || row?.oldest === undefined ? 0 : Math.max(0, now - row.oldest)
    } satisfies InboxDepth
  }),

  /**
   * Deletes done rows completed before `doneBefore`; returns how many. Pending
   * and dead rows are kept. A redelivery of a pruned event gets a new row, which
   * is harmless: the worker re-reads the record and finds its hash unchanged.
   */
  prune: Effect.fn("Store.inbox.prune")(function*(doneBefore: number) {
    const rows = yield* wt(sql<{ id: number }>`DELETE FROM inbox WHERE status = 'done' AND done_at < ${doneBefore} RETURNING id`)
    return rows.length
  }),

  /** When the earliest pending row is due (may be in the past), None when nothing is pending. */
  nextDueAt: Effect.fn("Store.inbox.nextDueAt")(function*() {
    const rows = yield* sql<{ t: number | null }>`SELECT min(next_attempt_at) AS t FROM inbox WHERE status = 'pending'`
    return Option.fromNullable(rows[0]?.t)
  })
})

export type Inbox = ReturnType<typeof makeInbox>
