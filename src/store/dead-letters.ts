/**
 * Dead letters: inbox rows that failed for a non-transient reason, with their
 * error, until an operator replays them.
 */
import type { SqlClient } from "@effect/sql"
import { Clock, Effect, Option, Schema } from "effect"
import type { Kind, System } from "../../schema/index.js"
import { DeadLetterError, type InboxChannel, pendingRowOf } from "./inbox.js"
import { parseJson, parseNullableJson } from "./json.js"
import type { WriteTransaction } from "./transaction.js"

export interface DeadLetter {
  readonly id: number
  /** The inbox row that died; null once that row was pruned. */
  readonly inboxId: number | null
  /** Where the record lives. */
  readonly system: System
  /** What had seen the change. */
  readonly channel: InboxChannel
  readonly kind: Kind
  readonly recordId: string
  readonly error: DeadLetterError
  /** The inbox row's payload (null: none). */
  readonly payload: unknown
  readonly createdAt: number
  readonly replayedAt: number | null
}

interface DeadLetterRecord {
  readonly id: number
  readonly inbox_id: number | null
  readonly system: string
  readonly channel: string
  readonly kind: string
  readonly record_id: string
  readonly error: string
  readonly payload: string | null
  readonly created_at: number
  readonly replayed_at: number | null
}

const decodeError = Schema.decodeUnknownSync(DeadLetterError)

const toDeadLetter = (row: DeadLetterRecord): DeadLetter => ({
  id: row.id,
  inboxId: row.inbox_id,
  system: row.system as System,
  channel: row.channel as InboxChannel,
  kind: row.kind as Kind,
  recordId: row.record_id,
  error: decodeError(parseJson(row.error)),
  payload: parseNullableJson(row.payload),
  createdAt: row.created_at,
  replayedAt: row.replayed_at
})

export const makeDeadLetters = (sql: SqlClient.SqlClient, wt: WriteTransaction) => ({
  /** Every dead letter, oldest first; `{ includeReplayed: false }` leaves out the replayed ones. */
  list: Effect.fn("Store.deadLetters.list")(function*(options?: { readonly includeReplayed?: boolean }) {
    const rows = options?.includeReplayed === false
      ? yield* sql<DeadLetterRecord>`SELECT * FROM dead_letters WHERE replayed_at IS NULL ORDER BY id`
      : yield* sql<DeadLetterRecord>`SELECT * FROM dead_letters ORDER BY id`
    return rows.map(toDeadLetter) as ReadonlyArray<DeadLetter>
  }),

  /** Dead letters not replayed yet. */
  count: Effect.fn("Store.deadLetters.count")(function*() {
    const rows = yield* sql<{ n: number }>`SELECT count(*) AS n FROM dead_letters WHERE replayed_at IS NULL`
    return rows[0]?.n ?? 0
  }),

  /**
   * Re-offers the dead letter's record as pending, due now, and stamps
   * replayed_at. Some(id of the pending inbox row), None when there is no such
   * dead letter. The record gets exactly one pending row:
   * - a pending row already exists (a later change): it is made due now;
   * - else the dead inbox row itself goes back to pending (attempts reset);
   * - else (that row was replayed and completed, then pruned) a new row.
   */
  replay: Effect.fn("Store.deadLetters.replay")(function*(id: number) {
    const now = yield* Clock.currentTimeMillis
    return yield* wt(Effect.gen(function*() {
      const letters = yield* sql<DeadLetterRecord>`SELECT * FROM dead_letters WHERE id = ${id}`
      const letter = letters[0]
      if (letter === undefined) return Option.none<number>()
      let inboxId: number
      const pending = yield* pendingRowOf(sql, letter.system, letter.kind, letter.record_id)
      const dead = letter.inbox_id === null
        ? []
        : yield* sql<{ id: number }>`SELECT id FROM inbox WHERE id = ${letter.inbox_id} AND status = 'dead'`
      if (Option.isSome(pending)) {
        inboxId = pending.value.id
        yield* sql`UPDATE inbox SET generation = generation + 1, next_attempt_at = ${now} WHERE id = ${inboxId}`
      } else if (dead[0] !== undefined) {
        inboxId = dead[0].id
        yield* sql`UPDATE inbox
          SET status = 'pending', channel = 'replay', payload = NULL, read_at = NULL,
              attempts = 0, last_error = NULL, done_at = NULL,
              generation = generation + 1, next_attempt_at = ${now}
          WHERE id = ${inboxId}`
      } else {
        // Without its payload: a replayed change is read again from its system.
        const inserted = yield* sql<{ id: number }>`INSERT INTO inbox
            (system, kind, record_id, channel, action, event_key, payload, status, generation, attempts, next_attempt_at, received_at)
          VALUES (${letter.system}, ${letter.kind}, ${letter.record_id}, 'replay', 'changed', ${`replay:${letter.id}:${now}`},
                  NULL, 'pending', 0, 0, ${now}, ${now})
          RETURNING id`
        inboxId = inserted[0]!.id
      }
      yield* sql`UPDATE dead_letters SET replayed_at = ${now} WHERE id = ${id}`
      return Option.some(inboxId)
    }))
  })
})

export type DeadLetters = ReturnType<typeof makeDeadLetters>
