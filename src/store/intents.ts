/**
 * Intents: a row written (and committed) BEFORE a remote create in a system
 * without idempotency keys (Alegra), so that a crash between "remote create"
 * and "link recorded" is resolved on restart by a lookup on the natural key,
 * never by a second create. Stripe writes use `idempotencyKey` as their
 * Idempotency-Key, so a retried create returns the first one.
 */
import type { SqlClient } from "@effect/sql"
import { Clock, Effect, Option, Schema } from "effect"
import { randomUUID } from "node:crypto"
import type { Kind, System } from "../../schema/index.js"
import { canonicalJson, parseJson } from "./json.js"
import type { WriteTransaction } from "./transaction.js"

export const IntentStatus = Schema.Literal("pending", "done", "abandoned")
export type IntentStatus = typeof IntentStatus.Type

export interface Intent {
  readonly id: number
  /** The system whose record the operation is about (the link's system). */
  readonly system: System
  readonly kind: Kind
  /** The external record; null when it is the thing being created (a Stripe create). */
  readonly externalId: string | null
  /** What is about to be done, e.g. "create-in-alegra", "create-in-stripe". */
  readonly operation: string
  /** What identifies the record if it was created after all (identification, email, name, SKU...). */
  readonly naturalKey: unknown
  readonly idempotencyKey: string
  readonly status: IntentStatus
  readonly alegraId: string | null
  readonly createdAt: number
  readonly updatedAt: number
}

export interface IntentInput {
  readonly system: System
  readonly kind: Kind
  readonly externalId: string | null
  readonly operation: string
  readonly naturalKey: unknown
  /** The Alegra record, when it is known before the operation (writes towards HubSpot or Stripe). */
  readonly alegraId?: string | null
  /** Defaults to a new random key. */
  readonly idempotencyKey?: string
}

interface IntentRecord {
  readonly id: number
  readonly system: string
  readonly kind: string
  readonly external_id: string | null
  readonly operation: string
  readonly natural_key: string
  readonly idempotency_key: string
  readonly status: string
  readonly alegra_id: string | null
  readonly created_at: number
  readonly updated_at: number
}

const toIntent = (row: IntentRecord): Intent => ({
  id: row.id,
  system: row.system as System,
  kind: row.kind as Kind,
  externalId: row.external_id,
  operation: row.operation,
  naturalKey: parseJson(row.natural_key),
  idempotencyKey: row.idempotency_key,
  status: row.status as IntentStatus,
  alegraId: row.alegra_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at
})

export const makeIntents = (sql: SqlClient.SqlClient, wt: WriteTransaction) => ({
  /**
   * Records the intent (commit it before the remote call). When a pending intent
   * already exists for the same system, kind, operation, external id and natural
   * key (a crash or a retry), that one is returned with `resumed: true`: look the
   * record up by its natural key before creating anything, and reuse its
   * idempotency key.
   */
  begin: Effect.fn("Store.intents.begin")(function*(input: IntentInput) {
    const now = yield* Clock.currentTimeMillis
    const naturalKey = canonicalJson(input.naturalKey)
    return yield* wt(Effect.gen(function*() {
      const existing = yield* sql<IntentRecord>`SELECT * FROM intents
        WHERE status = 'pending' AND system = ${input.system} AND kind = ${input.kind}
          AND operation = ${input.operation} AND external_id IS ${input.externalId} AND natural_key = ${naturalKey}
        ORDER BY id LIMIT 1`
      if (existing[0] !== undefined) return { intent: toIntent(existing[0]), resumed: true, firstAttempt: false }
      // Never attempted before (no intent in any state): nothing in Alegra can carry its marker yet.
      const earlier = yield* sql<{ id: number }>`SELECT id FROM intents
        WHERE system = ${input.system} AND kind = ${input.kind} AND operation = ${input.operation}
          AND external_id IS ${input.externalId}
        LIMIT 1`
      const key = input.idempotencyKey ?? `${input.system}-${input.kind}-${randomUUID()}`
      const rows = yield* sql<IntentRecord>`INSERT INTO intents
          (system, kind, external_id, operation, natural_key, idempotency_key, status, alegra_id, created_at, updated_at)
        VALUES (${input.system}, ${input.kind}, ${input.externalId}, ${input.operation}, ${naturalKey}, ${key},
                'pending', ${input.alegraId ?? null}, ${now}, ${now})
        RETURNING *`
      return { intent: toIntent(rows[0]!), resumed: false, firstAttempt: input.externalId !== null && earlier.length === 0 }
    }))
  }),

  get: Effect.fn("Store.intents.get")(function*(id: number) {
    const rows = yield* sql<IntentRecord>`SELECT * FROM intents WHERE id = ${id}`
    return Option.map(Option.fromNullable(rows[0]), toIntent)
  }),

  /** The operation happened (or was found by lookup): done, with the ids. False when not pending. */
  resolve: Effect.fn("Store.intents.resolve")(function*(id: number, alegraId: string, externalId?: string) {
    const now = yield* Clock.currentTimeMillis
    const rows = yield* wt(sql<{ id: number }>`UPDATE intents
      SET status = 'done', alegra_id = ${alegraId}, external_id = coalesce(${externalId ?? null}, external_id),
          updated_at = ${now}
      WHERE id = ${id} AND status = 'pending' RETURNING id`)
    return rows.length > 0
  }),

  /** The operation will not happen (it failed for good, and the lookup found nothing). False when not pending. */
  abandon: Effect.fn("Store.intents.abandon")(function*(id: number) {
    const now = yield* Clock.currentTimeMillis
    const rows = yield* wt(sql<{ id: number }>`UPDATE intents SET status = 'abandoned', updated_at = ${now}
      WHERE id = ${id} AND status = 'pending' RETURNING id`)
    return rows.length > 0
  }),

  /** Pending intents, oldest first: what a restart must resolve by lookup. */
  pending: Effect.fn("Store.intents.pending")(function*() {
    const rows = yield* sql<IntentRecord>`SELECT * FROM intents WHERE status = 'pending' ORDER BY id`
    return rows.map(toIntent) as ReadonlyArray<Intent>
  })
})

export type Intents = ReturnType<typeof makeIntents>
