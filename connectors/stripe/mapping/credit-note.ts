/**
 * Stripe credit notes, and refunds no credit note covers, → canonical credit notes against
 * their invoice.
 */
import type Stripe from "stripe"
import { type CreditNote, type Line, ZERO } from "../../../schema/index.js"
import { currencyCode, day, idOf, money, quantity, required, text } from "./common.js"
import { taxRateIds } from "./invoice.js"

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
 * The credit note with all its lines, and the lines of its invoice it credits (by id). It is
 * applied in full to its invoice (before payment it lowers what is due; after, Stripe refunds it
 * or credits the customer's balance): closed, or void.
 */
export const creditNoteFrom = (
  note: Stripe.CreditNote,
  lines: ReadonlyArray<Stripe.CreditNoteLineItem>,
  invoiceLines: ReadonlyMap<string, Stripe.InvoiceLineItem>
): CreditNote => {
  const total = money(note.total, note.currency, "total")
  return {
    id: note.id,
    number: text(note.number),
    date: day(note.effective_at ?? note.created),
    status: note.status === "void" ? "void" : "closed",
    contactId: required(idOf(note.customer), `a customer on credit note ${note.id}`),
    currency: currencyCode(note.currency),
    lines: lines.map((line) => noteLineFrom(line, invoiceLines, note.currency)),
    total,
    balance: ZERO,
    stamped: false,
    applications: [{ documentKind: "invoice", documentId: required(idOf(note.invoice), `an invoice on credit note ${note.id}`), amount: total }]
  }
}

/** Refund statuses that are not money returned. */
const FAILED: ReadonlySet<string> = new Set(["failed", "canceled"])

/**
 * A refund of an invoice's payment that no credit note covers: one line of the refunded amount,
 * applied to that invoice; void when the refund failed or was canceled.
 */
export const refundNoteFrom = (refund: Stripe.Refund, invoiceId: string, customerId: string): CreditNote => {
  const amount = money(refund.amount, refund.currency, "amount")
  return {
    id: refund.id,
    number: null,
    date: day(refund.created),
    status: FAILED.has(refund.status ?? "") ? "void" : "closed",
    contactId: customerId,
    currency: currencyCode(refund.currency),
    lines: [{
      itemId: null,
      accountId: null,
      description: `Stripe refund ${refund.id}${refund.reason === null ? "" : ` (${refund.reason})`}`,
      quantity: quantity(1, "quantity"),
      price: amount,
      discount: ZERO,
      taxIds: [],
      total: amount
    }],
    total: amount,
    balance: ZERO,
    stamped: false,
    applications: [{ documentKind: "invoice", documentId: invoiceId, amount }]
  }
}
