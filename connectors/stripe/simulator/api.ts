/**
 * The pieces every endpoint works with, and the route table's shape. Endpoints are plain functions
 * `(account, call) => body`: they read their parameters first (typed by the SDK's `…Params`), call
 * `done()` so an unknown parameter is refused before anything changes, then act. The HTTP server
 * and the admin (dashboard) API both go through them, so the same rules hold for both.
 */
import type { Clock } from "./clock.js"
import type { Cards } from "./resources/cards.js"
import { noSuch } from "./errors.js"
import type { Cause, Events } from "./events.js"
import type { Renderer } from "./expand.js"
import type { FormObject } from "./form.js"
import { Params } from "./params.js"
import type { SearchIndex } from "./search.js"
import type { Kind, Objects, Store } from "./state.js"

export interface AccountSettings {
  /** The API version the simulator speaks (the SDK's pinned one). */
  readonly apiVersion: string
  /** Used when an invoice or price gives none and the customer has none. */
  readonly defaultCurrency: string
  readonly country: string
  readonly name: string
}

/**
 * What endpoints need of the delivery side: secrets live outside the endpoint objects (the API shows
 * one only at creation), and events can be filtered by how their deliveries went.
 */
export interface WebhookRegistry {
  /** A new signing secret for an endpoint. */
  create(endpointId: string): string
  forget(endpointId: string): void
  /** true: every delivery succeeded; false: one is pending or failed; undefined: no endpoint wanted it. */
  deliverySuccess(eventId: string): boolean | undefined
}

export interface Account {
  readonly store: Store
  readonly clock: Clock
  readonly renderer: Renderer
  readonly events: Events
  readonly search: SearchIndex
  readonly settings: AccountSettings
  readonly webhooks: WebhookRegistry
  readonly cards: Cards
}

export interface Call {
  readonly form: FormObject
  /** Named segments of the route (`:id`). */
  readonly path: Readonly<Record<string, string>>
  readonly cause: Cause
  /** The request path without query, for list `url` fields. */
  readonly url: string
}

export type Method = "GET" | "POST" | "DELETE"

export interface Route {
  readonly method: Method
  /** `/v1/customers/:id/tax_ids`. */
  readonly pattern: string
  readonly handler: (account: Account, call: Call) => unknown
  /** Counted against the search rate limit instead of the general one. */
  readonly search?: boolean
}

/** The request's parameters, typed as the SDK's params for this endpoint. */
export const paramsOf = <T>(call: Call): Params<T> => new Params<T>(call.form)

/** Labels in "No such …" messages. */
const LABELS: Readonly<Record<Kind, string>> = {
  customer: "customer",
  tax_id: "tax_id",
  product: "product",
  price: "price",
  tax_rate: "tax_rate",
  invoiceitem: "invoiceitem",
  invoice: "invoice",
  invoice_payment: "invoice_payment",
  payment_intent: "payment_intent",
  charge: "charge",
  refund: "refund",
  credit_note: "credit_note",
  event: "event",
  webhook_endpoint: "webhook_endpoint"
}

export const labelOf = (kind: Kind): string => LABELS[kind]

/** The object named by the path (404) or by a parameter (400, naming the parameter). */
export const existing = <K extends Kind>(account: Account, kind: K, id: string, param?: string): Objects[K] => {
  const found = account.store.get(kind, id)
  if (found === undefined) throw noSuch(LABELS[kind], id, param)
  return found
}
