import { Schema } from "effect"
import { Amount } from "./amount.js"
import { Application, DateOnly, Id, Line } from "./common.js"

/** Money a credit note returns to the client (a refund after payment), from a bank account. */
export const CreditNoteRefund = Schema.Struct({
  date: DateOnly,
  amount: Amount,
  /** The Alegra bank account it leaves from; null on the other system's side (the config names it). */
  bankAccountId: Schema.NullOr(Id)
})
export type CreditNoteRefund = typeof CreditNoteRefund.Type

/**
 * A credit note against sales invoices: applied to their balance, or (after payment) returned as
 * money, `refunds`, absent when there are none. Stamped ones are immutable at the source.
 */
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
  applications: Schema.Array(Application),
  refunds: Schema.optionalWith(Schema.Array(CreditNoteRefund), { exact: true })
})
export type CreditNote = typeof CreditNote.Type
