import { Schema } from "effect"
import { Amount } from "./amount.js"

/** Calendar date as yyyy-MM-dd (Alegra's and the canonical format). */
export const DateOnly = Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/), Schema.brand("DateOnly"))
export type DateOnly = typeof DateOnly.Type

export const Id = Schema.String.pipe(Schema.minLength(1))

export const Status = Schema.Literal("active", "inactive")

/** One line of a sales or purchase document. */
export const Line = Schema.Struct({
  /** The catalog item; null on lines costed against an account. */
  itemId: Schema.NullOr(Id),
  /** The accounting account (category) for expense lines of bills. */
  accountId: Schema.NullOr(Id),
  description: Schema.NullOr(Schema.String),
  quantity: Amount,
  price: Amount,
  /** Discount as a percentage of the line. */
  discount: Amount,
  taxIds: Schema.Array(Id),
  total: Schema.NullOr(Amount)
})
export type Line = typeof Line.Type

/** An amount of a payment or credit note applied to a document. */
export const Application = Schema.Struct({
  documentKind: Schema.Literal("invoice", "bill"),
  documentId: Id,
  amount: Amount
})
export type Application = typeof Application.Type
