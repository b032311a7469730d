/**
 * POST /webhooks/alegra/:token, Alegra's webhook deliveries. They are unsigned, so the URL's
 * token is the only proof of origin (compared in constant time, as hashes: neither its content
 * nor its length leaks), and the payload is only a hint: the engine re-reads each record by id.
 *
 * A delivery with the right token is always accepted (Alegra deletes a subscription after 10
 * failed deliveries): what cannot be read (not JSON, an unknown shape, an id Alegra never
 * issues) is reported `unreadable` with the kinds it may concern, which the engine keeps for
 * diagnosis and has re-read (a targeted sweep), so the change is not lost.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import { Redacted } from "effect"
import type { Received, WebhookRoute } from "../../../src/ports/connector.js"
import { parseWebhook, webhookKinds, type WebhookReading } from "../webhooks.js"
import { WEBHOOK_PATH } from "./options.js"

const sha256 = (text: string) => new Uint8Array(createHash("sha256").update(text).digest())

const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

export const webhookRoute = (token: Redacted.Redacted<string>): WebhookRoute => {
  const expected = sha256(Redacted.value(token))
  return {
    path: `${WEBHOOK_PATH}:token`,
    accepts: (param) => timingSafeEqual(sha256(param), expected),
    receive: ({ body }): Received => {
      // Alegra's handshake when a subscription is created: an empty POST that must get a 2xx.
      if (body.trim() === "") return { _tag: "Handshake" }
      const parsed = parseJson(body)
      const reading: WebhookReading = parsed.ok
        ? parseWebhook(parsed.value)
        : { hints: [], unreadable: { kinds: webhookKinds, reason: "the body is not JSON" } }
      // Identical bodies for the same record are one delivery sent twice.
      const bodyHash = createHash("sha256").update(body).digest("hex").slice(0, 32)
      return {
        _tag: "Accepted",
        changes: reading.hints.map((hint) => ({
          kind: hint.kind,
          id: hint.id,
          action: hint.action,
          eventKey: `${hint.event}:${hint.id}:${bodyHash}`
        })),
        unreadable: reading.unreadable
      }
    }
  }
}
