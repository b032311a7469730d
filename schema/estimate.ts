import { Schema } from "effect"
import { Amount } from "./amount.js"
import { DateOnly, Id, Line } from "./common.js"

/** A quote; becomes an invoice when billed. */
export const Estimate = Schema.Struct({
  id: Id,
  number: Schema.NullOr(Schema.String),
  date: DateOnly,
  dueDate: Schema.NullOr(DateOnly),
  status: Schema.String,
  contactId: Id,
  currency: Schema.NullOr(Schema.String),
  lines: Schema.Array(Line),
  total: Amount
})
export type Estimate = typeof Estimate.Type
