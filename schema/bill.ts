import { Schema } from "effect"
import { Amount } from "./amount.js"
import { DateOnly, Id, Line } from "./common.js"

/** A supplier invoice. Lines are costed against an item or an expense account. */
export const Bill = Schema.Struct({
  id: Id,
  number: Schema.NullOr(Schema.String),
  date: DateOnly,
  dueDate: Schema.NullOr(DateOnly),
  status: Schema.Literal("draft", "open", "closed", "void"),
  contactId: Id,
  currency: Schema.NullOr(Schema.String),
  lines: Schema.Array(Line),
  total: Amount,
  balance: Amount
})
export type Bill = typeof Bill.Type
