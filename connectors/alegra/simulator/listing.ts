/**
 * GET list semantics (alegra-api.md §3): start/limit (max 30), order_field/order_direction,
 * per-kind filters (unknown parameters are ignored), a bare array or {metadata:{total}, data}.
 *
 * Paging through a kind asks for the same filtered, ordered rows again and again with a
 * growing `start`: they are kept until the account changes, so a page costs O(limit) instead
 * of a pass over the whole kind (which made a 50,000-record backfill quadratic).
 */
import { badRequest, Code } from "./errors.js"
import type { BaseRec } from "./records.js"
import type { Resource } from "./rules/resource.js"
import type { Store } from "./state.js"
import type { Json, JsonObject } from "./util.js"

export const MAX_LIMIT = 30
export const DEFAULT_LIMIT = 30

export interface ListResult {
  readonly body: Json
  readonly rows: number
}

const intParam = (query: URLSearchParams, name: string, fallback: number, min: number): number => {
  const raw = query.get(name)
  if (raw === null || raw === "") return fallback
  if (!/^\d+$/.test(raw.trim())) {
    throw badRequest(Code.invalidQuery, `El parámetro '${name}' debe ser un número entero mayor o igual a ${min}.`)
  }
  const n = Number(raw.trim())
  if (n < min) throw badRequest(Code.invalidQuery, `El parámetro '${name}' debe ser un número entero mayor o igual a ${min}.`)
  return n
}

/** The filtered, ordered rows of a list; every query parameter but the paging ones may decide them. */
const rowsOf = (
  resource: Resource<BaseRec>,
  records: ReadonlyMap<string, BaseRec>,
  query: URLSearchParams,
  store: Store,
  field: string,
  direction: "ASC" | "DESC"
): ReadonlyArray<BaseRec> => {
  const key = resource.order[field]!
  const active: Array<[(rec: BaseRec, value: string, store: Store) => boolean, string]> = []
  for (const [name, filter] of Object.entries(resource.filters)) {
    const value = query.get(name)
    if (value !== null && value !== "") active.push([filter, value])
  }
  const base = resource.baseFilter
  const matching: Array<BaseRec> = []
  for (const rec of records.values()) {
    if (base !== undefined && !base(rec, query)) continue
    if (active.every(([filter, value]) => filter(rec, value, store))) matching.push(rec)
  }

  const sign = direction === "ASC" ? 1 : -1
  if (field !== "id") {
    const keys = new Map(matching.map((r) => [r, key(r, store)] as const))
    matching.sort((a, b) => {
      const ka = keys.get(a)!
      const kb = keys.get(b)!
      return (ka < kb ? -1 : ka > kb ? 1 : a.seq - b.seq) * sign
    })
  } else if (sign < 0) {
    matching.reverse()
  }

  // A record may occupy several rows (payments: one per category line, alegra-api.md §3).
  const rowsPer = resource.listRows
  return rowsPer === undefined ? matching : matching.flatMap((r) => Array.from({ length: rowsPer(r) }, () => r))
}

const PAGING = new Set(["start", "limit", "metadata"])
const MAX_CACHED_LISTS = 64

/**
 * Lists pages, keeping the rows of each distinct list until `version()` changes (the
 * engine bumps it on every change to the account, in place or not).
 */
export class Listing {
  private readonly cache = new Map<string, ReadonlyArray<BaseRec>>()
  private cachedVersion = -1

  constructor(private readonly version: () => number) {}

  page(resource: Resource<BaseRec>, records: ReadonlyMap<string, BaseRec>, query: URLSearchParams, store: Store): ListResult {
    const version = this.version()
    if (version !== this.cachedVersion) {
      this.cache.clear()
      this.cachedVersion = version
    }
    return listPage(resource, query, store, (field, direction) => {
      const key = JSON.stringify([
        resource.kind,
        field,
        direction,
        [...query].filter(([name]) => !PAGING.has(name)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      ])
      let rows = this.cache.get(key)
      if (rows === undefined) {
        rows = rowsOf(resource, records, query, store, field, direction)
        if (this.cache.size >= MAX_CACHED_LISTS) this.cache.delete(this.cache.keys().next().value!)
        this.cache.set(key, rows)
      }
      return rows
    })
  }
}

const listPage = (
  resource: Resource<BaseRec>,
  query: URLSearchParams,
  store: Store,
  rows: (field: string, direction: "ASC" | "DESC") => ReadonlyArray<BaseRec>
): ListResult => {
  const start = intParam(query, "start", 0, 0)
  const limit = intParam(query, "limit", DEFAULT_LIMIT, 1)
  if (limit > MAX_LIMIT) {
    throw badRequest(Code.limitTooHigh, `El parámetro 'limit' no puede ser mayor a ${MAX_LIMIT}.`)
  }
  const directionRaw = query.get("order_direction")
  const direction = directionRaw === null || directionRaw === "" ? "ASC" : directionRaw.toUpperCase()
  if (direction !== "ASC" && direction !== "DESC") {
    throw badRequest(Code.invalidQuery, "El parámetro 'order_direction' debe ser ASC o DESC.")
  }
  const fieldRaw = query.get("order_field")
  const field = fieldRaw === null || fieldRaw === "" ? "id" : fieldRaw
  if (!Object.prototype.hasOwnProperty.call(resource.order, field)) {
    throw badRequest(
      Code.invalidQuery,
      `El parámetro 'order_field' debe ser uno de: ${Object.keys(resource.order).join(", ")}.`
    )
  }
  const expanded = rows(field, direction)
  const rendered = new Map<BaseRec, JsonObject>()
  const page = expanded.slice(start, start + limit).map((rec) => {
    let out = rendered.get(rec)
    if (out === undefined) {
      out = resource.render(rec, store)
      rendered.set(rec, out)
    }
    return out
  })
  const body: Json = query.get("metadata") === "true" ? { metadata: { total: expanded.length }, data: page } : page
  return { body, rows: page.length }
}
