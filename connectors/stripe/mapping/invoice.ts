/** A Stripe invoice and its lines → a canonical invoice. */
import type Stripe from "stripe"
import { type Invoice, type Line, ZERO } from "../../../schema/index.js"
import { currencyCode, day, idOf, money, quantity, required, text, Undecodable } from "./common.js"

/** Stripe's statuses: unpaid ones are open (uncollectible is still owed), paid is closed. */
const STATUSES: Readonly<Record<string, Invoice["status"]>> = {
  draft: "draft",
  open: "open",
  uncollectible: "open",
  paid: "closed",
  void: "void"
}

/** The line's exclusive taxes: what it adds to the invoice's total beyond its amount. */
const exclusiveTax = (taxes: ReadonlyArray<{ readonly amount: number; readonly tax_behavior: string }> | null): number =>
  (taxes ?? []).filter((t) => t.tax_behavior === "exclusive").reduce((sum, t) => sum + t.amount, 0)

/** The tax rates a line was taxed at. */
export const taxRateIds = (taxes: ReadonlyArray<{ readonly tax_rate_details: { readonly tax_rate: string } | null }> | null): Array<string> =>
  (taxes ?? []).flatMap((t) => (t.tax_rate_details === null ? [] : [t.tax_rate_details.tax_rate]))

/**
 * One invoice line: the product of its price, its quantity and unit amount (exact, in the
 * invoice's currency), and its total with the taxes it adds. A line without a unit amount is one
 * unit of its amount.
 */
export const lineFrom = (line: Stripe.InvoiceLineItem, currency: string): Line => {
  const unit = line.pricing?.unit_amount_decimal ?? null
  return {
    itemId: line.pricing?.price_details?.product ?? null,
    accountId: null,
    description: text(line.description),
    quantity: unit === null ? quantity(1, "quantity") : quantity(line.quantity_decimal ?? line.quantity ?? 1, `lines ${line.id}.quantity`),
    price: money(unit ?? line.amount, currency, `lines ${line.id}.unit_amount_decimal`),
    discount: ZERO,
    taxIds: taxRateIds(line.taxes),
    total: money(line.amount + exclusiveTax(line.taxes), currency, `lines ${line.id}.amount`)
  }
}

/**
 * The invoice with all its lines (the caller pages them when the embedded list has more). A
 * draft maps with status "draft" (the engine leaves drafts alone), dated by its creation; a
 * finalized invoice is dated by its finalization, as a UTC day.
 */
export const invoiceFrom = (invoice: Stripe.Invoice, lines: ReadonlyArray<Stripe.InvoiceLineItem>): Invoice => {
  const status = STATUSES[invoice.status ?? ""]
  if (status === undefined) throw new Undecodable(`invoice ${invoice.id}: unknown status ${JSON.stringify(invoice.status)}`)
  return {
    id: invoice.id,
    number: text(invoice.number),
    date: day(invoice.status_transitions.finalized_at ?? invoice.created),
    dueDate: invoice.due_date === null ? null : day(invoice.due_date),
    status,
    contactId: required(idOf(invoice.customer), `a customer on invoice ${invoice.id}`),
    currency: currencyCode(invoice.currency),
    lines: lines.map((line) => lineFrom(line, invoice.currency)),
    total: money(invoice.total, invoice.currency, "total"),
    balance: money(invoice.amount_remaining, invoice.currency, "amount_remaining"),
    stamped: false,
    observations: null
  }
}
