/**
 * The mirror of Alegra: the last canonical content and hash read for every record.
 *
 * Observations are ordered by when they were read (`read_at`, the time the request
 * was sent): a copy is replaced only by one read later, never by one read earlier
 * (a backfill page read before a webhook was applied must not roll the record back).
 * A record Alegra answered 404 for becomes a tombstone (`deleted_at`) with that read
 * time, so an older page cannot bring it back; tombstones are invisible to every
 * reader here and pruned after a week.
 *
 * Rows whose content did not change are not written at all, so a re-run on an
 * account in sync writes nothing.
 */
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Clock, Effect, Option, Schema } from "effect"
import type { Kind } from "../../schema/index.js"
import { kinds } from "../../schema/index.js"
import { type CursorWrite, writeCursor } from "./cursors.js"
import { parseJson } from "./json.js"
import type { WriteTransaction } from "./transaction.js"

/** One observation of a record, serialised once: the same canonical JSON is hashed and stored. */
export interface MirrorWrite {
  readonly kind: Kind
  readonly id: string
  /** Canonical JSON of the record (see `canonicalize`). */
  readonly json: string
  readonly hash: string
  /** The document date, for kinds that have one (the credit-note poll reads by it). */
  readonly docDate: string | null
  /** When the read that produced it was sent (epoch ms). */
  readonly readAt: number
}

export interface MirrorRow {
  readonly kind: Kind
  readonly id: string
  /** The canonical record, as stored (canonical JSON, parsed back). */
  readonly content: unknown
  readonly hash: string
  /** When the copy held was read from Alegra (epoch ms). */
  readonly readAt: number
  /** Last time its content changed in the mirror (epoch ms). */
  readonly updatedAt: number
}

/** What the mirror knows of a record, tombstones included: what a plan is made against. */
export interface MirrorState {
  readonly hash: string
  readonly content: unknown
  readonly readAt: number
  /** Deleted in Alegra (a tombstone). */
  readonly deleted: boolean
}

const RecordRow = Schema.Struct({
  kind: Schema.String,
  id: Schema.String,
  content: Schema.String,
  hash: Schema.String,
  read_at: Schema.Number,
  updated_at: Schema.Number,
  deleted_at: Schema.NullOr(Schema.Number)
})
const decodeRecordRow = Schema.decodeUnknownSync(RecordRow)

const toRow = (raw: unknown): MirrorRow => {
  const row = decodeRecordRow(raw)
  return {
    kind: row.kind as Kind,
    id: row.id,
    content: parseJson(row.content),
    hash: row.hash,
    readAt: row.read_at,
    updatedAt: row.updated_at
  }
}

const columns = "kind, id, content, hash, read_at, updated_at, deleted_at"

/** Rows per statement of a page write (a backfill batch is 300): 7 parameters each, well under SQLite's 32,766 and PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 300

// The statement text of a page write, one per row count (a page has up to 30 rows): built
// once and prepared once, instead of composing a fragment per row on every page.
const upsertTexts = new Map<number, string>()
const upsertText = (count: number): string => {
  let text = upsertTexts.get(count)
  if (text === undefined) {
    text = `INSERT INTO alegra_records (kind, id, content, hash, read_at, updated_at, doc_date)
      VALUES ${Array.from({ length: count }, () => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}
      ON CONFLICT (kind, id) DO UPDATE SET
        content = excluded.content, hash = excluded.hash, read_at = excluded.read_at,
        updated_at = excluded.updated_at, doc_date = excluded.doc_date, deleted_at = NULL
      WHERE alegra_records.read_at < excluded.read_at
        AND (alegra_records.hash <> excluded.hash OR alegra_records.deleted_at IS NOT NULL)
      RETURNING id`
    upsertTexts.set(count, text)
  }
  return text
}

/** Tombstones older than this are pruned: no read still in flight is that old. */
export const TOMBSTONE_TTL_MS = 7 * 86_400_000

export const makeMirror = (sql: SqlClient.SqlClient, wt: WriteTransaction) => {
  const state = (kind: Kind, id: string): Effect.Effect<Option.Option<MirrorState>, SqlError> =>
    Effect.map(
      sql`SELECT ${sql.literal(columns)} FROM alegra_records WHERE kind = ${kind} AND id = ${id}`,
      (rows) =>
        Option.map(Option.fromNullable(rows[0]), (raw) => {
          const row = decodeRecordRow(raw)
          return { hash: row.hash, content: parseJson(row.content), readAt: row.read_at, deleted: row.deleted_at !== null }
        })
    )

  /**
   * Inserts or replaces rows in one statement per chunk, only where the stored copy
   * was read earlier and its content differs (or it was a tombstone). Returns how
   * many rows were written. The caller holds the write transaction.
   */
  const upsertRows = (rows: ReadonlyArray<MirrorWrite>, now: number): Effect.Effect<number, SqlError> =>
    Effect.suspend(() => {
      if (rows.length === 0) return Effect.succeed(0)
      const statements: Array<Effect.Effect<ReadonlyArray<unknown>, SqlError>> = []
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const end = Math.min(rows.length, start + ROWS_PER_STATEMENT)
        const params: Array<string | number | null> = []
        for (let i = start; i < end; i++) {
          const row = rows[i]!
          params.push(row.kind, row.id, row.json, row.hash, row.readAt, now, row.docDate)
        }
        statements.push(sql.unsafe(upsertText(end - start), params))
      }
      return statements.length === 1
        ? Effect.map(statements[0]!, (changed) => changed.length)
        : Effect.map(Effect.all(statements), (changed) => changed.reduce((sum, rows) => sum + rows.length, 0))
    })

  // The methods a worker or a backfill calls per row or per page are untraced (Effect.fnUntraced):
  // a span costs 15-20 µs, more than the statement it would describe.
  return {
    /** The live record (None for a tombstone or an unknown record). */
    get: Effect.fn("Store.mirror.get")(function*(kind: Kind, id: string) {
      const rows = yield* sql`SELECT ${sql.literal(columns)} FROM alegra_records
        WHERE kind = ${kind} AND id = ${id} AND deleted_at IS NULL`
      return Option.map(Option.fromNullable(rows[0]), toRow)
    }),

    /** What the mirror knows of a record, tombstones included. */
    state: Effect.fnUntraced(function*(kind: Kind, id: string) {
      return yield* state(kind, id)
    }),

    /**
     * Writes one observation of a live record, unless the mirror holds a copy read
     * at the same time or later, or the same content (the engine plans first; the
     * guard here also holds against another process). True when written.
     */
    put: Effect.fnUntraced(function*(row: MirrorWrite) {
      const now = yield* Clock.currentTimeMillis
      return (yield* wt(upsertRows([row], now))) > 0
    }),

    /**
     * Records that Alegra answered 404 at `readAt`: the record becomes a tombstone,
     * or one is left for a record never seen, so that a page read before the delete
     * cannot insert it afterwards. Not when the mirror holds a later read. True when
     * written.
     */
    putTombstone: Effect.fnUntraced(function*(kind: Kind, id: string, readAt: number) {
      const now = yield* Clock.currentTimeMillis
      const rows = yield* wt(sql<{ id: string }>`INSERT INTO alegra_records
          (kind, id, content, hash, read_at, updated_at, deleted_at)
        VALUES (${kind}, ${id}, 'null', '', ${readAt}, ${now}, ${readAt})
        ON CONFLICT (kind, id) DO UPDATE SET
          deleted_at = excluded.deleted_at, read_at = excluded.read_at, updated_at = excluded.updated_at
        WHERE alegra_records.read_at < excluded.read_at
        RETURNING id`)
      return rows.length > 0
    }),

    /**
     * A backfill page: its rows and, when given, the checkpoint in ONE write
     * transaction, so a crash never records a checkpoint past rows that were not
     * written. Nothing at all is written when no row changed and
     * `cursorOnlyWithRows` is set: a re-run on an account in sync writes nothing.
     * Returns how many rows were written.
     */
    writePage: Effect.fnUntraced(function*(
      rows: ReadonlyArray<MirrorWrite>,
      cursor?: CursorWrite,
      options?: { readonly cursorOnlyWithRows?: boolean }
    ) {
      const now = yield* Clock.currentTimeMillis
      return yield* wt(Effect.gen(function*() {
        const written = yield* upsertRows(rows, now)
        if (cursor !== undefined && (written > 0 || options?.cursorOnlyWithRows !== true)) {
          yield* writeCursor(sql, cursor, now)
        }
        return written
      }))
    }),

    /** id -> hash of every live record of a kind. */
    hashes: Effect.fn("Store.mirror.hashes")(function*(kind: Kind) {
      const rows = yield* sql<{ id: string; hash: string }>`SELECT id, hash FROM alegra_records
        WHERE kind = ${kind} AND deleted_at IS NULL`
      return new Map(rows.map((row) => [row.id, row.hash] as const)) as ReadonlyMap<string, string>
    }),

    /** Live records of a dated kind from `dateFrom` on (inclusive): id, hash and date only. */
    datedHashes: Effect.fn("Store.mirror.datedHashes")(function*(kind: Kind, dateFrom: string) {
      const rows = yield* sql<{ id: string; hash: string; doc_date: string }>`SELECT id, hash, doc_date FROM alegra_records
        WHERE kind = ${kind} AND doc_date >= ${dateFrom} AND deleted_at IS NULL`
      return rows.map((row) => ({ id: row.id, hash: row.hash, date: row.doc_date })) as ReadonlyArray<
        { readonly id: string; readonly hash: string; readonly date: string }
      >
    }),

    /** Ids of every live record of a kind. */
    ids: Effect.fn("Store.mirror.ids")(function*(kind: Kind) {
      const rows = yield* sql<{ id: string }>`SELECT id FROM alegra_records WHERE kind = ${kind} AND deleted_at IS NULL`
      return rows.map((row) => row.id) as ReadonlyArray<string>
    }),

    /** Number of live records of every kind (0 for kinds with none). */
    counts: Effect.fn("Store.mirror.counts")(function*() {
      const rows = yield* sql<{ kind: string; n: number }>`SELECT kind, count(*) AS n FROM alegra_records
        WHERE deleted_at IS NULL GROUP BY kind`
      const counts = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<Kind, number>
      for (const row of rows) counts[row.kind as Kind] = row.n
      return counts as Readonly<Record<Kind, number>>
    }),

    list: Effect.fn("Store.mirror.list")(function*(kind: Kind) {
      const rows = yield* sql`SELECT ${sql.literal(columns)} FROM alegra_records
        WHERE kind = ${kind} AND deleted_at IS NULL ORDER BY id`
      return rows.map(toRow) as ReadonlyArray<MirrorRow>
    }),

    /** Deletes tombstones older than `before`; returns how many. */
    pruneTombstones: Effect.fn("Store.mirror.pruneTombstones")(function*(before: number) {
      const rows = yield* wt(sql<{ id: string }>`DELETE FROM alegra_records
        WHERE deleted_at IS NOT NULL AND deleted_at < ${before} RETURNING id`)
      return rows.length
    })
  }
}

export type Mirror = ReturnType<typeof makeMirror>
