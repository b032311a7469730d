import { createHash, timingSafeEqual } from "node:crypto"
import { Effect, Exit, Redacted, Runtime } from "effect"
import { SyncConfig } from "../config/index.js"
import { Alegra, type AlegraPort, type WebhookReading } from "../ports/alegra.js"
import type { JsonAnswer } from "../server/responses.js"
import { failedAnswer, type WebhookRoute } from "../server/webhooks.js"
import { type InboxOffer, type OfferResult, Store } from "../store/index.js"
import { Ingest } from "./ingest.js"
import { alegraWebhookPath } from "./subscriptions.js"
import { Sweeper } from "./sweep.js"

const sha256 = (text: string) => new Uint8Array(createHash("sha256").update(text).digest())

const parseBody = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

const handshake: JsonAnswer = { status: 200, body: { status: "ok" } }

const recorded = (results: ReadonlyArray<OfferResult>): JsonAnswer => ({
  status: 200,
  body: { status: "ok", recorded: results.filter((r) => r !== "duplicate").length }
})

/** What a delivery asks for: inbox offers for the ids Alegra could have sent, and what could not be read. */
const readDelivery = (alegra: AlegraPort, text: string): {
  readonly offers: ReadonlyArray<InboxOffer>
  readonly unreadable: WebhookReading["unreadable"]
} => {
  const body = parseBody(text)
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
  const bodyHash = createHash("sha256").update(text).digest("hex").slice(0, 32)
  const offers = hints.map((hint): InboxOffer => ({
    system: "alegra",
    kind: hint.kind,
    recordId: hint.id,
    channel: "webhook",
    action: hint.action,
    // Identical bodies for the same record are one delivery sent twice.
    eventKey: `${hint.event}:${hint.id}:${bodyHash}`
  }))
  return { offers, unreadable }
}

/**
 * POST /webhooks/alegra/:token, a raw webhook route (src/server/webhooks.ts). Alegra
 * deliveries are unsigned, so the URL token is the only proof of origin and the
 * payload is only a hint: the worker re-reads the record by id. A delivery with the
 * right token is always answered 2xx once its inbox rows are committed (Alegra
 * deletes a subscription after 10 failed deliveries); what cannot be read is kept
 * for diagnosis and the kinds it may concern are swept instead, so the change is
 * not lost.
 */
export const alegraWebhookRoute = Effect.gen(function*() {
  const config = yield* SyncConfig
  const alegra = yield* Alegra
  const ingest = yield* Ingest
  const store = yield* Store
  const sweeper = yield* Sweeper
  const runFork = Runtime.runFork(yield* Effect.runtime<Store>())
  // Compared as hashes in constant time: neither the content nor the length of the token leaks.
  const expected = sha256(Redacted.value(config.server.webhookToken))

  /** The rare delivery that could not be read wholly: its readable part recorded, the body kept, its kinds swept. */
  const keepUnreadable = (
    text: string,
    offers: ReadonlyArray<InboxOffer>,
    unreadable: NonNullable<WebhookReading["unreadable"]>
  ) =>
    Effect.gen(function*() {
      const results = yield* ingest.offer(offers)
      yield* store.unreadable.record({ system: "alegra", reason: unreadable.reason, kinds: unreadable.kinds, body: text })
      yield* sweeper.request(unreadable.kinds)
      yield* Effect.logWarning("alegra webhook not understood: kept for diagnosis, its kinds will be re-read").pipe(
        Effect.annotateLogs({ reason: unreadable.reason, kinds: unreadable.kinds.join(",") })
      )
      return results
    })

  const route: WebhookRoute = {
    name: "alegra",
    prefix: alegraWebhookPath,
    maxBodyBytes: config.server.maxBodyBytes,
    // A wrong token answers exactly like an unknown route: it must not tell that the path exists.
    accepts: (token) => timingSafeEqual(sha256(token), expected),
    handle: ({ body }, answer) => {
      const text = body.toString("utf8")
      // Alegra's handshake when a subscription is created: an empty POST that must get a 2xx.
      if (text.trim() === "") return answer(handshake)
      const { offers, unreadable } = readDelivery(alegra, text)
      if (unreadable === null) {
        return ingest.enqueue(offers, (exit) => answer(Exit.isSuccess(exit) ? recorded(exit.value) : failedAnswer))
      }
      runFork(keepUnreadable(text, offers, unreadable).pipe(
        Effect.exit,
        Effect.flatMap((exit) =>
          Exit.isSuccess(exit)
            ? Effect.sync(() => answer(recorded(exit.value)))
            : Effect.logError("alegra webhook failed", exit.cause).pipe(Effect.andThen(() => answer(failedAnswer)))
        ),
        // A client that hangs up, or a shutdown, must not cut the recording in half.
        Effect.uninterruptible
      ))
    }
  }
  return route
})
