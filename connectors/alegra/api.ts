/**
 * Alegra's REST API as the connector uses it: list pages (raw and decoded), one record by id,
 * and webhook subscriptions, over the HTTP pipeline of ./client.ts. Every answer that cannot be
 * read becomes a "decode" ConnectorError naming the record and the field.
 */
import { Effect, Either, Option, Schema } from "effect"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import type { AlegraUsage } from "../../src/ports/alegra.js"
import type { ConnectorError, ConnectorHealth, Observation } from "../../src/ports/connector.js"
import type { AlegraHttp } from "./client.js"
import { alegraError } from "./errors.js"
import type { ErrorContext } from "./errors.js"
import { isAlegraId, isValidId, previewId } from "./ids.js"
import { decodeRows, rawId } from "./mapping.js"
import {
  flattenCategories,
  listQuery,
  type ListOptions,
  PAGE_LIMIT,
  pathWithQuery,
  recordPath,
  resources,
  SUBSCRIPTIONS_PATH,
  subscriptionPath
} from "./resources.js"
import { preview } from "./walk.js"
import { stripScheme, webhookEvents } from "./webhooks.js"
import { formatParseError, WireSubscriptionCreated, WireSubscriptionList } from "./wire.js"
import type { WireSubscription } from "./wire.js"

export interface Page {
  /** Records of the page, mapped to the canonical model, deduplicated by id. */
  readonly records: ReadonlyArray<CanonicalRecord>
  /** Offset of the next page, or null when this was the last one. */
  readonly next: number | null
  /**
   * When the request that returned this page was sent (epoch ms, the attempt that
   * succeeded). Observations are ordered by it: the store never replaces a copy read
   * later with one read earlier.
   */
  readonly readAt: number
}

/** A page as Alegra sent it: its rows (deduplicated by id, categories flattened), not yet decoded. */
export interface RawPage {
  readonly rows: ReadonlyArray<unknown>
  readonly next: number | null
  readonly readAt: number
  /** The request, for the errors of decoding a row. */
  readonly context: ErrorContext
}

export interface WebhookSubscription {
  readonly id: string
  readonly event: string
  /** As Alegra returns it (possibly without scheme). */
  readonly url: string
}

export interface AlegraApi {
  readonly http: AlegraHttp
  readonly listRaw: (kind: Kind, options: ListOptions) => Effect.Effect<RawPage, ConnectorError>
  readonly listPage: (kind: Kind, options: ListOptions) => Effect.Effect<Page, ConnectorError>
  /** Re-reads one record; its `record` is None when Alegra answers 404. */
  readonly read: (kind: Kind, id: string) => Effect.Effect<Observation, ConnectorError>
  /** One record as Alegra sent it (None: 404), for writes that merge into what Alegra holds. */
  readonly readRaw: (kind: Kind, id: string) => Effect.Effect<{ readonly readAt: number; readonly raw: Option.Option<unknown> }, ConnectorError>
  /** Maps a record of a 2xx answer; fails with reason decode, naming the record and the field. */
  readonly decode: (kind: Kind, raw: unknown, context: ErrorContext) => Effect.Effect<CanonicalRecord, ConnectorError>
  /** Fails with reason validation, before anything is sent: `id` is not a shape Alegra issues. */
  readonly invalidId: (method: string, path: string, what: string, id: string) => Effect.Effect<never, ConnectorError>
  /** The webhook events Alegra offers (new-/edit-/delete- for invoice, bill, client, item). */
  readonly webhookEvents: ReadonlyArray<string>
  readonly subscriptions: {
    readonly list: Effect.Effect<ReadonlyArray<WebhookSubscription>, ConnectorError>
    readonly create: (event: string, url: string) => Effect.Effect<WebhookSubscription, ConnectorError>
    readonly remove: (id: string) => Effect.Effect<void, ConnectorError>
  }
  readonly usage: Effect.Effect<AlegraUsage>
  readonly health: Effect.Effect<ConnectorHealth>
}

const decodeSubscriptionList = Schema.decodeUnknownEither(WireSubscriptionList)
const decodeSubscriptionCreated = Schema.decodeUnknownEither(WireSubscriptionCreated)

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The rows of a list response: a bare array, `{metadata, data}` or `{total, results}`; undefined for anything else. */
const rowsOf = (body: unknown): ReadonlyArray<unknown> | undefined =>
  Array.isArray(body)
    ? body
    : !isObject(body)
    ? undefined
    : Array.isArray(body.data)
    ? body.data
    : Array.isArray(body.results)
    ? body.results
    : undefined

/** Keeps the first row of each id (payments can appear once per category line). */
const dedupeById = (rows: ReadonlyArray<unknown>): ReadonlyArray<unknown> => {
  const seen = new Set<string>()
  return rows.filter((row) => {
    const id = rawId(row)
    if (id === undefined) return true
    const key = id.trim()
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** A record answered alone, tolerating a `{data: {...}}` wrapper around it. */
export const unwrapRecord = (body: unknown): unknown => isObject(body) && !("id" in body) && isObject(body.data) ? body.data : body

const toSubscription = (wire: WireSubscription, fallback?: { event: string; url: string }): WebhookSubscription => ({
  id: wire.id,
  event: wire.event ?? fallback?.event ?? "",
  url: wire.url ?? fallback?.url ?? ""
})

export const makeAlegraApi = (http: AlegraHttp): AlegraApi => {
  /** Fails with reason decode, and remembers it in the connector's health. */
  const decodeFailure = (context: ErrorContext, message: string) => {
    const error = alegraError(context, "decode", { status: 200, message })
    return Effect.zipRight(http.noteFailure(error), Effect.fail(error))
  }

  /** Decodes raw rows of a kind, in order; fails naming the record and the field. */
  const readRows = (kind: Kind, rows: ReadonlyArray<unknown>, context: ErrorContext) => {
    const decoded = decodeRows(kind, rows)
    if (Either.isRight(decoded)) return Effect.succeed(decoded.right)
    const { index, message } = decoded.left
    const id = rawId(rows[index])
    return decodeFailure(context, `cannot read ${kind} ${id !== undefined ? `id ${id}` : `row ${index}`}: ${message}`)
  }

  const decode = (kind: Kind, raw: unknown, context: ErrorContext) =>
    Effect.map(readRows(kind, [raw], context), (records) => records[0]!)

  const invalidId = (method: string, path: string, what: string, id: string) =>
    Effect.fail(alegraError({ method, path }, "validation", {
      message: `not a valid ${what} id: ${previewId(id)} (Alegra ids are numeric strings or UUIDs)`
    }))

  // Reads run once per page or per re-read row: untraced, as a span costs more than the work around it.
  const listRaw = Effect.fnUntraced(function*(kind: Kind, options: ListOptions) {
    const resource = resources[kind]
    const query = listQuery(kind, options)
    const context: ErrorContext = { method: "GET", path: pathWithQuery(resource.path, query) }
    const response = yield* http.request({ method: "GET", path: resource.path, query, background: options.background ?? false })
    const rows = rowsOf(response.body)
    if (rows === undefined) {
      return yield* decodeFailure(context, `expected a list (an array, {metadata, data} or {total, results}), got ${preview(response.body)}`)
    }
    const flat = kind === "category" ? flattenCategories(rows) : rows
    const start = Math.max(0, Math.floor(options.start))
    return {
      rows: dedupeById(flat),
      next: rows.length >= PAGE_LIMIT ? start + rows.length : null,
      readAt: response.sentAt,
      context
    }
  })

  const listPage = Effect.fnUntraced(function*(kind: Kind, options: ListOptions) {
    const { context, next, readAt, rows } = yield* listRaw(kind, options)
    const page: Page = { records: yield* readRows(kind, rows, context), next, readAt }
    return page
  })

  const readRaw = Effect.fnUntraced(function*(kind: Kind, id: string) {
    const path = isValidId(kind, id) ? recordPath(kind, id) : Option.none()
    if (Option.isNone(path)) return yield* invalidId("GET", resources[kind].path, kind, id)
    const response = yield* http.request({ method: "GET", path: path.value, notFoundIsAnswer: true })
    return {
      readAt: response.sentAt,
      raw: response.status === 404 ? Option.none<unknown>() : Option.some(unwrapRecord(response.body)),
      path: path.value
    }
  })

  const read = Effect.fnUntraced(function*(kind: Kind, id: string) {
    const { path, raw, readAt } = yield* readRaw(kind, id)
    if (Option.isNone(raw)) return { readAt, record: Option.none<CanonicalRecord>() } satisfies Observation
    const record = yield* decode(kind, raw.value, { method: "GET", path })
    return { readAt, record: Option.some(record) } satisfies Observation
  })

  const listSubscriptions = Effect.fn("Alegra.subscriptions.list")(function*() {
    const context: ErrorContext = { method: "GET", path: SUBSCRIPTIONS_PATH }
    const { body } = yield* http.request({ method: "GET", path: SUBSCRIPTIONS_PATH })
    const decoded = decodeSubscriptionList(body)
    if (Either.isLeft(decoded)) {
      return yield* decodeFailure(context, `expected {subscriptions: [...]}: ${formatParseError(decoded.left)}`)
    }
    const list = Array.isArray(decoded.right)
      ? decoded.right
      : "subscriptions" in decoded.right
      ? decoded.right.subscriptions
      : (decoded.right as { readonly data: ReadonlyArray<WireSubscription> }).data
    return list.map((s) => toSubscription(s))
  })

  const createSubscription = Effect.fn("Alegra.subscriptions.create")(function*(event: string, url: string) {
    const context: ErrorContext = { method: "POST", path: SUBSCRIPTIONS_PATH }
    const sentUrl = stripScheme(url)
    const created = yield* http.request({
      method: "POST",
      path: SUBSCRIPTIONS_PATH,
      body: { event, url: sentUrl },
      // Safe to retry: Alegra refuses a second subscription for the same event and URL,
      // and that refusal is resolved below by finding the existing one.
      idempotent: true
    }).pipe(
      Effect.map((response) => Either.right(response.body)),
      Effect.catchIf(
        (error) => (error.reason === "validation" || error.reason === "conflict") && error.status !== 404,
        (error) => Effect.succeed(Either.left(error))
      )
    )
    if (Either.isLeft(created)) {
      // Already registered (by us earlier, or by a retried request that did go through)?
      const existing = yield* listSubscriptions().pipe(
        Effect.map((list) => list.find((s) => s.event === event && stripScheme(s.url) === sentUrl)),
        Effect.orElseSucceed(() => undefined)
      )
      if (existing !== undefined) return existing
      return yield* Effect.fail(created.left)
    }
    const decoded = decodeSubscriptionCreated(created.right)
    if (Either.isLeft(decoded)) {
      return yield* decodeFailure(context, `expected {subscription: {id, ...}}: ${formatParseError(decoded.left)}`)
    }
    const wire = "subscription" in decoded.right ? decoded.right.subscription : decoded.right
    return toSubscription(wire, { event, url: sentUrl })
  })

  const removeSubscription = Effect.fn("Alegra.subscriptions.remove")(function*(id: string) {
    const path = isAlegraId(id) ? subscriptionPath(id) : Option.none()
    if (Option.isNone(path)) return yield* invalidId("DELETE", SUBSCRIPTIONS_PATH, "webhook subscription", id)
    // Already gone (404) is fine: removal is idempotent.
    yield* http.request({ method: "DELETE", path: path.value, notFoundIsAnswer: true })
  })

  return {
    http,
    listRaw,
    listPage,
    read,
    readRaw,
    decode,
    invalidId,
    webhookEvents,
    subscriptions: {
      list: Effect.suspend(() => listSubscriptions()),
      create: createSubscription,
      remove: removeSubscription
    },
    usage: http.usage,
    health: http.health
  }
}
