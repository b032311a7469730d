import { createHash, timingSafeEqual } from "node:crypto"
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Redacted } from "effect"
import { SyncConfig } from "../config/index.js"
import { InboxWorker } from "../engine/worker.js"
import { Alegra } from "../ports/alegra.js"
import { Store } from "../store/index.js"

const json = (status: number, body: Record<string, unknown>) => HttpServerResponse.unsafeJson(body, { status })

const sameToken = (given: string, expected: string): boolean => {
  const a = createHash("sha256").update(given).digest()
  const b = createHash("sha256").update(expected).digest()
  return timingSafeEqual(new Uint8Array(a), new Uint8Array(b))
}

/**
 * POST /webhooks/alegra/:token. Alegra deliveries are unsigned, so the URL token
 * is the only proof of origin and the payload is only a hint: the worker re-reads
 * the record by id. Exactly one inbox write happens here, well inside Alegra's 5 s.
 */
export const alegraWebhookHandler = Effect.gen(function*() {
  const config = yield* SyncConfig
  const params = yield* HttpRouter.params
  // A wrong token looks like no route at all.
  if (!sameToken(params.token ?? "", Redacted.value(config.server.webhookToken))) {
    return json(404, { error: "not found" })
  }
  const request = yield* HttpServerRequest.HttpServerRequest
  const declared = Number(request.headers["content-length"] ?? "0")
  if (declared > config.server.maxBodyBytes) return json(413, { error: "body too large" })
  const text = yield* request.text.pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(config.server.maxBodyBytes)),
    Effect.option
  )
  if (Option.isNone(text)) return json(413, { error: "body too large or unreadable" })
  // Alegra's handshake when a subscription is created: an empty POST that must get a 2xx.
  if (text.value.trim() === "") return json(200, { status: "ok" })

  let body: unknown
  try {
    body = JSON.parse(text.value)
  } catch {
    return json(400, { error: "malformed JSON body" })
  }
  const alegra = yield* Alegra
  const reading = alegra.parseWebhook(body)
  const hint = Option.fromNullable(reading.hints[0])
  if (Option.isNone(hint)) {
    yield* Effect.logWarning("alegra webhook not understood: ignored")
    return json(422, { error: "not an Alegra delivery this daemon understands (expected subject and a record id)" })
  }
  const store = yield* Store
  const worker = yield* InboxWorker
  const { event, kind, action, id } = hint.value
  const outcome = yield* store.inbox.offer({
    source: "alegra",
    kind,
    recordId: id,
    action,
    // Identical bodies for the same record are one delivery sent twice.
    eventKey: `${event}:${id}:${createHash("sha256").update(text.value).digest("hex").slice(0, 32)}`,
    payload: null
  }).pipe(Effect.uninterruptible) // a client disconnect must not cut the write in half
  yield* worker.wake
  return json(200, { status: outcome })
}).pipe(
  Effect.catchAllCause((cause) =>
    Effect.logError("alegra webhook failed", cause).pipe(Effect.as(json(500, { error: "could not record the delivery" })))
  )
)
