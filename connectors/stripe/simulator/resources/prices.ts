/**
 * Prices (`/v1/prices`): immutable amounts (an update may not carry `unit_amount`: the SDK's update
 * params have no such field, so it is an unknown parameter, as on Stripe), `unit_amount` in minor
 * units and `unit_amount_decimal` as a decimal string (up to 12 places), per-unit billing only,
 * `tax_behavior` settable once.
 */
import type Stripe from "stripe"
import { type Account, type Call, existing, paramsOf, type Route } from "../api.js"
import { invalidParams, invalidRequest } from "../errors.js"
import { inRange, readPage, readRange } from "../listing.js"
import { applyMetadata, type Params } from "../params.js"
import type { Objects } from "../state.js"
import { clone } from "../wire.js"
import { type AmountFields, makePrice, makeProduct, readAmount, readRecurring, TAX_BEHAVIORS } from "./catalog.js"
import { commitUpdate, pageOf, retrieveHandler, searchHandler } from "./common.js"

type Price = Objects["price"]

const checkLookupKey = (account: Account, key: string, transfer: boolean, except?: string): void => {
  const holder = account.store.all("price").find((x) => x.lookup_key === key && x.id !== except)
  if (holder === undefined) return
  if (!transfer) throw invalidRequest(`A price (${holder.id}) already uses that lookup key.`, "resource_already_exists", "lookup_key")
  holder.lookup_key = null
  account.store.put("price", holder)
}

const create = (account: Account, call: Call): Price => {
  const p = paramsOf<Stripe.PriceCreateParams>(call)
  const amount = readAmount(p as unknown as Params<AmountFields>)
  const productId = p.string("product")
  const productData = p.object("product_data")
  const productName = productData?.string("name", { required: true }) ?? undefined
  if ((productId === undefined) === (productData === undefined)) {
    throw invalidParams("You must specify exactly one of these parameters: product, product_data.", "product", "parameters_exclusive")
  }
  const active = p.boolean("active") ?? true
  const lookupKey = p.string("lookup_key", { maxLength: 200 }) ?? null
  const transfer = p.boolean("transfer_lookup_key") ?? false
  const nickname = p.string("nickname") ?? null
  const metadata = applyMetadata({}, p.metadata("metadata"))
  const recurring = readRecurring(p)
  p.done()
  if (productId !== undefined && productId !== null) existing(account, "product", productId, "product")
  if (lookupKey !== null) checkLookupKey(account, lookupKey, transfer)
  const product = productId ?? makeProduct(account, { name: productName! }, call.cause).id
  const price = makePrice(
    account,
    { currency: amount.currency, product, unitAmount: amount.unitAmount, unitAmountDecimal: amount.unitAmountDecimal, taxBehavior: amount.taxBehavior, active, metadata, nickname, lookupKey, recurring },
    call.cause
  )
  return account.renderer.view("price", price)
}

const update = (account: Account, call: Call): Price => {
  const price = existing(account, "price", call.path["id"]!)
  const p = paramsOf<Stripe.PriceUpdateParams>(call)
  const active = p.boolean("active")
  const lookupKey = p.string("lookup_key", { maxLength: 200 })
  const transfer = p.boolean("transfer_lookup_key") ?? false
  const nickname = p.string("nickname")
  const taxBehavior = p.oneOf("tax_behavior", TAX_BEHAVIORS)
  const metadata = p.metadata("metadata")
  p.done()
  if (typeof taxBehavior === "string" && price.tax_behavior !== "unspecified" && taxBehavior !== price.tax_behavior) {
    throw invalidRequest("The tax_behavior of a price can only be set while it is unspecified.", undefined, "tax_behavior")
  }
  if (typeof lookupKey === "string") checkLookupKey(account, lookupKey, transfer, price.id)
  const before = clone(price)
  if (active !== undefined) price.active = active
  if (typeof lookupKey === "string") price.lookup_key = lookupKey
  if (typeof nickname === "string") price.nickname = nickname
  if (typeof taxBehavior === "string") price.tax_behavior = taxBehavior
  price.metadata = applyMetadata(price.metadata, metadata)
  return commitUpdate(account, call, "price", before, price, "price.updated")
}

const list = (account: Account, call: Call): Stripe.ApiList<Price> => {
  const p = paramsOf<Stripe.PriceListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const active = p.boolean("active")
  const currency = p.string("currency")
  const product = p.string("product")
  const type = p.oneOf("type", ["one_time", "recurring"])
  const lookupKeys = p.strings("lookup_keys", { max: 10 })
  p.done()
  return pageOf(
    account,
    call,
    "price",
    page,
    (x) =>
      !account.store.hidden.has(x.id) &&
      inRange(x.created, created) &&
      (active === undefined || x.active === active) &&
      (currency === undefined || x.currency === currency) &&
      (product === undefined || x.product === product) &&
      (type === undefined || type === null || x.type === type) &&
      (lookupKeys === undefined || lookupKeys === null || (x.lookup_key !== null && lookupKeys.includes(x.lookup_key)))
  )
}

export const priceRoutes: ReadonlyArray<Route> = [
  { method: "POST", pattern: "/v1/prices", handler: create },
  { method: "GET", pattern: "/v1/prices", handler: list },
  { method: "GET", pattern: "/v1/prices/search", handler: searchHandler("price"), search: true },
  { method: "GET", pattern: "/v1/prices/:id", handler: retrieveHandler("price") },
  { method: "POST", pattern: "/v1/prices/:id", handler: update }
]
