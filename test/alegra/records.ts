/** Canonical records to write into Alegra in the connector's tests (as the engine hands them over: `id` empty). */
import type { Amount, CanonicalRecord, Contact, CreditNote, DateOnly, Invoice, Item, Line, Payment } from "../../schema/index.js"

const amount = (value: string) => value as Amount
const day = (value: string) => value as DateOnly

export const contactRecord = (over: Partial<Contact> = {}): Extract<CanonicalRecord, { kind: "contact" }> => ({
  kind: "contact",
  record: {
    id: "",
    name: "Ferretería El Tornillo SAS",
    identification: { type: "NIT", number: "901234567", dv: "3" },
    email: "compras@eltornillo.co",
    phone: "+57 601 555 0101",
    mobile: null,
    roles: ["client"],
    status: "active",
    address: { street: "Calle 10 # 5-20", city: "Bogotá", region: "Cundinamarca", country: "Colombia", postalCode: "110111" },
    ...over
  }
})

export const itemRecord = (over: Partial<Item> = {}): Extract<CanonicalRecord, { kind: "item" }> => ({
  kind: "item",
  record: {
    id: "",
    name: "Tornillo hexagonal 3/8",
    description: "Caja de 100",
    reference: "TOR-38",
    status: "active",
    price: amount("1500.5"),
    taxIds: ["1"],
    type: null,
    productKey: null,
    ...over
  }
})

export const line = (itemId: string, over: Partial<Line> = {}): Line => ({
  itemId,
  accountId: null,
  description: "Tornillos",
  quantity: amount("3"),
  price: amount("1500.5"),
  discount: amount("10"),
  taxIds: ["1"],
  total: null,
  ...over
})

export const invoiceRecord = (contactId: string, lines: ReadonlyArray<Line>, over: Partial<Invoice> = {}): Extract<CanonicalRecord, { kind: "invoice" }> => ({
  kind: "invoice",
  record: {
    id: "",
    number: null,
    date: day("2026-11-20"),
    dueDate: day("2026-12-20"),
    status: "open",
    contactId,
    currency: "COP",
    lines,
    total: amount("0"),
    balance: amount("0"),
    stamped: false,
    observations: null,
    ...over
  }
})

export const paymentRecord = (
  contactId: string,
  bankAccountId: string,
  invoiceId: string,
  paid: string,
  over: Partial<Payment> = {}
): Extract<CanonicalRecord, { kind: "payment" }> => ({
  kind: "payment",
  record: {
    id: "",
    number: null,
    date: day("2026-11-21"),
    direction: "in",
    status: "open",
    amount: amount(paid),
    contactId,
    bankAccountId,
    method: "transfer",
    currency: "COP",
    applications: [{ documentKind: "invoice", documentId: invoiceId, amount: amount(paid) }],
    ...over
  }
})

export const creditNoteRecord = (
  contactId: string,
  invoiceId: string,
  lines: ReadonlyArray<Line>,
  applied: string,
  over: Partial<CreditNote> = {}
): Extract<CanonicalRecord, { kind: "credit-note" }> => ({
  kind: "credit-note",
  record: {
    id: "",
    number: null,
    date: day("2026-11-22"),
    status: "open",
    contactId,
    currency: "COP",
    lines,
    total: amount("0"),
    balance: amount("0"),
    stamped: false,
    applications: [{ documentKind: "invoice", documentId: invoiceId, amount: amount(applied) }],
    ...over
  }
})

/** A line as written, without what Alegra computes (its total). */
export const asWritten = (l: Line) => ({ ...l, total: null })
