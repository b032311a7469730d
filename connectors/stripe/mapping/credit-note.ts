/**
 * Stripe credit notes, and refunds no credit note covers, → canonical credit notes against
 * their invoice.
 */
import type Stripe from "stripe"
import { type CreditNote, type Line, ZERO } from "../../../schema/index.js"
import { currencyCode, day, idOf, money, quantity, required, text } from "./common.js"
import { lineFrom, taxRateIds } from "./invoice.js"

const exclusiveTax = (line: Stripe.CreditNoteLineItem): number =>
  (line.taxes ?? []).filter((t) => t.tax_behavior === "exclusive").reduce((sum, t) => sum + t.amount, 0)

/**
 * One credit note line. A line crediting an invoice line names that line's product and is priced
 * at its unit amount when it credits a quantity; one crediting an amount is one unit of it.
 */
const noteLineFrom = (line: Stripe.CreditNoteLineItem, invoiceLines: ReadonlyMap<string, Stripe.InvoiceLineItem>, currency: string): Line => {
  const credited = line.invoice_line_item === undefined ? undefined : invoiceLines.get(line.invoice_line_item)
  const unit = line.unit_amount_decimal ?? (line.quantity === null ? null : credited?.pricing?.unit_amount_decimal ?? null)
  return {
    itemId: credited?.pricing?.price_details?.product ?? null,
    accountId: null,
    description: text(line.description),
    quantity: unit === null ? quantity(1, "quantity") : quantity(line.quantity ?? 1, `lines ${line.id}.quantity`),
    price: money(unit ?? line.amount, currency, `lines ${line.id}.unit_amount_decimal`),
    discount: ZERO,
    taxIds: taxRateIds(line.taxes),
    total: money(line.amount + exclusiveTax(line), currency, `lines ${line.id}.amount`)
  }
}

/**
 * The credit note with all its lines, and the lines of its invoice it credits (by id). What it
 * lowered on an unpaid invoice (`pre_payment_amount`) is applied to that invoice; what Stripe
 * refunded is money returned (`refunds`); what went to the customer's balance or outside Stripe
 * stays on the note as its balance, open.
 */
export const creditNoteFrom = (
  note: Stripe.CreditNote,
  lines: ReadonlyArray<Stripe.CreditNoteLineItem>,
  invoiceLines: ReadonlyMap<string, Stripe.InvoiceLineItem>
): CreditNote => {
  const total = money(note.total, note.currency, "total")
  const invoiceId = required(idOf(note.invoice), `an invoice on credit note ${note.id}`)
  const date = day(note.effective_at ?? note.created)
  const refunded = note.refunds.filter((r) => r.amount_refunded > 0)
  const left = note.total - note.pre_payment_amount - refunded.reduce((sum, r) => sum + r.amount_refunded, 0)
  return {
    id: note.id,
    number: text(note.number),
    date,
    status: note.status === "void" ? "void" : left > 0 ? "open" : "closed",
    contactId: required(idOf(note.customer), `a customer on credit note ${note.id}`),
    currency: currencyCode(note.currency),
    lines: lines.map((line) => noteLineFrom(line, invoiceLines, note.currency)),
    total,
    balance: money(Math.max(left, 0), note.currency, "total"),
    stamped: false,
    applications: note.pre_payment_amount > 0
      ? [{ documentKind: "invoice", documentId: invoiceId, amount: money(note.pre_payment_amount, note.currency, "pre_payment_amount") }]
      : [],
    ...(refunded.length === 0
      ? {}
      : { refunds: refunded.map((r, i) => ({ date, amount: money(r.amount_refunded, note.currency, `refunds.${i}.amount_refunded`), bankAccountId: null })) })
  }
}

/** Refund statuses that are not money returned. */
const FAILED: ReadonlySet<string> = new Set(["failed", "canceled"])

type LineTax = NonNullable<Stripe.InvoiceLineItem["taxes"]>[number]

/** A line's exclusive taxes by rate: what Alegra adds on top of the line's price. */
const exclusiveTaxes = (line: Stripe.InvoiceLineItem): ReadonlyArray<LineTax> =>
  (line.taxes ?? []).filter((t) => t.tax_behavior === "exclusive" && t.tax_rate_details !== null)

/** The rate of each tax, as Stripe applied it on the invoice (tax over taxable amount, 4 decimals of a percent). */
const ratesOf = (lines: ReadonlyArray<Stripe.InvoiceLineItem>): ReadonlyMap<string, number> => {
  const sums = new Map<string, { tax: number; taxable: number }>()
  for (const t of lines.flatMap(exclusiveTaxes)) {
    const id = t.tax_rate_details!.tax_rate
    const sum = sums.get(id) ?? { tax: 0, taxable: 0 }
    sums.set(id, { tax: sum.tax + t.amount, taxable: sum.taxable + (t.taxable_amount ?? 0) })
  }
  return new Map([...sums].map(([id, s]) => [id, s.taxable === 0 ? 0 : Math.round((s.tax / s.taxable) * 1e6) / 1e6]))
}

/**
 * The net amount (minor units) that, taxed at `rates` the way Alegra taxes a line (each tax
 * rounded to the unit), adds up to `gross` exactly; the nearest one when no net does.
 */
const netOf = (gross: number, rates: ReadonlyArray<number>): number => {
  const total = (net: number) => net + rates.reduce((sum, rate) => sum + Math.round(net * rate + 1e-9), 0)
  const guess = Math.round(gross / (1 + rates.reduce((a, b) => a + b, 0)))
  for (const delta of [0, -1, 1, -2, 2]) if (total(guess + delta) === gross) return guess + delta
  return guess
}

/**
 * A refund of an invoice's payment that no credit note covers: a credit note of the invoice's
 * customer whose amount is money returned (a paid invoice has no balance left to apply it to);
 * void when the refund failed or was canceled. A refund of the whole invoice credits its lines. A partial
 * refund credits one line per set of taxes on the invoice (a line without a product: the config's
 * default item), its share of the refund, priced so that with the same taxes the credit note's
 * total is the refunded amount to the unit: the taxes the invoice charged are credited back.
 */
export const refundNoteFrom = (
  refund: Stripe.Refund,
  invoice: Stripe.Invoice,
  invoiceLines: ReadonlyArray<Stripe.InvoiceLineItem>
): CreditNote => {
  const currency = refund.currency
  const amount = money(refund.amount, currency, "amount")
  const description = `Stripe refund ${refund.id}${refund.reason === null ? "" : ` (${refund.reason})`}`
  const lines = refund.amount === invoice.total && invoice.currency === currency
    ? invoiceLines.map((line) => lineFrom(line, currency))
    : partialLines(refund.amount, invoiceLines, currency, description)
  return {
    id: refund.id,
    number: null,
    date: day(refund.created),
    status: FAILED.has(refund.status ?? "") ? "void" : "closed",
    contactId: required(idOf(invoice.customer), `a customer on the invoice of ${refund.id}`),
    currency: currencyCode(currency),
    lines,
    total: amount,
    balance: ZERO,
    stamped: false,
    applications: [],
    refunds: [{ date: day(refund.created), amount, bankAccountId: null }]
  }
}

const partialLines = (refunded: number, invoiceLines: ReadonlyArray<Stripe.InvoiceLineItem>, currency: string, description: string): Array<Line> => {
  const rates = ratesOf(invoiceLines)
  // The invoice's gross amount per set of taxes, in the order the sets first appear.
  const groups = new Map<string, { taxIds: Array<string>; gross: number }>()
  for (const line of invoiceLines) {
    const taxIds = exclusiveTaxes(line).map((t) => t.tax_rate_details!.tax_rate).sort()
    const key = taxIds.join(",")
    const group = groups.get(key) ?? { taxIds, gross: 0 }
    group.gross += line.amount + exclusiveTaxes(line).reduce((sum, t) => sum + t.amount, 0)
    groups.set(key, group)
  }
  const sets = [...groups.values()].filter((g) => g.gross > 0)
  if (sets.length === 0) sets.push({ taxIds: [], gross: 1 })
  const whole = sets.reduce((sum, g) => sum + g.gross, 0)
  let left = refunded
  return sets.map((group, i): Line => {
    // Shares rounded to the unit; the last takes what is left, so the shares add up to the refund.
    const share = i === sets.length - 1 ? left : Math.round((refunded * group.gross) / whole)
    left -= share
    const net = netOf(share, group.taxIds.map((id) => rates.get(id) ?? 0))
    return {
      itemId: null,
      accountId: null,
      description,
      quantity: quantity(1, "quantity"),
      price: money(net, currency, "amount"),
      discount: ZERO,
      taxIds: group.taxIds,
      total: money(share, currency, "amount")
    }
  })
}
