/**
 * Credit notes (`/v1/credit_notes`), only on finalized invoices (open, paid or uncollectible).
 *
 * Lines credit an invoice line (by `quantity` at the line's unit amount, or by `amount`; never more
 * than is left of that line) or a custom amount (`unit_amount` × `quantity`); each carries the
 * taxes of its rates, computed like the invoice's. With no lines, `amount` alone credits that sum
 * as one custom line without tax. `total` = lines + exclusive taxes, and never more than the
 * invoice has left to credit.
 *
 * On an open invoice (pre_payment) the note lowers what is due, and an invoice left with nothing
 * due is paid. On a paid invoice (post_payment) the total must be split exactly into
 * `refund_amount` (a refund of the invoice's charge is made), linked `refunds`, `credit_amount`
 * (the customer's balance) and `out_of_band_amount`; with none of them the whole total goes to the
 * customer's balance. Voiding reverses the note's effect on the invoice and the balance; a note
 * that refunded money, or that settled its invoice, cannot be voided.
 */
import type Stripe from "stripe"
import { type Account, type Call, existing, paramsOf, type Route } from "../api.js"
import { invalidParams, invalidRequest } from "../errors.js"
import { newId } from "../ids.js"
import { inRange, readPage, readRange } from "../listing.js"
import { lineAmount, MAX_AMOUNT } from "../money.js"
import { applyMetadata } from "../params.js"
import type { Objects } from "../state.js"
import { clone, type Wire } from "../wire.js"
import { commitUpdate, linesHandler, pageOf, retrieveHandler } from "./common.js"
import { settleIfCovered } from "./invoice-actions.js"
import { type LineTax, ratesOfLine, taxesOf, wireTaxes } from "./invoice-totals.js"
import { refundCharge, unrefunded } from "./refunds.js"

type CreditNote = Objects["credit_note"]
type NoteLine = Wire<Stripe.CreditNoteLineItem>
type Invoice = Objects["invoice"]

interface LineInput {
  readonly type: "invoice_line_item" | "custom_line_item"
  readonly invoiceLineItem?: string
  readonly quantity?: number
  readonly amount?: number
  readonly unitAmountDecimal?: string
  readonly description?: string
  readonly taxRates?: ReadonlyArray<string>
  readonly metadata?: Record<string, string>
  readonly param: string
}

interface Planned {
  readonly line: NoteLine
  readonly taxes: Array<LineTax>
}

/** What earlier (unvoided) notes already credited, per invoice line: quantity and amount. */
const credited = (account: Account, invoiceId: string): Map<string, { quantity: number; amount: number }> => {
  const out = new Map<string, { quantity: number; amount: number }>()
  for (const note of account.store.all("credit_note")) {
    if (note.invoice !== invoiceId || note.status === "void") continue
    for (const l of note.lines.data) {
      if (l.invoice_line_item === undefined) continue
      const acc = out.get(l.invoice_line_item) ?? { quantity: 0, amount: 0 }
      acc.quantity += l.quantity ?? 0
      acc.amount += l.amount
      out.set(l.invoice_line_item, acc)
    }
  }
  return out
}

const planLine = (account: Account, invoice: Invoice, input: LineInput, done: Map<string, { quantity: number; amount: number }>): Planned => {
  const base = {
    id: newId("credit_note_line_item"),
    object: "credit_note_line_item" as const,
    discount_amount: 0,
    discount_amounts: [],
    livemode: false,
    metadata: input.metadata ?? null,
    pretax_credit_amounts: []
  }
  if (input.type === "invoice_line_item") {
    if (input.invoiceLineItem === undefined) throw invalidParams(`Missing required param: ${input.param}[invoice_line_item].`, `${input.param}[invoice_line_item]`, "parameter_missing")
    const line = invoice.lines.data.find((l) => l.id === input.invoiceLineItem)
    if (line === undefined) throw invalidRequest(`No such line_item on ${invoice.id}: '${input.invoiceLineItem}'`, "resource_missing", `${input.param}[invoice_line_item]`)
    if ((input.quantity === undefined) === (input.amount === undefined)) {
      throw invalidParams(`Pass exactly one of ${input.param}[quantity] and ${input.param}[amount] for an invoice line item.`, `${input.param}[quantity]`)
    }
    const already = done.get(line.id) ?? { quantity: 0, amount: 0 }
    let amount: number
    if (input.quantity !== undefined) {
      if (already.quantity + input.quantity > (line.quantity ?? 1)) {
        throw invalidRequest(`The quantity credited (${already.quantity + input.quantity}) would exceed the line's quantity (${line.quantity ?? 1}).`, undefined, `${input.param}[quantity]`)
      }
      amount = lineAmount(line.pricing?.unit_amount_decimal ?? String(line.amount), input.quantity)
    } else amount = input.amount!
    if (already.amount + amount > line.amount) {
      throw invalidRequest(`The amount credited (${already.amount + amount}) would exceed the line's amount (${line.amount}).`, undefined, `${input.param}[amount]`)
    }
    const rates = ratesOfLine(account.store, invoice, line)
    const taxes = taxesOf(amount, rates)
    return {
      taxes,
      line: {
        ...base,
        amount,
        description: input.description ?? line.description,
        invoice_line_item: line.id,
        quantity: input.quantity ?? null,
        tax_rates: rates.map((r) => account.renderer.view("tax_rate", r)),
        taxes: wireTaxes(taxes),
        type: "invoice_line_item",
        unit_amount: null,
        unit_amount_decimal: null
      }
    }
  }
  if (input.unitAmountDecimal === undefined) throw invalidParams(`Missing required param: ${input.param}[unit_amount].`, `${input.param}[unit_amount]`, "parameter_missing")
  const quantity = input.quantity ?? 1
  const amount = lineAmount(input.unitAmountDecimal, quantity)
  const rates = (input.taxRates ?? []).map((id, i) => existing(account, "tax_rate", id, `${input.param}[tax_rates][${i}]`))
  const taxes = taxesOf(amount, rates)
  const unitInteger = /^\d+$/.test(input.unitAmountDecimal) ? Number(input.unitAmountDecimal) : null
  return {
    taxes,
    line: {
      ...base,
      amount,
      description: input.description ?? null,
      quantity,
      tax_rates: rates.map((r) => account.renderer.view("tax_rate", r)),
      taxes: wireTaxes(taxes),
      type: "custom_line_item",
      unit_amount: unitInteger,
      unit_amount_decimal: input.unitAmountDecimal
    }
  }
}

const create = (account: Account, call: Call): CreditNote => {
  const p = paramsOf<Stripe.CreditNoteCreateParams>(call)
  const invoiceId = p.string("invoice", { required: true })!
  const linesParams = p.objects("lines", { max: 100 }) ?? []
  const inputs: Array<LineInput> = linesParams.map((l) => {
    const type = l.oneOf("type", ["invoice_line_item", "custom_line_item"], { required: true })!
    const invoiceLineItem = l.string("invoice_line_item") ?? undefined
    const quantity = l.integer("quantity", { min: 1, max: 999_999_999 }) ?? undefined
    const amount = l.integer("amount", { min: 1, max: MAX_AMOUNT }) ?? undefined
    const unitAmount = l.integer("unit_amount", { min: 0, max: MAX_AMOUNT }) ?? undefined
    const unitAmountDecimal = l.decimal("unit_amount_decimal", { min: 0 })
    const description = l.string("description") ?? undefined
    const taxRates = l.strings("tax_rates", { unsettable: true, max: 10 }) ?? undefined
    const metadata = applyMetadata({}, l.metadata("metadata"), l.name("metadata"))
    if (unitAmount !== undefined && unitAmountDecimal !== undefined) throw invalidParams("You may only specify one of these parameters: unit_amount, unit_amount_decimal.", l.name("unit_amount"), "parameters_exclusive")
    if (type === "invoice_line_item" && (unitAmount !== undefined || unitAmountDecimal !== undefined || taxRates !== undefined)) {
      throw invalidParams("unit_amount and tax_rates are for custom_line_item lines; an invoice_line_item line takes quantity or amount.", l.name("unit_amount"))
    }
    if (type === "custom_line_item" && (invoiceLineItem !== undefined || amount !== undefined)) {
      throw invalidParams("A custom_line_item line takes unit_amount and quantity, not invoice_line_item or amount.", l.name("amount"))
    }
    const unit = unitAmountDecimal ?? (unitAmount === undefined ? undefined : String(unitAmount))
    return {
      type,
      param: l.name("").replace(/\[\]$/, ""),
      ...(invoiceLineItem === undefined ? {} : { invoiceLineItem }),
      ...(quantity === undefined ? {} : { quantity }),
      ...(amount === undefined ? {} : { amount }),
      ...(unit === undefined ? {} : { unitAmountDecimal: unit }),
      ...(description === undefined ? {} : { description }),
      ...(taxRates === undefined ? {} : { taxRates }),
      metadata
    }
  })
  const amount = p.integer("amount", { min: 1, max: MAX_AMOUNT }) ?? undefined
  const refundAmount = p.integer("refund_amount", { min: 0, max: MAX_AMOUNT }) ?? undefined
  const creditAmount = p.integer("credit_amount", { min: 0, max: MAX_AMOUNT }) ?? undefined
  const outOfBand = p.integer("out_of_band_amount", { min: 0, max: MAX_AMOUNT }) ?? undefined
  const linked = (p.objects("refunds", { max: 50 }) ?? []).map((r) => ({
    refund: r.string("refund", { required: true })!,
    amount: r.integer("amount_refunded", { min: 1, max: MAX_AMOUNT }) ?? undefined,
    param: r.name("refund")
  }))
  const reason = p.oneOf("reason", ["duplicate", "fraudulent", "order_change", "product_unsatisfactory"]) ?? null
  const memo = p.string("memo", { maxLength: 5000 }) ?? null
  const metadata = applyMetadata({}, p.metadata("metadata"))
  p.oneOf("email_type", ["credit_note", "none"])
  p.done()
  if (inputs.length === 0 && amount === undefined) throw invalidParams("Pass lines, or an amount to credit.", "lines", "parameter_missing")

  const invoice = existing(account, "invoice", invoiceId, "invoice")
  if (invoice.status !== "open" && invoice.status !== "paid" && invoice.status !== "uncollectible") {
    throw invalidRequest(`Credit notes can only be issued on finalized invoices (open, paid or uncollectible); ${invoice.id} is ${invoice.status}.`, "invoice_unexpected_state", "invoice")
  }
  const done = credited(account, invoice.id)
  const plannedInputs: Array<LineInput> =
    inputs.length > 0 ? inputs : [{ type: "custom_line_item", unitAmountDecimal: String(amount), quantity: 1, description: "Credit", param: "amount" }]
  const planned: Array<Planned> = []
  for (const input of plannedInputs) {
    const plan = planLine(account, invoice, input, done)
    if (plan.line.invoice_line_item !== undefined) {
      const acc = done.get(plan.line.invoice_line_item) ?? { quantity: 0, amount: 0 }
      done.set(plan.line.invoice_line_item, { quantity: acc.quantity + (plan.line.quantity ?? 0), amount: acc.amount + plan.line.amount })
    }
    planned.push(plan)
  }
  const subtotal = planned.reduce((s, x) => s + x.line.amount, 0)
  const allTaxes = planned.flatMap((x) => x.taxes)
  const inclusive = allTaxes.filter((t) => t.rate.inclusive).reduce((s, t) => s + t.amount, 0)
  const exclusive = allTaxes.filter((t) => !t.rate.inclusive).reduce((s, t) => s + t.amount, 0)
  const total = subtotal + exclusive
  if (inputs.length > 0 && amount !== undefined && amount !== total) {
    throw invalidRequest(`The amount (${amount}) does not match the total of the lines (${total}).`, undefined, "amount")
  }
  const prePayment = invoice.status !== "paid"
  const creditable = prePayment ? invoice.amount_remaining : invoice.total - invoice.pre_payment_credit_notes_amount - invoice.post_payment_credit_notes_amount
  if (total > creditable) {
    throw invalidRequest(`The credit note's total (${total}) exceeds what can still be credited on ${invoice.id} (${creditable}).`, "credit_note_amount_too_large", "amount")
  }

  // How a post-payment note is settled: refund, linked refunds, customer balance, out of band.
  const payment = account.store.all("invoice_payment").find((x) => x.invoice === invoice.id && x.status === "paid")
  const pi = payment === undefined ? undefined : account.store.get("payment_intent", payment.payment.payment_intent as string)
  const charge = pi?.latest_charge === null || pi === undefined ? undefined : account.store.get("charge", pi.latest_charge as string)
  const links = linked.map((l) => {
    const refund = existing(account, "refund", l.refund, l.param)
    if (charge === undefined || refund.charge !== charge.id) throw invalidRequest(`The refund ${refund.id} is not a refund of this invoice's payment.`, undefined, l.param)
    return { refund, amount: l.amount ?? refund.amount }
  })
  let credit = creditAmount ?? 0
  if (prePayment) {
    if ((refundAmount ?? 0) + (creditAmount ?? 0) + (outOfBand ?? 0) > 0 || links.length > 0) {
      throw invalidRequest("refund_amount, credit_amount, out_of_band_amount and refunds apply to paid invoices; this note lowers what is due on an unpaid one.", undefined, "refund_amount")
    }
  } else {
    const given = refundAmount !== undefined || creditAmount !== undefined || outOfBand !== undefined || links.length > 0
    if (!given) credit = total
    const split = (refundAmount ?? 0) + links.reduce((s, l) => s + l.amount, 0) + credit + (outOfBand ?? 0)
    if (split !== total) {
      throw invalidRequest(
        `refund_amount + refunds + credit_amount + out_of_band_amount (${split}) must equal the credit note's total (${total}).`,
        undefined,
        "refund_amount"
      )
    }
    if ((refundAmount ?? 0) > 0) {
      if (charge === undefined) throw invalidRequest(`${invoice.id} was not paid through Stripe: there is no charge to refund. Use out_of_band_amount.`, undefined, "refund_amount")
      if (refundAmount! > unrefunded(charge)) {
        throw invalidRequest(`refund_amount (${refundAmount}) is greater than unrefunded amount on charge (${unrefunded(charge)}).`, "amount_too_large", "refund_amount")
      }
    }
  }

  const refunds: CreditNote["refunds"] = links.map((l) => ({ amount_refunded: l.amount, payment_record_refund: null, refund: l.refund.id, type: "refund" }))
  if (!prePayment && (refundAmount ?? 0) > 0) {
    const refund = refundCharge(account, charge!, refundAmount!, { reason: "requested_by_customer", param: "refund_amount" }, call.cause)
    refunds.push({ amount_refunded: refund.amount, payment_record_refund: null, refund: refund.id, type: "refund" })
  }
  const seq = account.store.all("credit_note").filter((n) => n.invoice === invoice.id).length + 1
  const now = account.clock.nowSeconds()
  const id = newId("credit_note")
  const perRate = new Map<string, LineTax>()
  for (const t of allTaxes) {
    const acc = perRate.get(t.rate.id)
    perRate.set(t.rate.id, acc === undefined ? { ...t } : { rate: t.rate, amount: acc.amount + t.amount, taxable: acc.taxable + t.taxable })
  }
  const note: CreditNote = {
    id,
    object: "credit_note",
    amount: total,
    amount_shipping: 0,
    created: now,
    currency: invoice.currency,
    customer: invoice.customer as string,
    customer_account: null,
    customer_balance_transaction: null,
    discount_amount: 0,
    discount_amounts: [],
    effective_at: now,
    invoice: invoice.id,
    lines: { object: "list", data: planned.map((x) => x.line), has_more: false, url: `/v1/credit_notes/${id}/lines` },
    livemode: false,
    memo,
    metadata,
    number: `${invoice.number ?? invoice.id}-CN-${String(seq).padStart(2, "0")}`,
    out_of_band_amount: prePayment ? null : outOfBand ?? null,
    pdf: `https://pay.stripe.com/credit_notes/acct_simulator/test_${id}/pdf`,
    post_payment_amount: prePayment ? 0 : total,
    pre_payment_amount: prePayment ? total : 0,
    pretax_credit_amounts: [],
    reason,
    refunds,
    shipping_cost: null,
    status: "issued",
    subtotal,
    subtotal_excluding_tax: subtotal - inclusive,
    total,
    total_excluding_tax: subtotal - inclusive,
    total_taxes: wireTaxes([...perRate.values()]),
    type: prePayment ? "pre_payment" : "post_payment",
    voided_at: null
  }
  account.store.put("credit_note", note)
  account.events.emit("credit_note.created", "credit_note", note, call.cause)
  if (credit > 0) moveBalance(account, invoice.customer as string, -credit, call)
  const before = clone(invoice)
  if (prePayment) invoice.pre_payment_credit_notes_amount += total
  else invoice.post_payment_credit_notes_amount += total
  settleIfCovered(account, invoice, before, call.cause)
  return account.renderer.view("credit_note", note)
}

/** Credits (negative) or debits the customer's balance, announcing customer.updated. */
const moveBalance = (account: Account, customerId: string, delta: number, call: Call): void => {
  const customer = account.store.get("customer", customerId)
  if (customer === undefined) return
  const before = clone(customer)
  customer.balance += delta
  account.store.put("customer", customer)
  account.events.emitUpdate("customer.updated", "customer", before, customer, call.cause)
}

const update = (account: Account, call: Call): CreditNote => {
  const note = existing(account, "credit_note", call.path["id"]!)
  const p = paramsOf<Stripe.CreditNoteUpdateParams>(call)
  const memo = p.string("memo", { maxLength: 5000 })
  const metadata = p.metadata("metadata")
  p.done()
  const before = clone(note)
  if (typeof memo === "string") note.memo = memo
  note.metadata = applyMetadata(note.metadata ?? {}, metadata)
  return commitUpdate(account, call, "credit_note", before, note, "credit_note.updated")
}

const voidNote = (account: Account, call: Call): CreditNote => {
  paramsOf<Stripe.CreditNoteVoidCreditNoteParams>(call).done()
  const note = existing(account, "credit_note", call.path["id"]!)
  if (note.status === "void") throw invalidRequest(`The credit note ${note.id} is already void.`, "credit_note_unexpected_state")
  const invoice = existing(account, "invoice", note.invoice as string)
  if (note.refunds.length > 0) throw invalidRequest(`The credit note ${note.id} refunded money and cannot be voided.`, "credit_note_unexpected_state")
  if (note.type === "pre_payment" && invoice.status !== "open" && invoice.status !== "uncollectible") {
    throw invalidRequest(`The credit note ${note.id} cannot be voided: its invoice is now ${invoice.status}.`, "credit_note_unexpected_state")
  }
  const before = clone(note)
  note.status = "void"
  note.voided_at = account.clock.nowSeconds()
  account.store.put("credit_note", note)
  account.events.emit("credit_note.voided", "credit_note", note, call.cause, { status: before.status, voided_at: before.voided_at })
  const credited = note.type === "post_payment" ? note.total - (note.out_of_band_amount ?? 0) : 0
  if (credited > 0) moveBalance(account, note.customer as string, credited, call)
  const invoiceBefore = clone(invoice)
  if (note.type === "pre_payment") invoice.pre_payment_credit_notes_amount -= note.total
  else invoice.post_payment_credit_notes_amount -= note.total
  settleIfCovered(account, invoice, invoiceBefore, call.cause)
  return account.renderer.view("credit_note", note)
}

const list = (account: Account, call: Call): Stripe.ApiList<CreditNote> => {
  const p = paramsOf<Stripe.CreditNoteListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const invoice = p.string("invoice")
  const customer = p.string("customer")
  p.done()
  return pageOf(
    account,
    call,
    "credit_note",
    page,
    (x) => inRange(x.created, created) && (invoice === undefined || x.invoice === invoice) && (customer === undefined || x.customer === customer)
  )
}

export const creditNoteRoutes: ReadonlyArray<Route> = [
  { method: "POST", pattern: "/v1/credit_notes", handler: create },
  { method: "GET", pattern: "/v1/credit_notes", handler: list },
  { method: "GET", pattern: "/v1/credit_notes/:id", handler: retrieveHandler("credit_note") },
  { method: "POST", pattern: "/v1/credit_notes/:id", handler: update },
  { method: "POST", pattern: "/v1/credit_notes/:id/void", handler: voidNote },
  { method: "GET", pattern: "/v1/credit_notes/:id/lines", handler: linesHandler("credit_note", "credit_note_line_item") }
]
