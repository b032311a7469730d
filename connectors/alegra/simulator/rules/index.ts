/** The registry of rule modules, one per kind. */
import type { BaseRec, SimKind } from "../records.js"
import { bankAccounts } from "./bank-accounts.js"
import { bills } from "./bills.js"
import { categories } from "./categories.js"
import { contacts } from "./contacts.js"
import { creditNotes } from "./credit-notes.js"
import { estimates } from "./estimates.js"
import { invoices } from "./invoices.js"
import { items } from "./items.js"
import { payments } from "./payments.js"
import type { Resource } from "./resource.js"

const erase = <R extends BaseRec>(r: Resource<R>): Resource<BaseRec> => r as unknown as Resource<BaseRec>

export const RESOURCES: Readonly<Record<SimKind, Resource<BaseRec>>> = {
  category: erase(categories),
  "bank-account": erase(bankAccounts),
  contact: erase(contacts),
  item: erase(items),
  invoice: erase(invoices),
  bill: erase(bills),
  payment: erase(payments),
  "credit-note": erase(creditNotes),
  estimate: erase(estimates)
}

export const resourceByPath = (segment: string): Resource<BaseRec> | undefined =>
  Object.values(RESOURCES).find((r) => r.path === segment)
