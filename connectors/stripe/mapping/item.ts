/** A Stripe product and its default price → a canonical item. */
import type Stripe from "stripe"
import { type Item, ZERO } from "../../../schema/index.js"
import { money, text } from "./common.js"

/**
 * The product with its default price expanded (or its id, or none). The price is the default
 * price's unit amount in its own currency; a product without one (or with a tiered or
 * customer-chosen price) has price 0. `metadata.sku` is the reference (the items' natural key),
 * `metadata.sat_product_key` Mexico's SAT product key.
 */
export const itemFrom = (product: Stripe.Product): Item => {
  const price = typeof product.default_price === "object" ? product.default_price : null
  const unit = price?.unit_amount_decimal ?? price?.unit_amount ?? null
  return {
    id: product.id,
    name: product.name,
    description: text(product.description),
    reference: text(product.metadata["sku"]),
    status: product.active ? "active" : "inactive",
    price: price === null || unit === null ? ZERO : money(unit, price.currency, "default_price.unit_amount_decimal"),
    taxIds: [],
    type: null,
    productKey: text(product.metadata["sat_product_key"])
  }
}
