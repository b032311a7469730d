/**
 * Webhook deliveries that carried the right token but could not be read. They were
 * answered 2xx (Alegra deletes a subscription after 10 failed deliveries) and the
 * kinds they may concern were re-read; the body is kept here, size-capped, so that
 * an operator can see what Alegra sent. Pruned like the inbox.
 */
import type { SqlClient } from "@effect/sql"
import { Clock, Effect, Schema } from "effect"
import type { Kind, System } from "../../schema/index.js"
import { canonicalJson } from "./json.js"
import type { WriteTransaction } from "./transaction.js"

/** Bytes of a body kept for diagnosis. */
export const UNREADABLE_BODY_LIMIT = 8 * 1024

export interface UnreadableInput {
  readonly system: System
  readonly reason: string
  readonly kinds: ReadonlyArray<Kind>
  /** The raw body as received. */
  readonly body: string
}

export interface UnreadableDelivery {
  readonly id: number
  readonly system: System
  readonly reason: string
  readonly kinds: ReadonlyArray<Kind>
  /** At most UNREADABLE_BODY_LIMIT bytes of the body. */
  readonly body: string
  /** The body's whole size. */
  readonly bodyBytes: number
  readonly receivedAt: number
}

const Row = Schema.Struct({
  id: Schema.Number,
  system: Schema.String,
  reason: Schema.String,
  kinds: Schema.parseJson(Schema.Array(Schema.String)),
  body: Schema.String,
  body_bytes: Schema.Number,
  received_at: Schema.Number
})
const decodeRow = Schema.decodeUnknownSync(Row)

/** The first `limit` bytes of a text, cut on a character boundary. */
const capBytes = (text: string, limit: number): string => {
  const bytes = Buffer.from(text, "utf8")
  if (bytes.length <= limit) return text
  return bytes.subarray(0, limit).toString("utf8").replace(/\uFFFD$/, "")
}

export const makeUnreadable = (sql: SqlClient.SqlClient, wt: WriteTransaction) => ({
  record: Effect.fn("Store.unreadable.record")(function*(input: UnreadableInput) {
    const now = yield* Clock.currentTimeMillis
    yield* wt(sql`INSERT INTO unreadable_deliveries (system, reason, kinds, body, body_bytes, received_at)
      VALUES (${input.system}, ${input.reason.slice(0, 500)}, ${canonicalJson(input.kinds)},
              ${capBytes(input.body, UNREADABLE_BODY_LIMIT)}, ${Buffer.byteLength(input.body, "utf8")}, ${now})`)
  }),

  /** The most recent first. */
  list: Effect.fn("Store.unreadable.list")(function*(limit = 100) {
    const rows = yield* sql`SELECT * FROM unreadable_deliveries ORDER BY id DESC LIMIT ${limit}`
    return rows.map((raw) => {
      const row = decodeRow(raw)
      return {
        id: row.id,
        system: row.system as System,
        reason: row.reason,
        kinds: row.kinds as ReadonlyArray<Kind>,
        body: row.body,
        bodyBytes: row.body_bytes,
        receivedAt: row.received_at
      } satisfies UnreadableDelivery
    })
  }),

  count: Effect.fn("Store.unreadable.count")(function*() {
    const rows = yield* sql<{ n: number }>`SELECT count(*) AS n FROM unreadable_deliveries`
    return rows[0]?.n ?? 0
  }),

  prune: Effect.fn("Store.unreadable.prune")(function*(before: number) {
    const rows = yield* wt(sql<{ id: number }>`DELETE FROM unreadable_deliveries WHERE received_at < ${before} RETURNING id`)
    return rows.length
  })
})

export type Unreadable = ReturnType<typeof makeUnreadable>
