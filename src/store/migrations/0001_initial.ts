/**
 * 0001_initial: every table of the mapping store.
 *
 * Times are integer epoch milliseconds; JSON is TEXT. better-sqlite3 prepares
 * one statement at a time, so each DDL statement is its own query.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

const statements: ReadonlyArray<string> = [
  // The mirror of Alegra: one row per record, canonical JSON and its hash.
  `CREATE TABLE alegra_records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    content TEXT NOT NULL,
    hash TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
  )`,
  `CREATE INDEX alegra_records_seen ON alegra_records (kind, seen_at)`,

  // "A record in system X" <-> "a record in Alegra", unique both ways per system and kind.
  `CREATE TABLE links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    system TEXT NOT NULL,
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    alegra_id TEXT NOT NULL,
    external_hash TEXT,
    alegra_hash TEXT,
    external_version TEXT,
    alegra_version TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (system, kind, external_id),
    UNIQUE (system, kind, alegra_id)
  )`,

  // Durable, deduplicated work: one pending row per record at most.
  `CREATE TABLE inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted', 'changed')),
    event_key TEXT NOT NULL,
    payload TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    generation INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    received_at INTEGER NOT NULL,
    done_at INTEGER
  )`,
  `CREATE INDEX inbox_due ON inbox (status, next_attempt_at)`,
  `CREATE INDEX inbox_record ON inbox (source, kind, record_id)`,
  `CREATE UNIQUE INDEX inbox_one_pending ON inbox (source, kind, record_id) WHERE status = 'pending'`,

  `CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inbox_id INTEGER REFERENCES inbox (id) ON DELETE SET NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    error TEXT NOT NULL,
    payload TEXT,
    created_at INTEGER NOT NULL,
    replayed_at INTEGER
  )`,
  `CREATE INDEX dead_letters_inbox ON dead_letters (inbox_id)`,

  // Written before a remote create, so a crash is resolved by lookup, never by a second create.
  `CREATE TABLE intents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    system TEXT NOT NULL,
    kind TEXT NOT NULL,
    external_id TEXT,
    operation TEXT NOT NULL,
    natural_key TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'abandoned')),
    alegra_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  )`,
  `CREATE INDEX intents_status ON intents (status, system, kind)`,

  `CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    system TEXT NOT NULL,
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    alegra_id TEXT NOT NULL,
    fields TEXT NOT NULL,
    resolution TEXT NOT NULL,
    created_at INTEGER NOT NULL
  )`,

  // Poll high-water marks and backfill checkpoints.
  `CREATE TABLE cursors (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  )`,

  // The URL carries the per-install secret token: only its SHA-256 is kept.
  `CREATE TABLE webhook_subscriptions (
    system TEXT NOT NULL,
    id TEXT NOT NULL,
    event TEXT NOT NULL,
    url_fingerprint TEXT NOT NULL CHECK (length(url_fingerprint) = 64),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (system, id)
  )`
]

const migration: Effect.Effect<void, unknown, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  for (const statement of statements) {
    yield* sql.unsafe(statement)
  }
})

export default migration
