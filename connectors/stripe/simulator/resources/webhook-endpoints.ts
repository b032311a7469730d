/**
 * Webhook endpoints (`/v1/webhook_endpoints`). The signing `secret` (whsec_…) is answered only by
 * the create call, as on Stripe. `enabled_events` takes `*` or event types the simulator emits
 * (EVENT_TYPES); `api_version`, when given, must be the simulator's. http URLs are accepted (test
 * mode); deliveries to loopback always use plain http.
 */
import type Stripe from "stripe"
import { type Account, type Call, existing, paramsOf, type Route } from "../api.js"
import { invalidParams } from "../errors.js"
import { newId } from "../ids.js"
import { readPage } from "../listing.js"
import { applyMetadata, type Params } from "../params.js"
import type { Objects } from "../state.js"
import { pageOf, retrieveHandler } from "./common.js"

type Endpoint = Objects["webhook_endpoint"]

/** The event types the simulator can emit (a subscription to any other type is refused). */
export const EVENT_TYPES: ReadonlyArray<string> = (
  "charge.captured charge.expired charge.failed charge.pending charge.refund.updated charge.refunded charge.succeeded charge.updated " +
  "credit_note.created credit_note.updated credit_note.voided customer.created customer.deleted customer.tax_id.created " +
  "customer.tax_id.deleted customer.tax_id.updated customer.updated invoice.created invoice.deleted invoice.finalization_failed " +
  "invoice.finalized invoice.marked_uncollectible invoice.overdue invoice.overpaid invoice.paid invoice.payment_action_required " +
  "invoice.payment_attempt_required invoice.payment_failed invoice.payment_succeeded invoice.sent invoice.upcoming invoice.updated " +
  "invoice.voided invoice.will_be_due invoice_payment.paid invoiceitem.created invoiceitem.deleted " +
  "payment_intent.amount_capturable_updated payment_intent.canceled payment_intent.created payment_intent.partially_funded " +
  "payment_intent.payment_failed payment_intent.processing payment_intent.requires_action payment_intent.succeeded price.created " +
  "price.deleted price.updated product.created product.deleted product.updated refund.created refund.failed refund.updated " +
  "tax_rate.created tax_rate.updated"
).split(" ")

type EndpointFields = Stripe.WebhookEndpointCreateParams & Stripe.WebhookEndpointUpdateParams

const checkUrl = (value: string): string => {
  try {
    const u = new URL(value)
    if ((u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "" && u.username === "" && u.password === "") return value
  } catch {
    // fall through
  }
  throw invalidParams(`Invalid URL: ${value}. Webhook endpoints need an absolute http(s) URL without credentials.`, "url", "url_invalid")
}

const readEvents = (p: Params<EndpointFields>, required: boolean): Array<string> | undefined => {
  const events = p.strings("enabled_events", { required, max: 300 }) ?? undefined
  events?.forEach((e, i) => {
    if (e !== "*" && !EVENT_TYPES.includes(e)) throw invalidParams(`Invalid enabled_events[${i}]: ${e} is not an event type the simulator emits.`, `enabled_events[${i}]`)
  })
  return events
}

const create = (account: Account, call: Call): Endpoint => {
  const p = paramsOf<EndpointFields>(call)
  const url = checkUrl(p.string("url", { required: true })!)
  const events = readEvents(p, true)!
  const description = p.string("description", { unsettable: true }) ?? null
  const metadata = applyMetadata({}, p.metadata("metadata"))
  const version = p.string("api_version")
  const connect = p.boolean("connect")
  p.done()
  if (typeof version === "string" && version !== account.settings.apiVersion) {
    throw invalidParams(`The simulator only speaks API version ${account.settings.apiVersion}; api_version ${version} is not available.`, "api_version")
  }
  if (connect === true) throw invalidParams("Connect endpoints are not simulated.", "connect")
  const endpoint: Endpoint = {
    id: newId("webhook_endpoint"),
    object: "webhook_endpoint",
    api_version: typeof version === "string" ? version : null,
    application: null,
    created: account.clock.nowSeconds(),
    description,
    enabled_events: events,
    livemode: false,
    metadata,
    status: "enabled",
    url
  }
  account.store.put("webhook_endpoint", endpoint)
  const secret = account.webhooks.create(endpoint.id)
  return { ...account.renderer.view("webhook_endpoint", endpoint), secret }
}

const update = (account: Account, call: Call): Endpoint => {
  const endpoint = existing(account, "webhook_endpoint", call.path["id"]!)
  const p = paramsOf<EndpointFields>(call)
  const url = p.string("url")
  const events = readEvents(p, false)
  const description = p.string("description", { unsettable: true })
  const disabled = p.boolean("disabled")
  const metadata = p.metadata("metadata")
  p.done()
  if (typeof url === "string") endpoint.url = checkUrl(url)
  if (events !== undefined) endpoint.enabled_events = events
  if (description !== undefined) endpoint.description = description
  if (disabled !== undefined) endpoint.status = disabled ? "disabled" : "enabled"
  endpoint.metadata = applyMetadata(endpoint.metadata, metadata)
  account.store.put("webhook_endpoint", endpoint)
  return account.renderer.view("webhook_endpoint", endpoint)
}

const remove = (account: Account, call: Call): Stripe.DeletedWebhookEndpoint => {
  paramsOf<Stripe.WebhookEndpointDeleteParams>(call).done()
  const endpoint = existing(account, "webhook_endpoint", call.path["id"]!)
  account.store.remove("webhook_endpoint", endpoint.id)
  account.webhooks.forget(endpoint.id)
  return { id: endpoint.id, object: "webhook_endpoint", deleted: true }
}

const list = (account: Account, call: Call): Stripe.ApiList<Endpoint> => {
  const p = paramsOf<Stripe.WebhookEndpointListParams>(call)
  const page = readPage(p)
  p.done()
  return pageOf(account, call, "webhook_endpoint", page, () => true)
}

export const webhookEndpointRoutes: ReadonlyArray<Route> = [
  { method: "POST", pattern: "/v1/webhook_endpoints", handler: create },
  { method: "GET", pattern: "/v1/webhook_endpoints", handler: list },
  { method: "GET", pattern: "/v1/webhook_endpoints/:id", handler: retrieveHandler("webhook_endpoint") },
  { method: "POST", pattern: "/v1/webhook_endpoints/:id", handler: update },
  { method: "DELETE", pattern: "/v1/webhook_endpoints/:id", handler: remove }
]
