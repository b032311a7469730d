import { createHash, timingSafeEqual } from "node:crypto"
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Redacted } from "effect"
import { SyncConfig } from "../config/index.js"
import { Alegra, type WebhookReading } from "../ports/alegra.js"
import { notFound } from "../server/responses.js"
import { type InboxOffer, Store } from "../store/index.js"
import { Ingest } from "./ingest.js"
import { Sweeper } from "./sweep.js"

const json = (status: number, body: Record<string, unknown>) => HttpServerResponse.unsafeJson(body, { status })

const sameToken = (given: string, expected: string): boolean => {
  const a = createHash("sha256").update(given).digest()
  const b = createHash("sha256").update(expected).digest()
  return timingSafeEqual(new Uint8Array(a), new Uint8Array(b))
}

const parseBody = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

/**
 * POST /webhooks/alegra/:token. Alegra deliveries are unsigned, so the URL token
 * is the only proof of origin and the payload is only a hint: the worker re-reads
 * the record by id. A delivery with the right token is always answered 2xx once its
 * inbox rows are committed (Alegra deletes a subscription after 10 failed
 * deliveries); what cannot be read is kept for diagnosis and the kinds it may
 * concern are swept instead, so the change is not lost.
 */
export const alegraWebhookHandler = Effect.gen(function*() {
  const config = yield* SyncConfig
  const params = yield* HttpRouter.params
  // A wrong token answers exactly like an unknown route: it must not tell that the path exists.
  if (!sameToken(params.token ?? "", Redacted.value(config.server.webhookToken))) return notFound
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

  const alegra = yield* Alegra
  const body = parseBody(text.value)
  const reading: WebhookReading = body.ok
    ? alegra.parseWebhook(body.value)
    : { hints: [], unreadable: { kinds: alegra.webhookKinds, reason: "the body is not JSON" } }
  // Only ids of the shapes Alegra issues become work (a "." or ".." would walk the API's paths).
  const hints = reading.hints.filter((hint) => alegra.isValidId(hint.kind, hint.id))
  const rejected = reading.hints.filter((hint) => !alegra.isValidId(hint.kind, hint.id))
  const unreadable = rejected.length === 0 ? reading.unreadable : {
    kinds: [...new Set([...(reading.unreadable?.kinds ?? []), ...rejected.map((hint) => hint.kind)])],
    reason: [reading.unreadable?.reason, "a record id of a shape Alegra never issues"].filter(Boolean).join("; ")
  }
  const bodyHash = createHash("sha256").update(text.value).digest("hex").slice(0, 32)
  const offers: ReadonlyArray<InboxOffer> = hints.map((hint) => ({
    system: "alegra",
    kind: hint.kind,
    recordId: hint.id,
    channel: "webhook",
    action: hint.action,
    // Identical bodies for the same record are one delivery sent twice.
    eventKey: `${hint.event}:${hint.id}:${bodyHash}`
  }))
  const ingest = yield* Ingest
  const results = yield* ingest.offer(offers)
  if (unreadable !== null) {
    const store = yield* Store
    const sweeper = yield* Sweeper
    yield* store.unreadable.record({
      system: "alegra",
      reason: unreadable.reason,
      kinds: unreadable.kinds,
      body: text.value
    })
    yield* sweeper.request(unreadable.kinds)
    yield* Effect.logWarning("alegra webhook not understood: kept for diagnosis, its kinds will be re-read").pipe(
      Effect.annotateLogs({ reason: unreadable.reason, kinds: unreadable.kinds.join(",") })
    )
  }
  return json(200, { status: "ok", recorded: results.filter((r) => r !== "duplicate").length })
}).pipe(
  // A client that hangs up must not cut the recording in half.
  Effect.uninterruptible,
  Effect.catchAllCause((cause) =>
    Effect.logError("alegra webhook failed", cause).pipe(Effect.as(json(500, { error: "could not record the delivery" })))
  )
)
