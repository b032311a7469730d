/**
 * Invoices (`/v1/invoices`): create a draft, read, update, delete drafts, list, search, and page
 * through lines. State changes (finalize, pay, void, uncollectible, lines) are in invoice-actions.ts.
 *
 * Rules kept here: a draft is fully editable; an open invoice only in `auto_advance`, `description`,
 * `footer`, `metadata`, `custom_fields`, `default_payment_method` and `due_date`; a paid, void or
 * uncollectible one only in `metadata` (anything else: 400 invoice_not_editable). `send_invoice`
 * needs `due_date` (in the future) or `days_until_due`, which `charge_automatically` refuses.
 * `auto_advance` defaults to false (API-created one-off invoices) and, when true, the draft is
 * finalized automatically one hour after creation (`automatically_finalizes_at`).
 */
import type Stripe from "stripe"
import { type Account, type Call, existing, paramsOf, type Route } from "../api.js"
import { invalidParams, invalidRequest } from "../errors.js"
import type { Cause } from "../events.js"
import { newId } from "../ids.js"
import { inRange, readPage, readRange } from "../listing.js"
import { checkCurrency } from "../money.js"
import { applyMetadata, type MetadataChange, type Params } from "../params.js"
import type { Objects } from "../state.js"
import { clone } from "../wire.js"
import { commitUpdate, linesHandler, pageOf, retrieveHandler, searchHandler } from "./common.js"
import { deleteItem, syncLine } from "./invoice-items.js"
import { recompute } from "./invoice-totals.js"

type Invoice = Objects["invoice"]
type InvoiceFields = Stripe.InvoiceCreateParams & Stripe.InvoiceUpdateParams

export const AUTO_FINALIZE_DELAY_SECONDS = 3600
const DAY = 86_400

interface InvoicePatch {
  autoAdvance?: boolean
  collectionMethod?: "charge_automatically" | "send_invoice"
  daysUntilDue?: number
  dueDate?: number
  defaultTaxRates?: ReadonlyArray<string> | null
  description?: string
  footer?: string
  metadata?: MetadataChange
  number?: string | null
  statementDescriptor?: string
  customFields?: ReadonlyArray<{ name: string; value: string }> | null
  defaultPaymentMethod?: string
  automaticallyFinalizesAt?: number
}

/** Which fields may change in each status (draft: all). */
const EDITABLE_WHEN_OPEN: ReadonlyArray<keyof InvoicePatch> = ["autoAdvance", "description", "footer", "metadata", "customFields", "defaultPaymentMethod", "dueDate"]
const EDITABLE_WHEN_CLOSED: ReadonlyArray<keyof InvoicePatch> = ["metadata"]

const readPatch = (p: Params<InvoiceFields>): InvoicePatch => {
  const patch: InvoicePatch = {}
  const autoAdvance = p.boolean("auto_advance")
  if (autoAdvance !== undefined) patch.autoAdvance = autoAdvance
  const method = p.oneOf("collection_method", ["charge_automatically", "send_invoice"])
  if (typeof method === "string") patch.collectionMethod = method
  const days = p.integer("days_until_due", { min: 0, max: 3650 })
  if (typeof days === "number") patch.daysUntilDue = days
  const due = p.integer("due_date", { min: 0 })
  if (typeof due === "number") patch.dueDate = due
  const rates = p.strings("default_tax_rates", { unsettable: true, max: 10 })
  if (rates !== undefined) patch.defaultTaxRates = rates
  const description = p.string("description", { maxLength: 1500 })
  if (typeof description === "string") patch.description = description
  const footer = p.string("footer", { maxLength: 5000 })
  if (typeof footer === "string") patch.footer = footer
  const metadata = p.metadata("metadata")
  if (metadata !== undefined) patch.metadata = metadata
  const number = p.string("number", { unsettable: true, maxLength: 26 })
  if (number !== undefined) patch.number = number
  const descriptor = p.string("statement_descriptor", { maxLength: 22 })
  if (typeof descriptor === "string") patch.statementDescriptor = descriptor
  const fields = p.objects("custom_fields", { unsettable: true, max: 4 })
  if (fields !== undefined) {
    patch.customFields = fields === null ? null : fields.map((f) => ({ name: f.string("name", { required: true, maxLength: 40 })!, value: f.string("value", { required: true, maxLength: 140 })! }))
  }
  const pm = p.string("default_payment_method")
  if (typeof pm === "string") patch.defaultPaymentMethod = pm
  const finalizesAt = p.integer("automatically_finalizes_at", { min: 0 })
  if (typeof finalizesAt === "number") patch.automaticallyFinalizesAt = finalizesAt
  return patch
}

/** The customer's details as the invoice shows them (snapshotted again at finalization). */
export const snapshotCustomer = (account: Account, invoice: Invoice): void => {
  const customer = account.store.get("customer", invoice.customer as string)
  if (customer === undefined) return
  invoice.customer_address = customer.address ?? null
  invoice.customer_email = customer.email
  invoice.customer_name = customer.name ?? null
  invoice.customer_phone = customer.phone ?? null
  invoice.customer_shipping = customer.shipping
  invoice.customer_tax_exempt = customer.tax_exempt ?? "none"
  invoice.customer_tax_ids = account.store.all("tax_id").filter((t) => t.customer === customer.id).map((t) => ({ type: t.type, value: t.value }))
}

/** Applies a patch after checking it against the invoice's status and Stripe's field rules. */
const applyPatch = (account: Account, invoice: Invoice, patch: InvoicePatch): void => {
  const fields = (Object.keys(patch) as Array<keyof InvoicePatch>).filter((k) => patch[k] !== undefined)
  if (invoice.status !== "draft") {
    const allowed = invoice.status === "open" ? EDITABLE_WHEN_OPEN : EDITABLE_WHEN_CLOSED
    const refused = fields.filter((f) => !allowed.includes(f))
    if (refused.length > 0) {
      throw invalidRequest(
        `This invoice is ${invoice.status}: ${refused.join(", ")} can no longer change (finalized invoices keep their amounts, collection method and number).`,
        "invoice_not_editable"
      )
    }
  }
  const now = account.clock.nowSeconds()
  const method = patch.collectionMethod ?? invoice.collection_method
  if (method === "charge_automatically" && (patch.dueDate !== undefined || patch.daysUntilDue !== undefined)) {
    throw invalidRequest("due_date and days_until_due can only be set when collection_method is send_invoice.", undefined, patch.dueDate !== undefined ? "due_date" : "days_until_due")
  }
  if (patch.dueDate !== undefined && patch.daysUntilDue !== undefined) {
    throw invalidParams("You may only specify one of these parameters: days_until_due, due_date.", "due_date", "parameters_exclusive")
  }
  if (patch.dueDate !== undefined && patch.dueDate < now) throw invalidRequest("The due_date must be in the future.", undefined, "due_date")
  if (typeof patch.number === "string" && account.store.all("invoice").some((i) => i.number === patch.number && i.id !== invoice.id)) {
    throw invalidRequest(`Another invoice already has the number ${patch.number}.`, "resource_already_exists", "number")
  }
  const rates =
    patch.defaultTaxRates === undefined
      ? undefined
      : (patch.defaultTaxRates ?? []).map((id, i) => {
          const rate = existing(account, "tax_rate", id, `default_tax_rates[${i}]`)
          if (!rate.active) throw invalidRequest(`The tax rate ${id} is inactive.`, undefined, `default_tax_rates[${i}]`)
          return account.renderer.view("tax_rate", rate)
        })
  if (patch.defaultPaymentMethod !== undefined) account.cards.resolve(patch.defaultPaymentMethod, "default_payment_method")
  if (patch.collectionMethod !== undefined) invoice.collection_method = patch.collectionMethod
  if (invoice.collection_method === "charge_automatically") invoice.due_date = null
  if (patch.daysUntilDue !== undefined) invoice.due_date = invoice.created + patch.daysUntilDue * DAY
  if (patch.dueDate !== undefined) invoice.due_date = patch.dueDate
  if (invoice.collection_method === "send_invoice" && invoice.due_date === null) {
    throw invalidParams("Missing required param: days_until_due (or due_date) for send_invoice invoices.", "days_until_due", "parameter_missing")
  }
  if (patch.autoAdvance !== undefined) invoice.auto_advance = patch.autoAdvance
  if (invoice.status === "draft") {
    invoice.automatically_finalizes_at = invoice.auto_advance === true ? patch.automaticallyFinalizesAt ?? invoice.created + AUTO_FINALIZE_DELAY_SECONDS : null
  }
  if (rates !== undefined) invoice.default_tax_rates = rates
  if (patch.description !== undefined) invoice.description = patch.description
  if (patch.footer !== undefined) invoice.footer = patch.footer
  if (patch.number !== undefined) invoice.number = patch.number
  if (patch.statementDescriptor !== undefined) invoice.statement_descriptor = patch.statementDescriptor
  if (patch.customFields !== undefined) invoice.custom_fields = patch.customFields === null ? null : patch.customFields.map((f) => ({ ...f }))
  if (patch.defaultPaymentMethod !== undefined) invoice.default_payment_method = patch.defaultPaymentMethod
  invoice.metadata = applyMetadata(invoice.metadata ?? {}, patch.metadata)
  recompute(account.store, invoice)
}

export const newInvoice = (account: Account, customer: Objects["customer"], currency: string): Invoice => {
  const id = newId("invoice")
  const now = account.clock.nowSeconds()
  return {
    id,
    object: "invoice",
    account_country: account.settings.country,
    account_name: account.settings.name,
    account_tax_ids: null,
    amount_due: 0,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: false,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: "manual",
    collection_method: "charge_automatically",
    created: now,
    currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: null,
    customer_email: null,
    customer_name: null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: "none",
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: "list", data: [], has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: now,
    period_start: now,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: { amount_tax_display: null, pdf: { page_size: "auto" }, template: null, template_version: null },
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: "draft",
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: 0,
    subtotal_excluding_tax: 0,
    test_clock: null,
    total: 0,
    total_discount_amounts: [],
    total_excluding_tax: 0,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: now
  }
}

const create = (account: Account, call: Call): Invoice => {
  const p = paramsOf<InvoiceFields>(call)
  const patch = readPatch(p)
  const customerId = p.string("customer", { required: true })!
  const currencyRaw = p.string("currency")
  const pending = p.oneOf("pending_invoice_items_behavior", ["exclude", "include"]) ?? "exclude"
  p.done()
  const currency = typeof currencyRaw === "string" ? checkCurrency(currencyRaw, "currency") : undefined
  const customer = existing(account, "customer", customerId, "customer")
  const invoice = newInvoice(account, customer, currency ?? customer.currency ?? account.settings.defaultCurrency)
  snapshotCustomer(account, invoice)
  applyPatch(account, invoice, patch)
  if (customer.currency === null || customer.currency === undefined) {
    customer.currency = invoice.currency
    account.store.put("customer", customer)
  }
  account.store.put("invoice", invoice)
  account.events.emit("invoice.created", "invoice", invoice, call.cause)
  if (pending === "include") {
    for (const item of account.store.all("invoiceitem")) {
      if (item.customer !== customer.id || item.invoice !== null || item.currency !== invoice.currency) continue
      item.invoice = invoice.id
      account.store.put("invoiceitem", item)
      syncLine(account, invoice, item, call.cause)
    }
  }
  return account.renderer.view("invoice", invoice)
}

const update = (account: Account, call: Call): Invoice => {
  const invoice = existing(account, "invoice", call.path["id"]!)
  const p = paramsOf<InvoiceFields>(call)
  const patch = readPatch(p)
  p.done()
  const before = clone(invoice)
  const draft = clone(invoice)
  applyPatch(account, draft, patch)
  Object.assign(invoice, draft)
  return commitUpdate(account, call, "invoice", before, invoice, "invoice.updated")
}

/** Deletes a draft and its items. */
export const deleteDraft = (account: Account, invoice: Invoice, cause: Cause): void => {
  if (invoice.status !== "draft") {
    throw invalidRequest(`You can only delete draft invoices; ${invoice.id} is ${invoice.status}. Void it instead.`, "invoice_not_editable")
  }
  for (const item of account.store.all("invoiceitem").filter((i) => i.invoice === invoice.id)) deleteItem(account, item, cause)
  account.store.remove("invoice", invoice.id)
  account.events.emit("invoice.deleted", "invoice", invoice, cause)
}

const remove = (account: Account, call: Call): Stripe.DeletedInvoice => {
  paramsOf<Stripe.InvoiceDeleteParams>(call).done()
  const invoice = existing(account, "invoice", call.path["id"]!)
  deleteDraft(account, invoice, call.cause)
  return { id: invoice.id, object: "invoice", deleted: true }
}

const list = (account: Account, call: Call): Stripe.ApiList<Invoice> => {
  const p = paramsOf<Stripe.InvoiceListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const dueDate = readRange(p, "due_date")
  const customer = p.string("customer")
  const status = p.oneOf("status", ["draft", "open", "paid", "uncollectible", "void"])
  const method = p.oneOf("collection_method", ["charge_automatically", "send_invoice"])
  p.done()
  return pageOf(
    account,
    call,
    "invoice",
    page,
    (x) =>
      inRange(x.created, created) &&
      (dueDate === undefined || inRange(x.due_date, dueDate)) &&
      (customer === undefined || x.customer === customer) &&
      (status === undefined || status === null || x.status === status) &&
      (method === undefined || method === null || x.collection_method === method)
  )
}

export const invoiceRoutes: ReadonlyArray<Route> = [
  { method: "POST", pattern: "/v1/invoices", handler: create },
  { method: "GET", pattern: "/v1/invoices", handler: list },
  { method: "GET", pattern: "/v1/invoices/search", handler: searchHandler("invoice"), search: true },
  { method: "GET", pattern: "/v1/invoices/:id", handler: retrieveHandler("invoice") },
  { method: "POST", pattern: "/v1/invoices/:id", handler: update },
  { method: "DELETE", pattern: "/v1/invoices/:id", handler: remove },
  { method: "GET", pattern: "/v1/invoices/:id/lines", handler: linesHandler("invoice", "line_item") }
]
