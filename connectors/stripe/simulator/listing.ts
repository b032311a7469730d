/**
 * List endpoints: newest first, `limit` 1–100 (default 10; 101 is a 400, not a silent cap),
 * `starting_after` / `ending_before` cursors (one at a time; an unknown cursor is a 400
 * resource_missing), `created` as a number or a range, and the `{object: "list", url, has_more, data}`
 * envelope. `ending_before` answers the `limit` objects just newer than the cursor, still newest
 * first, which is what the SDK's reverse auto-pager expects.
 */
import type Stripe from "stripe"
import { invalidParams, noSuch } from "./errors.js"
import type { Params } from "./params.js"

export const MAX_LIMIT = 100
export const DEFAULT_LIMIT = 10

export interface Range {
  readonly gt?: number
  readonly gte?: number
  readonly lt?: number
  readonly lte?: number
}

export interface Page {
  readonly limit: number
  readonly startingAfter?: string
  readonly endingBefore?: string
}

type Listable = Stripe.PaginationParams

export const readPage = <T extends Listable>(p: Params<T>): Page => {
  const q = p as unknown as Params<Listable>
  const limit = q.integer("limit", { min: 1, max: MAX_LIMIT }) ?? DEFAULT_LIMIT
  const startingAfter = q.string("starting_after") ?? undefined
  const endingBefore = q.string("ending_before") ?? undefined
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw invalidParams("You may only specify one of these parameters: ending_before, starting_after.", "ending_before", "parameters_exclusive")
  }
  return { limit, ...(startingAfter === undefined ? {} : { startingAfter }), ...(endingBefore === undefined ? {} : { endingBefore }) }
}

/** `created=123` or `created[gte]=…&created[lt]=…` (the same for any range parameter). */
export const readRange = <T>(p: Params<T>, key: keyof T & string): Range | undefined => {
  const q = p as unknown as Params<Record<string, Stripe.RangeQueryParam | number>>
  if (p.shape(key) === "hash") {
    const range = q.object(key)!
    const out: { gt?: number; gte?: number; lt?: number; lte?: number } = {}
    for (const bound of ["gt", "gte", "lt", "lte"] as const) {
      const v = range.integer(bound)
      if (typeof v === "number") out[bound] = v
    }
    return out
  }
  const exact = q.integer(key)
  return exact === undefined || exact === null ? undefined : { gte: exact, lte: exact }
}

export const inRange = (value: number | null, range: Range | undefined): boolean => {
  if (range === undefined) return true
  if (value === null) return false
  return (
    (range.gt === undefined || value > range.gt) &&
    (range.gte === undefined || value >= range.gte) &&
    (range.lt === undefined || value < range.lt) &&
    (range.lte === undefined || value <= range.lte)
  )
}

export interface ListSource<T extends { id: string }> {
  /** The matching objects, oldest first. */
  readonly items: ReadonlyArray<T>
  /** Creation rank of any object of the list's kind (filtered out or not): the cursor's place. */
  readonly rank: (id: string) => number | undefined
  /** Label for `No such <label>` when a cursor is unknown. */
  readonly label: string
  readonly url: string
}

export const listPage = <T extends { id: string }>(source: ListSource<T>, page: Page): Stripe.ApiList<T> => {
  const rankOf = (param: "starting_after" | "ending_before", id: string): number => {
    const r = source.rank(id)
    if (r === undefined) throw noSuch(source.label, id, param)
    return r
  }
  const ranked = source.items.map((item) => ({ item, rank: source.rank(item.id) ?? -1 }))
  let data: Array<T>
  let hasMore: boolean
  if (page.endingBefore !== undefined) {
    const cursor = rankOf("ending_before", page.endingBefore)
    const newer = ranked.filter((x) => x.rank > cursor) // oldest first
    const slice = newer.slice(0, page.limit)
    hasMore = newer.length > page.limit
    data = slice.reverse().map((x) => x.item)
  } else {
    const cursor = page.startingAfter === undefined ? Number.POSITIVE_INFINITY : rankOf("starting_after", page.startingAfter)
    const older = ranked.filter((x) => x.rank < cursor).reverse() // newest first
    data = older.slice(0, page.limit).map((x) => x.item)
    hasMore = older.length > page.limit
  }
  return { object: "list", data, has_more: hasMore, url: source.url }
}

/** Pages through a list kept in its own order (an invoice's lines), cursors by position. */
export const pageInOrder = <T extends { id: string }>(items: ReadonlyArray<T>, page: Page, label: string, url: string): Stripe.ApiList<T> => {
  const position = (param: "starting_after" | "ending_before", id: string): number => {
    const i = items.findIndex((x) => x.id === id)
    if (i < 0) throw noSuch(label, id, param)
    return i
  }
  if (page.endingBefore !== undefined) {
    const end = position("ending_before", page.endingBefore)
    const start = Math.max(0, end - page.limit)
    return { object: "list", data: items.slice(start, end), has_more: start > 0, url }
  }
  const start = page.startingAfter === undefined ? 0 : position("starting_after", page.startingAfter) + 1
  return { object: "list", data: items.slice(start, start + page.limit), has_more: items.length > start + page.limit, url }
}
