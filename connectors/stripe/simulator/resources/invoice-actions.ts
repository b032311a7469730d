/**
 * An invoice's state transitions and line actions.
 *
 *   draft ──finalize──▶ open ──pay──▶ paid
 *     │                  │  └─void──▶ void
 *     └─delete            └─mark_uncollectible──▶ uncollectible ──pay / void──▶ paid / void
 *
 * Finalizing assigns `number` (`<customer prefix>-0001`, the customer's sequence) unless one was
 * set, snapshots the customer, and marks an invoice with nothing due paid at once. Paying is by
 * card (`payment_method`, else the invoice's or the customer's default: a payment intent, a charge
 * and an invoice payment) or `paid_out_of_band` (no payment objects). A decline answers 402 and
 * leaves the invoice open with one more attempt counted; the next attempt reuses the intent.
 * Anything else (finalize twice, pay a draft, void a paid invoice, lines on a finalized invoice)
 * is a 400 naming the status.
 */
import type Stripe from "stripe"
import { type Account, type Call, existing, paramsOf, type Route } from "../api.js"
import { invalidParams, invalidRequest } from "../errors.js"
import type { Cause } from "../events.js"
import { newId } from "../ids.js"
import { checkChargeAmount } from "../money.js"
import { applyMetadata, type Params } from "../params.js"
import type { Objects } from "../state.js"
import { clone } from "../wire.js"
import { checkDraft, createItem, deleteItem, type ItemContext, prepareItem, readItem, syncLine } from "./invoice-items.js"
import { recompute } from "./invoice-totals.js"
import { snapshotCustomer } from "./invoices.js"
import { chargeCard } from "./payments.js"

type Invoice = Objects["invoice"]

const refuse = (invoice: Invoice, action: string): never => {
  throw invalidRequest(`You can't ${action} an invoice whose status is ${invoice.status} (${invoice.id}).`, "invoice_unexpected_state")
}

/** Marks an invoice paid (nothing left to pay) and records the events. */
const settle = (account: Account, invoice: Invoice, before: Invoice, cause: Cause, viaPayment: boolean): void => {
  invoice.status = "paid"
  invoice.status_transitions.paid_at = account.clock.nowSeconds()
  invoice.auto_advance = false
  invoice.next_payment_attempt = null
  recompute(account.store, invoice)
  account.store.put("invoice", invoice)
  account.events.emit("invoice.paid", "invoice", invoice, cause)
  if (viaPayment) account.events.emit("invoice.payment_succeeded", "invoice", invoice, cause)
  account.events.emitUpdate("invoice.updated", "invoice", before, invoice, cause)
}

export const finalize = (account: Account, invoice: Invoice, cause: Cause, autoAdvance?: boolean): void => {
  if (invoice.status !== "draft") {
    throw invalidRequest(`This invoice is already finalized, you can't re-finalize a non-draft invoice (${invoice.id} is ${invoice.status}).`, "invoice_unexpected_state")
  }
  const before = clone(invoice)
  const now = account.clock.nowSeconds()
  const customer = account.store.get("customer", invoice.customer as string)
  if (invoice.number === null && customer !== undefined) {
    const seq = customer.next_invoice_sequence ?? 1
    invoice.number = `${customer.invoice_prefix}-${String(seq).padStart(4, "0")}`
    customer.next_invoice_sequence = seq + 1
    account.store.put("customer", customer)
  }
  snapshotCustomer(account, invoice)
  invoice.status = "open"
  invoice.status_transitions.finalized_at = now
  invoice.effective_at ??= now
  invoice.automatically_finalizes_at = null
  if (autoAdvance !== undefined) invoice.auto_advance = autoAdvance
  invoice.hosted_invoice_url = `https://invoice.stripe.com/i/acct_simulator/test_${invoice.id}`
  invoice.invoice_pdf = `https://pay.stripe.com/invoice/acct_simulator/test_${invoice.id}/pdf`
  recompute(account.store, invoice)
  account.store.put("invoice", invoice)
  account.events.emit("invoice.finalized", "invoice", invoice, cause)
  if (invoice.amount_due === 0) settle(account, invoice, before, cause, false)
  else account.events.emitUpdate("invoice.updated", "invoice", before, invoice, cause)
}

/** Drafts whose one hour has passed are finalized, as Stripe's automatic advancement does. */
export const finalizeDue = (account: Account, cause: Cause): void => {
  const now = account.clock.nowSeconds()
  for (const invoice of account.store.all("invoice")) {
    const at = invoice.automatically_finalizes_at
    if (invoice.status === "draft" && invoice.auto_advance === true && at !== null && at <= now) finalize(account, invoice, cause)
  }
}

/** When credit notes leave nothing to pay on an open invoice, it is paid. */
export const settleIfCovered = (account: Account, invoice: Invoice, before: Invoice, cause: Cause): void => {
  recompute(account.store, invoice)
  if ((invoice.status === "open" || invoice.status === "uncollectible") && invoice.amount_remaining === 0) settle(account, invoice, before, cause, false)
  else {
    account.store.put("invoice", invoice)
    account.events.emitUpdate("invoice.updated", "invoice", before, invoice, cause)
  }
}

const invoiceOf = (account: Account, call: Call): Invoice => existing(account, "invoice", call.path["id"]!)

const finalizeRoute = (account: Account, call: Call): Invoice => {
  const p = paramsOf<Stripe.InvoiceFinalizeInvoiceParams>(call)
  const autoAdvance = p.boolean("auto_advance")
  p.done()
  const invoice = invoiceOf(account, call)
  finalize(account, invoice, call.cause, autoAdvance)
  return account.renderer.view("invoice", invoice)
}

const pay = (account: Account, call: Call): Invoice => {
  const p = paramsOf<Stripe.InvoicePayParams>(call)
  const outOfBand = p.boolean("paid_out_of_band") ?? false
  const paymentMethod = p.string("payment_method")
  p.done()
  if (outOfBand && typeof paymentMethod === "string") {
    throw invalidParams("You may only specify one of these parameters: paid_out_of_band, payment_method.", "paid_out_of_band", "parameters_exclusive")
  }
  const invoice = invoiceOf(account, call)
  if (invoice.status === "paid") throw invalidRequest(`Invoice is already paid (${invoice.id}).`, "invoice_unexpected_state")
  if (invoice.status !== "open" && invoice.status !== "uncollectible") refuse(invoice, "pay")
  const before = clone(invoice)
  if (outOfBand) {
    invoice.amount_paid += invoice.amount_remaining
    settle(account, invoice, before, call.cause, false)
    return account.renderer.view("invoice", invoice)
  }
  const customer = existing(account, "customer", invoice.customer as string)
  const pmId = paymentMethod ?? invoice.default_payment_method ?? customer.invoice_settings.default_payment_method
  if (pmId === null || pmId === undefined) {
    throw invalidRequest(
      "This customer has no attached payment source or default payment method. Pass payment_method (for example pm_card_visa) or pay out of band.",
      "invoice_no_payment_method"
    )
  }
  const method = account.cards.resolve(pmId as string, "payment_method")
  const amount = invoice.amount_remaining
  checkChargeAmount(amount, invoice.currency, "amount")
  const existingPayment = account.store.all("invoice_payment").find((x) => x.invoice === invoice.id && x.status === "open")
  const reuse = existingPayment === undefined ? undefined : account.store.get("payment_intent", existingPayment.payment.payment_intent as string)
  const outcome = chargeCard(
    account,
    { customer, amount, currency: invoice.currency, description: `Payment for Invoice ${invoice.number ?? invoice.id}`, paymentMethod: method },
    call.cause,
    reuse
  )
  const now = account.clock.nowSeconds()
  const payment: Objects["invoice_payment"] = existingPayment ?? {
    id: newId("invoice_payment"),
    object: "invoice_payment",
    amount_paid: null,
    amount_requested: amount,
    created: now,
    currency: invoice.currency,
    invoice: invoice.id,
    is_default: true,
    livemode: false,
    payment: { payment_intent: outcome.paymentIntent.id, type: "payment_intent" },
    status: "open",
    status_transitions: { canceled_at: null, paid_at: null }
  }
  invoice.attempt_count += 1
  invoice.attempted = true
  if (outcome.decline !== undefined) {
    account.store.put("invoice_payment", payment)
    account.store.put("invoice", invoice)
    account.events.emit("invoice.payment_failed", "invoice", invoice, call.cause)
    account.events.emitUpdate("invoice.updated", "invoice", before, invoice, call.cause)
    throw outcome.decline
  }
  payment.status = "paid"
  payment.amount_paid = amount
  payment.status_transitions.paid_at = now
  account.store.put("invoice_payment", payment)
  account.events.emit("invoice_payment.paid", "invoice_payment", payment, call.cause)
  invoice.amount_paid += amount
  settle(account, invoice, before, call.cause, true)
  return account.renderer.view("invoice", invoice)
}

/** void and mark_uncollectible: a status, its time stamp, and the specific event beside invoice.updated. */
const close = (
  account: Account,
  call: Call,
  to: { readonly status: "void" | "uncollectible"; readonly from: ReadonlyArray<string>; readonly stamp: "voided_at" | "marked_uncollectible_at"; readonly event: string; readonly verb: string }
): Invoice => {
  paramsOf<Stripe.InvoiceVoidInvoiceParams>(call).done()
  const invoice = invoiceOf(account, call)
  if (!to.from.includes(invoice.status ?? "")) refuse(invoice, to.verb)
  const before = clone(invoice)
  invoice.status = to.status
  invoice.status_transitions[to.stamp] = account.clock.nowSeconds()
  invoice.auto_advance = false
  invoice.next_payment_attempt = null
  recompute(account.store, invoice)
  account.store.put("invoice", invoice)
  account.events.emit(to.event, "invoice", invoice, call.cause)
  account.events.emitUpdate("invoice.updated", "invoice", before, invoice, call.cause)
  return account.renderer.view("invoice", invoice)
}

const voidInvoice = (account: Account, call: Call): Invoice =>
  close(account, call, { status: "void", from: ["open", "uncollectible"], stamp: "voided_at", event: "invoice.voided", verb: "void" })

const markUncollectible = (account: Account, call: Call): Invoice =>
  close(account, call, { status: "uncollectible", from: ["open"], stamp: "marked_uncollectible_at", event: "invoice.marked_uncollectible", verb: "mark as uncollectible" })

const send = (account: Account, call: Call): Invoice => {
  paramsOf<Stripe.InvoiceSendInvoiceParams>(call).done()
  const invoice = invoiceOf(account, call)
  if (invoice.collection_method !== "send_invoice") throw invalidRequest("Only send_invoice invoices can be sent.", "invoice_unexpected_state")
  if (invoice.status === "draft") finalize(account, invoice, call.cause)
  if (invoice.status !== "open") refuse(invoice, "send")
  account.events.emit("invoice.sent", "invoice", invoice, call.cause)
  return account.renderer.view("invoice", invoice)
}

/** `invoice_metadata` of the line actions: the invoice's metadata changes with them. */
const readInvoiceMetadata = (p: Params<{ invoice_metadata?: Stripe.Emptyable<Record<string, string>> }>) => p.metadata("invoice_metadata")

const addLines = (account: Account, call: Call): Invoice => {
  const p = paramsOf<Stripe.InvoiceAddLinesParams>(call)
  const lines = p.objects("lines", { required: true, max: 50 })!
  const inputs = lines.map((line) => ({ input: readItem(line), attach: line.string("invoice_item") ?? undefined, param: (k: string) => line.name(k) }))
  const metadata = readInvoiceMetadata(p)
  p.done()
  if (lines.length === 0) throw invalidParams("lines must name at least one line.", "lines")
  const invoice = invoiceOf(account, call)
  checkDraft(invoice, "add lines")
  // Every line is checked before any is added: a bad line changes nothing.
  const planned = inputs.map(({ input, attach, param }) => {
    const ctx: ItemContext = { customer: invoice.customer as string, invoice, param }
    if (attach === undefined) return { kind: "new" as const, ctx, prepared: prepareItem(account, input, ctx) }
    const item = existing(account, "invoiceitem", attach, param("invoice_item"))
    if (item.invoice !== null || item.customer !== invoice.customer || item.currency !== invoice.currency) {
      throw invalidRequest(`The invoice item ${item.id} is not a pending item of this invoice's customer and currency.`, undefined, param("invoice_item"))
    }
    return { kind: "attach" as const, item }
  })
  const before = clone(invoice)
  for (const step of planned) {
    if (step.kind === "new") createItem(account, step.prepared, step.ctx, call.cause)
    else {
      step.item.invoice = invoice.id
      account.store.put("invoiceitem", step.item)
      syncLine(account, invoice, step.item, call.cause)
    }
  }
  if (metadata !== undefined) {
    invoice.metadata = applyMetadata(invoice.metadata ?? {}, metadata, "invoice_metadata")
    account.store.put("invoice", invoice)
    account.events.emitUpdate("invoice.updated", "invoice", before, invoice, call.cause)
  }
  return account.renderer.view("invoice", invoice)
}

const removeLines = (account: Account, call: Call): Invoice => {
  const p = paramsOf<Stripe.InvoiceRemoveLinesParams>(call)
  const lines = p.objects("lines", { required: true, max: 50 })!
  const inputs = lines.map((line) => ({ id: line.string("id", { required: true })!, behavior: line.oneOf("behavior", ["delete", "unassign"], { required: true })!, param: line.name("id") }))
  const metadata = readInvoiceMetadata(p)
  p.done()
  const invoice = invoiceOf(account, call)
  checkDraft(invoice, "remove lines")
  const items = inputs.map(({ id, behavior, param }) => {
    const line = invoice.lines.data.find((l) => l.id === id)
    if (line === undefined) throw invalidRequest(`No such line_item on ${invoice.id}: '${id}'`, "resource_missing", param)
    const item = existing(account, "invoiceitem", line.parent!.invoice_item_details!.invoice_item)
    return { item, behavior }
  })
  const before = clone(invoice)
  for (const { item, behavior } of items) {
    if (behavior === "delete") deleteItem(account, item, call.cause)
    else {
      item.invoice = null
      account.store.put("invoiceitem", item)
      syncLine(account, invoice, item, call.cause)
    }
  }
  if (metadata !== undefined) {
    invoice.metadata = applyMetadata(invoice.metadata ?? {}, metadata, "invoice_metadata")
    account.store.put("invoice", invoice)
    account.events.emitUpdate("invoice.updated", "invoice", before, invoice, call.cause)
  }
  return account.renderer.view("invoice", invoice)
}

export const invoiceActionRoutes: ReadonlyArray<Route> = [
  { method: "POST", pattern: "/v1/invoices/:id/finalize", handler: finalizeRoute },
  { method: "POST", pattern: "/v1/invoices/:id/pay", handler: pay },
  { method: "POST", pattern: "/v1/invoices/:id/void", handler: voidInvoice },
  { method: "POST", pattern: "/v1/invoices/:id/mark_uncollectible", handler: markUncollectible },
  { method: "POST", pattern: "/v1/invoices/:id/send", handler: send },
  { method: "POST", pattern: "/v1/invoices/:id/add_lines", handler: addLines },
  { method: "POST", pattern: "/v1/invoices/:id/remove_lines", handler: removeLines }
]
