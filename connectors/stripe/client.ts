/**
 * The official SDK pointed at the configured host, and one way to call it: paced under the rate
 * limit, a cap on requests in flight, 429s waited out briefly (the SDK retries a 429 only when
 * Stripe says `Stripe-Should-Retry: true`), every outcome counted, remembered for /health and
 * turned into a `ConnectorError` without secrets.
 *
 * The SDK keeps its own retries of network failures, 409s and 5xx (`maxNetworkRetries`): every
 * POST it sends carries an Idempotency-Key (ours, or its own), so a retry is never a second change.
 */
import { Agent as HttpAgent } from "node:http"
import { Agent as HttpsAgent } from "node:https"
import { Clock, Effect, Metric, Option, Random, Redacted } from "effect"
import type { Scope } from "effect"
import Stripe from "stripe"
import type { ConnectorError, ConnectorHealth } from "../../src/ports/connector.js"
import { connectorError, fromSdkError, makeScrubber } from "./errors.js"
import type { RequestContext } from "./errors.js"
import { makeHealth } from "./health.js"
import type { ResolvedOptions } from "./options.js"
import { makePacer } from "./pacing.js"

export interface StripeRequest<A> extends RequestContext {
  readonly method: "GET" | "POST" | "DELETE"
  readonly send: (stripe: Stripe) => Promise<A>
  /** A search: Stripe also limits searches to 20 per second of their own. */
  readonly search?: boolean
}

/** Stripe's own limit on search requests, live and test alike. */
const SEARCHES_PER_SECOND = 20

export interface Sent<A> {
  readonly value: A
  /** Epoch ms at which the attempt that got this answer was sent. */
  readonly sentAt: number
}

export interface StripeClient {
  /** The SDK itself, for what sends no request (webhook signatures). */
  readonly stripe: Stripe
  readonly request: <A>(request: StripeRequest<A>) => Effect.Effect<Sent<A>, ConnectorError>
  /** The same, where a 404 means the object does not exist (or no longer does): None. */
  readonly requestOption: <A>(request: StripeRequest<A>) => Effect.Effect<Sent<Option.Option<A>>, ConnectorError>
  readonly health: Effect.Effect<ConnectorHealth>
}

const requests = Metric.counter("stripe_requests_total", { description: "Requests sent to Stripe, by method and outcome" })
const rateLimited = Metric.counter("stripe_rate_limited_total", { description: "Stripe answers that were a 429" })

/** First pause after a 429 (Stripe counts requests per second), doubled on each one in a row up to the cap. */
const FIRST_PAUSE_MS = 1_000
const MAX_PAUSE_MS = 4_000

export const makeStripeClient = (options: ResolvedOptions): Effect.Effect<StripeClient, never, Scope.Scope> =>
  Effect.gen(function*() {
    // Our own keep-alive agent, closed with the scope: an idle socket never keeps a finished command alive.
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => (options.server.protocol === "http" ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true }))),
      (a) => Effect.sync(() => a.destroy())
    )
    const stripe = new Stripe(Redacted.value(options.apiKey), {
      ...options.server,
      httpAgent: agent,
      maxNetworkRetries: 2,
      timeout: options.requestTimeoutMs,
      telemetry: false,
      appInfo: { name: "alegra-sync" }
    })
    const scrub = makeScrubber([Redacted.value(options.apiKey), Redacted.value(options.webhookSecret)])
    const health = yield* makeHealth
    const pacer = makePacer(options.opsPerSecond)
    const searchPacer = makePacer(Math.min(SEARCHES_PER_SECOND, options.opsPerSecond))
    const inFlight = yield* Effect.makeSemaphore(options.maxConcurrency)

    /** Until the pause after a 429 is over and the pacer (for a search, both pacers) gives this request a slot. */
    const turn = (search: boolean): Effect.Effect<void> =>
      Effect.gen(function*() {
        for (;;) {
          const now = yield* Clock.currentTimeMillis
          const paused = (yield* health.pausedUntil) - now
          const wait = paused > 0 ? paused : yield* Effect.sync(() => {
            const ms = Math.max(pacer.waitMs(now), search ? searchPacer.waitMs(now) : 0)
            if (ms === 0) {
              pacer.record(now)
              if (search) searchPacer.record(now)
            }
            return ms
          })
          if (wait === 0) return
          yield* Effect.sleep(wait)
        }
      })

    const count = (method: string, outcome: string) =>
      Metric.increment(Metric.tagged(Metric.tagged(requests, "method", method), "outcome", outcome))

    /** One attempt: the SDK's answer, or its error as it was thrown. */
    const attempt = <A>(request: StripeRequest<A>) =>
      inFlight.withPermits(1)(
        Effect.gen(function*() {
          yield* turn(request.search === true)
          const sentAt = yield* Clock.currentTimeMillis
          const outcome = yield* Effect.either(Effect.tryPromise({ try: () => request.send(stripe), catch: (cause) => cause }))
          return { sentAt, outcome }
        })
      )

    const send = <A>(request: StripeRequest<A>, missingIsNone: boolean): Effect.Effect<Sent<Option.Option<A>>, ConnectorError> =>
      Effect.gen(function*() {
        let firstLimitedAt: number | null = null
        let pauseMs = FIRST_PAUSE_MS
        for (;;) {
          const { sentAt, outcome } = yield* attempt(request)
          if (outcome._tag === "Right" || (missingIsNone && isNotFound(outcome.left))) {
            yield* count(request.method, "ok")
            yield* health.succeeded(sentAt)
            return { sentAt, value: outcome._tag === "Right" ? Option.some(outcome.right) : Option.none() }
          }
          const error = fromSdkError(request, outcome.left, scrub)
          yield* count(request.method, error.reason)
          if (error.reason === "rate-limit") {
            yield* Metric.increment(rateLimited)
            const now = yield* Clock.currentTimeMillis
            firstLimitedAt ??= now
            const left = options.maxRateLimitWaitMs - (now - firstLimitedAt)
            if (left > 0) {
              const pause = Math.min(left, pauseMs + (yield* Random.nextIntBetween(0, 250)))
              // Every request waits: Stripe counts the account, not this request.
              yield* health.pause(now + pause)
              yield* Effect.logDebug(`Stripe answered 429 to ${request.method} ${request.path}: pausing ${pause} ms`)
              pauseMs = Math.min(MAX_PAUSE_MS, pauseMs * 2)
              continue
            }
            const waited = connectorError(request, "rate-limit", {
              status: 429,
              code: error.code,
              message: `still rate limited after waiting ${now - firstLimitedAt} ms: ${error.message}`
            })
            yield* health.failed(now, waited)
            return yield* Effect.fail(waited)
          }
          yield* health.failed(yield* Clock.currentTimeMillis, error)
          return yield* Effect.fail(error)
        }
      })

    return {
      stripe,
      request: <A>(request: StripeRequest<A>) =>
        Effect.map(send(request, false), (sent) => ({ sentAt: sent.sentAt, value: Option.getOrThrow(sent.value) })),
      requestOption: (request) => send(request, true),
      health: health.read
    } satisfies StripeClient
  })

/**
 * Stripe's answer for an object that does not exist. Only that: a 404 for a URL Stripe does not
 * know (a proxy, a wrong base URL) must never read as "every record was deleted".
 */
const isNotFound = (error: unknown): boolean =>
  error instanceof Stripe.errors.StripeError && error.statusCode === 404 && error.code === "resource_missing"
