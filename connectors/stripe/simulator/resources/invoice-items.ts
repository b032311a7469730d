/**
 * Invoice items (`/v1/invoiceitems`) and the invoice lines they become.
 *
 * An item is priced by exactly one of `amount` (the line total, quantity 1; may be negative),
 * `pricing[price]` (an active one-time price), `price_data` (an inline price) or
 * `unit_amount_decimal`; its amount is round(unit × quantity), exact. An item on an invoice is one
 * line of it (`il_…`, `parent.invoice_item_details.invoice_item`); only items that are pending or
 * on a draft invoice can change, and their currency and customer must be the invoice's.
 */
import type Stripe from "stripe"
import { type Account, type Call, existing, paramsOf, type Route } from "../api.js"
import { invalidParams, invalidRequest } from "../errors.js"
import type { Cause } from "../events.js"
import { newId } from "../ids.js"
import { inRange, readPage, readRange } from "../listing.js"
import { checkCurrency, lineAmount, MAX_AMOUNT } from "../money.js"
import { applyMetadata, type MetadataChange, type Params } from "../params.js"
import type { Objects } from "../state.js"
import { clone, type Wire } from "../wire.js"
import { type AmountFields, makeInlinePrice, readAmount } from "./catalog.js"
import { pageOf, retrieveHandler } from "./common.js"
import { recompute } from "./invoice-totals.js"

type Item = Objects["invoiceitem"]
type Invoice = Objects["invoice"]
type Line = Wire<Stripe.InvoiceLineItem>

/** The fields an invoice item and an `add_lines` line share. */
type ItemFields = Stripe.InvoiceItemCreateParams & Stripe.InvoiceItemUpdateParams & Stripe.InvoiceAddLinesParams.Line

export interface ItemInput {
  readonly amount?: number
  readonly price?: string
  readonly priceData?: ReturnType<typeof readAmount> & { readonly product: string }
  readonly unitAmountDecimal?: string
  readonly quantity?: string
  readonly description?: string | null
  readonly discountable?: boolean
  readonly metadata?: MetadataChange
  readonly period?: { readonly start: number; readonly end: number }
  readonly taxRates?: ReadonlyArray<string> | null
}

export const readItem = (p: Params<ItemFields>): ItemInput => {
  const amount = p.integer("amount", { min: -MAX_AMOUNT, max: MAX_AMOUNT })
  const pricing = p.object("pricing")
  const price = pricing?.string("price") ?? undefined
  const priceDataParams = p.object("price_data")
  const priceData =
    priceDataParams === undefined || priceDataParams === null
      ? undefined
      : { ...readAmount(priceDataParams as unknown as Params<AmountFields>), product: priceDataParams.string("product", { required: true })! }
  const unitAmountDecimal = p.decimal("unit_amount_decimal")
  const quantity = p.integer("quantity", { min: 0, max: 999_999_999 })
  const quantityDecimal = p.decimal("quantity_decimal", { min: 0 })
  if (typeof quantity === "number" && quantityDecimal !== undefined) {
    throw invalidParams("You may only specify one of these parameters: quantity, quantity_decimal.", p.name("quantity_decimal"), "parameters_exclusive")
  }
  const given = [amount !== undefined && amount !== null, price !== undefined && price !== null, priceData !== undefined, unitAmountDecimal !== undefined]
  if (given.filter(Boolean).length > 1) {
    throw invalidParams("You may only specify one of these parameters: amount, price_data, pricing[price], unit_amount_decimal.", p.name("amount"), "parameters_exclusive")
  }
  const q = typeof quantity === "number" ? String(quantity) : quantityDecimal
  if (typeof amount === "number" && q !== undefined && Number(q) !== 1) {
    throw invalidParams("amount is the line's total: it cannot be combined with a quantity other than 1 (use unit_amount_decimal or a price).", p.name("quantity"), "parameters_exclusive")
  }
  const description = p.string("description", { maxLength: 5000 })
  const discountable = p.boolean("discountable")
  const metadata = p.metadata("metadata")
  const periodParams = p.object("period")
  const period =
    periodParams === undefined || periodParams === null
      ? undefined
      : { start: periodParams.integer("start", { required: true })!, end: periodParams.integer("end", { required: true })! }
  if (period !== undefined && period.end < period.start) throw invalidParams("The period's end must not be before its start.", p.name("period"))
  const taxRates = p.strings("tax_rates", { unsettable: true, max: 10 })
  return {
    ...(typeof amount === "number" ? { amount } : {}),
    ...(typeof price === "string" ? { price } : {}),
    ...(priceData === undefined ? {} : { priceData }),
    ...(unitAmountDecimal === undefined ? {} : { unitAmountDecimal }),
    ...(q === undefined ? {} : { quantity: q }),
    ...(description === undefined ? {} : { description }),
    ...(discountable === undefined ? {} : { discountable }),
    ...(metadata === undefined ? {} : { metadata }),
    ...(period === undefined ? {} : { period }),
    ...(taxRates === undefined ? {} : { taxRates })
  }
}

const taxRatesOf = (account: Account, ids: ReadonlyArray<string>, param: string): Array<Objects["tax_rate"]> =>
  ids.map((id, i) => {
    const rate = existing(account, "tax_rate", id, `${param}[${i}]`)
    if (!rate.active) throw invalidRequest(`The tax rate ${id} is inactive and cannot be applied.`, undefined, `${param}[${i}]`)
    return account.renderer.view("tax_rate", rate)
  })

interface Pricing {
  readonly currency: string
  readonly unit: string | null
  readonly price: Objects["price"] | null
}

/** Where the item's money comes from; validates the price it names. */
const pricingOf = (account: Account, input: ItemInput, fallbackCurrency: string | undefined, param: (k: string) => string): Pricing => {
  if (input.price !== undefined) {
    const price = existing(account, "price", input.price, param("pricing[price]"))
    if (!price.active) throw invalidRequest(`The price specified (${price.id}) is inactive. This field only accepts active prices.`, undefined, param("pricing[price]"))
    if (price.type !== "one_time") throw invalidRequest(`The price specified (${price.id}) is set to type=recurring but this field only accepts prices with type=one_time.`, undefined, param("pricing[price]"))
    return { currency: price.currency, unit: price.unit_amount_decimal, price }
  }
  if (input.priceData !== undefined) {
    existing(account, "product", input.priceData.product, param("price_data[product]"))
    return { currency: input.priceData.currency, unit: input.priceData.unitAmountDecimal, price: null }
  }
  if (fallbackCurrency === undefined) throw invalidParams(`Missing required param: ${param("currency")}.`, param("currency"), "parameter_missing")
  if (input.unitAmountDecimal !== undefined) return { currency: fallbackCurrency, unit: input.unitAmountDecimal, price: null }
  if (input.amount !== undefined) return { currency: fallbackCurrency, unit: null, price: null }
  throw invalidParams(`You must specify one of these parameters: ${param("amount")}, ${param("pricing[price]")}, ${param("price_data")}, ${param("unit_amount_decimal")}.`, param("amount"), "parameter_missing")
}

const productName = (account: Account, productId: string | undefined): string | null =>
  productId === undefined ? null : account.store.get("product", productId)?.name ?? null

export const lineOf = (item: Item, invoiceId: string, lineId: string): Line => ({
  id: lineId,
  object: "line_item",
  amount: item.amount,
  currency: item.currency,
  description: item.description,
  discount_amounts: [],
  discountable: item.discountable,
  discounts: [],
  invoice: invoiceId,
  livemode: false,
  metadata: { ...(item.metadata ?? {}) },
  parent: {
    invoice_item_details: { invoice_item: item.id, proration: false, proration_details: { credited_items: null }, subscription: null },
    subscription_item_details: null,
    type: "invoice_item_details"
  },
  period: { ...item.period },
  pretax_credit_amounts: [],
  pricing: clone(item.pricing),
  quantity: item.quantity,
  quantity_decimal: item.quantity_decimal,
  subscription: null,
  subtotal: item.amount,
  taxes: []
})

export const checkDraft = (invoice: Invoice, what: string): void => {
  if (invoice.status !== "draft") {
    throw invalidRequest(`You can only ${what} on a draft invoice; ${invoice.id} is ${invoice.status}.`, "invoice_not_editable", "invoice")
  }
}

/** Puts an item's line on its invoice (replacing the old one), recomputes it and announces the change. */
export const syncLine = (account: Account, invoice: Invoice, item: Item, cause: Cause): void => {
  const before = clone(invoice)
  const lines = invoice.lines.data
  const at = lines.findIndex((l) => l.parent?.invoice_item_details?.invoice_item === item.id)
  if (item.invoice !== invoice.id) {
    if (at >= 0) lines.splice(at, 1)
  } else if (at >= 0) lines[at] = lineOf(item, invoice.id, lines[at]!.id)
  else lines.push(lineOf(item, invoice.id, newId("line_item")))
  recompute(account.store, invoice)
  account.store.put("invoice", invoice)
  account.events.emitUpdate("invoice.updated", "invoice", before, invoice, cause)
}

export interface ItemContext {
  readonly customer: string
  readonly invoice: Invoice | null
  readonly currency?: string
  /** Names of parameters in errors: `lines[0][amount]` for add_lines. */
  readonly param: (key: string) => string
}

export interface PreparedItem {
  readonly input: ItemInput
  readonly pricing: Pricing
  readonly taxRates: Array<Objects["tax_rate"]>
}

/** Checks an item against its prices, tax rates and invoice, changing nothing. */
export const prepareItem = (account: Account, input: ItemInput, ctx: ItemContext): PreparedItem => {
  const pricing = pricingOf(account, input, ctx.currency ?? ctx.invoice?.currency, ctx.param)
  if (ctx.currency !== undefined && pricing.currency !== ctx.currency) {
    throw invalidParams(`The price's currency (${pricing.currency}) differs from currency (${ctx.currency}).`, ctx.param("currency"))
  }
  if (ctx.invoice !== null) {
    checkDraft(ctx.invoice, "add invoice items")
    if (pricing.currency !== ctx.invoice.currency) {
      throw invalidRequest(`The invoice item's currency (${pricing.currency}) must match the invoice's currency (${ctx.invoice.currency}).`, undefined, ctx.param("currency"))
    }
  }
  const taxRates = input.taxRates === undefined || input.taxRates === null ? [] : taxRatesOf(account, input.taxRates, ctx.param("tax_rates"))
  return { input, pricing, taxRates }
}

/** The money fields of an item: amount = round(unit × quantity) exactly, or the `amount` given; an inline price for `price_data`. */
const pricedFields = (account: Account, pricing: Pricing, input: ItemInput, quantity: string): Pick<Item, "amount" | "net_amount" | "pricing" | "quantity" | "quantity_decimal"> => {
  const inline = input.priceData === undefined ? null : makeInlinePrice(account, input.priceData)
  const price = pricing.price ?? inline
  const amount = pricing.unit === null ? input.amount! : lineAmount(pricing.unit, quantity)
  return {
    amount,
    net_amount: amount,
    pricing: {
      ...(price === null ? {} : { price_details: { price: price.id, product: price.product as string } }),
      type: "price_details",
      unit_amount_decimal: pricing.unit ?? String(amount)
    },
    quantity: Math.round(Number(quantity)),
    quantity_decimal: quantity
  }
}

/** Creates a prepared item (and its line when it goes on an invoice). */
export const createItem = (account: Account, prepared: PreparedItem, ctx: ItemContext, cause: Cause): Item => {
  const { input, pricing, taxRates } = prepared
  const money = pricedFields(account, pricing, input, input.quantity ?? "1")
  const now = account.clock.nowSeconds()
  const productId = money.pricing?.price_details?.product
  const item: Item = {
    id: newId("invoiceitem"),
    object: "invoiceitem",
    ...money,
    currency: pricing.currency,
    customer: ctx.customer,
    customer_account: null,
    date: now,
    description: input.description ?? productName(account, productId) ?? null,
    discountable: input.discountable ?? true,
    discounts: [],
    invoice: ctx.invoice?.id ?? null,
    livemode: false,
    metadata: applyMetadata({}, input.metadata, ctx.param("metadata")),
    parent: null,
    period: input.period === undefined ? { start: now, end: now } : { ...input.period },
    proration: false,
    tax_rates: taxRates,
    test_clock: null
  }
  account.store.put("invoiceitem", item)
  account.events.emit("invoiceitem.created", "invoiceitem", item, cause)
  if (ctx.invoice !== null) syncLine(account, ctx.invoice, item, cause)
  return item
}

const invoiceOfItem = (account: Account, item: Item): Invoice | null => (item.invoice === null ? null : account.store.get("invoice", item.invoice as string) ?? null)

const create = (account: Account, call: Call): Item => {
  const p = paramsOf<ItemFields>(call)
  const input = readItem(p)
  const customerId = p.string("customer", { required: true })!
  const invoiceId = p.string("invoice") ?? undefined
  const currencyRaw = p.string("currency")
  p.done()
  const currency = typeof currencyRaw === "string" ? checkCurrency(currencyRaw, "currency") : undefined
  existing(account, "customer", customerId, "customer")
  const invoice = invoiceId === undefined ? null : existing(account, "invoice", invoiceId, "invoice")
  if (invoice !== null && invoice.customer !== customerId) {
    throw invalidRequest(`The invoice ${invoice.id} belongs to another customer.`, undefined, "invoice")
  }
  const ctx: ItemContext = { customer: customerId, invoice, ...(currency === undefined ? {} : { currency }), param: (k) => k }
  const item = createItem(account, prepareItem(account, input, ctx), ctx, call.cause)
  return account.renderer.view("invoiceitem", item)
}

const editable = (account: Account, item: Item): Invoice | null => {
  const invoice = invoiceOfItem(account, item)
  if (invoice !== null && invoice.status !== "draft") {
    throw invalidRequest(`The invoice item ${item.id} is on a finalized invoice (${invoice.id}) and can no longer change.`, "invoice_not_editable")
  }
  return invoice
}

const update = (account: Account, call: Call): Item => {
  const item = existing(account, "invoiceitem", call.path["id"]!)
  const p = paramsOf<ItemFields>(call)
  const input = readItem(p)
  p.done()
  const invoice = editable(account, item)
  const repriced = input.amount !== undefined || input.price !== undefined || input.priceData !== undefined || input.unitAmountDecimal !== undefined
  if (repriced || input.quantity !== undefined) {
    const keep: ItemInput = repriced
      ? input
      : { ...input, ...(item.pricing?.price_details !== undefined ? { price: item.pricing.price_details.price as string } : { unitAmountDecimal: item.pricing?.unit_amount_decimal ?? String(item.amount) }) }
    const pricing = pricingOf(account, keep, item.currency, (k) => k)
    if (pricing.currency !== item.currency) throw invalidRequest(`The invoice item's currency (${item.currency}) cannot change.`, undefined, "currency")
    Object.assign(item, pricedFields(account, pricing, keep, input.quantity ?? item.quantity_decimal))
  }
  if (input.description !== undefined) item.description = input.description
  if (input.discountable !== undefined) item.discountable = input.discountable
  if (input.period !== undefined) item.period = { ...input.period }
  if (input.taxRates !== undefined) item.tax_rates = input.taxRates === null ? [] : taxRatesOf(account, input.taxRates, "tax_rates")
  item.metadata = applyMetadata(item.metadata ?? {}, input.metadata)
  account.store.put("invoiceitem", item)
  // Stripe has no invoiceitem.updated event: the invoice's invoice.updated tells the change.
  if (invoice !== null) syncLine(account, invoice, item, call.cause)
  return account.renderer.view("invoiceitem", item)
}

/** Deletes an item and takes its line off its (draft) invoice. */
export const deleteItem = (account: Account, item: Item, cause: Cause): void => {
  const invoice = editable(account, item)
  account.store.remove("invoiceitem", item.id)
  item.invoice = null
  if (invoice !== null) syncLine(account, invoice, item, cause)
  account.events.emit("invoiceitem.deleted", "invoiceitem", item, cause)
}

const remove = (account: Account, call: Call): Stripe.DeletedInvoiceItem => {
  paramsOf<Stripe.InvoiceItemDeleteParams>(call).done()
  const item = existing(account, "invoiceitem", call.path["id"]!)
  deleteItem(account, item, call.cause)
  return { id: item.id, object: "invoiceitem", deleted: true }
}

const list = (account: Account, call: Call): Stripe.ApiList<Item> => {
  const p = paramsOf<Stripe.InvoiceItemListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const customer = p.string("customer")
  const invoice = p.string("invoice")
  const pending = p.boolean("pending")
  p.done()
  return pageOf(
    account,
    call,
    "invoiceitem",
    page,
    (x) =>
      inRange(x.date, created) &&
      (customer === undefined || x.customer === customer) &&
      (invoice === undefined || x.invoice === invoice) &&
      (pending === undefined || (x.invoice === null) === pending)
  )
}

export const invoiceItemRoutes: ReadonlyArray<Route> = [
  { method: "POST", pattern: "/v1/invoiceitems", handler: create },
  { method: "GET", pattern: "/v1/invoiceitems", handler: list },
  { method: "GET", pattern: "/v1/invoiceitems/:id", handler: retrieveHandler("invoiceitem") },
  { method: "POST", pattern: "/v1/invoiceitems/:id", handler: update },
  { method: "DELETE", pattern: "/v1/invoiceitems/:id", handler: remove }
]
