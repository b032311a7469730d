/** The `Alegra` port implemented over Alegra's REST API. */
import type { HttpClient } from "@effect/platform"
import { Effect, Either, Layer, Option, Schema } from "effect"
import { kinds } from "../../schema/index.js"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import { Alegra } from "../../src/ports/alegra.js"
import type {
  AlegraPort,
  ListOptions,
  Observation,
  Page,
  WebhookSubscription
} from "../../src/ports/alegra.js"
import { RateBudget } from "../../src/ports/rate-budget.js"
import type { RateBudgetPort } from "../../src/ports/rate-budget.js"
import { makeAlegraHttp } from "./client.js"
import type { AlegraClientOptions, AlegraHttp } from "./client.js"
import { alegraError } from "./errors.js"
import type { ErrorContext } from "./errors.js"
import { isAlegraId, isValidId, previewId } from "./ids.js"
import { decodeRows, rawId } from "./mapping.js"
import { preview } from "./walk.js"
import { memoryRateBudget } from "./rate-budget.js"
import {
  flattenCategories,
  listQuery,
  PAGE_LIMIT,
  pathWithQuery,
  recordPath,
  resources,
  SUBSCRIPTIONS_PATH,
  subscriptionPath
} from "./resources.js"
import { parseWebhook, stripScheme, webhookEvents, webhookKinds } from "./webhooks.js"
import { formatParseError, WireSubscriptionCreated, WireSubscriptionList } from "./wire.js"
import type { WireSubscription } from "./wire.js"

const decodeSubscriptionList = Schema.decodeUnknownEither(WireSubscriptionList)
const decodeSubscriptionCreated = Schema.decodeUnknownEither(WireSubscriptionCreated)

const isObject = (value: unknown): value is Record<string, unknown> =>
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

const toSubscription = (wire: WireSubscription, fallback?: { event: string; url: string }): WebhookSubscription => ({
  id: wire.id,
  event: wire.event ?? fallback?.event ?? "",
  url: wire.url ?? fallback?.url ?? ""
})

/** Builds the port on an HTTP pipeline (exposed for tests and tools that need the pipeline itself). */
export const makeAlegraPort = (http: AlegraHttp): AlegraPort => {
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

  /** An id Alegra never issues: refused before anything is sent. */
  const invalidId = (method: string, path: string, what: string, id: string) =>
    Effect.fail(alegraError({ method, path }, "validation", {
      message: `not a valid ${what} id: ${previewId(id)} (Alegra ids are numeric strings or UUIDs)`
    }))

  const listPage = Effect.fn("Alegra.listPage")(function*(kind: Kind, options: ListOptions) {
    const resource = resources[kind]
    const query = listQuery(kind, options)
    const context: ErrorContext = { method: "GET", path: pathWithQuery(resource.path, query) }
    const response = yield* http.request({ method: "GET", path: resource.path, query, background: options.background ?? false })
    const rows = rowsOf(response.body)
    if (rows === undefined) {
      return yield* decodeFailure(context, `expected a list (an array, {metadata, data} or {total, results}), got ${preview(response.body)}`)
    }
    const flat = kind === "category" ? flattenCategories(rows) : rows
    const records = yield* readRows(kind, dedupeById(flat), context)
    const start = Math.max(0, Math.floor(options.start))
    const page: Page = { records, next: rows.length >= PAGE_LIMIT ? start + rows.length : null, readAt: response.sentAt }
    return page
  })

  const get = Effect.fn("Alegra.get")(function*(kind: Kind, id: string) {
    const path = isValidId(kind, id) ? recordPath(kind, id) : Option.none()
    if (Option.isNone(path)) return yield* invalidId("GET", resources[kind].path, kind, id)
    const context: ErrorContext = { method: "GET", path: path.value }
    const response = yield* http.request({ method: "GET", path: path.value, notFoundIsAnswer: true })
    if (response.status === 404) {
      return { readAt: response.sentAt, record: Option.none<CanonicalRecord>() } satisfies Observation
    }
    // Tolerate a `{data: {...}}` wrapper around the record.
    const body = response.body
    const raw = isObject(body) && !("id" in body) && isObject(body.data) ? body.data : body
    const [record] = yield* readRows(kind, [raw], context)
    return { readAt: response.sentAt, record: Option.some(record!) } satisfies Observation
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
        (error) => error.reason === "validation" && error.status !== 404,
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
    kinds,
    webhookEvents,
    webhookKinds,
    listPage,
    get,
    subscriptions: {
      list: Effect.suspend(() => listSubscriptions()),
      create: createSubscription,
      remove: removeSubscription
    },
    parseWebhook,
    isValidId,
    usage: http.usage,
    health: http.health
  }
}

/** The port on the ambient HttpClient, with the given budget. */
export const makeAlegra = (
  options: AlegraClientOptions,
  budget: RateBudgetPort
): Effect.Effect<AlegraPort, never, HttpClient.HttpClient> => Effect.map(makeAlegraHttp(options, budget), makeAlegraPort)

/**
 * The `Alegra` port over the REST API. Uses the `RateBudget` in the context when there is
 * one (the store's, shared by every process on the account), else one of its own. Build
 * it once (a constant): every user of one instance shares its budget and its cap of
 * requests in flight.
 */
export const AlegraLive = (options: AlegraClientOptions): Layer.Layer<Alegra, never, HttpClient.HttpClient> =>
  Layer.effect(
    Alegra,
    Effect.flatMap(Effect.serviceOption(RateBudget), (shared) =>
      makeAlegra(options, Option.getOrElse(shared, memoryRateBudget)))
  )
