import { Schema } from "effect"
import { Amount } from "./amount.js"
import { Id, Status } from "./common.js"

/** A product or service of the catalog. */
export const Item = Schema.Struct({
  id: Id,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  /** The SKU: the natural key for items. */
  reference: Schema.NullOr(Schema.String),
  status: Status,
  /** Price on the main price list. */
  price: Amount,
  taxIds: Schema.Array(Id),
  type: Schema.NullOr(Schema.String),
  /** Mexico's SAT product key, required on invoiced items there. */
  productKey: Schema.NullOr(Schema.String)
})
export type Item = typeof Item.Type
