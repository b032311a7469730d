import { Schema } from "effect"
import { Id } from "./common.js"

/** A bank, cash or card account that payments go through. */
export const BankAccount = Schema.Struct({
  id: Id,
  name: Schema.String,
  number: Schema.NullOr(Schema.String),
  type: Schema.NullOr(Schema.String),
  status: Schema.NullOr(Schema.String)
})
export type BankAccount = typeof BankAccount.Type
