import type { CanonicalRecord } from "../../../schema/index.js"
import { type SyncedKind, syncedFields, syncedKinds } from "../../../schema/index.js"
import { normaliseIdentification } from "./natural-keys.js"

/** A record's synced fields (schema/sync.ts), in Alegra's ids: what two systems keep in step. */
export type Projection = Readonly<Record<string, unknown>>

export const isSynced = (kind: string): kind is SyncedKind => (syncedKinds as ReadonlyArray<string>).includes(kind)

/** A document's life as both systems see it: Alegra's draft/open is "open", closed (paid) is "paid". */
const stateOf = (status: string): "open" | "paid" | "void" =>
  status === "closed" || status === "paid" ? "paid" : status === "void" ? "void" : "open"

/** Lines compared on what both systems hold: not the line totals each computes. */
const lines = (list: ReadonlyArray<{ readonly itemId: string | null; readonly description: string | null; readonly quantity: string; readonly price: string; readonly discount: string; readonly taxIds: ReadonlyArray<string> }>) =>
  list.map((l) => ({
    itemId: l.itemId,
    description: l.description,
    quantity: l.quantity,
    price: l.price,
    discount: l.discount,
    taxIds: [...l.taxIds].sort()
  }))

/** The synced fields of a record, as plain JSON values. */
export const project = ({ kind, record }: CanonicalRecord): Projection => {
  switch (kind) {
    case "contact":
      return {
        name: record.name,
        email: record.email,
        phone: record.phone,
        // Compared as the natural key is: "DNO-040404-GH4" and "DNO040404GH4" are one number.
        identification: record.identification === null
          ? null
          : { ...record.identification, number: normaliseIdentification(record.identification.number) },
        address: record.address
      }
    case "item":
      return {
        name: record.name,
        description: record.description,
        reference: record.reference,
        price: record.price,
        status: record.status,
        productKey: record.productKey
      }
    case "invoice":
      return {
        contactId: record.contactId,
        date: record.date,
        dueDate: record.dueDate,
        currency: record.currency,
        lines: lines(record.lines),
        total: record.total,
        state: stateOf(record.status)
      }
    case "payment":
      return {
        contactId: record.contactId,
        date: record.date,
        amount: record.amount,
        currency: record.currency,
        method: record.method,
        bankAccountId: record.bankAccountId,
        applications: record.applications,
        state: stateOf(record.status)
      }
    case "credit-note":
      return {
        contactId: record.contactId,
        date: record.date,
        currency: record.currency,
        lines: lines(record.lines),
        total: record.total,
        applications: record.applications,
        refunds: record.refunds ?? [],
        state: stateOf(record.status)
      }
    default:
      return {}
  }
}

/** The fields that sync for a kind (none for kinds that only live in Alegra). */
export const fieldsOf = (kind: string): ReadonlyArray<string> => isSynced(kind) ? syncedFields[kind] : []
