import { Schema } from "effect"
import { Amount } from "./amount.js"
import { Application, DateOnly, Id, Line } from "./common.js"

/** A credit note against sales invoices. Stamped ones are immutable at the source. */
export const CreditNote = Schema.Struct({
  id: Id,
  number: Schema.NullOr(Schema.String),
  date: DateOnly,
  status: Schema.Literal("open", "closed", "void"),
  contactId: Id,
  currency: Schema.NullOr(Schema.String),
  lines: Schema.Array(Line),
  total: Amount,
  balance: Amount,
  stamped: Schema.Boolean,
  applications: Schema.Array(Application)
})
export type CreditNote = typeof CreditNote.Type
