/**
 * Links: "a record in system X" <-> "a record in Alegra", with the hashes and
 * versions of both sides at the last sync. Unique both ways per system and kind.
 */
import type { SqlClient } from "@effect/sql"
import { Clock, Effect, Option } from "effect"
import type { Kind, System } from "../../schema/index.js"
import type { WriteTransaction } from "./transaction.js"

export interface Link {
  readonly system: System
  readonly kind: Kind
  readonly externalId: string
  readonly alegraId: string
  /** Content hash of each side at the last sync (null: not synced yet). */
  readonly externalHash: string | null
  readonly alegraHash: string | null
  /** The systems' own version markers (updatedAt, etc.), when they have one. */
  readonly externalVersion: string | null
  readonly alegraVersion: string | null
  readonly createdAt: number
  readonly updatedAt: number
}

/** What `put` writes. An omitted hash or version keeps the stored one; null clears it. */
export interface LinkInput {
  readonly system: System
  readonly kind: Kind
  readonly externalId: string
  readonly alegraId: string
  readonly externalHash?: string | null
  readonly alegraHash?: string | null
  readonly externalVersion?: string | null
  readonly alegraVersion?: string | null
}

export interface LinkCount {
  readonly system: System
  readonly kind: Kind
  readonly count: number
}

export interface PutLinkResult {
  readonly status: "inserted" | "updated"
  /**
   * Pairs that no longer exist after the put: the link that held the Alegra id
   * for another external record, and the external record's previous pair when
   * it pointed at another Alegra id.
   */
  readonly displaced: ReadonlyArray<Link>
}

interface LinkRecord {
  readonly id: number
  readonly system: string
  readonly kind: string
  readonly external_id: string
  readonly alegra_id: string
  readonly external_hash: string | null
  readonly alegra_hash: string | null
  readonly external_version: string | null
  readonly alegra_version: string | null
  readonly created_at: number
  readonly updated_at: number
}

const toLink = (row: LinkRecord): Link => ({
  system: row.system as System,
  kind: row.kind as Kind,
  externalId: row.external_id,
  alegraId: row.alegra_id,
  externalHash: row.external_hash,
  alegraHash: row.alegra_hash,
  externalVersion: row.external_version,
  alegraVersion: row.alegra_version,
  createdAt: row.created_at,
  updatedAt: row.updated_at
})

const keep = <A>(value: A | undefined, stored: A): A => (value === undefined ? stored : value)

export const makeLinks = (sql: SqlClient.SqlClient, wt: WriteTransaction) => {
  const byExternal = (system: System, kind: Kind, externalId: string) =>
    Effect.map(
      sql<LinkRecord>`SELECT * FROM links WHERE system = ${system} AND kind = ${kind} AND external_id = ${externalId}`,
      (rows) => Option.fromNullable(rows[0])
    )
  const byAlegra = (system: System, kind: Kind, alegraId: string) =>
    Effect.map(
      sql<LinkRecord>`SELECT * FROM links WHERE system = ${system} AND kind = ${kind} AND alegra_id = ${alegraId}`,
      (rows) => Option.fromNullable(rows[0])
    )

  return {
    get: Effect.fn("Store.links.get")(function*(system: System, kind: Kind, externalId: string) {
      return Option.map(yield* byExternal(system, kind, externalId), toLink)
    }),

    byAlegraId: Effect.fn("Store.links.byAlegraId")(function*(system: System, kind: Kind, alegraId: string) {
      return Option.map(yield* byAlegra(system, kind, alegraId), toLink)
    }),

    /**
     * Upsert honouring both unique keys: afterwards (system, kind, externalId) <->
     * alegraId is the only link of either id. A link that held the Alegra id for
     * another external record is removed; the external record's own link is
     * updated in place (its created_at kept). Both are reported as displaced.
     */
    put: Effect.fn("Store.links.put")(function*(input: LinkInput) {
      const now = yield* Clock.currentTimeMillis
      return yield* wt(Effect.gen(function*() {
        const displaced: Array<Link> = []
        const ext = yield* byExternal(input.system, input.kind, input.externalId)
        const alg = yield* byAlegra(input.system, input.kind, input.alegraId)
        if (Option.isSome(alg) && (Option.isNone(ext) || ext.value.id !== alg.value.id)) {
          displaced.push(toLink(alg.value))
          yield* sql`DELETE FROM links WHERE id = ${alg.value.id}`
        }
        if (Option.isSome(ext)) {
          const row = ext.value
          if (row.alegra_id !== input.alegraId) displaced.push(toLink(row))
          yield* sql`UPDATE links SET
              alegra_id = ${input.alegraId},
              external_hash = ${keep(input.externalHash, row.external_hash)},
              alegra_hash = ${keep(input.alegraHash, row.alegra_hash)},
              external_version = ${keep(input.externalVersion, row.external_version)},
              alegra_version = ${keep(input.alegraVersion, row.alegra_version)},
              updated_at = ${now}
            WHERE id = ${row.id}`
          return { status: "updated", displaced } as PutLinkResult
        }
        yield* sql`INSERT INTO links (system, kind, external_id, alegra_id, external_hash, alegra_hash,
                                      external_version, alegra_version, created_at, updated_at)
          VALUES (${input.system}, ${input.kind}, ${input.externalId}, ${input.alegraId},
                  ${input.externalHash ?? null}, ${input.alegraHash ?? null},
                  ${input.externalVersion ?? null}, ${input.alegraVersion ?? null}, ${now}, ${now})`
        return { status: "inserted", displaced } as PutLinkResult
      }))
    }),

    /** Removes the link of an external record; true when there was one. */
    remove: Effect.fn("Store.links.remove")(function*(system: System, kind: Kind, externalId: string) {
      const rows = yield* wt(sql<{ id: number }>`DELETE FROM links
        WHERE system = ${system} AND kind = ${kind} AND external_id = ${externalId} RETURNING id`)
      return rows.length > 0
    }),

    /** Removes the link of an Alegra record in one system; true when there was one. */
    removeByAlegraId: Effect.fn("Store.links.removeByAlegraId")(function*(system: System, kind: Kind, alegraId: string) {
      const rows = yield* wt(sql<{ id: number }>`DELETE FROM links
        WHERE system = ${system} AND kind = ${kind} AND alegra_id = ${alegraId} RETURNING id`)
      return rows.length > 0
    }),

    /** Every link of a system and kind, by external id. */
    list: Effect.fn("Store.links.list")(function*(system: System, kind: Kind) {
      const rows = yield* sql<LinkRecord>`SELECT * FROM links WHERE system = ${system} AND kind = ${kind} ORDER BY external_id`
      return rows.map(toLink) as ReadonlyArray<Link>
    }),

    /** Number of links per system and kind, for the pairs that have any (by system, then kind). */
    counts: Effect.fn("Store.links.counts")(function*() {
      const rows = yield* sql<{ system: string; kind: string; n: number }>`SELECT system, kind, count(*) AS n
        FROM links GROUP BY system, kind ORDER BY system, kind`
      return rows.map((row) => ({ system: row.system as System, kind: row.kind as Kind, count: row.n })) as ReadonlyArray<
        LinkCount
      >
    })
  }
}

export type Links = ReturnType<typeof makeLinks>
