/**
 * The HTTP pipeline to Alegra: base URL, Basic auth, JSON headers, timeout, pacing
 * (sliding-window budget, X-Rate-Limit-* headers, background share), a concurrency cap,
 * retries, and the mapping of every outcome to either parsed JSON or an `AlegraError`.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpClientError } from "@effect/platform"
import { Duration, Effect, Option, Random, Redacted, Schedule } from "effect"
import type { AlegraError, AlegraUsage } from "../../src/ports/alegra.js"
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
import { makeRateLimiter, remainingIsExhausted, resetDelayMs, SlidingWindowLog } from "./rate-limiter.js"
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
  /** Retries of a transient failure (429, 5xx, timeout, connection reset); default 6. */
  readonly maxRetries?: number
  /** First backoff delay of the exponential schedule for 5xx and transport failures; default 200. */
  readonly retryBaseDelayMs?: number
}

export interface AlegraRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  /** Path relative to the base URL, without query. */
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
}

export interface AlegraHttp {
  /** Sends a request; succeeds with the parsed JSON body of a 2xx (null when empty). */
  readonly request: (request: AlegraRequest) => Effect.Effect<unknown, AlegraError>
  readonly usage: Effect.Effect<AlegraUsage>
  /** The budget per window (foreground) and for background reads. */
  readonly budget: { readonly perWindow: number; readonly background: number; readonly windowMs: number }
}

interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly text: string
}

const MAX_BACKOFF_MS = 10_000

const basicCredentials = (email: string, token: Redacted.Redacted<string>): string =>
  Buffer.from(`${email}:${Redacted.value(token)}`, "utf8").toString("base64")

export const makeAlegraHttp = (options: AlegraClientOptions): Effect.Effect<AlegraHttp, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const maxConcurrency = Math.max(1, Math.floor(options.maxConcurrency ?? 3))
    const timeoutMs = Math.max(1, options.requestTimeoutMs ?? 30_000)
    const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 6))
    const baseDelayMs = Math.max(1, options.retryBaseDelayMs ?? 200)
    const baseUrl = options.baseUrl.replace(/\/+$/, "")

    const limiter = yield* makeRateLimiter({
      requestsPerMinute: options.requestsPerMinute,
      windowSeconds: options.rateLimitWindowSeconds
    })
    const semaphore = yield* Effect.makeSemaphore(maxConcurrency)
    const counters = { requests: 0, rateLimited: 0, retries: 0, busiestMinute: 0 }
    // Requests actually sent in the last minute, whatever the configured window: the figure to hold against "per minute".
    const lastMinute = new SlidingWindowLog(Number.POSITIVE_INFINITY, 60_000, 0)

    // Removes the token and the encoded credentials from any text that ends up in an error.
    const scrub = (text: string): string =>
      makeScrubber([Redacted.value(options.token), basicCredentials(options.email, options.token)])(text)

    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((request) =>
        request.pipe(
          HttpClientRequest.prependUrl(baseUrl),
          HttpClientRequest.acceptJson,
          HttpClientRequest.setHeader("Content-Type", "application/json"),
          // Basic email:token, unwrapped here only. Encoded as UTF-8 (the platform's basicAuth
          // uses btoa, which throws on an email with non-Latin-1 characters).
          HttpClientRequest.setHeader("Authorization", `Basic ${basicCredentials(options.email, options.token)}`)
        )
      )
    )

    /** Runs `effect` inside a concurrency permit, once the rate limiter has admitted it. */
    const gated = <A, E>(background: boolean, effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.gen(function*() {
        while (true) {
          // Background work waits for its share outside the permit, so it never holds a
          // permit that foreground work could use.
          if (background) yield* limiter.awaitBackgroundRoom
          const result = yield* semaphore.withPermits(1)(
            limiter.admit(background).pipe(
              Effect.flatMap((admitted) =>
                admitted ? Effect.map(effect, Option.some) : Effect.succeed(Option.none<A>())
              )
            )
          )
          if (Option.isSome(result)) return result.value
        }
      })

    const transportError = (context: ErrorContext, error: HttpClientError.HttpClientError) =>
      alegraError(context, "transport", {
        message: scrub(`${error.reason}${error.description ? `: ${error.description}` : ""} (${describeCause(error.cause)})`)
      })

    /** One HTTP exchange, within the timeout: the status, headers and whole body. */
    const exchange = (
      request: HttpClientRequest.HttpClientRequest,
      context: ErrorContext
    ): Effect.Effect<RawResponse, AlegraError> =>
      Effect.sync(() => {
        const now = Date.now()
        counters.requests++
        lastMinute.record(now)
        counters.busiestMinute = Math.max(counters.busiestMinute, lastMinute.countAt(now))
      }).pipe(
        Effect.zipRight(client.execute(request)),
        Effect.flatMap((response) =>
          Effect.map(response.text, (text): RawResponse => ({ status: response.status, headers: response.headers, text }))
        ),
        Effect.catchTags({
          RequestError: (error) => Effect.fail(transportError(context, error)),
          ResponseError: (error) => Effect.fail(transportError(context, error))
        }),
        Effect.timeoutFail({
          duration: Duration.millis(timeoutMs),
          onTimeout: () => alegraError(context, "transport", { message: `no complete response within ${timeoutMs} ms` })
        })
      )

    /** Reads the rate-limit headers, then turns the response into JSON or an AlegraError. */
    const interpret = (raw: RawResponse, context: ErrorContext): Effect.Effect<unknown, AlegraError> =>
      Effect.clockWith((clock) =>
        Effect.gen(function*() {
          const reset = raw.headers["x-rate-limit-reset"]
          const epochNow = clock.unsafeCurrentTimeMillis()
          if (remainingIsExhausted(raw.headers["x-rate-limit-remaining"])) {
            // Slow down before a 429: nothing more is sent until the server's window resets.
            yield* limiter.pauseFor(resetDelayMs(reset, limiter.windowMs, epochNow))
          }
          const parsed = parseJson(raw.text)
          if (raw.status >= 200 && raw.status < 300) {
            if (parsed.ok) return parsed.value
            return yield* Effect.fail(alegraError(context, "decode", {
              status: raw.status,
              message: scrub(`response is not JSON: ${JSON.stringify(raw.text.slice(0, 120))}`)
            }))
          }
          const body = parseErrorBody(parsed.ok ? parsed.value : raw.text.slice(0, 300))
          if (isRateLimited(raw.status, body)) {
            counters.rateLimited++
            yield* limiter.pauseFor(resetDelayMs(reset, limiter.windowMs, epochNow))
          }
          return yield* Effect.fail(alegraError(context, classifyStatus(raw.status, body), {
            status: raw.status,
            code: body.code,
            message: scrub(describeStatus(raw.status, body))
          }))
        })
      )

    // Capped exponential backoff with jitter (base · 2^(n-1), at most 10 s, ×0.8–1.2) for the
    // n-th 5xx or transport failure of a request. A rate-limited attempt is retried without
    // backoff and does not grow it: the limiter already holds every request until the
    // server's X-Rate-Limit-Reset (or a whole window) has elapsed.
    const retrySchedule = () => {
      let failures = 0
      return Schedule.recurs(maxRetries).pipe(
        Schedule.intersect(Schedule.identity<AlegraError>()),
        Schedule.addDelayEffect(([, error]) => {
          if (error.reason === "rate-limit") return Effect.succeed(Duration.zero)
          failures++
          const capped = Math.min(MAX_BACKOFF_MS, baseDelayMs * 2 ** (failures - 1))
          return Effect.map(Random.nextRange(0.8, 1.2), (jitter) => Duration.millis(Math.round(capped * jitter)))
        })
      )
    }

    const request = (spec: AlegraRequest): Effect.Effect<unknown, AlegraError> =>
      Effect.suspend(() => {
        const query = spec.query ?? []
        const context: ErrorContext = { method: spec.method, path: pathWithQuery(spec.path, query) }
        const idempotent = spec.idempotent ?? spec.method !== "POST"
        let httpRequest = HttpClientRequest.make(spec.method)(spec.path).pipe(
          HttpClientRequest.setUrlParams(query.map(([k, v]): [string, string] => [k, v]))
        )
        if (spec.body !== undefined) httpRequest = HttpClientRequest.bodyUnsafeJson(httpRequest, spec.body)
        let attempts = 0
        const attempt = Effect.suspend(() => {
          if (attempts++ > 0) counters.retries++
          return gated(spec.background ?? false, exchange(httpRequest, context)).pipe(
            Effect.flatMap((raw) => interpret(raw, context))
          )
        })
        return attempt.pipe(
          Effect.retry({
            schedule: retrySchedule(),
            while: (error) => error.reason === "rate-limit" || (idempotent && error.transient)
          }),
          Effect.mapError((error) =>
            attempts > 1 && error.transient
              ? alegraError(context, error.reason, {
                status: error.status,
                code: error.code,
                message: `${error.message} (gave up after ${attempts} attempts)`
              })
              : error
          ),
          Effect.withSpan("Alegra.request", { attributes: { method: spec.method, path: spec.path } })
        )
      })

    return {
      request,
      usage: Effect.sync(() => ({ ...counters })),
      budget: { perWindow: limiter.budget, background: limiter.backgroundBudget, windowMs: limiter.windowMs }
    } satisfies AlegraHttp
  })


