/**
 * Products (`/v1/products`): a caller-chosen `id` is allowed (once), `default_price_data` creates
 * the default price with the product, `default_price` must be an active price of the product, and
 * a product with prices cannot be deleted (archive it with `active: false`), as on Stripe.
 */
import type Stripe from "stripe"
import { type Account, type Call, existing, paramsOf, type Route } from "../api.js"
import { invalidParams, invalidRequest } from "../errors.js"
import { inRange, readPage, readRange } from "../listing.js"
import { applyMetadata, type Params } from "../params.js"
import type { Objects } from "../state.js"
import { clone } from "../wire.js"
import { type AmountFields, makePrice, makeProduct, readAmount, readRecurring } from "./catalog.js"
import { commitUpdate, pageOf, retrieveHandler, searchHandler } from "./common.js"

type Product = Objects["product"]
type ProductFields = Stripe.ProductCreateParams & Stripe.ProductUpdateParams

const checkUrl = (value: string, param: string): string => {
  try {
    const u = new URL(value)
    if (u.protocol === "http:" || u.protocol === "https:") return value
  } catch {
    // fall through
  }
  throw invalidParams(`Not a valid URL: ${value}`, param, "url_invalid")
}

/** Fields create and update share, as a patch. */
const readFields = (p: Params<ProductFields>): Partial<Product> => {
  const patch: Partial<Product> = {}
  const name = p.string("name", { maxLength: 250 })
  if (typeof name === "string") patch.name = name
  const active = p.boolean("active")
  if (active !== undefined) patch.active = active
  const description = p.string("description", { unsettable: true, maxLength: 40000 })
  if (description !== undefined) patch.description = description
  const images = p.strings("images", { unsettable: true, max: 8 })
  if (images !== undefined) patch.images = (images ?? []).map((u, i) => checkUrl(u, `images[${i}]`))
  const shippable = p.boolean("shippable")
  if (shippable !== undefined) patch.shippable = shippable
  const descriptor = p.string("statement_descriptor", { maxLength: 22 })
  if (typeof descriptor === "string") patch.statement_descriptor = descriptor
  const taxCode = p.string("tax_code", { unsettable: true })
  if (taxCode !== undefined) {
    if (taxCode !== null && !/^txcd_\d{8}$/.test(taxCode)) throw invalidParams(`Invalid tax_code: ${taxCode}`, "tax_code")
    patch.tax_code = taxCode
  }
  const unitLabel = p.string("unit_label", { unsettable: true, maxLength: 12 })
  if (unitLabel !== undefined) patch.unit_label = unitLabel
  const url = p.string("url", { unsettable: true, maxLength: 5000 })
  if (url !== undefined) patch.url = url === null ? null : checkUrl(url, "url")
  return patch
}

const create = (account: Account, call: Call): Product => {
  const p = paramsOf<ProductFields>(call)
  const patch = readFields(p)
  if (!p.has("name")) p.string("name", { required: true })
  const id = p.string("id", { maxLength: 100 })
  const type = p.oneOf("type", ["good", "service"])
  const metadata = applyMetadata({}, p.metadata("metadata"))
  const priceData = p.object("default_price_data")
  const amount = priceData === undefined || priceData === null ? undefined : readAmount(priceData as unknown as Params<AmountFields>)
  const recurring = priceData === undefined || priceData === null ? null : readRecurring(priceData)
  const priceMetadata = priceData === undefined || priceData === null ? {} : applyMetadata({}, priceData.metadata("metadata"), "default_price_data[metadata]")
  p.done()
  if (typeof id === "string") {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw invalidParams("Invalid id: use letters, digits, _ and -.", "id")
    if (account.store.get("product", id) !== undefined) throw invalidRequest(`Product already exists: ${id}`, "resource_already_exists", "id")
  }
  const product = makeProduct(
    account,
    {
      name: patch.name!,
      ...(typeof id === "string" ? { id } : {}),
      ...(typeof type === "string" ? { type } : {}),
      metadata,
      ...(patch.active === undefined ? {} : { active: patch.active }),
      ...(patch.description === undefined ? {} : { description: patch.description }),
      ...(patch.images === undefined ? {} : { images: patch.images }),
      ...(patch.shippable === undefined ? {} : { shippable: patch.shippable }),
      ...(patch.statement_descriptor === undefined ? {} : { statementDescriptor: patch.statement_descriptor }),
      ...(patch.tax_code === undefined ? {} : { taxCode: patch.tax_code as string | null }),
      ...(patch.unit_label === undefined ? {} : { unitLabel: patch.unit_label }),
      ...(patch.url === undefined ? {} : { url: patch.url })
    },
    call.cause
  )
  if (amount !== undefined) {
    const price = makePrice(
      account,
      { ...amount, product: product.id, active: true, metadata: priceMetadata, nickname: null, lookupKey: null, recurring },
      call.cause
    )
    // Stripe answers the product with its default price already set (no separate update event).
    product.default_price = price.id
    account.store.put("product", product)
  }
  return account.renderer.view("product", product)
}

const update = (account: Account, call: Call): Product => {
  const product = existing(account, "product", call.path["id"]!)
  const p = paramsOf<ProductFields>(call)
  const patch = readFields(p)
  const defaultPrice = p.string("default_price")
  const metadata = p.metadata("metadata")
  p.done()
  if (typeof defaultPrice === "string") {
    const price = existing(account, "price", defaultPrice, "default_price")
    if (price.product !== product.id) throw invalidRequest(`The price ${defaultPrice} belongs to another product.`, undefined, "default_price")
    if (!price.active) throw invalidRequest(`The price ${defaultPrice} is not active and cannot be the default price.`, undefined, "default_price")
  }
  const before = clone(product)
  Object.assign(product, patch)
  if (typeof defaultPrice === "string") product.default_price = defaultPrice
  product.metadata = applyMetadata(product.metadata, metadata)
  const changed = JSON.stringify(before) !== JSON.stringify(product)
  if (changed) product.updated = account.clock.nowSeconds()
  return commitUpdate(account, call, "product", before, product, "product.updated")
}

const remove = (account: Account, call: Call): Stripe.DeletedProduct => {
  paramsOf<Stripe.ProductDeleteParams>(call).done()
  const product = existing(account, "product", call.path["id"]!)
  if (account.store.all("price").some((x) => x.product === product.id && !account.store.hidden.has(x.id))) {
    throw invalidRequest("This product cannot be deleted because it has one or more user-created prices.", "product_has_prices")
  }
  account.store.remove("product", product.id)
  account.events.emit("product.deleted", "product", product, call.cause)
  return { id: product.id, object: "product", deleted: true }
}

const list = (account: Account, call: Call): Stripe.ApiList<Product> => {
  const p = paramsOf<Stripe.ProductListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const active = p.boolean("active")
  const shippable = p.boolean("shippable")
  const type = p.oneOf("type", ["good", "service"])
  const url = p.string("url")
  const ids = p.strings("ids", { max: 100 })
  p.done()
  return pageOf(
    account,
    call,
    "product",
    page,
    (x) =>
      inRange(x.created, created) &&
      (active === undefined || x.active === active) &&
      (shippable === undefined || x.shippable === shippable) &&
      (type === undefined || type === null || x.type === type) &&
      (url === undefined || x.url === url) &&
      (ids === undefined || ids === null || ids.includes(x.id))
  )
}

export const productRoutes: ReadonlyArray<Route> = [
  { method: "POST", pattern: "/v1/products", handler: create },
  { method: "GET", pattern: "/v1/products", handler: list },
  { method: "GET", pattern: "/v1/products/search", handler: searchHandler("product"), search: true },
  { method: "GET", pattern: "/v1/products/:id", handler: retrieveHandler("product") },
  { method: "POST", pattern: "/v1/products/:id", handler: update },
  { method: "DELETE", pattern: "/v1/products/:id", handler: remove }
]
