/**
 * The store's migrations, for `SqliteMigrator.fromRecord`.
 *
 * Keys MUST match /^\d+_/ (fromRecord silently ignores any other key) and a new
 * migration MUST get a number above every one already released: the migrator
 * only runs ids above the highest applied one. test/store/migrations.test.ts
 * checks the first rule.
 */
import type { SqlClient } from "@effect/sql"
import type { Effect } from "effect"
import initial from "./0001_initial.js"

export const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  "0001_initial": initial
}

/** The table the migrator records applied migrations in. */
export const migrationsTable = "effect_sql_migrations"
