/**
 * Intents by the record they are about: before a create, the engine asks whether that record
 * was ever attempted (only then can Alegra hold a record carrying its marker).
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

const migration: Effect.Effect<void, unknown, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`CREATE INDEX intents_record ON intents (system, kind, external_id)`)
})

export default migration
