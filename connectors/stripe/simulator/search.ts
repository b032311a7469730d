/**
 * `/v1/<resource>/search`: Stripe's query language (the subset a connector needs) over an index
 * that lags behind writes.
 *
 * Query: clauses `field:'value'` (exact, case-insensitive), `field~'sub'` (substring, 3+ chars,
 * free-text fields only), `field>n` `<` `>=` `<=` (numeric fields), `field:null`, `-` to negate,
 * `metadata['key']:'value'` (exact, case-sensitive), joined by `AND` or by `OR` (never both,
 * no parentheses), at most 10 clauses. Strings must be quoted; numbers must not.
 *
 * Lag: every write is indexed with its time, and a search at time t sees each object as it was at
 * t − lag (so a new object is missing, an edit shows the old values, a deletion still matches).
 * Changing the lag applies to versions written afterwards as well as earlier ones still kept.
 */
import { invalidParams } from "./errors.js"
import type { Kind } from "./state.js"
import { isPlainObject, type StoredObject } from "./wire.js"

export type FieldType = "text" | "token" | "number" | "boolean"

export interface SearchField {
  readonly type: FieldType
  readonly get: (object: Record<string, unknown>) => unknown
}

const path =
  (...keys: ReadonlyArray<string>) =>
  (o: Record<string, unknown>): unknown =>
    keys.reduce<unknown>((v, k) => (isPlainObject(v) ? v[k] : undefined), o)

const f = (type: FieldType, ...keys: ReadonlyArray<string>): SearchField => ({ type, get: path(...keys) })

/** The searchable resources and their fields, as Stripe's search docs list them. */
export const SEARCHABLE: Readonly<Partial<Record<Kind, { readonly resource: string; readonly fields: Readonly<Record<string, SearchField>> }>>> = {
  customer: {
    resource: "customers",
    fields: { created: f("number", "created"), email: f("text", "email"), name: f("text", "name"), phone: f("text", "phone") }
  },
  product: {
    resource: "products",
    fields: {
      active: f("boolean", "active"),
      description: f("text", "description"),
      name: f("text", "name"),
      shippable: f("boolean", "shippable"),
      url: f("text", "url")
    }
  },
  price: {
    resource: "prices",
    fields: {
      active: f("boolean", "active"),
      currency: f("token", "currency"),
      lookup_key: f("text", "lookup_key"),
      product: f("token", "product"),
      type: f("token", "type")
    }
  },
  invoice: {
    resource: "invoices",
    fields: {
      created: f("number", "created"),
      currency: f("token", "currency"),
      customer: f("token", "customer"),
      number: f("text", "number"),
      receipt_number: f("text", "receipt_number"),
      status: f("token", "status"),
      total: f("number", "total"),
      last_finalization_error_code: f("token", "last_finalization_error", "code"),
      last_finalization_error_type: f("token", "last_finalization_error", "type")
    }
  },
  payment_intent: {
    resource: "payment_intents",
    fields: {
      amount: f("number", "amount"),
      created: f("number", "created"),
      currency: f("token", "currency"),
      customer: f("token", "customer"),
      status: f("token", "status")
    }
  },
  charge: {
    resource: "charges",
    fields: {
      amount: f("number", "amount"),
      created: f("number", "created"),
      currency: f("token", "currency"),
      customer: f("token", "customer"),
      disputed: f("boolean", "disputed"),
      refunded: f("boolean", "refunded"),
      status: f("token", "status"),
      "payment_method_details.card.last4": f("token", "payment_method_details", "card", "last4")
    }
  }
}

export const MAX_CLAUSES = 10

type Op = ":" | "~" | ">" | "<" | ">=" | "<="

interface Clause {
  readonly negated: boolean
  readonly field: string
  readonly metadataKey?: string
  readonly op: Op
  /** null for `field:null`. */
  readonly value: string | number | null
}

export interface Query {
  readonly clauses: ReadonlyArray<Clause>
  readonly join: "AND" | "OR"
}

const bad = (message: string): never => {
  throw invalidParams(message, "query")
}

const CLAUSE =
  /^(-)?(?:(metadata)\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]|([a-z_.0-9]+))(>=|<=|:|~|>|<)(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?)|(null))/

const unescape = (s: string): string => s.replace(/\\(.)/g, "$1")

export const parseQuery = (text: string, kind: Kind): Query => {
  const spec = SEARCHABLE[kind]
  if (spec === undefined) return bad("This resource cannot be searched.")
  const clauses: Array<Clause> = []
  const joins = new Set<"AND" | "OR">()
  let rest = text.trim()
  if (rest === "") bad("The query is empty.")
  for (;;) {
    const m = CLAUSE.exec(rest)
    if (m === null) return bad(`Invalid search query: could not parse \`${rest.slice(0, 60)}\`. A clause is field:'value', field~'value', field>number or metadata['key']:'value'.`)
    const [whole, neg, isMeta, metaA, metaB, field, op, strA, strB, num, nul] = m
    const name = isMeta === undefined ? field! : "metadata"
    const searchField = spec.fields[name]
    if (name !== "metadata" && searchField === undefined) {
      bad(`Field \`${name}\` is an unsupported search field for resource \`${spec.resource}\`. Supported fields: ${[...Object.keys(spec.fields), "metadata"].join(", ")}.`)
    }
    const str = strA ?? strB
    const value: string | number | null = nul !== undefined ? null : num !== undefined ? Number(num) : unescape(str!)
    const type: FieldType = name === "metadata" ? "text" : searchField!.type
    const o = op as Op
    if (value === null && o !== ":") bad("null can only be compared with `:`.")
    if (typeof value === "number" && type !== "number") bad(`Field \`${name}\` takes a quoted string: ${name}:'${value}'.`)
    if (typeof value === "string" && type === "number") bad(`Field \`${name}\` is numeric: compare it with a bare number (${name}>100).`)
    if ((o === ">" || o === "<" || o === ">=" || o === "<=") && type !== "number") bad(`Field \`${name}\` does not support the ${o} operator.`)
    if (o === "~") {
      if (type !== "text" || name === "metadata") bad(`Field \`${name}\` does not support substring (~) matching.`)
      if (typeof value !== "string" || value.length < 3) bad("A substring (~) search needs at least 3 characters.")
    }
    if (type === "boolean" && value !== null && value !== "true" && value !== "false") bad(`Field \`${name}\` takes 'true' or 'false'.`)
    const metadataKey = metaA ?? metaB
    clauses.push({ negated: neg === "-", field: name, ...(metadataKey === undefined ? {} : { metadataKey: unescape(metadataKey) }), op: o, value })
    rest = rest.slice(whole.length)
    if (rest.trim() === "") break
    const j = /^\s+(AND|OR)\s+/.exec(rest)
    if (j === null) return bad(`Invalid search query near \`${rest.trim().slice(0, 40)}\`: clauses are joined by AND or OR.`)
    joins.add(j[1] as "AND" | "OR")
    rest = rest.slice(j[0].length)
  }
  if (joins.size > 1) bad("A search query cannot combine AND and OR.")
  if (clauses.length > MAX_CLAUSES) bad(`A search query can have at most ${MAX_CLAUSES} clauses.`)
  return { clauses, join: joins.has("OR") ? "OR" : "AND" }
}

const fold = (v: unknown): string => String(v).toLowerCase()

const matchClause = (c: Clause, kind: Kind, o: Record<string, unknown>): boolean => {
  let actual: unknown
  if (c.field === "metadata") {
    const md = o["metadata"]
    actual = isPlainObject(md) ? md[c.metadataKey!] : undefined
  } else {
    actual = SEARCHABLE[kind]!.fields[c.field]!.get(o)
  }
  let hit: boolean
  if (c.value === null) hit = actual === null || actual === undefined || actual === ""
  else if (actual === null || actual === undefined) hit = false
  else if (c.field === "metadata") hit = actual === c.value
  else if (typeof c.value === "number") {
    const n = Number(actual)
    hit = c.op === ":" ? n === c.value : c.op === ">" ? n > c.value : c.op === "<" ? n < c.value : c.op === ">=" ? n >= c.value : n <= c.value
  } else if (c.op === "~") hit = fold(actual).includes(fold(c.value))
  else hit = fold(actual) === fold(c.value)
  return c.negated ? !hit : hit
}

export const matches = (q: Query, kind: Kind, o: Record<string, unknown>): boolean =>
  q.join === "AND" ? q.clauses.every((c) => matchClause(c, kind, o)) : q.clauses.some((c) => matchClause(c, kind, o))

interface Version {
  readonly at: number
  readonly doc: Record<string, unknown> | null
}

export class SearchIndex {
  private readonly versions = new Map<string, Array<Version>>()
  /** Ids per kind in creation order. */
  private readonly order = new Map<Kind, Array<string>>()

  constructor(public lagMs: number) {}

  record(kind: Kind, id: string, object: StoredObject | null, at: number): void {
    if (SEARCHABLE[kind] === undefined) return
    let list = this.versions.get(id)
    if (list === undefined) {
      list = []
      this.versions.set(id, list)
      const ids = this.order.get(kind) ?? []
      ids.push(id)
      this.order.set(kind, ids)
    }
    list.push({ at, doc: object === null ? null : (JSON.parse(JSON.stringify(object)) as Record<string, unknown>) })
    // Keep the newest version already visible and everything after it.
    const horizon = at - this.lagMs
    let keepFrom = 0
    for (let i = 0; i < list.length; i++) if (list[i]!.at <= horizon) keepFrom = i
    if (keepFrom > 0) list.splice(0, keepFrom)
  }

  /** The objects of a kind as a search at `nowMs` sees them, newest first. */
  visible(kind: Kind, nowMs: number): Array<Record<string, unknown>> {
    const horizon = nowMs - this.lagMs
    const out: Array<Record<string, unknown>> = []
    for (const id of this.order.get(kind) ?? []) {
      const list = this.versions.get(id)!
      let doc: Record<string, unknown> | null = null
      for (const v of list) if (v.at <= horizon) doc = v.doc
      if (doc !== null) out.push(doc)
    }
    return out.reverse()
  }
}
