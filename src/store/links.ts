/**
 * Links: "a record in system X" <-> "a record in Alegra", with each side's hash at
 * the last sync (what each system returned after our write, so that our own write
 * coming back is recognised) and the base snapshot (each side's synced fields then).
 * Unique per system and kind on the external side; on the Alegra side per system,
 * kind and role (one contact may be linked from one system as a customer and as a
 * supplier).
 */
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Clock, Effect, Option, Schema } from "effect"
import type { Kind, System } from "../../schema/index.js"
import { canonicalJson, parseNullableJson } from "./json.js"
import type { WriteTransaction } from "./transaction.js"

/** The role a link gives its Alegra contact; "" for kinds without roles. */
export type LinkRole = "client" | "provider" | ""

/** Each side's synced fields at the last sync. */
export interface LinkBase {
  readonly external: unknown
  readonly alegra: unknown
}

export interface Link {
  readonly system: System
  readonly kind: Kind
  readonly externalId: string
  readonly alegraId: string
  readonly role: LinkRole
  /** Content hash of each side at the last sync (null: not synced yet). */
  readonly externalHash: string | null
  readonly alegraHash: string | null
  /** The systems' own version markers (updatedAt, etc.), when they have one. */
  readonly externalVersion: string | null
  readonly alegraVersion: string | null
  readonly base: LinkBase | null
  readonly createdAt: number
  readonly updatedAt: number
}

/** What `put` writes. An omitted hash, version or base keeps the stored one; null clears it. */
export interface LinkInput {
  readonly system: System
  readonly kind: Kind
  readonly externalId: string
  readonly alegraId: string
  readonly role?: LinkRole
  readonly externalHash?: string | null
  readonly alegraHash?: string | null
  readonly externalVersion?: string | null
  readonly alegraVersion?: string | null
  readonly base?: LinkBase | null
}

export interface LinkCount {
  readonly system: System
  readonly kind: Kind
  readonly count: number
}

export interface PutLinkResult {
  readonly status: "inserted" | "updated"
  /**
   * Pairs that no longer exist after the put: the link that held the Alegra id (and
   * role) for another external record, and the external record's previous pair when
   * it pointed at another Alegra id.
   */
  readonly displaced: ReadonlyArray<Link>
}

const LinkRow = Schema.Struct({
  id: Schema.Number,
  system: Schema.String,
  kind: Schema.String,
  external_id: Schema.String,
  alegra_id: Schema.String,
  role: Schema.String,
  external_hash: Schema.NullOr(Schema.String),
  alegra_hash: Schema.NullOr(Schema.String),
  external_version: Schema.NullOr(Schema.String),
  alegra_version: Schema.NullOr(Schema.String),
  base: Schema.NullOr(Schema.String),
  created_at: Schema.Number,
  updated_at: Schema.Number
})
type LinkRow = typeof LinkRow.Type
const decodeRow = Schema.decodeUnknownSync(LinkRow)

const toLink = (row: LinkRow): Link => ({
  system: row.system as System,
  kind: row.kind as Kind,
  externalId: row.external_id,
  alegraId: row.alegra_id,
  role: row.role as LinkRole,
  externalHash: row.external_hash,
  alegraHash: row.alegra_hash,
  externalVersion: row.external_version,
  alegraVersion: row.alegra_version,
  base: parseNullableJson(row.base) as LinkBase | null,
  createdAt: row.created_at,
  updatedAt: row.updated_at
})

const keep = <A>(value: A | undefined, stored: A): A => (value === undefined ? stored : value)
const baseJson = (base: LinkBase | null | undefined, stored: string | null): string | null =>
  base === undefined ? stored : base === null ? null : canonicalJson(base)

export const makeLinks = (sql: SqlClient.SqlClient, wt: WriteTransaction) => {
  const rows = (query: Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
    Effect.map(query, (found) => found.map((row) => decodeRow(row)))
  const byExternal = (system: System, kind: Kind, externalId: string) =>
    Effect.map(
      rows(sql`SELECT * FROM links WHERE system = ${system} AND kind = ${kind} AND external_id = ${externalId}`),
      (found) => Option.fromNullable(found[0])
    )
  const byAlegra = (system: System, kind: Kind, alegraId: string, role: LinkRole) =>
    Effect.map(
      rows(sql`SELECT * FROM links WHERE system = ${system} AND kind = ${kind} AND alegra_id = ${alegraId} AND role = ${role}`),
      (found) => Option.fromNullable(found[0])
    )

  return {
    get: Effect.fn("Store.links.get")(function*(system: System, kind: Kind, externalId: string) {
      return Option.map(yield* byExternal(system, kind, externalId), toLink)
    }),

    /** The link of an Alegra record in one system (and role: "" for kinds without roles). */
    byAlegraId: Effect.fn("Store.links.byAlegraId")(function*(
      system: System,
      kind: Kind,
      alegraId: string,
      role: LinkRole = ""
    ) {
      return Option.map(yield* byAlegra(system, kind, alegraId, role), toLink)
    }),

    /** Every link of an Alegra record, in every system and role: where an Alegra change fans out to (per recorded row: untraced, see mirror.ts). */
    ofAlegra: Effect.fnUntraced(function*(kind: Kind, alegraId: string) {
      const found = yield* rows(sql`SELECT * FROM links WHERE kind = ${kind} AND alegra_id = ${alegraId} ORDER BY system, role`)
      return found.map(toLink) as ReadonlyArray<Link>
    }),

    /**
     * Upsert honouring both unique keys: afterwards (system, kind, externalId) <->
     * (alegraId, role) is the only link of either. A link that held the Alegra id and
     * role for another external record is removed; the external record's own link is
     * updated in place (its created_at kept). Both are reported as displaced.
     */
    put: Effect.fn("Store.links.put")(function*(input: LinkInput) {
      const now = yield* Clock.currentTimeMillis
      const role = input.role ?? ""
      return yield* wt(Effect.gen(function*() {
        const displaced: Array<Link> = []
        const ext = yield* byExternal(input.system, input.kind, input.externalId)
        const alg = yield* byAlegra(input.system, input.kind, input.alegraId, role)
        if (Option.isSome(alg) && (Option.isNone(ext) || ext.value.id !== alg.value.id)) {
          displaced.push(toLink(alg.value))
          yield* sql`DELETE FROM links WHERE id = ${alg.value.id}`
        }
        if (Option.isSome(ext)) {
          const row = ext.value
          if (row.alegra_id !== input.alegraId || row.role !== role) displaced.push(toLink(row))
          yield* sql`UPDATE links SET
              alegra_id = ${input.alegraId},
              role = ${role},
              external_hash = ${keep(input.externalHash, row.external_hash)},
              alegra_hash = ${keep(input.alegraHash, row.alegra_hash)},
              external_version = ${keep(input.externalVersion, row.external_version)},
              alegra_version = ${keep(input.alegraVersion, row.alegra_version)},
              base = ${baseJson(input.base, row.base)},
              updated_at = ${now}
            WHERE id = ${row.id}`
          return { status: "updated", displaced } as PutLinkResult
        }
        yield* sql`INSERT INTO links (system, kind, external_id, alegra_id, role, external_hash, alegra_hash,
                                      external_version, alegra_version, base, created_at, updated_at)
          VALUES (${input.system}, ${input.kind}, ${input.externalId}, ${input.alegraId}, ${role},
                  ${input.externalHash ?? null}, ${input.alegraHash ?? null},
                  ${input.externalVersion ?? null}, ${input.alegraVersion ?? null}, ${baseJson(input.base, null)},
                  ${now}, ${now})`
        return { status: "inserted", displaced } as PutLinkResult
      }))
    }),

    /** Removes the link of an external record; the link removed, if there was one. */
    remove: Effect.fn("Store.links.remove")(function*(system: System, kind: Kind, externalId: string) {
      const found = yield* wt(rows(sql`DELETE FROM links
        WHERE system = ${system} AND kind = ${kind} AND external_id = ${externalId} RETURNING *`))
      return Option.map(Option.fromNullable(found[0]), toLink)
    }),

    /** Removes the link of an Alegra record in one system and role; true when there was one. */
    removeByAlegraId: Effect.fn("Store.links.removeByAlegraId")(function*(
      system: System,
      kind: Kind,
      alegraId: string,
      role: LinkRole = ""
    ) {
      const found = yield* wt(sql<{ id: number }>`DELETE FROM links
        WHERE system = ${system} AND kind = ${kind} AND alegra_id = ${alegraId} AND role = ${role} RETURNING id`)
      return found.length > 0
    }),

    /** Every link of a system and kind, by external id. */
    list: Effect.fn("Store.links.list")(function*(system: System, kind: Kind) {
      const found = yield* rows(sql`SELECT * FROM links WHERE system = ${system} AND kind = ${kind} ORDER BY external_id`)
      return found.map(toLink) as ReadonlyArray<Link>
    }),

    /** Number of links per system and kind, for the pairs that have any (by system, then kind). */
    counts: Effect.fn("Store.links.counts")(function*() {
      const found = yield* sql<{ system: string; kind: string; n: number }>`SELECT system, kind, count(*) AS n
        FROM links GROUP BY system, kind ORDER BY system, kind`
      return found.map((row) => ({ system: row.system as System, kind: row.kind as Kind, count: row.n })) as ReadonlyArray<
        LinkCount
      >
    })
  }
}

export type Links = ReturnType<typeof makeLinks>
