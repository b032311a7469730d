import { Schema } from "effect"
import { BankAccount } from "./bank-account.js"
import { Bill } from "./bill.js"
import { Category } from "./category.js"
import { Contact } from "./contact.js"
import { CreditNote } from "./credit-note.js"
import { Estimate } from "./estimate.js"
import { Invoice } from "./invoice.js"
import { Item } from "./item.js"
import type { Kind } from "./kind.js"
import { Payment } from "./payment.js"

/** The canonical schema of each kind. */
export const recordSchemas = {
  "category": Category,
  "bank-account": BankAccount,
  "contact": Contact,
  "item": Item,
  "invoice": Invoice,
  "bill": Bill,
  "payment": Payment,
  "credit-note": CreditNote,
  "estimate": Estimate
} as const satisfies Record<Kind, Schema.Schema<any, any, never>>

export type RecordOf<K extends Kind> = Schema.Schema.Type<(typeof recordSchemas)[K]>

/** A canonical record tagged with its kind: what flows through the engine. */
export type CanonicalRecord = { readonly [K in Kind]: { readonly kind: K; readonly record: RecordOf<K> } }[Kind]
