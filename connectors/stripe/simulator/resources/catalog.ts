/**
 * Making products and prices, for the endpoints that create them directly (`/v1/products`,
 * `/v1/prices`) and for those that create them on the way (`default_price_data`, `product_data`,
 * `price_data` on invoice items and lines). Prices made inline from `price_data` exist (lines point
 * at them) but are inactive and never listed or searched, like Stripe's inline prices.
 */
import type Stripe from "stripe"
import type { Account } from "../api.js"
import { invalidParams } from "../errors.js"
import type { Cause } from "../events.js"
import { newId } from "../ids.js"
import { checkCurrency, MAX_AMOUNT } from "../money.js"
import type { Params } from "../params.js"
import type { Objects } from "../state.js"

type Price = Objects["price"]
type Product = Objects["product"]
export type TaxBehavior = "inclusive" | "exclusive" | "unspecified"
export const TAX_BEHAVIORS: ReadonlyArray<TaxBehavior> = ["inclusive", "exclusive", "unspecified"]

export interface PriceInput {
  readonly currency: string
  readonly product: string
  readonly unitAmount: number | null
  readonly unitAmountDecimal: string
  readonly taxBehavior: TaxBehavior
  readonly active: boolean
  readonly metadata: Record<string, string>
  readonly nickname: string | null
  readonly lookupKey: string | null
  readonly recurring: Price["recurring"]
}

/** The amount part shared by prices, `default_price_data` and `price_data`. */
export interface AmountFields {
  unit_amount?: number
  unit_amount_decimal?: Stripe.Decimal
  currency: string
  tax_behavior?: string
}

export const readAmount = (p: Params<AmountFields>): { currency: string; unitAmount: number | null; unitAmountDecimal: string; taxBehavior: TaxBehavior } => {
  const currency = checkCurrency(p.string("currency", { required: true })!, p.name("currency"))
  const unitAmount = p.integer("unit_amount", { min: 0, max: MAX_AMOUNT })
  const decimal = p.decimal("unit_amount_decimal", { min: 0 })
  if (typeof unitAmount === "number" && decimal !== undefined) {
    throw invalidParams("You may only specify one of these parameters: unit_amount, unit_amount_decimal.", p.name("unit_amount_decimal"), "parameters_exclusive")
  }
  if (unitAmount === undefined && decimal === undefined) throw invalidParams(`Missing required param: ${p.name("unit_amount")}.`, p.name("unit_amount"), "parameter_missing")
  const taxBehavior = p.oneOf("tax_behavior", TAX_BEHAVIORS) ?? "unspecified"
  if (typeof unitAmount === "number") return { currency, unitAmount, unitAmountDecimal: String(unitAmount), taxBehavior }
  const integral = /^\d+$/.test(decimal!) || /^\d+\.0+$/.test(decimal!)
  return { currency, unitAmount: integral ? Number(decimal!.split(".")[0]) : null, unitAmountDecimal: decimal!.replace(/\.0+$/, ""), taxBehavior }
}

export const makePrice = (account: Account, input: PriceInput, cause: Cause | "inline"): Price => {
  const price: Price = {
    id: newId("price"),
    object: "price",
    active: input.active,
    billing_scheme: "per_unit",
    created: account.clock.nowSeconds(),
    currency: input.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: input.lookupKey,
    metadata: input.metadata,
    nickname: input.nickname,
    product: input.product,
    recurring: input.recurring,
    tax_behavior: input.taxBehavior,
    tiers_mode: null,
    transform_quantity: null,
    type: input.recurring === null ? "one_time" : "recurring",
    unit_amount: input.unitAmount,
    unit_amount_decimal: input.unitAmountDecimal
  }
  account.store.put("price", price)
  if (cause === "inline") account.store.hidden.add(price.id)
  else account.events.emit("price.created", "price", price, cause)
  return price
}

export const readRecurring = (p: Params<{ recurring?: Stripe.PriceCreateParams.Recurring }>): Price["recurring"] => {
  const r = p.object("recurring")
  if (r === undefined || r === null) return null
  const interval = r.oneOf("interval", ["day", "week", "month", "year"], { required: true })!
  const count = r.integer("interval_count", { min: 1, max: 36 }) ?? 1
  const usage = r.oneOf("usage_type", ["licensed", "metered"]) ?? "licensed"
  const trial = r.integer("trial_period_days", { min: 0, max: 730 })
  return { interval, interval_count: count, meter: null, trial_period_days: trial ?? null, usage_type: usage }
}

/** A price made from `price_data`: inactive, never listed, no event (Stripe's inline prices). */
export const makeInlinePrice = (account: Account, data: ReturnType<typeof readAmount> & { readonly product: string }): Price =>
  makePrice(account, { ...data, active: false, metadata: {}, nickname: null, lookupKey: null, recurring: null }, "inline")

export interface ProductInput {
  readonly name: string
  readonly id?: string
  readonly active?: boolean
  readonly description?: string | null
  readonly metadata?: Record<string, string>
  readonly images?: Array<string>
  readonly shippable?: boolean | null
  readonly statementDescriptor?: string | null
  readonly taxCode?: string | null
  readonly unitLabel?: string | null
  readonly url?: string | null
  readonly type?: string
}

export const makeProduct = (account: Account, input: ProductInput, cause: Cause): Product => {
  const now = account.clock.nowSeconds()
  const product: Product = {
    id: input.id ?? newId("product"),
    object: "product",
    active: input.active ?? true,
    created: now,
    default_price: null,
    description: input.description ?? null,
    images: input.images ?? [],
    livemode: false,
    marketing_features: [],
    metadata: input.metadata ?? {},
    name: input.name,
    package_dimensions: null,
    shippable: input.shippable ?? null,
    statement_descriptor: input.statementDescriptor ?? null,
    tax_code: input.taxCode ?? null,
    tax_details: null,
    type: input.type ?? "service",
    unit_label: input.unitLabel ?? null,
    updated: now,
    url: input.url ?? null
  }
  account.store.put("product", product)
  account.events.emit("product.created", "product", product, cause)
  return product
}
