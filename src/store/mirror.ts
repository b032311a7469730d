/**
 * The mirror of Alegra: the last canonical content and hash seen for every record.
 */
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Clock, Effect, Option } from "effect"
import type { Kind } from "../../schema/index.js"
import { kinds } from "../../schema/index.js"
import { type CursorWrite, writeCursor } from "./cursors.js"
import { canonicalJson, parseJson } from "./json.js"
import type { WriteTransaction } from "./transaction.js"

export interface MirrorRow {
  readonly kind: Kind
  readonly id: string
  /** The canonical record, as stored (canonical JSON, parsed back). */
  readonly content: unknown
  readonly hash: string
  /** Last time the record was seen in Alegra (epoch ms). */
  readonly seenAt: number
  /** Last time its content changed in the mirror (epoch ms). */
  readonly updatedAt: number
}

export interface MirrorInput {
  readonly kind: Kind
  readonly id: string
  readonly content: unknown
  readonly hash: string
}

export type UpsertResult = "inserted" | "updated" | "unchanged"

export interface UpsertCounts {
  readonly inserted: number
  readonly updated: number
  readonly unchanged: number
}

interface RecordRow {
  readonly kind: string
  readonly id: string
  readonly content: string
  readonly hash: string
  readonly seen_at: number
  readonly updated_at: number
}

const toRow = (row: RecordRow): MirrorRow => ({
  kind: row.kind as Kind,
  id: row.id,
  content: parseJson(row.content),
  hash: row.hash,
  seenAt: row.seen_at,
  updatedAt: row.updated_at
})

export const makeMirror = (sql: SqlClient.SqlClient, wt: WriteTransaction) => {
  /** One upsert; the caller holds the write transaction. */
  const upsertOne = (row: MirrorInput, seenAt: number): Effect.Effect<UpsertResult, SqlError> =>
    Effect.gen(function*() {
      const existing = yield* sql<{ hash: string }>`SELECT hash FROM alegra_records WHERE kind = ${row.kind} AND id = ${row.id}`
      const current = existing[0]
      if (current === undefined) {
        yield* sql`INSERT INTO alegra_records (kind, id, content, hash, seen_at, updated_at)
                   VALUES (${row.kind}, ${row.id}, ${canonicalJson(row.content)}, ${row.hash}, ${seenAt}, ${seenAt})`
        return "inserted" as const
      }
      if (current.hash === row.hash) {
        yield* sql`UPDATE alegra_records SET seen_at = ${seenAt} WHERE kind = ${row.kind} AND id = ${row.id}`
        return "unchanged" as const
      }
      yield* sql`UPDATE alegra_records
                 SET content = ${canonicalJson(row.content)}, hash = ${row.hash}, seen_at = ${seenAt}, updated_at = ${seenAt}
                 WHERE kind = ${row.kind} AND id = ${row.id}`
      return "updated" as const
    })

  return {
    get: Effect.fn("Store.mirror.get")(function*(kind: Kind, id: string) {
      const rows = yield* sql<RecordRow>`SELECT kind, id, content, hash, seen_at, updated_at
                                         FROM alegra_records WHERE kind = ${kind} AND id = ${id}`
      return Option.map(Option.fromNullable(rows[0]), toRow)
    }),

    /** "unchanged" (same hash) only moves seen_at. */
    upsert: Effect.fn("Store.mirror.upsert")(function*(
      kind: Kind,
      id: string,
      content: unknown,
      hash: string,
      seenAt: number
    ) {
      return yield* wt(upsertOne({ kind, id, content, hash }, seenAt))
    }),

    /**
     * A backfill page: every row and, when given, the cursor (the page's
     * checkpoint) in ONE write transaction, so a crash never records a
     * checkpoint past rows that were not written.
     */
    upsertMany: Effect.fn("Store.mirror.upsertMany")(function*(
      rows: ReadonlyArray<MirrorInput>,
      seenAt: number,
      cursor?: CursorWrite
    ) {
      const now = yield* Clock.currentTimeMillis
      return yield* wt(Effect.gen(function*() {
        const counts = { inserted: 0, updated: 0, unchanged: 0 }
        for (const row of rows) {
          counts[yield* upsertOne(row, seenAt)] += 1
        }
        if (cursor !== undefined) yield* writeCursor(sql, cursor, now)
        return counts as UpsertCounts
      }))
    }),

    /** True when the record was in the mirror. */
    remove: Effect.fn("Store.mirror.remove")(function*(kind: Kind, id: string) {
      const rows = yield* wt(sql<{ id: string }>`DELETE FROM alegra_records WHERE kind = ${kind} AND id = ${id} RETURNING id`)
      return rows.length > 0
    }),

    /** id -> hash of every record of a kind. */
    hashes: Effect.fn("Store.mirror.hashes")(function*(kind: Kind) {
      const rows = yield* sql<{ id: string; hash: string }>`SELECT id, hash FROM alegra_records WHERE kind = ${kind}`
      return new Map(rows.map((row) => [row.id, row.hash] as const)) as ReadonlyMap<string, string>
    }),

    /** Ids of a kind last seen strictly before `t` (a sweep that started at `t` did not see them: deleted in Alegra). */
    idsSeenBefore: Effect.fn("Store.mirror.idsSeenBefore")(function*(kind: Kind, t: number) {
      const rows = yield* sql<{ id: string }>`SELECT id FROM alegra_records WHERE kind = ${kind} AND seen_at < ${t} ORDER BY id`
      return rows.map((row) => row.id) as ReadonlyArray<string>
    }),

    /** Number of mirrored records of every kind (0 for kinds with none). */
    counts: Effect.fn("Store.mirror.counts")(function*() {
      const rows = yield* sql<{ kind: string; n: number }>`SELECT kind, count(*) AS n FROM alegra_records GROUP BY kind`
      const counts = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<Kind, number>
      for (const row of rows) counts[row.kind as Kind] = row.n
      return counts as Readonly<Record<Kind, number>>
    }),

    list: Effect.fn("Store.mirror.list")(function*(kind: Kind) {
      const rows = yield* sql<RecordRow>`SELECT kind, id, content, hash, seen_at, updated_at
                                         FROM alegra_records WHERE kind = ${kind} ORDER BY id`
      return rows.map(toRow) as ReadonlyArray<MirrorRow>
    })
  }
}

export type Mirror = ReturnType<typeof makeMirror>
