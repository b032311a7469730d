/**
 * Response shapes, checked two ways.
 *
 * Compile time: the simulator stores and renders every object as `Wire<Stripe.X>` (the SDK's own
 * response type with `Stripe.Decimal` as the decimal string the wire carries), so `tsc` refuses a
 * missing or mistyped field. The `expectTypeOf` lines below pin that mapping.
 *
 * Run time: every key of the matching sample of stripe-fixtures3.json (fixtures3-samples.json) is present
 * in what the simulator answers on the wire (recursively, where both sides have a hash), except the
 * documented differences below, all caused by the API version the SDK pins (2026-10-28) being
 * newer than the samples or by the sample's own content.
 */
import { readFileSync } from "node:fs"
import * as path from "node:path"
import type Stripe from "stripe"
import { beforeAll, describe, expect, expectTypeOf, it } from "vitest"
import type { Objects, Wire } from "../../connectors/stripe/simulator/index.js"
import { repoRoot } from "../support/process.js"
import { basics, harness, openInvoice, raw } from "./support.js"

/** Fixture keys the simulator does not answer, and why. */
const DIFFERENCES: Readonly<Record<string, string>> = {
  // Removed in 2025-03-31.basil: an invoice's subscription is parent.subscription_details.subscription.
  "invoice.subscription": "removed by API 2025-03-31 (the SDK 23 Invoice type has no `subscription`)",
  // Since 2022-11-15 a charge's refunds are only included when expanded (checked below with expand).
  "charge.refunds": "includable since API 2022-11-15: present with expand[]=refunds",
  // The sample event is about a `plan`; the simulator's events are about its own objects.
  "event.data.object.*": "the sample's data.object is a plan; data.object's shape is checked per kind above"
}

/** The samples used here, copied unchanged from the reference file (provenance in its `_source`). */
const fixtures = (JSON.parse(readFileSync(path.join(repoRoot, "test/stripe/fixtures3-samples.json"), "utf8")) as { resources: Record<string, Record<string, unknown>> })
  .resources

const isHash = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** Paths of fixture keys missing from ours (`invoice.lines.data[].taxes`). */
const missingKeys = (fixture: Record<string, unknown>, ours: Record<string, unknown>, at: string): Array<string> =>
  Object.keys(fixture).flatMap((key) => {
    const where = `${at}.${key}`
    if (DIFFERENCES[where] !== undefined || DIFFERENCES[`${at}.*`] !== undefined) return []
    if (!(key in ours)) return [where]
    const f = fixture[key]
    const o = ours[key]
    if (isHash(f) && isHash(o)) {
      if (f["object"] === "list" && o["object"] === "list") {
        const fd = f["data"] as Array<unknown>
        const od = o["data"] as Array<unknown>
        return isHash(fd[0]) && isHash(od[0]) ? missingKeys(fd[0], od[0], `${where}.data[]`) : []
      }
      return missingKeys(f, o, where)
    }
    if (Array.isArray(f) && Array.isArray(o) && isHash(f[0]) && isHash(o[0])) return missingKeys(f[0], o[0], `${where}[]`)
    return []
  })

const t = harness()
const wire: Record<string, Record<string, unknown>> = {}

beforeAll(async () => {
  const { sim, stripe } = t
  const fx = await basics(stripe)
  await stripe.customers.createTaxId(fx.customer.id, { type: "mx_rfc", value: "CBA0102031X5" })
  const inv = await openInvoice(stripe, fx.customer.id, fx.price, 2, { default_tax_rates: [fx.tax.id] })
  await stripe.invoices.pay(inv.id, { payment_method: "pm_card_visa" })
  const payment = (await stripe.invoicePayments.list({ invoice: inv.id })).data[0]!
  const pi = await stripe.paymentIntents.retrieve(payment.payment.payment_intent as string)
  const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1_000 })
  const line = inv.lines.data[0]!
  const note = await stripe.creditNotes.create({ invoice: inv.id, lines: [{ type: "invoice_line_item", invoice_line_item: line.id, amount: 1_000 }], out_of_band_amount: 1_160 })
  const endpoint = await stripe.webhookEndpoints.create({ url: "http://127.0.0.1:9/hook", enabled_events: ["*"] })
  const event = (await stripe.events.list({ limit: 1 })).data[0]!
  const get = async (p: string): Promise<Record<string, unknown>> => (await raw(sim, "GET", p)).body as Record<string, unknown>
  const first = async (p: string): Promise<Record<string, unknown>> => ((await get(p))["data"] as Array<Record<string, unknown>>)[0]!
  const del = async (p: string): Promise<Record<string, unknown>> => (await raw(sim, "DELETE", p)).body as Record<string, unknown>
  Object.assign(wire, {
    customer: await get(`/v1/customers/${fx.customer.id}`),
    tax_id: await first(`/v1/customers/${fx.customer.id}/tax_ids`),
    product: await get(`/v1/products/${fx.product.id}`),
    price: await get(`/v1/prices/${fx.price}`),
    tax_rate: await get(`/v1/tax_rates/${fx.tax.id}`),
    invoice: await get(`/v1/invoices/${inv.id}`),
    line_item: await first(`/v1/invoices/${inv.id}/lines`),
    invoiceitem: await get(`/v1/invoiceitems/${line.parent!.invoice_item_details!.invoice_item}`),
    invoice_payment: await get(`/v1/invoice_payments/${payment.id}`),
    payment_intent: await get(`/v1/payment_intents/${pi.id}`),
    charge: await get(`/v1/charges/${pi.latest_charge as string}`),
    refund: await get(`/v1/refunds/${refund.id}`),
    credit_note: await get(`/v1/credit_notes/${note.id}`),
    credit_note_line_item: await first(`/v1/credit_notes/${note.id}/lines`),
    event: await get(`/v1/events/${event.id}`),
    webhook_endpoint: await get(`/v1/webhook_endpoints/${endpoint.id}`)
  })
  const draft = await stripe.invoices.create({ customer: fx.customer.id, currency: "mxn" })
  const item = await stripe.invoiceItems.create({ customer: fx.customer.id, amount: 5, currency: "mxn" })
  const taxId = await first(`/v1/customers/${fx.customer.id}/tax_ids`)
  const bare = await stripe.products.create({ name: "Borrable" })
  const other = await stripe.customers.create({ name: "Borrable" })
  Object.assign(wire, {
    deleted_invoice: await del(`/v1/invoices/${draft.id}`),
    deleted_invoiceitem: await del(`/v1/invoiceitems/${item.id}`),
    deleted_tax_id: await del(`/v1/customers/${fx.customer.id}/tax_ids/${String(taxId["id"])}`),
    deleted_product: await del(`/v1/products/${bare.id}`),
    deleted_webhook_endpoint: await del(`/v1/webhook_endpoints/${endpoint.id}`),
    deleted_customer: await del(`/v1/customers/${other.id}`)
  })
})

describe("shapes against the SDK types", () => {
  it("stores and renders each object as the SDK's response type (with decimal strings)", () => {
    expectTypeOf<Objects["customer"]>().toEqualTypeOf<Wire<Stripe.Customer>>()
    expectTypeOf<Objects["invoice"]>().toEqualTypeOf<Wire<Stripe.Invoice>>()
    expectTypeOf<Objects["invoiceitem"]>().toEqualTypeOf<Wire<Stripe.InvoiceItem>>()
    expectTypeOf<Objects["invoice"]["lines"]["data"][number]>().toEqualTypeOf<Wire<Stripe.InvoiceLineItem>>()
    expectTypeOf<Objects["price"]["unit_amount_decimal"]>().toEqualTypeOf<string | null>()
    expectTypeOf<Objects["credit_note"]>().toEqualTypeOf<Wire<Stripe.CreditNote>>()
    expectTypeOf<Objects["charge"]>().toEqualTypeOf<Wire<Stripe.Charge>>()
    expectTypeOf<Objects["payment_intent"]>().toEqualTypeOf<Wire<Stripe.PaymentIntent>>()
    expectTypeOf<Objects["refund"]>().toEqualTypeOf<Wire<Stripe.Refund>>()
    expectTypeOf<Objects["invoice_payment"]>().toEqualTypeOf<Wire<Stripe.InvoicePayment>>()
    expectTypeOf<Objects["tax_id"]>().toEqualTypeOf<Wire<Stripe.TaxId>>()
    expectTypeOf<Objects["webhook_endpoint"]>().toEqualTypeOf<Wire<Stripe.WebhookEndpoint>>()
    expect(Object.keys(wire).length).toBeGreaterThan(16)
  })
})

describe("shapes against stripe-fixtures3.json", () => {
  const kinds = [
    "customer", "tax_id", "product", "price", "tax_rate", "invoice", "line_item", "invoiceitem", "invoice_payment", "payment_intent",
    "charge", "refund", "credit_note", "credit_note_line_item", "event", "webhook_endpoint",
    "deleted_invoice", "deleted_invoiceitem", "deleted_tax_id", "deleted_product", "deleted_webhook_endpoint", "deleted_customer"
  ]
  for (const kind of kinds) {
    it(`${kind}: every key of the sample is answered`, () => {
      const fixture = fixtures[kind]
      expect(fixture, `no sample for ${kind}`).toBeDefined()
      expect(wire[kind]!["object"]).toBe(fixture!["object"])
      expect(missingKeys(fixture!, wire[kind]!, kind)).toEqual([])
    })
  }

  it("answers the documented differences where they apply: refunds with expand, no invoice.subscription", async () => {
    const charge = wire["charge"]!
    const expanded = (await raw(t.sim, "GET", `/v1/charges/${String(charge["id"])}?expand[]=refunds`)).body as Record<string, unknown>
    // Under another root name the documented difference does not apply: refunds must be there.
    expect(missingKeys(fixtures["charge"]!, expanded, "charge_expanded")).toEqual([])
    expect((expanded["refunds"] as { object: string }).object).toBe("list")
    expect("subscription" in wire["invoice"]!).toBe(false)
  })
})
