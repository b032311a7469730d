/**
 * An invoice's taxes and totals, exactly, in minor units.
 *
 * Per line: each inclusive rate's tax is round(amount × p / (100 + Σ inclusive p)); the taxable
 * amount is what remains; each exclusive rate's tax is round(taxable × p / 100). Rounding is half
 * away from zero, once per line and rate (Stripe rounds per line; it documents no tie rule).
 * A line's rates are its item's `tax_rates`, or the invoice's `default_tax_rates` when it has none.
 *
 *   subtotal               = Σ line amounts (inclusive taxes included)
 *   subtotal_excluding_tax = subtotal − inclusive taxes            (= total_excluding_tax)
 *   total                  = subtotal + exclusive taxes
 *   amount_due             = max(0, total − pre-payment credit notes)
 *   amount_remaining       = amount_due − amount_paid (0 once paid, voided or uncollectible-and-paid)
 */
import type Stripe from "stripe"
import { includedTax, percentOf } from "../money.js"
import type { Objects, Store } from "../state.js"
import type { Wire } from "../wire.js"

type Invoice = Objects["invoice"]
type Line = Wire<Stripe.InvoiceLineItem>
type TaxRate = Objects["tax_rate"]

export interface LineTax {
  readonly rate: TaxRate
  readonly amount: number
  readonly taxable: number
}

/** The taxes of one amount under a set of rates. */
export const taxesOf = (amount: number, rates: ReadonlyArray<TaxRate>): Array<LineTax> => {
  const inclusive = rates.filter((r) => r.inclusive)
  const exclusive = rates.filter((r) => !r.inclusive)
  const inclusivePcts = inclusive.map((r) => String(r.percentage))
  const inc = inclusive.map((r) => ({ rate: r, amount: includedTax(amount, String(r.percentage), inclusivePcts) }))
  const taxable = amount - inc.reduce((s, t) => s + t.amount, 0)
  const exc = exclusive.map((r) => ({ rate: r, amount: percentOf(taxable, String(r.percentage)) }))
  return [...inc, ...exc].map((t) => ({ ...t, taxable }))
}

export const wireTaxes = (taxes: ReadonlyArray<LineTax>): NonNullable<Line["taxes"]> =>
  taxes.map((t) => ({
    amount: t.amount,
    tax_behavior: t.rate.inclusive ? "inclusive" : "exclusive",
    tax_rate_details: { tax_rate: t.rate.id },
    taxability_reason: "standard_rated",
    taxable_amount: t.taxable,
    type: "tax_rate_details"
  }))

/** The rates that apply to a line (its item's, else the invoice's defaults). */
export const ratesOfLine = (store: Store, invoice: Invoice, line: Line): Array<TaxRate> => {
  const itemId = line.parent?.invoice_item_details?.invoice_item
  const item = itemId === undefined ? undefined : store.get("invoiceitem", itemId)
  const own = item?.tax_rates ?? []
  const rates = own.length > 0 ? own : invoice.default_tax_rates
  return rates.map((r) => store.get("tax_rate", r.id) ?? r)
}

/** Recomputes line taxes and every total of the invoice, in place. */
export const recompute = (store: Store, invoice: Invoice): void => {
  const perRate = new Map<string, { rate: TaxRate; amount: number; taxable: number }>()
  let subtotal = 0
  let inclusive = 0
  let exclusive = 0
  for (const line of invoice.lines.data) {
    const taxes = taxesOf(line.amount, ratesOfLine(store, invoice, line))
    line.taxes = wireTaxes(taxes)
    line.subtotal = line.amount
    subtotal += line.amount
    for (const t of taxes) {
      if (t.rate.inclusive) inclusive += t.amount
      else exclusive += t.amount
      const agg = perRate.get(t.rate.id) ?? { rate: t.rate, amount: 0, taxable: 0 }
      agg.amount += t.amount
      agg.taxable += t.taxable
      perRate.set(t.rate.id, agg)
    }
  }
  const total = subtotal + exclusive
  invoice.subtotal = subtotal
  invoice.subtotal_excluding_tax = subtotal - inclusive
  invoice.total = total
  invoice.total_excluding_tax = subtotal - inclusive
  invoice.total_taxes = wireTaxes([...perRate.values()])
  invoice.amount_due = Math.max(0, total - invoice.pre_payment_credit_notes_amount)
  invoice.amount_remaining = invoice.status === "paid" || invoice.status === "void" ? 0 : Math.max(0, invoice.amount_due - invoice.amount_paid)
}
