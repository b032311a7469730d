/** The `Alegra` port implemented over Alegra's REST API. */
import type { HttpClient } from "@effect/platform"
import { Effect, Either, Layer, Option, Schema } from "effect"
import { kinds } from "../../schema/index.js"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import { Alegra } from "../../src/ports/alegra.js"
import type {
  AlegraError,
  AlegraPort,
  ListOptions,
  Observation,
  Page,
  WebhookSubscription
} from "../../src/ports/alegra.js"
import { makeAlegraHttp } from "./client.js"
import type { AlegraClientOptions, AlegraHttp } from "./client.js"
import { alegraError } from "./errors.js"
import type { ErrorContext } from "./errors.js"
import { decodeRecord, formatParseError, rawId } from "./mapping.js"
import {
  flattenCategories,
  listQuery,
  PAGE_LIMIT,
  pathWithQuery,
  recordPath,
  resources,
  SUBSCRIPTIONS_PATH
} from "./resources.js"
import { parseWebhook, stripScheme, webhookEvents, webhookKinds } from "./webhooks.js"
import { rowsOf, WireListEnvelope, WireSubscriptionCreated, WireSubscriptionList } from "./wire.js"
import type { WireSubscription } from "./wire.js"

const decodeEnvelope = Schema.decodeUnknownEither(WireListEnvelope)
const decodeSubscriptionList = Schema.decodeUnknownEither(WireSubscriptionList)
const decodeSubscriptionCreated = Schema.decodeUnknownEither(WireSubscriptionCreated)

const decodeFailure = (context: ErrorContext, message: string) => alegraError(context, "decode", { status: 200, message })

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Decodes raw rows of a kind, in order; fails naming the record and the field. */
const decodeRows = (kind: Kind, rows: ReadonlyArray<unknown>, context: ErrorContext) =>
  Effect.forEach(rows, (row, index) => {
    const decoded = decodeRecord(kind, row)
    if (Either.isRight(decoded)) return Effect.succeed(decoded.right)
    const id = rawId(row)
    return Effect.fail(decodeFailure(
      context,
      `cannot read ${kind} ${id !== undefined ? `id ${id}` : `row ${index}`}: ${decoded.left}`
    ))
  })

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

/** Builds the port on an HTTP pipeline (exposed for tests and tools that need `usage` details). */
export const makeAlegraPort = (http: AlegraHttp): AlegraPort => {
  const listPage = Effect.fn("Alegra.listPage")(function*(kind: Kind, options: ListOptions) {
    const resource = resources[kind]
    const query = listQuery(kind, options)
    const context: ErrorContext = { method: "GET", path: pathWithQuery(resource.path, query) }
    const readAt = Date.now()
    const body = yield* http.request({ method: "GET", path: resource.path, query, background: options.background ?? false })
    const envelope = decodeEnvelope(body)
    if (Either.isLeft(envelope)) {
      return yield* Effect.fail(decodeFailure(
        context,
        `expected a list (an array, {metadata, data} or {total, results}): ${formatParseError(envelope.left)}`
      ))
    }
    const rows = rowsOf(envelope.right)
    const flat = kind === "category" ? flattenCategories(rows) : rows
    const records = yield* decodeRows(kind, dedupeById(flat), context)
    const start = Math.max(0, Math.floor(options.start))
    const page: Page = { records, next: rows.length >= PAGE_LIMIT ? start + rows.length : null, readAt }
    return page
  })

  const get = Effect.fn("Alegra.get")(function*(kind: Kind, id: string) {
    const path = recordPath(kind, id)
    const context: ErrorContext = { method: "GET", path }
    const readAt = Date.now()
    const body = yield* http.request({ method: "GET", path }).pipe(
      Effect.map(Option.some),
      Effect.catchIf((error) => error.status === 404, () => Effect.succeed(Option.none()))
    )
    if (Option.isNone(body)) return { readAt, record: Option.none<CanonicalRecord>() } satisfies Observation
    // Tolerate a `{data: {...}}` wrapper around the record.
    const raw = isObject(body.value) && !("id" in body.value) && isObject(body.value.data) ? body.value.data : body.value
    const [record] = yield* decodeRows(kind, [raw], context)
    return { readAt, record: Option.some(record!) } satisfies Observation
  })

  const listSubscriptions = Effect.fn("Alegra.subscriptions.list")(function*() {
    const context: ErrorContext = { method: "GET", path: SUBSCRIPTIONS_PATH }
    const body = yield* http.request({ method: "GET", path: SUBSCRIPTIONS_PATH })
    const decoded = decodeSubscriptionList(body)
    if (Either.isLeft(decoded)) {
      return yield* Effect.fail(decodeFailure(context, `expected {subscriptions: [...]}: ${formatParseError(decoded.left)}`))
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
      Effect.map(Either.right),
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
      return yield* Effect.fail(decodeFailure(context, `expected {subscription: {id, ...}}: ${formatParseError(decoded.left)}`))
    }
    const wire = "subscription" in decoded.right ? decoded.right.subscription : decoded.right
    return toSubscription(wire, { event, url: sentUrl })
  })

  const removeSubscription = Effect.fn("Alegra.subscriptions.remove")(function*(id: string) {
    yield* http.request({ method: "DELETE", path: `${SUBSCRIPTIONS_PATH}/${encodeURIComponent(id)}` }).pipe(
      // Already gone: removal is idempotent.
      Effect.catchIf((error: AlegraError) => error.status === 404, () => Effect.void)
    )
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
      remove: (id) => Effect.asVoid(removeSubscription(id))
    },
    parseWebhook: (body) =>
      Option.match(parseWebhook(body), {
        onNone: () => ({ hints: [], unreadable: { kinds: webhookKinds, reason: "no known event and record id" } }),
        onSome: (hint) => ({ hints: [hint], unreadable: null })
      }),
    isValidId: (_kind, id) => /^[1-9]\d{0,19}$/.test(id) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id),
    usage: http.usage,
    health: Effect.succeed({ state: "ok", lastSuccessAt: null, lastFailure: null, pausedUntil: null })
  }
}

/** The port implementation, built on the ambient HttpClient. */
export const makeAlegra = (options: AlegraClientOptions): Effect.Effect<AlegraPort, never, HttpClient.HttpClient> =>
  Effect.map(makeAlegraHttp(options), makeAlegraPort)

/**
 * The `Alegra` port over the REST API. Scoped: its rate limiter and semaphore live as
 * long as the layer; build it once (a constant) so that every user shares one budget.
 */
export const AlegraLive = (options: AlegraClientOptions): Layer.Layer<Alegra, never, HttpClient.HttpClient> =>
  Layer.scoped(Alegra, makeAlegra(options))


