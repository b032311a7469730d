import { Schema } from "effect"
import { Amount } from "./amount.js"
import { Application, DateOnly, Id } from "./common.js"

/** Money received (in, against invoices) or paid (out, against bills). */
export const Payment = Schema.Struct({
  id: Id,
  number: Schema.NullOr(Schema.String),
  date: DateOnly,
  direction: Schema.Literal("in", "out"),
  status: Schema.Literal("open", "void"),
  amount: Amount,
  contactId: Schema.NullOr(Id),
  bankAccountId: Schema.NullOr(Id),
  method: Schema.NullOr(Schema.String),
  currency: Schema.NullOr(Schema.String),
  applications: Schema.Array(Application)
})
export type Payment = typeof Payment.Type
