import { SqlClient } from "@effect/sql"
import { SqliteMigrator } from "@effect/sql-sqlite-node"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { migrations, migrationsTable } from "../../src/store/index.js"
import { storeLayer, tempDbFile, withStore } from "./helpers.js"

const tables = [
  "alegra_records",
  "conflicts",
  "cursors",
  "dead_letters",
  "effect_sql_migrations",
  "inbox",
  "intents",
  "leases",
  "links",
  "rate_pauses",
  "rate_starts",
  "store_meta",
  "unreadable_deliveries",
  "webhook_subscriptions"
]

const schemaOf = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  return yield* sql<{ type: string; name: string; sql: string | null }>`
    SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`
})

describe("migrations", () => {
  it("every key is one SqliteMigrator.fromRecord reads (it silently skips keys not matching ^\\d+_)", () => {
    expect(Object.keys(migrations).length).toBeGreaterThan(0)
    for (const key of Object.keys(migrations)) expect(key).toMatch(/^\d+_/)
  })

  it.effect("create every table, in a directory the layer creates, with the connection's pragmas", () => {
    const file = tempDbFile()
    expect(fs.existsSync(path.dirname(file))).toBe(false)
    return withStore(
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const names = (yield* schemaOf).filter((row) => row.type === "table").map((row) => row.name)
        expect(names).toEqual(tables)
        const indexes = (yield* schemaOf).filter((row) => row.type === "index").map((row) => row.name)
        expect(indexes).toEqual(expect.arrayContaining(["inbox_due", "inbox_record", "inbox_one_pending"]))
        const applied = yield* sql<{ migration_id: number; name: string }>`SELECT migration_id, name FROM ${sql(migrationsTable)}`
        expect(applied).toEqual([{ migration_id: 1, name: "initial" }, { migration_id: 2, name: "hardening" }, { migration_id: 3, name: "two_way" }, { migration_id: 4, name: "intent_records" }])
        const pragma = (name: string) => Effect.map(sql.unsafe<Record<string, unknown>>(`PRAGMA ${name}`), (rows) => Object.values(rows[0]!)[0])
        expect(yield* pragma("journal_mode")).toBe("wal")
        expect(yield* pragma("foreign_keys")).toBe(1)
        expect(yield* pragma("synchronous")).toBe(1) // NORMAL
        expect(yield* pragma("busy_timeout")).toBe(5000)
        expect(fs.existsSync(file)).toBe(true)
      }),
      file
    )
  })

  it.effect("re-running them (a second start-up, or the migrator again) is a no-op", () => {
    const file = tempDbFile()
    return Effect.gen(function*() {
      const first = yield* withStore(schemaOf, file)
      const again = yield* withStore(
        Effect.gen(function*() {
          const ran = yield* SqliteMigrator.run({ loader: SqliteMigrator.fromRecord(migrations), table: migrationsTable }).pipe(
            Effect.provide(NodeContext.layer)
          )
          expect(ran).toEqual([])
          return yield* schemaOf
        }),
        file
      )
      expect(again).toEqual(first)
    })
  })

  it.effect("data survives a restart (a second start-up on the same file)", () => {
    const file = tempDbFile()
    const layer = storeLayer(file)
    return Effect.gen(function*() {
      yield* Effect.provide(
        Effect.flatMap(SqlClient.SqlClient, (sql) => sql`INSERT INTO cursors (name, value, updated_at) VALUES ('a', '1', 0)`),
        layer
      )
      const rows = yield* Effect.provide(
        Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ name: string }>`SELECT name FROM cursors`),
        layer
      )
      expect(rows).toEqual([{ name: "a" }])
    })
  })
})
