import { Schema } from "effect"
import { Amount } from "./amount.js"
import { DateOnly, Id, Line } from "./common.js"

export const InvoiceStatus = Schema.Literal("draft", "open", "closed", "void")

/** A sales invoice. Stamped (electronic) invoices are immutable at the source. */
export const Invoice = Schema.Struct({
  id: Id,
  number: Schema.NullOr(Schema.String),
  date: DateOnly,
  dueDate: Schema.NullOr(DateOnly),
  status: InvoiceStatus,
  contactId: Id,
  currency: Schema.NullOr(Schema.String),
  lines: Schema.Array(Line),
  total: Amount,
  balance: Amount,
  stamped: Schema.Boolean,
  observations: Schema.NullOr(Schema.String)
})
export type Invoice = typeof Invoice.Type
