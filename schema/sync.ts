import type { Kind } from "./kind.js"

/**
 * The fields of each kind that Alegra and another system keep in step, compared field
 * by field against the base snapshot of the last sync. References are compared in
 * Alegra's ids. `state` is a document's life (open, paid, void) as both systems see it.
 */
export const syncedFields = {
  "contact": ["name", "email", "phone", "identification", "address"],
  "item": ["name", "description", "reference", "price", "status", "productKey"],
  "invoice": ["contactId", "date", "dueDate", "currency", "lines", "total", "state"],
  "payment": ["contactId", "date", "amount", "currency", "method", "bankAccountId", "applications", "state"],
  "credit-note": ["contactId", "date", "currency", "lines", "total", "applications", "refunds", "state"]
} as const satisfies Partial<Record<Kind, ReadonlyArray<string>>>

export type SyncedKind = keyof typeof syncedFields
export type SyncedField<K extends SyncedKind> = (typeof syncedFields)[K][number]

/** Kinds two systems keep in step (the others only live in Alegra's mirror). */
export const syncedKinds: ReadonlyArray<SyncedKind> = Object.keys(syncedFields) as Array<SyncedKind>

/**
 * Who wins when both sides changed a field since the last sync. By default Alegra owns
 * the fiscal fields (the identification, the address used on invoices) and the other
 * system owns the rest; `sync.conflicts` in the config overrides it per kind or field.
 */
export type Owner = "alegra" | "system"

export const defaultOwners: { readonly [K in SyncedKind]: Readonly<Record<SyncedField<K>, Owner>> } = {
  "contact": { name: "system", email: "system", phone: "system", identification: "alegra", address: "alegra" },
  "item": { name: "system", description: "system", reference: "system", price: "system", status: "system", productKey: "system" },
  "invoice": {
    contactId: "system",
    date: "system",
    dueDate: "system",
    currency: "system",
    lines: "system",
    total: "system",
    state: "alegra"
  },
  "payment": {
    contactId: "system",
    date: "system",
    amount: "system",
    currency: "system",
    method: "system",
    bankAccountId: "alegra",
    applications: "system",
    state: "alegra"
  },
  "credit-note": {
    contactId: "system",
    date: "system",
    currency: "system",
    lines: "system",
    total: "system",
    applications: "system",
    refunds: "system",
    state: "alegra"
  }
}
