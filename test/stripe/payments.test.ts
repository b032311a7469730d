/** Paying invoices (card, declines, out of band), refunds and credit notes, through the official SDK. */
import { beforeAll, describe, expect, it } from "vitest"
import { basics, failure, harness, openInvoice, Stripe } from "./support.js"

const t = harness()
let fx: Awaited<ReturnType<typeof basics>>

beforeAll(async () => {
  fx = await basics(t.stripe)
})

const typesSince = async (eventId: string | undefined): Promise<Array<string>> => {
  const events = await t.stripe.events.list({ limit: 100, ...(eventId === undefined ? {} : { ending_before: eventId }) }).autoPagingToArray({ limit: 1000 })
  return events.map((e) => e.type)
}
const lastEventId = async (): Promise<string | undefined> => (await t.stripe.events.list({ limit: 1 })).data[0]?.id

describe("paying invoices", () => {
  it("by card: a payment intent, a charge and an invoice payment, with their events", async () => {
    const inv = await openInvoice(t.stripe, fx.customer.id, fx.price, 2, { default_tax_rates: [fx.tax.id] })
    const mark = await lastEventId()
    const paid = await t.stripe.invoices.pay(inv.id, { payment_method: "pm_card_visa" })
    expect(paid).toMatchObject({ status: "paid", amount_paid: 348_000, amount_remaining: 0, attempted: true, attempt_count: 1 })
    expect(paid.status_transitions.paid_at).toBeGreaterThan(0)
    const payments = await t.stripe.invoicePayments.list({ invoice: inv.id })
    expect(payments.data).toHaveLength(1)
    const ip = payments.data[0]!
    expect(ip).toMatchObject({ object: "invoice_payment", invoice: inv.id, amount_paid: 348_000, status: "paid", is_default: true, currency: "mxn" })
    expect(ip.id).toMatch(/^inpay_/)
    const pi = await t.stripe.paymentIntents.retrieve(ip.payment.payment_intent as string, { expand: ["latest_charge"] })
    expect(pi).toMatchObject({ status: "succeeded", amount: 348_000, amount_received: 348_000, customer: fx.customer.id, currency: "mxn" })
    const charge = pi.latest_charge as Stripe.Charge
    expect(charge).toMatchObject({ object: "charge", paid: true, captured: true, status: "succeeded", amount: 348_000, payment_intent: pi.id, refunded: false })
    expect(charge.payment_method_details?.card?.last4).toBe("4242")
    expect((await t.stripe.invoices.retrieve(inv.id, { expand: ["payments"] })).payments?.data.map((x) => x.id)).toEqual([ip.id])
    expect((await t.stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: pi.id } })).data.map((x) => x.id)).toEqual([ip.id])
    expect((await t.stripe.charges.list({ payment_intent: pi.id })).data.map((c) => c.id)).toEqual([charge.id])
    expect((await t.stripe.paymentIntents.list({ customer: fx.customer.id })).data.map((x) => x.id)).toContain(pi.id)
    expect(await t.stripe.invoicePayments.retrieve(ip.id)).toMatchObject({ id: ip.id, invoice: inv.id })
    const withPi = await t.stripe.invoicePayments.retrieve(ip.id, { expand: ["payment.payment_intent"] })
    expect((withPi.payment.payment_intent as Stripe.PaymentIntent).status).toBe("succeeded")
    const types = await typesSince(mark)
    for (const t of ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "invoice_payment.paid", "invoice.paid", "invoice.payment_succeeded", "invoice.updated"]) {
      expect(types, t).toContain(t)
    }
    expect((await failure(t.stripe.invoices.pay(inv.id, { payment_method: "pm_card_visa" }))).message).toContain("already paid")
  })

  it("answers a decline with a 402 card error, leaves the invoice open, and retries on the same payment intent", async () => {
    const inv = await openInvoice(t.stripe, fx.customer.id, fx.price)
    const declined = await failure(t.stripe.invoices.pay(inv.id, { payment_method: "pm_card_chargeDeclinedInsufficientFunds" }))
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError)
    expect(declined.statusCode).toBe(402)
    expect(declined.code).toBe("card_declined")
    expect(declined.decline_code).toBe("insufficient_funds")
    const after = await t.stripe.invoices.retrieve(inv.id)
    expect(after).toMatchObject({ status: "open", attempt_count: 1, amount_paid: 0 })
    const open = (await t.stripe.invoicePayments.list({ invoice: inv.id })).data
    expect(open.map((p) => p.status)).toEqual(["open"])
    const piId = open[0]!.payment.payment_intent as string
    expect((await t.stripe.paymentIntents.retrieve(piId)).status).toBe("requires_payment_method")
    const paid = await t.stripe.invoices.pay(inv.id, { payment_method: "pm_card_mastercard" })
    expect(paid).toMatchObject({ status: "paid", attempt_count: 2 })
    const pi = await t.stripe.paymentIntents.retrieve(piId)
    expect(pi.status).toBe("succeeded")
    expect((await t.stripe.charges.list({ payment_intent: piId })).data.map((c) => c.status)).toEqual(["succeeded", "failed"])
    expect((await failure(t.stripe.invoices.pay((await openInvoice(t.stripe, fx.customer.id, fx.price)).id))).message).toContain("payment method")
    expect((await failure(t.stripe.invoices.pay(inv.id, { payment_method: "pm_card_nonsense" }))).statusCode).toBe(400)
  })

  it("out of band: paid with no payment objects", async () => {
    const inv = await openInvoice(t.stripe, fx.customer.id, fx.price)
    const paid = await t.stripe.invoices.pay(inv.id, { paid_out_of_band: true })
    expect(paid).toMatchObject({ status: "paid", amount_paid: 150_000, amount_remaining: 0 })
    expect((await t.stripe.invoicePayments.list({ invoice: inv.id })).data).toEqual([])
  })
})

describe("refunds", () => {
  it("refunds partially then fully, never above what is left, by charge or payment intent", async () => {
    const inv = await openInvoice(t.stripe, fx.customer.id, fx.price, 2)
    await t.stripe.invoices.pay(inv.id, { payment_method: "pm_card_visa" })
    const pi = (await t.stripe.invoicePayments.list({ invoice: inv.id })).data[0]!.payment.payment_intent as string
    const chargeId = (await t.stripe.paymentIntents.retrieve(pi)).latest_charge as string
    const part = await t.stripe.refunds.create({ charge: chargeId, amount: 100_000, reason: "requested_by_customer", metadata: { alegra_credit_note: "9" } })
    expect(part).toMatchObject({ object: "refund", amount: 100_000, charge: chargeId, payment_intent: pi, status: "succeeded", currency: "mxn", reason: "requested_by_customer" })
    expect(part.id).toMatch(/^re_/)
    const over = await failure(t.stripe.refunds.create({ payment_intent: pi, amount: 200_001 }))
    expect(over.code).toBe("amount_too_large")
    const rest = await t.stripe.refunds.create({ payment_intent: pi })
    expect(rest.amount).toBe(200_000)
    const charge = await t.stripe.charges.retrieve(chargeId, { expand: ["refunds"] })
    expect(charge).toMatchObject({ amount_refunded: 300_000, refunded: true })
    expect(charge.refunds?.data.map((r) => r.id)).toEqual([rest.id, part.id])
    expect((await failure(t.stripe.refunds.create({ charge: chargeId, amount: 1 }))).code).toBe("charge_already_refunded")
    expect((await t.stripe.refunds.list({ charge: chargeId })).data.map((r) => r.id)).toEqual([rest.id, part.id])
    expect((await t.stripe.refunds.list({ payment_intent: pi })).data).toHaveLength(2)
    expect((await t.stripe.refunds.update(part.id, { metadata: { motivo: "parcial" } })).metadata).toEqual({ alegra_credit_note: "9", motivo: "parcial" })
    expect((await t.stripe.refunds.retrieve(part.id)).metadata).toEqual({ alegra_credit_note: "9", motivo: "parcial" })
    expect((await t.stripe.invoices.retrieve(inv.id)).status).toBe("paid")
  })
})

describe("credit notes", () => {
  it("are only issued on finalized invoices", async () => {
    const draft = await t.stripe.invoices.create({ customer: fx.customer.id, currency: "mxn" })
    const e = await failure(t.stripe.creditNotes.create({ invoice: draft.id, amount: 100 }))
    expect(e.param).toBe("invoice")
    const voided = await t.stripe.invoices.voidInvoice((await openInvoice(t.stripe, fx.customer.id, fx.price)).id)
    expect((await failure(t.stripe.creditNotes.create({ invoice: voided.id, amount: 100 }))).statusCode).toBe(400)
  })

  it("pre-payment: lowers what is due, with the line's taxes; covering it all pays the invoice; voiding restores it", async () => {
    const inv = await openInvoice(t.stripe, fx.customer.id, fx.price, 3, { default_tax_rates: [fx.tax.id] })
    expect(inv.amount_due).toBe(522_000)
    const line = inv.lines.data[0]!
    const note = await t.stripe.creditNotes.create({ invoice: inv.id, lines: [{ type: "invoice_line_item", invoice_line_item: line.id, quantity: 1 }], reason: "order_change", metadata: { alegra_id: "5" } })
    // one unit: 150000 + 16% = 174000
    expect(note).toMatchObject({ object: "credit_note", type: "pre_payment", status: "issued", subtotal: 150_000, total: 174_000, amount: 174_000, pre_payment_amount: 174_000, post_payment_amount: 0, invoice: inv.id })
    expect(note.number).toBe(`${inv.number}-CN-01`)
    expect(note.lines.data[0]).toMatchObject({ type: "invoice_line_item", invoice_line_item: line.id, quantity: 1, amount: 150_000 })
    expect(note.lines.data[0]!.taxes?.[0]?.amount).toBe(24_000)
    expect(await t.stripe.invoices.retrieve(inv.id)).toMatchObject({ status: "open", amount_due: 348_000, amount_remaining: 348_000, pre_payment_credit_notes_amount: 174_000 })
    const tooMuch = await failure(t.stripe.creditNotes.create({ invoice: inv.id, lines: [{ type: "invoice_line_item", invoice_line_item: line.id, quantity: 3 }] }))
    expect(tooMuch.statusCode).toBe(400)
    const voided = await t.stripe.creditNotes.voidCreditNote(note.id)
    expect(voided.status).toBe("void")
    expect(voided.voided_at).toBeGreaterThan(0)
    expect((await t.stripe.invoices.retrieve(inv.id)).amount_due).toBe(522_000)
    const all = await t.stripe.creditNotes.create({ invoice: inv.id, lines: [{ type: "invoice_line_item", invoice_line_item: line.id, quantity: 3 }] })
    expect(all.total).toBe(522_000)
    const settled = await t.stripe.invoices.retrieve(inv.id)
    expect(settled).toMatchObject({ status: "paid", amount_remaining: 0, amount_paid: 0 })
    expect((await failure(t.stripe.creditNotes.voidCreditNote(all.id))).statusCode).toBe(400)
    expect((await t.stripe.creditNotes.list({ invoice: inv.id })).data.map((n) => n.id)).toEqual([all.id, note.id])
    expect((await t.stripe.creditNotes.update(all.id, { memo: "Anulación total" })).memo).toBe("Anulación total")
    expect((await t.stripe.creditNotes.retrieve(all.id)).memo).toBe("Anulación total")
  })

  it("post-payment: the total must be split into refund, balance credit and out of band; refund_amount refunds the charge", async () => {
    const inv = await openInvoice(t.stripe, fx.customer.id, fx.price, 2)
    await t.stripe.invoices.pay(inv.id, { payment_method: "pm_card_visa" })
    const line = inv.lines.data[0]!
    const split = await failure(t.stripe.creditNotes.create({ invoice: inv.id, lines: [{ type: "invoice_line_item", invoice_line_item: line.id, amount: 100_000 }], refund_amount: 60_000 }))
    expect(split.message).toContain("must equal")
    const note = await t.stripe.creditNotes.create({
      invoice: inv.id,
      lines: [{ type: "invoice_line_item", invoice_line_item: line.id, amount: 100_000 }],
      refund_amount: 60_000,
      out_of_band_amount: 40_000
    })
    expect(note).toMatchObject({ type: "post_payment", total: 100_000, post_payment_amount: 100_000, out_of_band_amount: 40_000 })
    expect(note.refunds).toHaveLength(1)
    const refund = await t.stripe.refunds.retrieve(note.refunds[0]!.refund as string)
    expect(refund.amount).toBe(60_000)
    const chargeId = refund.charge as string
    expect((await t.stripe.charges.retrieve(chargeId)).amount_refunded).toBe(60_000)
    expect((await t.stripe.invoices.retrieve(inv.id)).post_payment_credit_notes_amount).toBe(100_000)
    expect((await failure(t.stripe.creditNotes.voidCreditNote(note.id))).message).toContain("refunded")
    const custom = await t.stripe.creditNotes.create({ invoice: inv.id, lines: [{ type: "custom_line_item", description: "Descuento", unit_amount: 5_000, quantity: 2 }], credit_amount: 10_000 })
    expect(custom).toMatchObject({ total: 10_000 })
    expect(custom.lines.data[0]).toMatchObject({ type: "custom_line_item", unit_amount: 5_000, quantity: 2, amount: 10_000 })
    const over = await failure(t.stripe.creditNotes.create({ invoice: inv.id, amount: 200_000, out_of_band_amount: 200_000 }))
    expect(over.statusCode).toBe(400)
    const byAmount = await t.stripe.creditNotes.create({ invoice: inv.id, amount: 5_000, out_of_band_amount: 5_000 })
    expect(byAmount.lines.data).toHaveLength(1)
    expect((await t.stripe.creditNotes.listLineItems(custom.id)).data.map((l) => l.id)).toEqual(custom.lines.data.map((l) => l.id))
  })
})
