/**
 * Stripe events → the records they are about, for the webhook route and the events poller alike.
 *
 * An event is a hint: the engine re-reads every record, so only ids are taken from `data.object`
 * (they do not move between API versions, whatever version the endpoint renders events in). Each
 * event yields the records it touches, whatever order events arrive in:
 *
 * | events | records |
 * |---|---|
 * | customer.*, customer.tax_id.* | the contact |
 * | product.*, price.* | the item (a price: its product) |
 * | invoice.*, invoiceitem.* | the invoice (an invoice item: the invoice it is on) |
 * | invoice_payment.* | the payment, and its invoice |
 * | refund.*, charge.refund.updated | the refund (a credit note unless a credit note covers it) |
 * | charge.refunded | the charge's refunds when the event lists them; Stripe sends refund.created beside it |
 * | credit_note.* | the credit note, and the refunds it covers (a credit note made of one of them disappears) |
 *
 * Anything else (payment intents, charges, tax rates…) changes no record the connector syncs.
 */
import type Stripe from "stripe"
import type { Kind } from "../../schema/index.js"
import type { Change } from "../../src/ports/connector.js"
import { isOwnIdempotencyKey, isValidId } from "./ids.js"

type Action = Change["action"]

interface Touched {
  readonly kind: Kind
  readonly id: unknown
  readonly action: Action
}

const actionOf = (type: string): Action =>
  type.endsWith(".created") ? "created" : type.endsWith(".deleted") ? "deleted" : type.endsWith(".updated") ? "updated" : "changed"

/** The ids of an embedded list of refunds (`charge.refunds`, present only when expanded). */
const listedIds = (list: unknown): Array<unknown> => {
  const data = typeof list === "object" && list !== null ? (list as { data?: unknown }).data : undefined
  return Array.isArray(data) ? data.map((r) => (r as { id?: unknown }).id) : []
}

const touched = (type: string, object: Readonly<Record<string, unknown>>): ReadonlyArray<Touched> => {
  const action = actionOf(type)
  const [resource, detail, last] = type.split(".")
  // Three-part types are about another object of the resource (customer.subscription.*, charge.dispute.*).
  if (last !== undefined) {
    if (resource === "customer" && detail === "tax_id") return [{ kind: "contact", id: object["customer"], action: "changed" }]
    if (type === "charge.refund.updated") return [{ kind: "credit-note", id: object["id"], action: "changed" }]
    return []
  }
  switch (resource) {
    case "customer":
      return [{ kind: "contact", id: object["id"], action }]
    case "product":
      return [{ kind: "item", id: object["id"], action }]
    case "price":
      return [{ kind: "item", id: object["product"], action: "changed" }]
    case "invoice":
      return [{ kind: "invoice", id: object["id"], action }]
    case "invoiceitem":
      return [{ kind: "invoice", id: object["invoice"], action: "changed" }]
    case "invoice_payment":
      return [{ kind: "payment", id: object["id"], action: "changed" }, { kind: "invoice", id: object["invoice"], action: "changed" }]
    case "refund":
      return [{ kind: "credit-note", id: object["id"], action: "changed" }]
    case "credit_note": {
      const refunds = Array.isArray(object["refunds"]) ? object["refunds"] : []
      return [
        { kind: "credit-note", id: object["id"], action },
        ...refunds.map((r): Touched => {
          const refund = (r as { refund?: unknown }).refund
          return { kind: "credit-note", id: typeof refund === "object" && refund !== null ? (refund as { id?: unknown }).id : refund, action: "changed" }
        })
      ]
    }
    case "charge":
      return type === "charge.refunded" ? listedIds(object["refunds"]).map((id) => ({ kind: "credit-note", id, action: "changed" })) : []
    default:
      return []
  }
}

/**
 * The changes an event announces. The first one's key is the event id, so a redelivered event is
 * a duplicate; the others' keys add their record. An event caused by our own write is an echo.
 */
export const changesOf = (event: Stripe.Event): ReadonlyArray<Change> => {
  // Total: an event of an unexpected shape announces nothing (and never stops the poller).
  const data: unknown = (event as { data?: unknown }).data
  const object: unknown = typeof data === "object" && data !== null ? (data as { object?: unknown }).object : undefined
  if (typeof object !== "object" || object === null || typeof event.type !== "string") return []
  const echo = isOwnIdempotencyKey(event.request?.idempotency_key)
  const seen = new Set<string>()
  const changes: Array<Change> = []
  for (const t of touched(event.type, object as Readonly<Record<string, unknown>>)) {
    // A shape Stripe never issues (or a missing id, as on invoice.upcoming) names no record.
    if (typeof t.id !== "string" || !isValidId(t.kind, t.id) || seen.has(`${t.kind}/${t.id}`)) continue
    seen.add(`${t.kind}/${t.id}`)
    changes.push({
      kind: t.kind,
      id: t.id,
      action: t.action,
      eventKey: changes.length === 0 ? event.id : `${event.id}/${t.kind}/${t.id}`,
      ...(echo ? { echo: true } : {})
    })
  }
  return changes
}

/**
 * The event types the connector reads. Subscribe the webhook endpoint to these (or to "*"); the
 * events poller reads every type.
 */
export const WEBHOOK_EVENTS: ReadonlyArray<string> = [
  "customer.created",
  "customer.updated",
  "customer.deleted",
  "customer.tax_id.created",
  "customer.tax_id.updated",
  "customer.tax_id.deleted",
  "product.created",
  "product.updated",
  "product.deleted",
  "price.created",
  "price.updated",
  "price.deleted",
  "invoice.created",
  "invoice.updated",
  "invoice.deleted",
  "invoice.finalized",
  "invoice.paid",
  "invoice.voided",
  "invoice.marked_uncollectible",
  "invoice_payment.paid",
  "refund.created",
  "refund.updated",
  "refund.failed",
  "charge.refund.updated",
  "credit_note.created",
  "credit_note.updated",
  "credit_note.voided"
]
