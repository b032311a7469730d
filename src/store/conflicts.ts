/**
 * Conflicts: both sides changed since the last sync. Every one is recorded with
 * how it was resolved, never silently dropped.
 */
import type { SqlClient } from "@effect/sql"
import { Clock, Effect } from "effect"
import type { Kind, System } from "../../schema/index.js"
import { canonicalJson, parseJson } from "./json.js"
import type { WriteTransaction } from "./transaction.js"

export interface ConflictInput {
  readonly system: System
  readonly kind: Kind
  readonly externalId: string
  readonly alegraId: string
  /** The fields in conflict, e.g. [{ field, alegra, external, winner }]: stored as JSON. */
  readonly fields: unknown
  /** How the policy resolved it, e.g. "alegra-wins", "external-wins", "per-field", "manual". */
  readonly resolution: string
}

export interface Conflict extends ConflictInput {
  readonly id: number
  readonly createdAt: number
}

interface ConflictRecord {
  readonly id: number
  readonly system: string
  readonly kind: string
  readonly external_id: string
  readonly alegra_id: string
  readonly fields: string
  readonly resolution: string
  readonly created_at: number
}

const toConflict = (row: ConflictRecord): Conflict => ({
  id: row.id,
  system: row.system as System,
  kind: row.kind as Kind,
  externalId: row.external_id,
  alegraId: row.alegra_id,
  fields: parseJson(row.fields),
  resolution: row.resolution,
  createdAt: row.created_at
})

export const makeConflicts = (sql: SqlClient.SqlClient, wt: WriteTransaction) => ({
  /** Records a conflict; returns its id. */
  record: Effect.fn("Store.conflicts.record")(function*(input: ConflictInput) {
    const now = yield* Clock.currentTimeMillis
    const rows = yield* wt(sql<{ id: number }>`INSERT INTO conflicts
        (system, kind, external_id, alegra_id, fields, resolution, created_at)
      VALUES (${input.system}, ${input.kind}, ${input.externalId}, ${input.alegraId}, ${canonicalJson(input.fields)},
              ${input.resolution}, ${now})
      RETURNING id`)
    return rows[0]!.id
  }),

  /** Every conflict, oldest first. */
  list: Effect.fn("Store.conflicts.list")(function*() {
    const rows = yield* sql<ConflictRecord>`SELECT * FROM conflicts ORDER BY id`
    return rows.map(toConflict) as ReadonlyArray<Conflict>
  }),

  count: Effect.fn("Store.conflicts.count")(function*() {
    const rows = yield* sql<{ n: number }>`SELECT count(*) AS n FROM conflicts`
    return rows[0]?.n ?? 0
  })
})

export type Conflicts = ReturnType<typeof makeConflicts>
