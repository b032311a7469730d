/**
 * 0002_hardening: what running the daemon beside a backfill, restarts and second
 * instances taught (issues 8 and 9).
 *
 * - The mirror orders observations by when they were read (`read_at`): an older
 *   read never replaces a newer one. A delete is kept as a tombstone
 *   (`deleted_at`), so a page read before the delete cannot bring the record back.
 *   `seen_at` goes: rewriting it on every unchanged read made a re-run write every
 *   row. `doc_date` lets the credit-note poll read ids, hashes and dates only.
 * - The inbox is keyed by system, not by capture channel: one pending row per
 *   record, whichever webhook, poll, sweep or backfill saw it. `channel` keeps
 *   what saw it, for diagnosis; `read_at` is when a carried payload was read.
 * - `store_meta` holds this install's id; webhook subscriptions are owned by it.
 * - `leases`: one daemon per store, and one backfill.
 * - `rate_starts` and `rate_pauses`: one Alegra request budget per account for
 *   every process sharing the store.
 * - `unreadable_deliveries`: webhook bodies with the right token that could not be
 *   read, size-capped, kept for diagnosis.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"

const statements: ReadonlyArray<string> = [
  // The mirror.
  `ALTER TABLE alegra_records ADD COLUMN read_at INTEGER NOT NULL DEFAULT 0`,
  `UPDATE alegra_records SET read_at = seen_at`,
  `ALTER TABLE alegra_records ADD COLUMN deleted_at INTEGER`,
  `ALTER TABLE alegra_records ADD COLUMN doc_date TEXT`,
  `UPDATE alegra_records SET doc_date = json_extract(content, '$.date')
     WHERE kind IN ('invoice', 'bill', 'payment', 'credit-note', 'estimate')`,
  `DROP INDEX alegra_records_seen`,
  `ALTER TABLE alegra_records DROP COLUMN seen_at`,
  `CREATE INDEX alegra_records_date ON alegra_records (kind, doc_date)`,

  // The inbox, keyed by system.
  `DROP INDEX inbox_one_pending`,
  `DROP INDEX inbox_record`,
  `ALTER TABLE inbox RENAME COLUMN source TO system`,
  `ALTER TABLE inbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'webhook'`,
  `ALTER TABLE inbox ADD COLUMN read_at INTEGER`,
  `UPDATE inbox SET channel = CASE system
       WHEN 'alegra-poll' THEN 'poll'
       WHEN 'alegra-sweep' THEN 'sweep'
       WHEN 'alegra-related' THEN 'related'
       ELSE 'webhook' END,
     system = 'alegra'
   WHERE system LIKE 'alegra%'`,
  // Several channels may each have left a pending row for one record: keep the
  // oldest, without payload (so the worker re-reads the record), the others are done.
  `UPDATE inbox SET payload = NULL, generation = generation + 1
   WHERE status = 'pending' AND id IN (
     SELECT min(id) FROM inbox WHERE status = 'pending' GROUP BY system, kind, record_id HAVING count(*) > 1)`,
  `UPDATE inbox SET status = 'done', done_at = received_at
   WHERE status = 'pending' AND id NOT IN (
     SELECT min(id) FROM inbox WHERE status = 'pending' GROUP BY system, kind, record_id)`,
  `CREATE UNIQUE INDEX inbox_one_pending ON inbox (system, kind, record_id) WHERE status = 'pending'`,
  `CREATE INDEX inbox_record ON inbox (system, kind, record_id, id)`,
  `ALTER TABLE dead_letters RENAME COLUMN source TO system`,
  `ALTER TABLE dead_letters ADD COLUMN channel TEXT NOT NULL DEFAULT 'webhook'`,
  `UPDATE dead_letters SET channel = CASE system
       WHEN 'alegra-poll' THEN 'poll'
       WHEN 'alegra-sweep' THEN 'sweep'
       WHEN 'alegra-related' THEN 'related'
       ELSE 'webhook' END,
     system = 'alegra'
   WHERE system LIKE 'alegra%'`,

  // This install.
  `CREATE TABLE store_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
  )`,
  `ALTER TABLE webhook_subscriptions ADD COLUMN install_id TEXT NOT NULL DEFAULT ''`,

  `CREATE TABLE leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL,
    renewed_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  )`,

  // One request budget per account, across processes.
  // Every start is numbered per account (and background starts again among themselves), so
  // that the start that may block the next one is found by number, not by counting the window.
  `CREATE TABLE rate_starts (
    account TEXT NOT NULL,
    seq INTEGER NOT NULL,
    background_seq INTEGER,
    started_at INTEGER NOT NULL,
    PRIMARY KEY (account, seq)
  )`,
  `CREATE INDEX rate_starts_background ON rate_starts (account, background_seq) WHERE background_seq IS NOT NULL`,
  `CREATE TABLE rate_pauses (
    account TEXT PRIMARY KEY NOT NULL,
    until_at INTEGER NOT NULL
  )`,

  `CREATE TABLE unreadable_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    system TEXT NOT NULL,
    reason TEXT NOT NULL,
    kinds TEXT NOT NULL,
    body TEXT NOT NULL,
    body_bytes INTEGER NOT NULL,
    received_at INTEGER NOT NULL
  )`,
  `CREATE INDEX unreadable_deliveries_received ON unreadable_deliveries (received_at)`
]

const migration: Effect.Effect<void, unknown, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  for (const statement of statements) {
    yield* sql.unsafe(statement)
  }
  const installId = randomUUID()
  yield* sql`INSERT INTO store_meta (key, value) VALUES ('install_id', ${installId})`
  yield* sql`UPDATE webhook_subscriptions SET install_id = ${installId}`
})

export default migration
