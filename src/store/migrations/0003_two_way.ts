/**
 * 0003_two_way: what the two-way engine keeps on a link (issue 10).
 *
 * - `base`: each side's synced fields as they were at the last sync (JSON
 *   {"external": …, "alegra": …}). Hashes say that a side changed; the base says which
 *   fields, so conflicts are decided field by field.
 * - `role`: the role an external record gives its Alegra contact ("client",
 *   "provider"; "" for other kinds). One Alegra contact can be linked from one system
 *   once per role (a customer and a supplier record of the same company), so the
 *   uniqueness on the Alegra side includes the role. SQLite cannot change a table's
 *   constraints in place: the table is rebuilt (nothing references it).
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

const statements: ReadonlyArray<string> = [
  `CREATE TABLE links_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    system TEXT NOT NULL,
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    alegra_id TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT '',
    external_hash TEXT,
    alegra_hash TEXT,
    external_version TEXT,
    alegra_version TEXT,
    base TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (system, kind, external_id),
    UNIQUE (system, kind, alegra_id, role)
  )`,
  `INSERT INTO links_new (id, system, kind, external_id, alegra_id, role, external_hash, alegra_hash,
                         external_version, alegra_version, base, created_at, updated_at)
   SELECT id, system, kind, external_id, alegra_id, CASE WHEN kind = 'contact' THEN 'client' ELSE '' END,
          external_hash, alegra_hash, external_version, alegra_version, NULL, created_at, updated_at
   FROM links`,
  `DROP TABLE links`,
  `ALTER TABLE links_new RENAME TO links`,
  `CREATE INDEX links_alegra ON links (kind, alegra_id)`,
  `CREATE INDEX intents_pending ON intents (status) WHERE status = 'pending'`
]

const migration: Effect.Effect<void, unknown, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  for (const statement of statements) {
    yield* sql.unsafe(statement)
  }
})

export default migration
