/**
 * The store's migrations, for `SqliteMigrator.fromRecord`.
 *
 * Keys MUST match /^\d+_/ (fromRecord silently ignores any other key) and a new
 * migration MUST get a number above every one already released: the migrator
 * only runs ids above the highest applied one. A landed migration is never
 * edited. test/store/migrations.test.ts checks the first rule.
 */
import type { SqlClient } from "@effect/sql"
import type { Effect } from "effect"
import initial from "./0001_initial.js"
import hardening from "./0002_hardening.js"
import twoWay from "./0003_two_way.js"
import intentRecords from "./0004_intent_records.js"

export const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  "0001_initial": initial,
  "0002_hardening": hardening,
  "0003_two_way": twoWay,
  "0004_intent_records": intentRecords
}

/** The highest migration this version knows: a store at a higher one was written by a newer version. */
export const latestMigration: number = Math.max(...Object.keys(migrations).map((key) => Number.parseInt(key, 10)))

/** The table the migrator records applied migrations in. */
export const migrationsTable = "effect_sql_migrations"
