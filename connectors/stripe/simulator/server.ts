/**
 * The HTTP face: node:http on 127.0.0.1, Stripe's v1 wire.
 *
 * Every answer carries `Request-Id` and `Stripe-Version`. In order: injected connection faults;
 * the rate limit (429 rate_limit_error, no Stripe-Should-Retry, so the SDK does not retry);
 * injected 429s; the API key (`Authorization: Bearer sk_test_…` or Basic with the key as user;
 * 401 otherwise); `Stripe-Version` (only the simulator's); the parameters (form bodies for POST,
 * query strings for GET and DELETE; JSON bodies and query strings on POST are 400s); the route;
 * the Idempotency-Key (replay, 400 mismatch, 409 in flight); then the endpoint. Errors are
 * `{"error": {type, code, message, param, doc_url, request_log_url, …}}`.
 */
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { Account } from "./api.js"
import { finalizeDue } from "./resources/invoice-actions.js"
import { AUTOMATIC } from "./events.js"
import { apiError, type ErrorBody, invalidParams, StripeSimError } from "./errors.js"
import type { Faults } from "./faults.js"
import { type FormObject, parseForm } from "./form.js"
import { newId } from "./ids.js"
import { fingerprint, type IdempotencyStore, MAX_KEY_LENGTH, type StoredAnswer } from "./idempotency.js"
import type { RateLimiter } from "./rate-limit.js"
import { dispatch, match } from "./router.js"
import { type RequestRecord, routeOf, type Stats } from "./stats.js"

const MAX_BODY_BYTES = 1024 * 1024

export interface ServerDeps {
  readonly apiKey: string
  readonly account: Account
  readonly limiter: RateLimiter
  readonly searchLimiter: RateLimiter
  readonly faults: Faults
  readonly stats: Stats
  readonly idempotency: IdempotencyStore
}

interface Answer {
  readonly status: number
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
}

const readBody = (req: IncomingMessage): Promise<string | undefined> =>
  new Promise((resolve) => {
    let text = ""
    let tooBig = false
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => {
      if (tooBig) return
      text += chunk
      if (text.length > MAX_BODY_BYTES) tooBig = true
    })
    req.on("end", () => resolve(tooBig ? undefined : text))
    req.on("error", () => resolve(""))
  })

const masked = (key: string): string => `${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`

/** The API key a request presents (Bearer, or Basic with the key as user name). */
const presentedKey = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (bearer !== null) return bearer[1]
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (basic !== null) return Buffer.from(basic[1]!, "base64").toString("utf8").split(":")[0]
  return undefined
}

export const createApiServer = (deps: ServerDeps): { server: Server; timers: Set<NodeJS.Timeout> } => {
  const timers = new Set<NodeJS.Timeout>()
  const { account } = deps
  const version = account.settings.apiVersion

  const errorAnswer = (e: StripeSimError, requestId: string): Answer => {
    const body: ErrorBody & { request_log_url: string } = {
      ...e.body,
      request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}?t=${account.clock.nowSeconds()}`
    }
    return { status: e.status, body: JSON.stringify({ error: body }, null, 2), headers: { ...e.headers } }
  }

  const rateLimited = (reason: string, message: string): StripeSimError =>
    new StripeSimError(429, { type: "rate_limit_error", code: "rate_limit", message }, false, { "Stripe-Rate-Limited-Reason": reason })

  const lockTimeout = (): StripeSimError =>
    new StripeSimError(
      429,
      {
        type: "invalid_request_error",
        code: "lock_timeout",
        message: "This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request."
      },
      false,
      { "Stripe-Should-Retry": "true" }
    )

  const server = createServer((req, res) => {
    const at = Date.now()
    const requestId = newId("request")
    const method = (req.method ?? "GET").toUpperCase()
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const pathname = url.pathname
    const idempotencyKey = method === "POST" ? (req.headers["idempotency-key"] as string | undefined) : undefined
    const fault = deps.faults.takeApi(method, pathname)

    const record = (status: number, extra: Partial<RequestRecord> = {}): void =>
      deps.stats.recordRequest({
        at,
        method,
        path: `${pathname}${url.search}`,
        route: routeOf(pathname),
        status,
        requestId,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        ...extra
      })

    const destroy = (): void => {
      const socket = req.socket as typeof req.socket & { resetAndDestroy?: () => void }
      if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
      else socket.destroy()
    }

    const send = (answer: Answer, extra: Partial<RequestRecord> = {}): void => {
      record(answer.status, extra)
      if (res.destroyed || res.writableEnded) return
      res.writeHead(answer.status, {
        "Content-Type": "application/json",
        "Content-Length": String(Buffer.byteLength(answer.body)),
        "Cache-Control": "no-cache, no-store",
        "Request-Id": requestId,
        "Stripe-Version": version,
        ...(idempotencyKey === undefined ? {} : { "Idempotency-Key": idempotencyKey }),
        ...answer.headers
      })
      res.end(answer.body)
    }

    const fail = (e: StripeSimError, extra: Partial<RequestRecord> = {}): void => send(errorAnswer(e, requestId), extra)

    const respond = async (): Promise<void> => {
      const raw = await readBody(req)
      if (fault?.kind === "reset") {
        record(0, { fault: "reset" })
        destroy()
        return
      }
      const matched = match(method, pathname)
      const limiter = matched?.route.search === true ? deps.searchLimiter : deps.limiter
      if (!limiter.hit(at)) {
        return fail(
          rateLimited(matched?.route.search === true ? "endpoint-rate" : "global-rate", "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits."),
          { rateLimited: true }
        )
      }
      if (fault?.kind === "rate-limit") return fail(rateLimited("global-rate", "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits."), { fault: "rate-limit" })
      if (fault?.kind === "lock-timeout") return fail(lockTimeout(), { fault: "lock-timeout" })

      const key = presentedKey(req.headers.authorization)
      if (key === undefined || key === "") {
        return fail(new StripeSimError(401, { type: "invalid_request_error", message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')." }, false))
      }
      if (key !== deps.apiKey) {
        return fail(new StripeSimError(401, { type: "invalid_request_error", message: `Invalid API Key provided: ${masked(key)}` }, false))
      }
      const asked = req.headers["stripe-version"]
      if (asked !== undefined && asked !== version) {
        return fail(invalidParams(`The simulator only speaks API version ${version}; Stripe-Version ${String(asked)} is not available.`))
      }
      if (raw === undefined) return fail(invalidParams("The request body is too large."))

      let form: FormObject
      try {
        if (method === "POST") {
          if (url.search !== "") throw invalidParams("POST parameters go in the form-encoded body, not in the query string.")
          const type = req.headers["content-type"] ?? ""
          if (raw.trim() !== "" && !type.startsWith("application/x-www-form-urlencoded")) {
            throw invalidParams(`Invalid request: v1 endpoints take application/x-www-form-urlencoded bodies (got ${type || "no Content-Type"}).`)
          }
          form = parseForm(raw)
        } else form = parseForm(url.search.slice(1))
      } catch (e) {
        return fail(e instanceof StripeSimError ? e : invalidParams(String(e)))
      }
      if (method !== "GET" && method !== "POST" && method !== "DELETE") {
        return fail(new StripeSimError(404, { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${pathname}).` }, false))
      }

      let print: string | undefined
      if (idempotencyKey !== undefined) {
        if (idempotencyKey.length === 0 || idempotencyKey.length > MAX_KEY_LENGTH) {
          return fail(invalidParams(`Idempotency keys must be 1 to ${MAX_KEY_LENGTH} characters long.`))
        }
        print = fingerprint(method, pathname, form)
        const begun = deps.idempotency.begin(idempotencyKey, print)
        if (begun.kind === "replay") {
          return send(
            { status: begun.answer.status, body: begun.answer.body, headers: { ...begun.answer.headers, "Idempotent-Replayed": "true", "Original-Request": begun.answer.requestId } },
            { replayed: true }
          )
        }
        if (begun.kind === "mismatch") {
          return fail(
            new StripeSimError(
              400,
              {
                type: "idempotency_error",
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`
              },
              false
            )
          )
        }
        if (begun.kind === "in-flight") {
          return fail(
            new StripeSimError(
              409,
              { type: "idempotency_error", code: "idempotency_key_in_use", message: "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through). Please try again later." },
              false
            )
          )
        }
      }

      if (fault?.kind === "slow") {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t)
            resolve()
          }, fault.ms)
          timers.add(t)
        })
      }

      let answer: Answer
      let stored: boolean
      if (fault?.kind === "server-error") {
        const e = new StripeSimError(500, { type: "api_error", message: "An unknown error occurred (injected by the simulator)." }, fault.stored, fault.stored ? { "Stripe-Should-Retry": "false" } : {})
        answer = errorAnswer(e, requestId)
        stored = fault.stored
      } else {
        try {
          finalizeDue(account, AUTOMATIC)
          const body = dispatch(account, method, pathname, form, { requestId, idempotencyKey: idempotencyKey ?? null })
          answer = { status: 200, body: JSON.stringify(body, null, 2), headers: {} }
          stored = true
        } catch (e) {
          const err = e instanceof StripeSimError ? e : apiError(`An unknown error occurred in the simulator: ${e instanceof Error ? e.message : String(e)}`)
          answer = errorAnswer(err, requestId)
          stored = err.stored
        }
      }
      if (idempotencyKey !== undefined) {
        const keep: StoredAnswer | undefined = stored ? { ...answer, requestId } : undefined
        deps.idempotency.finish(idempotencyKey, keep)
      }
      if (fault?.kind === "drop-response") {
        record(0, { fault: "drop-response" })
        destroy()
        return
      }
      send(answer, fault === undefined ? {} : { fault: fault.kind })
    }
    void respond()
  })
  server.keepAliveTimeout = 5_000
  return { server, timers }
}
