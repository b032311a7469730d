/** Invoices and invoice items through the official SDK: drafts, lines, state transitions and their rules. */
import { beforeAll, describe, expect, it } from "vitest"
import { basics, failure, harness, openInvoice, Stripe } from "./support.js"

const t = harness()
let fx: Awaited<ReturnType<typeof basics>>

beforeAll(async () => {
  fx = await basics(t.stripe)
})

describe("drafts and lines", () => {
  it("creates a draft with Stripe's defaults and lines from invoice items", async () => {
    const draft = await t.stripe.invoices.create({ customer: fx.customer.id, currency: "mxn" })
    expect(draft).toMatchObject({
      object: "invoice",
      status: "draft",
      auto_advance: false,
      collection_method: "charge_automatically",
      currency: "mxn",
      number: null,
      total: 0,
      billing_reason: "manual",
      customer_email: "compras@bajio.mx",
      status_transitions: { finalized_at: null, paid_at: null, voided_at: null, marked_uncollectible_at: null },
      lines: { object: "list", data: [], has_more: false, url: `/v1/invoices/${draft.id}/lines` }
    })
    expect(draft.id).toMatch(/^in_1[A-Za-z0-9]{23}$/)
    const item = await t.stripe.invoiceItems.create({ customer: fx.customer.id, invoice: draft.id, pricing: { price: fx.price }, quantity: 2, tax_rates: [fx.tax.id] })
    expect(item).toMatchObject({ object: "invoiceitem", amount: 300_000, quantity: 2, invoice: draft.id, description: "Consultoría" })
    expect(item.quantity_decimal.toString()).toBe("2")
    const withLine = await t.stripe.invoices.retrieve(draft.id)
    const line = withLine.lines.data[0]!
    expect(line).toMatchObject({ object: "line_item", amount: 300_000, quantity: 2, invoice: draft.id })
    expect(line.id).toMatch(/^il_/)
    expect(line.parent?.invoice_item_details?.invoice_item).toBe(item.id)
    expect(line.pricing?.price_details?.price).toBe(fx.price)
    expect(withLine).toMatchObject({ subtotal: 300_000, total: 348_000, amount_due: 348_000, amount_remaining: 348_000 })
  })

  it("checks an item's price, currency and invoice: inactive, recurring, other currency, other customer", async () => {
    const draft = await t.stripe.invoices.create({ customer: fx.customer.id, currency: "mxn" })
    const p = await t.stripe.products.create({ name: "Plan" })
    const recurring = await t.stripe.prices.create({ product: p.id, currency: "mxn", unit_amount: 100, recurring: { interval: "month" } })
    const usd = await t.stripe.prices.create({ product: p.id, currency: "usd", unit_amount: 100 })
    const inactive = await t.stripe.prices.create({ product: p.id, currency: "mxn", unit_amount: 100, active: false })
    const other = await t.stripe.customers.create({ name: "Otro" })
    const cases: Array<Stripe.InvoiceItemCreateParams> = [
      { customer: fx.customer.id, invoice: draft.id, pricing: { price: recurring.id } },
      { customer: fx.customer.id, invoice: draft.id, pricing: { price: usd.id } },
      { customer: fx.customer.id, invoice: draft.id, pricing: { price: inactive.id } },
      { customer: other.id, invoice: draft.id, amount: 100, currency: "mxn" },
      { customer: fx.customer.id, invoice: draft.id, amount: 100, currency: "mxn", quantity: 3 }
    ]
    for (const params of cases) expect((await failure(t.stripe.invoiceItems.create(params))).statusCode, JSON.stringify(params)).toBe(400)
    expect((await t.stripe.invoices.retrieve(draft.id)).lines.data).toEqual([])
    expect((await t.stripe.invoiceItems.list({ invoice: draft.id })).data).toEqual([])
  })

  it("adds lines (a bad line adds none), removes them (delete or unassign) and pages through /lines in order", async () => {
    const draft = await t.stripe.invoices.create({ customer: fx.customer.id, currency: "mxn" })
    const bad = await failure(t.stripe.invoices.addLines(draft.id, { lines: [{ pricing: { price: fx.price } }, { pricing: { price: "price_doesNotExist1" } }] }))
    expect(bad.param).toBe("lines[1][pricing][price]")
    expect((await t.stripe.invoices.retrieve(draft.id)).lines.data).toHaveLength(0)
    const lines = Array.from({ length: 12 }, (_, i) => ({ price_data: { currency: "mxn", product: fx.product.id, unit_amount: 1_000 + i }, description: `Línea ${i}` }))
    const added = await t.stripe.invoices.addLines(draft.id, { lines, invoice_metadata: { origin: "test" } })
    expect(added.metadata).toEqual({ origin: "test" })
    expect(added.lines.data).toHaveLength(10)
    expect(added.lines.has_more).toBe(true)
    const all = await t.stripe.invoices.listLineItems(draft.id).autoPagingToArray({ limit: 100 })
    expect(all.map((l) => l.description)).toEqual(lines.map((l) => l.description))
    expect(added.subtotal).toBe(lines.reduce((s, l) => s + l.price_data.unit_amount, 0))
    const first = await t.stripe.invoices.listLineItems(draft.id, { limit: 5 })
    expect(first.has_more).toBe(true)
    const next = await t.stripe.invoices.listLineItems(draft.id, { limit: 5, starting_after: first.data[4]!.id })
    expect(next.data[0]!.description).toBe("Línea 5")
    const removed = await t.stripe.invoices.removeLines(draft.id, {
      lines: [
        { id: all[0]!.id, behavior: "delete" },
        { id: all[1]!.id, behavior: "unassign" }
      ]
    })
    expect(removed.lines.data.map((l) => l.description)).not.toContain("Línea 0")
    const itemOf = (l: Stripe.InvoiceLineItem): string => l.parent!.invoice_item_details!.invoice_item
    expect((await failure(t.stripe.invoiceItems.retrieve(itemOf(all[0]!)))).statusCode).toBe(404)
    expect((await t.stripe.invoiceItems.retrieve(itemOf(all[1]!))).invoice).toBeNull()
    expect((await t.stripe.invoiceItems.list({ customer: fx.customer.id, pending: true })).data.map((i) => i.id)).toContain(itemOf(all[1]!))
  })

  it("updates an item on a draft: its line and the invoice's totals follow, and invoice.updated says what changed", async () => {
    const draft = await t.stripe.invoices.create({ customer: fx.customer.id, currency: "mxn", default_tax_rates: [fx.tax.id] })
    const item = await t.stripe.invoiceItems.create({ customer: fx.customer.id, invoice: draft.id, pricing: { price: fx.price } })
    const updated = await t.stripe.invoiceItems.update(item.id, { quantity: 4, description: "Cuatro horas", metadata: { alegra_item: "3" } })
    expect(updated).toMatchObject({ amount: 600_000, quantity: 4, description: "Cuatro horas", metadata: { alegra_item: "3" } })
    const inv = await t.stripe.invoices.retrieve(draft.id)
    expect(inv.lines.data[0]).toMatchObject({ amount: 600_000, quantity: 4, description: "Cuatro horas" })
    expect(inv).toMatchObject({ subtotal: 600_000, total: 696_000 })
    const event = (await t.stripe.events.list({ type: "invoice.updated", limit: 1 })).data[0]!
    expect((event.data.object as Stripe.Invoice).id).toBe(draft.id)
    expect(event.data.previous_attributes).toMatchObject({ subtotal: 150_000, total: 174_000 })
    const repriced = await t.stripe.invoiceItems.update(item.id, { unit_amount_decimal: Stripe.Decimal.from("100.5") })
    expect(repriced.amount).toBe(402)
  })

  it("pulls pending items only with pending_invoice_items_behavior=include", async () => {
    const c = await t.stripe.customers.create({ name: "Con pendientes" })
    const pending = await t.stripe.invoiceItems.create({ customer: c.id, amount: 5_000, currency: "usd" })
    expect(pending.invoice).toBeNull()
    const excluded = await t.stripe.invoices.create({ customer: c.id, currency: "usd" })
    expect(excluded.lines.data).toHaveLength(0)
    const included = await t.stripe.invoices.create({ customer: c.id, currency: "usd", pending_invoice_items_behavior: "include" })
    expect(included.lines.data.map((l) => l.parent?.invoice_item_details?.invoice_item)).toEqual([pending.id])
  })

  it("needs a due date for send_invoice (and refuses one for charge_automatically)", async () => {
    const none = await failure(t.stripe.invoices.create({ customer: fx.customer.id, collection_method: "send_invoice" }))
    expect(none.param).toBe("days_until_due")
    const auto = await failure(t.stripe.invoices.create({ customer: fx.customer.id, days_until_due: 30 }))
    expect(auto.statusCode).toBe(400)
    const past = await failure(t.stripe.invoices.create({ customer: fx.customer.id, collection_method: "send_invoice", due_date: 1_000_000 }))
    expect(past.param).toBe("due_date")
    const ok = await t.stripe.invoices.create({ customer: fx.customer.id, collection_method: "send_invoice", days_until_due: 30 })
    expect(ok.due_date).toBe(ok.created + 30 * 86_400)
  })
})

describe("state transitions", () => {
  it("finalizes once: number from the customer's prefix and sequence, finalized_at, and a second finalize is a 400", async () => {
    const c = await t.stripe.customers.create({ name: "Secuencia", invoice_prefix: "SEQTEST" })
    const first = await openInvoice(t.stripe, c.id, fx.price)
    expect(first).toMatchObject({ status: "open", number: "SEQTEST-0001", amount_due: 150_000 })
    expect(first.status_transitions.finalized_at).toBeGreaterThan(0)
    expect(first.hosted_invoice_url).toMatch(/^https:/)
    const second = await openInvoice(t.stripe, c.id, fx.price)
    expect(second.number).toBe("SEQTEST-0002")
    expect((await t.stripe.customers.retrieve(c.id)) as Stripe.Customer).toMatchObject({ next_invoice_sequence: 3 })
    const again = await failure(t.stripe.invoices.finalizeInvoice(first.id))
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(again.message).toContain("already finalized")
  })

  it("cannot change a finalized invoice's lines or amounts, but can change its metadata", async () => {
    const inv = await openInvoice(t.stripe, fx.customer.id, fx.price)
    expect((await failure(t.stripe.invoiceItems.create({ customer: fx.customer.id, invoice: inv.id, amount: 1, currency: "mxn" }))).code).toBe("invoice_not_editable")
    expect((await failure(t.stripe.invoices.addLines(inv.id, { lines: [{ amount: 100 }] }))).code).toBe("invoice_not_editable")
    const itemId = inv.lines.data[0]!.parent!.invoice_item_details!.invoice_item
    expect((await failure(t.stripe.invoiceItems.update(itemId, { quantity: 5 }))).code).toBe("invoice_not_editable")
    expect((await failure(t.stripe.invoiceItems.del(itemId))).code).toBe("invoice_not_editable")
    expect((await failure(t.stripe.invoices.update(inv.id, { default_tax_rates: [fx.tax.id] }))).code).toBe("invoice_not_editable")
    expect((await failure(t.stripe.invoices.del(inv.id))).statusCode).toBe(400)
    expect((await t.stripe.invoices.update(inv.id, { metadata: { alegra_id: "77" }, description: "Servicios" })).metadata).toEqual({ alegra_id: "77" })
  })

  it("voids open invoices only: never a paid one or a draft; uncollectible can still be paid", async () => {
    const paid = await openInvoice(t.stripe, fx.customer.id, fx.price)
    await t.stripe.invoices.pay(paid.id, { paid_out_of_band: true })
    expect((await failure(t.stripe.invoices.voidInvoice(paid.id))).statusCode).toBe(400)
    const draft = await t.stripe.invoices.create({ customer: fx.customer.id, currency: "mxn" })
    expect((await failure(t.stripe.invoices.voidInvoice(draft.id))).statusCode).toBe(400)
    expect((await failure(t.stripe.invoices.pay(draft.id, { paid_out_of_band: true }))).statusCode).toBe(400)
    const open = await openInvoice(t.stripe, fx.customer.id, fx.price)
    const voided = await t.stripe.invoices.voidInvoice(open.id)
    expect(voided).toMatchObject({ status: "void", amount_remaining: 0 })
    expect(voided.status_transitions.voided_at).toBeGreaterThan(0)
    expect((await failure(t.stripe.invoices.pay(open.id, { paid_out_of_band: true }))).statusCode).toBe(400)
    const doubtful = await openInvoice(t.stripe, fx.customer.id, fx.price)
    const marked = await t.stripe.invoices.markUncollectible(doubtful.id)
    expect(marked.status).toBe("uncollectible")
    expect((await failure(t.stripe.invoices.markUncollectible(doubtful.id))).statusCode).toBe(400)
    expect((await t.stripe.invoices.pay(doubtful.id, { paid_out_of_band: true })).status).toBe("paid")
  })

  it("sends a send_invoice invoice (finalizing a draft first) and refuses sending a charge_automatically one", async () => {
    const draft = await t.stripe.invoices.create({ customer: fx.customer.id, currency: "mxn", collection_method: "send_invoice", days_until_due: 10 })
    await t.stripe.invoiceItems.create({ customer: fx.customer.id, invoice: draft.id, pricing: { price: fx.price } })
    const sent = await t.stripe.invoices.sendInvoice(draft.id)
    expect(sent.status).toBe("open")
    expect((await t.stripe.events.list({ type: "invoice.sent", limit: 1 })).data[0]!.data.object).toMatchObject({ id: draft.id })
    const auto = await openInvoice(t.stripe, fx.customer.id, fx.price)
    expect((await failure(t.stripe.invoices.sendInvoice(auto.id))).statusCode).toBe(400)
  })

  it("deletes drafts only, with their items", async () => {
    const draft = await t.stripe.invoices.create({ customer: fx.customer.id, currency: "mxn" })
    const item = await t.stripe.invoiceItems.create({ customer: fx.customer.id, invoice: draft.id, amount: 1_000, currency: "mxn" })
    expect(await t.stripe.invoices.del(draft.id)).toEqual({ id: draft.id, object: "invoice", deleted: true })
    expect((await failure(t.stripe.invoices.retrieve(draft.id))).statusCode).toBe(404)
    expect((await failure(t.stripe.invoiceItems.retrieve(item.id))).statusCode).toBe(404)
  })

  it("marks an invoice with nothing due paid at finalization", async () => {
    const draft = await t.stripe.invoices.create({ customer: fx.customer.id, currency: "mxn" })
    const done = await t.stripe.invoices.finalizeInvoice(draft.id)
    expect(done).toMatchObject({ status: "paid", amount_due: 0, amount_paid: 0 })
    expect(done.status_transitions.paid_at).toBeGreaterThan(0)
  })

  it("finalizes an auto_advance draft by itself one hour after creation (simulated clock)", async () => {
    const draft = await t.stripe.invoices.create({ customer: fx.customer.id, currency: "mxn", auto_advance: true })
    expect(draft.automatically_finalizes_at).toBe(draft.created + 3600)
    await t.stripe.invoiceItems.create({ customer: fx.customer.id, invoice: draft.id, pricing: { price: fx.price } })
    t.sim.clock.advance(3_599_000)
    expect((await t.stripe.invoices.retrieve(draft.id)).status).toBe("draft")
    t.sim.clock.advance(2_000)
    const after = await t.stripe.invoices.retrieve(draft.id)
    expect(after.status).toBe("open")
    expect(after.number).not.toBeNull()
    const finalized = await t.stripe.events.list({ type: "invoice.finalized", limit: 100 })
    const event = finalized.data.find((e) => (e.data.object as Stripe.Invoice).id === draft.id)
    expect(event?.request).toEqual({ id: null, idempotency_key: null })
  })

  it("lists by customer, status and created, newest first", async () => {
    const c = await t.stripe.customers.create({ name: "Listas" })
    const a = await openInvoice(t.stripe, c.id, fx.price)
    const b = await t.stripe.invoices.create({ customer: c.id, currency: "mxn" })
    t.sim.clock.advance(10_000)
    const later = await openInvoice(t.stripe, c.id, fx.price)
    expect((await t.stripe.invoices.list({ customer: c.id })).data.map((i) => i.id)).toEqual([later.id, b.id, a.id])
    expect((await t.stripe.invoices.list({ customer: c.id, status: "open" })).data.map((i) => i.id)).toEqual([later.id, a.id])
    expect((await t.stripe.invoices.list({ customer: c.id, created: { gt: b.created } })).data.map((i) => i.id)).toEqual([later.id])
    expect((await failure(t.stripe.invoices.list({ status: "pending" as "open" }))).param).toBe("status")
  })
})
