/**
 * Money is exact, in each currency's minor unit (none for CLP). Expected figures are worked out by
 * hand in the comments: round half away from zero, once per line and tax rate.
 */
import { describe, expect, it } from "vitest"
import { failure, harness, raw, Stripe } from "./support.js"

const t = harness()

const AMOUNT_FIELDS = ["amount_due", "amount_paid", "amount_remaining", "subtotal", "subtotal_excluding_tax", "total", "total_excluding_tax"] as const

/** Every amount on the wire is an integer: no floats sneak in. */
const integersOnTheWire = async (invoiceId: string): Promise<void> => {
  const wire = await raw(t.sim, "GET", `/v1/invoices/${invoiceId}`)
  for (const f of AMOUNT_FIELDS) expect(Number.isInteger(wire.body[f]), f).toBe(true)
  for (const line of wire.body.lines.data) {
    expect(Number.isInteger(line.amount)).toBe(true)
    for (const t of line.taxes) expect(Number.isInteger(t.amount)).toBe(true)
  }
}

const draftWith = async (currency: string, lines: Array<Stripe.InvoiceAddLinesParams.Line>, defaultTaxRates: Array<string> = []) => {
  const customer = await t.stripe.customers.create({ name: `Cliente ${currency}` })
  const draft = await t.stripe.invoices.create({ customer: customer.id, currency, default_tax_rates: defaultTaxRates })
  return t.stripe.invoices.addLines(draft.id, { lines })
}

describe("totals with taxes, per currency", () => {
  it("MXN: a decimal unit amount and 16% exclusive IVA", async () => {
    const p = await t.stripe.products.create({ name: "Servicio" })
    const iva = await t.stripe.taxRates.create({ display_name: "IVA", percentage: 16, inclusive: false })
    const inv = await draftWith(
      "mxn",
      [
        // 11650.5 × 3 = 34951.5 → 34952 centavos; IVA 34952 × 0.16 = 5592.32 → 5592
        { price_data: { currency: "mxn", product: p.id, unit_amount_decimal: Stripe.Decimal.from("11650.5") }, quantity: 3 },
        // 9999 × 0.16 = 1599.84 → 1600
        { amount: 9_999, description: "Ajuste" }
      ],
      [iva.id]
    )
    expect(inv.lines.data.map((l) => l.amount)).toEqual([34_952, 9_999])
    expect(inv.lines.data.map((l) => l.taxes?.[0]?.amount)).toEqual([5_592, 1_600])
    expect(inv).toMatchObject({ subtotal: 44_951, subtotal_excluding_tax: 44_951, total: 52_143, total_excluding_tax: 44_951, amount_due: 52_143 })
    expect(inv.total_taxes).toEqual([{ amount: 7_192, tax_behavior: "exclusive", tax_rate_details: { tax_rate: iva.id }, taxability_reason: "standard_rated", taxable_amount: 44_951, type: "tax_rate_details" }])
    await integersOnTheWire(inv.id)
  })

  it("CLP (zero-decimal): whole pesos, 19% IVA included in the price", async () => {
    const p = await t.stripe.products.create({ name: "Capacitación", default_price_data: { currency: "clp", unit_amount: 180_000 } })
    const iva = await t.stripe.taxRates.create({ display_name: "IVA", percentage: 19, inclusive: true })
    const inv = await draftWith(
      "clp",
      [
        // 3 × 180000 = 540000 pesos, IVA inside: 540000 × 19 / 119 = 86218.49 → 86218
        { pricing: { price: p.default_price as string }, quantity: 3, tax_rates: [iva.id] },
        // 118.3333 × 7 = 828.3331 → 828 pesos (no tax)
        { price_data: { currency: "clp", product: p.id, unit_amount_decimal: Stripe.Decimal.from("118.3333") }, quantity: 7 }
      ]
    )
    expect(inv.lines.data.map((l) => l.amount)).toEqual([540_000, 828])
    expect(inv.lines.data[0]!.taxes).toEqual([
      { amount: 86_218, tax_behavior: "inclusive", tax_rate_details: { tax_rate: iva.id }, taxability_reason: "standard_rated", taxable_amount: 453_782, type: "tax_rate_details" }
    ])
    expect(inv).toMatchObject({ subtotal: 540_828, subtotal_excluding_tax: 454_610, total: 540_828, amount_due: 540_828 })
    const paid = await t.stripe.invoices.pay((await t.stripe.invoices.finalizeInvoice(inv.id)).id, { payment_method: "pm_card_visa" })
    const payment = (await t.stripe.invoicePayments.list({ invoice: inv.id })).data[0]!
    const pi = await t.stripe.paymentIntents.retrieve(payment.payment.payment_intent as string)
    const charge = await t.stripe.charges.retrieve(pi.latest_charge as string)
    expect([paid.amount_paid, payment.amount_paid, pi.amount, pi.amount_received, charge.amount]).toEqual([540_828, 540_828, 540_828, 540_828, 540_828])
    expect(charge.currency).toBe("clp")
    await integersOnTheWire(inv.id)
  })

  it("COP: two exclusive rates (19% IVA and 0.966% ICA) on centavos", async () => {
    const p = await t.stripe.products.create({ name: "Soporte", default_price_data: { currency: "cop", unit_amount: 25_000_000 } })
    const iva = await t.stripe.taxRates.create({ display_name: "IVA", percentage: 19, inclusive: false })
    const ica = await t.stripe.taxRates.create({ display_name: "ICA", percentage: 0.966, inclusive: false })
    // 2 × 25,000,000 = 50,000,000; IVA 9,500,000; ICA 50,000,000 × 0.00966 = 483,000
    const inv = await draftWith("cop", [{ pricing: { price: p.default_price as string }, quantity: 2 }], [iva.id, ica.id])
    expect(inv.lines.data[0]!.taxes?.map((t) => t.amount)).toEqual([9_500_000, 483_000])
    expect(inv).toMatchObject({ subtotal: 50_000_000, total: 59_983_000, total_excluding_tax: 50_000_000, amount_due: 59_983_000 })
    await integersOnTheWire(inv.id)
  })

  it("USD: inclusive and exclusive rates on one line, half-cent rounding", async () => {
    const p = await t.stripe.products.create({ name: "Hosting" })
    const state = await t.stripe.taxRates.create({ display_name: "Sales tax", percentage: 8.25, inclusive: true })
    const city = await t.stripe.taxRates.create({ display_name: "City tax", percentage: 5, inclusive: false })
    const inv = await draftWith("usd", [
      // 1999.5 × 3 = 5998.5 → 5999 cents; inside: 5999 × 8.25 / 108.25 = 457.20 → 457; taxable 5542; city 5542 × 0.05 = 277.1 → 277
      { price_data: { currency: "usd", product: p.id, unit_amount_decimal: Stripe.Decimal.from("1999.5") }, quantity: 3, tax_rates: [state.id, city.id] }
    ])
    expect(inv.lines.data[0]!.amount).toBe(5_999)
    expect(inv.lines.data[0]!.taxes?.map((t) => [t.amount, t.tax_behavior, t.taxable_amount])).toEqual([
      [457, "inclusive", 5_542],
      [277, "exclusive", 5_542]
    ])
    expect(inv).toMatchObject({ subtotal: 5_999, subtotal_excluding_tax: 5_542, total: 6_276, total_excluding_tax: 5_542 })
    await integersOnTheWire(inv.id)
  })
})

describe("amount rules", () => {
  it("takes integer amounts only and three-decimal currencies in multiples of 10 for charges", async () => {
    const c = await t.stripe.customers.create({ name: "Kuwait" })
    const e = await failure(t.stripe.invoiceItems.create({ customer: c.id, amount: 10.5, currency: "usd" }))
    expect(e.code).toBe("parameter_invalid_integer")
    const draft = await t.stripe.invoices.create({ customer: c.id, currency: "kwd" })
    await t.stripe.invoiceItems.create({ customer: c.id, invoice: draft.id, amount: 12_345, currency: "kwd" })
    const open = await t.stripe.invoices.finalizeInvoice(draft.id)
    expect((await failure(t.stripe.invoices.pay(open.id, { payment_method: "pm_card_visa" }))).message).toContain("multiple of 10")
    expect((await t.stripe.invoices.retrieve(open.id)).status).toBe("open")
  })
})
