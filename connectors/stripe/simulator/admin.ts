/**
 * The dashboard: changes "made by a person in the Stripe dashboard", through the same endpoints and
 * rules as the API (so a bad value throws the StripeSimError the API would answer), synchronous,
 * recording events whose `request` has a request id and no idempotency key. Also reads of the
 * account's state for tests. Parameters are the SDK's own `…Params` types.
 */
import type Stripe from "stripe"
import type { Account, Method } from "./api.js"
import { AUTOMATIC } from "./events.js"
import { toForm } from "./form.js"
import { newId } from "./ids.js"
import { finalizeDue } from "./resources/invoice-actions.js"
import { dispatch } from "./router.js"
import type { Kind, Objects } from "./state.js"
import { clone } from "./wire.js"

export interface InvoiceDraft extends Stripe.InvoiceCreateParams {
  readonly customer: string
  /** Lines added right after creation (as `add_lines`). */
  readonly lines?: ReadonlyArray<Stripe.InvoiceAddLinesParams.Line>
  /** Finalize it too. */
  readonly finalize?: boolean
}

export interface StripeSimulatorAdmin {
  /** Any endpoint, as the dashboard calls it: `request("POST", "/v1/customers", { name: "…" })`. */
  request(method: Method, path: string, params?: object): unknown
  createCustomer(params?: Stripe.CustomerCreateParams): Objects["customer"]
  updateCustomer(id: string, params: Stripe.CustomerUpdateParams): Objects["customer"]
  addTaxId(customer: string, params: Stripe.CustomerCreateTaxIdParams): Objects["tax_id"]
  createProduct(params: Stripe.ProductCreateParams): Objects["product"]
  createPrice(params: Stripe.PriceCreateParams): Objects["price"]
  createTaxRate(params: Stripe.TaxRateCreateParams): Objects["tax_rate"]
  /** A draft invoice with its lines, finalized when asked. */
  createInvoice(params: InvoiceDraft): Objects["invoice"]
  finalizeInvoice(id: string): Objects["invoice"]
  /** Pays by card (default `pm_card_visa`): payment intent, charge, invoice payment and their events. */
  payInvoice(id: string, options?: { readonly paymentMethod?: string }): Objects["invoice"]
  /** Marks paid outside Stripe (no payment objects). */
  payInvoiceOutOfBand(id: string): Objects["invoice"]
  voidInvoice(id: string): Objects["invoice"]
  markUncollectible(id: string): Objects["invoice"]
  refund(params: Stripe.RefundCreateParams): Objects["refund"]
  createCreditNote(params: Stripe.CreditNoteCreateParams): Objects["credit_note"]
  voidCreditNote(id: string): Objects["credit_note"]
  /** The stored object as the API's default view shows it, or undefined. */
  get<K extends Kind>(kind: K, id: string): Objects[K] | undefined
  /** Every stored object of a kind, oldest first. */
  list<K extends Kind>(kind: K): Array<Objects[K]>
  count(kind: Kind): number
  /** The signing secret of a webhook endpoint. */
  webhookSecret(endpointId: string): string | undefined
}

export const makeAdmin = (account: Account, secretOf: (id: string) => string | undefined): StripeSimulatorAdmin => {
  const request = (method: Method, path: string, params: object = {}): unknown => {
    finalizeDue(account, AUTOMATIC)
    return dispatch(account, method, path, toForm(params), { requestId: newId("request"), idempotencyKey: null })
  }
  const post = <T>(path: string, params: object = {}): T => request("POST", path, params) as T
  return {
    request,
    createCustomer: (params = {}) => post("/v1/customers", params),
    updateCustomer: (id, params) => post(`/v1/customers/${id}`, params),
    addTaxId: (customer, params) => post(`/v1/customers/${customer}/tax_ids`, params),
    createProduct: (params) => post("/v1/products", params),
    createPrice: (params) => post("/v1/prices", params),
    createTaxRate: (params) => post("/v1/tax_rates", params),
    createInvoice: (params) => {
      const { lines, finalize, ...create } = params
      let invoice = post<Objects["invoice"]>("/v1/invoices", create)
      if (lines !== undefined && lines.length > 0) invoice = post("/v1/invoices/" + invoice.id + "/add_lines", { lines })
      if (finalize === true) invoice = post(`/v1/invoices/${invoice.id}/finalize`)
      return invoice
    },
    finalizeInvoice: (id) => post(`/v1/invoices/${id}/finalize`),
    payInvoice: (id, options = {}) => post(`/v1/invoices/${id}/pay`, { payment_method: options.paymentMethod ?? "pm_card_visa" }),
    payInvoiceOutOfBand: (id) => post(`/v1/invoices/${id}/pay`, { paid_out_of_band: true }),
    voidInvoice: (id) => post(`/v1/invoices/${id}/void`),
    markUncollectible: (id) => post(`/v1/invoices/${id}/mark_uncollectible`),
    refund: (params) => post("/v1/refunds", params),
    createCreditNote: (params) => post("/v1/credit_notes", params),
    voidCreditNote: (id) => post(`/v1/credit_notes/${id}/void`),
    get: (kind, id) => {
      const o = account.store.get(kind, id)
      return o === undefined ? undefined : account.renderer.view(kind, o)
    },
    list: (kind) => account.store.all(kind).map((o) => clone(o)),
    count: (kind) => account.store.count(kind),
    webhookSecret: secretOf
  }
}
