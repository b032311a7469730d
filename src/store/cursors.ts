/**
 * Cursors: poll high-water marks and backfill checkpoints, as JSON by name.
 */
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Clock, Effect, Option } from "effect"
import { canonicalJson, parseJson } from "./json.js"
import type { WriteTransaction } from "./transaction.js"

export interface Cursor {
  readonly name: string
  readonly value: unknown
  readonly updatedAt: number
}

/** A cursor to write in the same transaction as something else (a backfill page). */
export interface CursorWrite {
  readonly name: string
  readonly value: unknown
}

interface CursorRecord {
  readonly name: string
  readonly value: string
  readonly updated_at: number
}

const toCursor = (row: CursorRecord): Cursor => ({ name: row.name, value: parseJson(row.value), updatedAt: row.updated_at })

/** The write itself, for use inside a transaction that is already open. */
export const writeCursor = (
  sql: SqlClient.SqlClient,
  cursor: CursorWrite,
  now: number
): Effect.Effect<void, SqlError> =>
  sql`INSERT INTO cursors (name, value, updated_at) VALUES (${cursor.name}, ${canonicalJson(cursor.value)}, ${now})
      ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`.pipe(Effect.asVoid)

export const makeCursors = (sql: SqlClient.SqlClient, wt: WriteTransaction) => ({
  get: Effect.fn("Store.cursors.get")(function*(name: string) {
    const rows = yield* sql<CursorRecord>`SELECT name, value, updated_at FROM cursors WHERE name = ${name}`
    return Option.map(Option.fromNullable(rows[0]), (row) => parseJson(row.value))
  }),
  set: Effect.fn("Store.cursors.set")(function*(name: string, value: unknown) {
    const now = yield* Clock.currentTimeMillis
    yield* wt(writeCursor(sql, { name, value }, now))
  }),
  /** True when the cursor existed. */
  remove: Effect.fn("Store.cursors.remove")(function*(name: string) {
    const rows = yield* wt(sql<{ name: string }>`DELETE FROM cursors WHERE name = ${name} RETURNING name`)
    return rows.length > 0
  }),
  list: Effect.fn("Store.cursors.list")(function*() {
    const rows = yield* sql<CursorRecord>`SELECT name, value, updated_at FROM cursors ORDER BY name`
    return rows.map(toCursor) as ReadonlyArray<Cursor>
  })
})

export type Cursors = ReturnType<typeof makeCursors>
