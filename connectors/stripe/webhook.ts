/**
 * The webhook route: Stripe's deliveries, verified on the exact bytes received with the SDK's
 * `constructEvent` (the `Stripe-Signature` HMAC and a 5-minute tolerance on its timestamp). A
 * missing or bad signature is refused with 400 and records nothing; a verified event becomes the
 * changes it announces (none for events the connector does not sync).
 */
import type Stripe from "stripe"
import type { Delivery, Received, WebhookRoute } from "../../src/ports/connector.js"
import { changesOf } from "./events.js"

/** Stripe's default: an event signed more than 5 minutes ago is a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300

const header = (headers: Delivery["headers"], name: string): string | undefined => {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value
  return undefined
}

export const makeWebhookRoute = (stripe: Stripe, path: string, secret: () => string): WebhookRoute => ({
  path,
  receive: (delivery): Received => {
    const signature = header(delivery.headers, "stripe-signature")
    if (signature === undefined || signature.trim() === "") return { _tag: "Rejected", status: 400, reason: "missing Stripe-Signature header" }
    let event: Stripe.Event
    try {
      event = stripe.webhooks.constructEvent(delivery.body, signature, secret(), SIGNATURE_TOLERANCE_SECONDS)
    } catch (error) {
      // The SDK's message says what failed (no signature matches, timestamp outside the tolerance) and holds no secret.
      const reason = error instanceof Error ? error.message.split("\n")[0]! : "unverifiable"
      return { _tag: "Rejected", status: 400, reason: `bad Stripe-Signature: ${reason}` }
    }
    return { _tag: "Accepted", changes: changesOf(event), unreadable: null }
  }
})
