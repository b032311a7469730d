/**
 * The HTTP pipeline to Alegra: base URL, Basic auth, JSON headers, timeout, pacing (one
 * budget per account, shared when a `RateBudget` is provided), a concurrency cap, retries,
 * connector health, and the mapping of every outcome to a response or a `ConnectorError`.
 *
 * The exchange itself is one undici request (the HTTP client Node's fetch is built on):
 * the pipeline above it already does what @effect/platform's HttpClient would add (its
 * spans with every header as an attribute, trace headers sent to Alegra, a fiber racing
 * the timeout), which cost several times the request itself on every page and re-read.
 */
import { Clock, Duration, Effect, Either, Metric, Random, Redacted, type Scope } from "effect"
import { Agent } from "undici"
import type { AlegraUsage } from "../../src/ports/alegra.js"
import type { ConnectorError, ConnectorHealth } from "../../src/ports/connector.js"
import type { RateBudgetPort } from "../../src/ports/rate-budget.js"
import {
  alegraError,
  classifyStatus,
  describeCause,
  describeStatus,
  isRateLimited,
  makeScrubber,
  parseErrorBody,
  parseJson
} from "./errors.js"
import type { ErrorContext } from "./errors.js"
import { makeHealthTracker } from "./health.js"
import { accountKey, pacingFor, rateLimitedPauseMs, remainingIsExhausted, resetDelayMs } from "./pacing.js"
import type { Pacing } from "./pacing.js"
import { StartLog } from "./rate-budget.js"
import { pathWithQuery } from "./resources.js"

export interface AlegraClientOptions {
  /** e.g. "https://api.alegra.com/api/v1", or a simulator's "http://127.0.0.1:PORT/api/v1". */
  readonly baseUrl: string
  readonly email: string
  readonly token: Redacted.Redacted<string>
  /** Alegra allows 150 per user. */
  readonly requestsPerMinute: number
  /** Alegra counts in 60 s windows; tests use short ones. Budget per window = requestsPerMinute * windowSeconds / 60. */
  readonly rateLimitWindowSeconds: number
  /** Requests in flight at once; default 3 (more tends to give 503s). */
  readonly maxConcurrency?: number
  /** Per attempt, from sending the request to the end of the body; default 30 000. */
  readonly requestTimeoutMs?: number
  /** Retries of a 5xx or transport failure (timeout, connection reset); default 6. */
  readonly maxRetries?: number
  /** First backoff delay of the exponential schedule for 5xx and transport failures; default 200. */
  readonly retryBaseDelayMs?: number
  /**
   * How long a request keeps waiting out 429s, from its first one, before it fails with
   * reason "rate-limit" (health.pausedUntil then says when to come back); default three windows, and at least a minute.
   */
  readonly maxRateLimitWaitMs?: number
}

export interface AlegraRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  /** Path relative to the base URL, without query; every segment from outside already escaped. */
  readonly path: string
  readonly query?: ReadonlyArray<readonly [string, string]>
  readonly body?: unknown
  /** A background read (the sweep): limited to half the budget. */
  readonly background?: boolean
  /**
   * Whether a 5xx or transport failure may be retried (the request may have been processed).
   * Defaults to true for GET, PUT and DELETE, false for POST. Rate-limited requests were not
   * processed and are always retried.
   */
  readonly idempotent?: boolean
  /** A 404 is an answer (the record is gone), not a failure: it resolves with status 404 and a null body. */
  readonly notFoundIsAnswer?: boolean
}

export interface AlegraResponse {
  /** 2xx, or 404 when `notFoundIsAnswer`. */
  readonly status: number
  /** The parsed JSON body (null when empty, or for a 404). */
  readonly body: unknown
  /** Epoch ms at which the attempt that got this answer was sent (after any wait or retry). */
  readonly sentAt: number
}

export interface AlegraHttp {
  readonly request: (request: AlegraRequest) => Effect.Effect<AlegraResponse, ConnectorError>
  /** Records a failure found after the HTTP exchange (a 2xx body that does not decode). */
  readonly noteFailure: (error: ConnectorError) => Effect.Effect<void>
  readonly usage: Effect.Effect<AlegraUsage>
  readonly health: Effect.Effect<ConnectorHealth>
  readonly pacing: Pacing
}

interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly text: string
}

const MAX_BACKOFF_MS = 10_000

/** Response headers as one string each (a repeated header joined, as fetch does). */
const flatHeaders = (headers: Record<string, string | Array<string> | undefined>): Record<string, string | undefined> => {
  const flat: Record<string, string | undefined> = {}
  for (const name in headers) {
    const value = headers[name]
    flat[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return flat
}

const basicCredentials = (email: string, token: Redacted.Redacted<string>): string =>
  Buffer.from(`${email}:${Redacted.value(token)}`, "utf8").toString("base64")

// Each client's figures are its own (tests build many clients in one process).
let clientInstances = 0

const usageMetrics = () => {
  const client = String(++clientInstances)
  const tagged = <M extends Metric.Metric<any, any, any>>(metric: M): M => Metric.tagged(metric, "client", client) as M
  return {
    requests: tagged(Metric.counter("alegra_requests_total", { description: "Requests sent to Alegra" })),
    rateLimited: tagged(Metric.counter("alegra_rate_limited_total", { description: "Answers that were a 429 (or a 400 with code 429)" })),
    retries: tagged(Metric.counter("alegra_retries_total", { description: "Attempts after the first, for any reason" })),
    busiestMinute: tagged(Metric.gauge("alegra_busiest_minute", { description: "Most requests sent within any 60 s" }))
  }
}

export const makeAlegraHttp = (
  options: AlegraClientOptions,
  budget: RateBudgetPort
): Effect.Effect<AlegraHttp, never, Scope.Scope> =>
  Effect.gen(function*() {
    const maxConcurrency = Math.max(1, Math.floor(options.maxConcurrency ?? 3))
    const timeoutMs = Math.max(1, options.requestTimeoutMs ?? 30_000)
    const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 6))
    const baseDelayMs = Math.max(1, options.retryBaseDelayMs ?? 200)
    const baseUrl = options.baseUrl.replace(/\/+$/, "")
    const { origin, pathname } = new URL(baseUrl)
    const basePath = pathname.replace(/\/+$/, "")
    const pacing = pacingFor(options.requestsPerMinute, options.rateLimitWindowSeconds)
    const maxRateLimitWaitMs = Math.max(0, options.maxRateLimitWaitMs ?? Math.max(3 * pacing.windowMs, 60_000))
    const key = accountKey(baseUrl, options.email)

    const semaphore = yield* Effect.makeSemaphore(maxConcurrency)
    const health = yield* makeHealthTracker
    const metrics = usageMetrics()
    // Requests actually sent in the last minute, whatever the configured window: the figure to hold against "per minute".
    const lastMinute = new StartLog()
    let busiestMinute = 0

    // Removes the token and the encoded credentials from any text that ends up in an error.
    const scrub = makeScrubber([Redacted.value(options.token), basicCredentials(options.email, options.token)])

    // The client's own connections, closed with its scope.
    const agent = yield* Effect.acquireRelease(Effect.sync(() => new Agent()), (agent) => Effect.promise(() => agent.close()))
    // The same headers on every request, built once.
    const headers = {
      "accept": "application/json",
      "content-type": "application/json",
      // Basic email:token, unwrapped here only. Encoded as UTF-8 (btoa would throw on an
      // email with non-Latin-1 characters).
      "authorization": `Basic ${basicCredentials(options.email, options.token)}`
    }

    const pause = (until: number) => Effect.zipRight(budget.pauseUntil(key, until), health.paused(until))

    const countSent = (at: number) =>
      Effect.zipRight(
        Metric.increment(metrics.requests),
        Effect.suspend(() => {
          lastMinute.prune(at - 60_000)
          lastMinute.record(at)
          busiestMinute = Math.max(busiestMinute, lastMinute.size)
          return Metric.set(metrics.busiestMinute, busiestMinute)
        })
      )

    const transportError = (context: ErrorContext, cause: unknown) =>
      alegraError(context, "transport", { message: scrub(`Transport (${describeCause(cause)})`) })

    /**
     * One HTTP exchange, within the timeout (from sending to the end of the body): the status,
     * headers and whole body. Interrupting the fiber aborts the request.
     */
    const exchange = (body: string | undefined, context: ErrorContext) =>
      Effect.suspend(() => {
        let timedOut = false
        return Effect.tryPromise({
          try: async (interrupted) => {
            const abort = new AbortController()
            const timer = setTimeout(() => {
              timedOut = true
              abort.abort()
            }, timeoutMs)
            const onInterrupt = () => abort.abort()
            interrupted.addEventListener("abort", onInterrupt, { once: true })
            try {
              const response = await agent.request({
                origin,
                path: `${basePath}${context.path}`,
                method: context.method,
                headers,
                body: body ?? null,
                signal: abort.signal
              })
              const text = await response.body.text()
              return { status: response.statusCode, headers: flatHeaders(response.headers), text } satisfies RawResponse
            } finally {
              clearTimeout(timer)
              interrupted.removeEventListener("abort", onInterrupt)
            }
          },
          catch: (cause) =>
            timedOut
              ? alegraError(context, "transport", { message: `no complete response within ${timeoutMs} ms` })
              : transportError(context, cause)
        })
      })

    /**
     * Sends once the budget admits a start, inside a concurrency permit, so that the start
     * the budget records is the moment the request leaves. Waiting happens outside the
     * permit: a background read waiting for its share never holds up foreground work.
     */
    const send = (body: string | undefined, context: ErrorContext, background: boolean) =>
      Effect.gen(function*() {
        while (true) {
          const sent = yield* semaphore.withPermits(1)(Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            const wait = yield* budget.take({ key, ...pacing, background, now })
            if (wait > 0) return wait
            yield* countSent(now)
            const raw = yield* Effect.either(exchange(body, context))
            return { raw, sentAt: now }
          }))
          if (typeof sent !== "number") return sent
          yield* Effect.sleep(Duration.millis(sent))
        }
      })

    /** Reads the rate-limit headers, then turns the answer into a response or an ConnectorError. */
    const interpret = (raw: RawResponse, sentAt: number, context: ErrorContext, spec: AlegraRequest) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const reset = raw.headers["x-rate-limit-reset"]
        // Slow down before a 429: nothing more is sent until the server's window resets.
        if (remainingIsExhausted(raw.headers["x-rate-limit-remaining"])) {
          yield* pause(now + resetDelayMs(reset, pacing.windowMs, now))
        }
        const parsed = parseJson(raw.text)
        if (raw.status >= 200 && raw.status < 300) {
          if (parsed.ok) return { status: raw.status, body: parsed.value, sentAt } satisfies AlegraResponse
          return yield* Effect.fail(alegraError(context, "decode", {
            status: raw.status,
            message: scrub(`response is not JSON: ${JSON.stringify(raw.text.slice(0, 120))}`)
          }))
        }
        if (raw.status === 404 && spec.notFoundIsAnswer === true) {
          return { status: 404, body: null, sentAt } satisfies AlegraResponse
        }
        const body = parseErrorBody(parsed.ok ? parsed.value : raw.text.slice(0, 300))
        if (isRateLimited(raw.status, body)) {
          yield* Metric.increment(metrics.rateLimited)
          yield* pause(now + rateLimitedPauseMs(reset, pacing.windowMs, now))
        }
        return yield* Effect.fail(alegraError(context, classifyStatus(raw.status, body), {
          status: raw.status,
          code: body.code,
          message: scrub(describeStatus(raw.status, body))
        }))
      })

    /** One attempt, its outcome recorded in the connector's health. */
    const attempt = (body: string | undefined, context: ErrorContext, spec: AlegraRequest) =>
      send(body, context, spec.background ?? false).pipe(
        Effect.flatMap(({ raw, sentAt }) => Either.isRight(raw) ? interpret(raw.right, sentAt, context, spec) : Effect.fail(raw.left)),
        Effect.tapBoth({
          onSuccess: (response) => response.status === 404 ? Effect.void : Effect.flatMap(Clock.currentTimeMillis, health.succeeded),
          onFailure: (error) => Effect.flatMap(Clock.currentTimeMillis, (at) => health.failed(at, error))
        })
      )

    const gaveUp = (context: ErrorContext, error: ConnectorError, attempts: number) =>
      alegraError(context, error.reason, {
        status: error.status,
        code: error.code,
        message: `${error.message} (gave up after ${attempts} attempts)`
      })

    /**
     * Retries: a rate-limited attempt is retried as soon as the budget allows (the pause set
     * from the server's X-Rate-Limit-Reset), with no backoff of its own, so pauses never add
     * up; it gives up once waiting would last longer than `maxRateLimitWaitMs`. A 5xx or
     * transport failure of an idempotent request is retried with capped exponential backoff
     * and jitter (base · 2^(n-1), at most 10 s, ×0.8–1.2), at most `maxRetries` times.
     */
    const request = (spec: AlegraRequest): Effect.Effect<AlegraResponse, ConnectorError> =>
      Effect.gen(function*() {
        const query = spec.query ?? []
        const context: ErrorContext = { method: spec.method, path: pathWithQuery(spec.path, query) }
        const idempotent = spec.idempotent ?? spec.method !== "POST"
        const body = spec.body === undefined ? undefined : JSON.stringify(spec.body)
        let attempts = 0
        let failures = 0
        let firstLimitedAt: number | undefined
        while (true) {
          if (attempts++ > 0) yield* Metric.increment(metrics.retries)
          const outcome = yield* Effect.either(attempt(body, context, spec))
          if (Either.isRight(outcome)) return outcome.right
          const error = outcome.left
          if (error.reason === "rate-limit") {
            const now = yield* Clock.currentTimeMillis
            firstLimitedAt ??= now
            if ((yield* health.pausedUntil) - firstLimitedAt > maxRateLimitWaitMs) {
              return yield* Effect.fail(gaveUp(context, error, attempts))
            }
            continue
          }
          if (!idempotent || !error.transient) return yield* Effect.fail(error)
          if (failures >= maxRetries) return yield* Effect.fail(attempts > 1 ? gaveUp(context, error, attempts) : error)
          failures++
          const capped = Math.min(MAX_BACKOFF_MS, baseDelayMs * 2 ** (failures - 1))
          const jitter = yield* Random.nextRange(0.8, 1.2)
          yield* Effect.sleep(Duration.millis(Math.round(capped * jitter)))
        }
      })

    const usage: Effect.Effect<AlegraUsage> = Effect.all({
      requests: Effect.map(Metric.value(metrics.requests), (s) => s.count),
      rateLimited: Effect.map(Metric.value(metrics.rateLimited), (s) => s.count),
      retries: Effect.map(Metric.value(metrics.retries), (s) => s.count),
      busiestMinute: Effect.map(Metric.value(metrics.busiestMinute), (s) => s.value)
    })

    return {
      request,
      noteFailure: (error) => Effect.flatMap(Clock.currentTimeMillis, (at) => health.failed(at, error)),
      usage,
      health: health.read,
      pacing
    } satisfies AlegraHttp
  })
