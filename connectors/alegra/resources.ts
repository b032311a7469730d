/** Where each kind lives in Alegra's API, and how its lists are asked for. */
import { Option } from "effect"
import type { DateOnly, Kind } from "../../schema/index.js"
import { pathSegment } from "./ids.js"

export interface ListOptions {
  /** Offset of the first record (Alegra's `start`). */
  readonly start: number
  /** Order by id; Alegra's default is ascending. */
  readonly order?: "asc" | "desc"
  /** Document date window (inclusive), for kinds that have dates. */
  readonly dateFrom?: DateOnly
  readonly dateTo?: DateOnly
  /** List filters (`identification`, `email`, `reference`, `client_id`…): a hint, never trusted to be exact. */
  readonly filters?: ReadonlyArray<readonly [string, string]>
  /**
   * Background reads (the sweep) may only use part of the rate budget, so that
   * webhook work and polling are never starved by them.
   */
  readonly background?: boolean
}

/** Alegra's page size limit: never ask for more (above 30 it errors or returns junk). */
export const PAGE_LIMIT = 30

export interface Resource {
  /** Path under the base URL, without a trailing slash. */
  readonly path: string
  /** Whether the list accepts date_afterOrNow / date_beforeOrNow (documents with a date). */
  readonly dateFilters: boolean
  /** Parameters every list of this kind carries. */
  readonly listParams?: ReadonlyArray<readonly [string, string]>
}

export const resources: { readonly [K in Kind]: Resource } = {
  "category": { path: "/categories", dateFilters: false },
  // Inactive accounts are hidden from the list unless asked for; a mirror wants them all.
  "bank-account": { path: "/bank-accounts", dateFilters: false, listParams: [["includeInactive", "true"]] },
  "contact": { path: "/contacts", dateFilters: false },
  "item": { path: "/items", dateFilters: false },
  "invoice": { path: "/invoices", dateFilters: true },
  "bill": { path: "/bills", dateFilters: true },
  "payment": { path: "/payments", dateFilters: true },
  "credit-note": { path: "/credit-notes", dateFilters: true },
  "estimate": { path: "/estimates", dateFilters: true }
}

/** The query of one list page: start, limit (30), ordered by id, plus the date window and the filters. */
export const listQuery = (kind: Kind, options: ListOptions): ReadonlyArray<readonly [string, string]> => {
  const start = Math.max(0, Math.floor(options.start))
  const query: Array<readonly [string, string]> = [
    ["start", String(start)],
    ["limit", String(PAGE_LIMIT)],
    ["order_field", "id"],
    ["order_direction", options.order === "desc" ? "DESC" : "ASC"]
  ]
  query.push(...(resources[kind].listParams ?? []))
  if (resources[kind].dateFilters) {
    if (options.dateFrom !== undefined) query.push(["date_afterOrNow", options.dateFrom])
    if (options.dateTo !== undefined) query.push(["date_beforeOrNow", options.dateTo])
  }
  query.push(...(options.filters ?? []))
  return query
}

/** The path of one record; None when the id cannot be a single path segment. */
export const recordPath = (kind: Kind, id: string): Option.Option<string> =>
  Option.map(pathSegment(id), (segment) => `${resources[kind].path}/${segment}`)

/** The path of an action on one record (`/invoices/12/void`). */
export const actionPath = (kind: Kind, id: string, action: string): Option.Option<string> =>
  Option.map(recordPath(kind, id), (path) => `${path}/${action}`)

export const SUBSCRIPTIONS_PATH = "/webhooks/subscriptions"

/** The path of one webhook subscription; None when the id cannot be a single path segment. */
export const subscriptionPath = (id: string): Option.Option<string> =>
  Option.map(pathSegment(id), (segment) => `${SUBSCRIPTIONS_PATH}/${segment}`)

/** A path with its query, as it appears in errors (never any credentials). */
export const pathWithQuery = (path: string, query: ReadonlyArray<readonly [string, string]>): string =>
  query.length === 0 ? path : `${path}?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, v])).toString()}`

/**
 * Categories may come as a tree (`children[]`) instead of the flat list with idParent:
 * flattens it, parents first, filling idParent from the parent where it is missing.
 */
export const flattenCategories = (rows: ReadonlyArray<unknown>): ReadonlyArray<unknown> => {
  const out: Array<unknown> = []
  const visit = (row: unknown, parentId: unknown) => {
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      out.push(row)
      return
    }
    const { children, ...rest } = row as { children?: unknown; idParent?: unknown; id?: unknown }
    const withParent = (rest.idParent === undefined || rest.idParent === null) && parentId !== undefined
      ? { ...rest, idParent: parentId }
      : rest
    out.push(withParent)
    if (Array.isArray(children)) for (const child of children) visit(child, rest.id)
  }
  for (const row of rows) visit(row, undefined)
  return out
}
