/**
 * THE ORACLE (tests only): wire (Alegra's JSON) → canonical model, one Schema per kind, as
 * the connector did it before the hand-written decoder (connectors/alegra/mapping.ts).
 *
 * Each mapper is `decodeOnly(WireX, X)`: decoding checks the wire shape, maps it,
 * then checks the result against the canonical schema, so that a record that does not fit
 * fails with the path of the offending field. Encoding (canonical → Alegra) is not offered.
 */
import { type Effect, Either, ParseResult, Schema } from "effect"
import { addAmounts, isStamped, methodName, roles, status, subtractAmounts, text } from "../../../connectors/alegra/normalise.js"
import { formatParseError } from "../../../connectors/alegra/wire.js"
import {
  BankAccount,
  Bill,
  Category,
  Contact,
  CreditNote,
  Estimate,
  Invoice,
  Item,
  Payment,
  recordSchemas
} from "../../../schema/index.js"
import type { CanonicalRecord, Kind } from "../../../schema/index.js"
import type {
  WireAddress,
  WireApplication,
  WireContact,
  WireCurrency,
  WireIdentificationObject,
  WireLine,
  WireNameObject,
  WireNumberTemplateField,
  WireRef,
  WireTaxField
} from "./wire.js"
import {
  WireBankAccount,
  WireBill,
  WireCategory,
  WireContact as WireContactSchema,
  WireCreditNote,
  WireEstimate,
  WireInvoice,
  WireItem,
  WirePayment
} from "./wire.js"

// ---------------------------------------------------------------------------------------
// Small normalisers (those shared with the decoder come from it: they take values already read)

export const refId = (ref: WireRef | null | undefined): string | null =>
  ref === null || ref === undefined ? null : typeof ref === "string" ? ref : ref.id ?? null

export const currencyCode = (currency: WireCurrency | null | undefined): string | null =>
  currency === null || currency === undefined ? null : typeof currency === "string" ? text(currency) : text(currency.code)

export const taxIds = (tax: WireTaxField | null | undefined): ReadonlyArray<string> => {
  if (tax === null || tax === undefined) return []
  const list = Array.isArray(tax) ? tax : [tax as WireRef]
  return list.map(refId).filter((id): id is string => id !== null)
}

/** The document number: `fullNumber`, else prefix + number; falls back to a top-level number. */
export const documentNumber = (
  template: WireNumberTemplateField | null | undefined,
  fallback?: string | null
): string | null => {
  const first = template === null || template === undefined
    ? undefined
    : Array.isArray(template)
    ? template[0]
    : template as Exclude<WireNumberTemplateField, ReadonlyArray<unknown>>
  if (first !== undefined) {
    const full = text(first.fullNumber)
    if (full !== null) return full
    const number = text(first.number)
    if (number !== null) return `${text(first.prefix) ?? ""}${number}`
  }
  return text(fallback)
}

const joinName = (name: WireNameObject): string | null =>
  text([name.firstName, name.secondName, name.lastName, name.secondLastName].map(text).filter((p) => p !== null).join(" "))

export const contactName = (contact: WireContact): string | null => {
  const plain = typeof contact.name === "string" ? text(contact.name) : joinName(contact.name)
  if (plain !== null) return plain
  return contact.nameObject ? joinName(contact.nameObject) : null
}

const identificationType = (type: WireIdentificationObject["type"]): string | null =>
  type === null || type === undefined
    ? null
    : typeof type === "string"
    ? text(type)
    : text(type.code) ?? text(type.key) ?? text(type.name)

export const identification = (contact: WireContact): Contact["identification"] => {
  const fromField = contact.identification
  const object: WireIdentificationObject | null = contact.identificationObject ??
    (typeof fromField === "object" && fromField !== null ? fromField : null)
  const number = text(object?.number) ?? (typeof fromField === "string" ? text(fromField) : null)
  if (number === null) return null
  return { type: identificationType(object?.type), number, dv: text(object?.dv) }
}

export const address = (value: WireContact["address"]): Contact["address"] => {
  if (value === null || value === undefined) return null
  if (typeof value === "string") {
    const street = text(value)
    return street === null ? null : { street, city: null, region: null, country: null, postalCode: null }
  }
  const a: WireAddress = value
  const street = text(a.address) ??
    text([a.street, a.exteriorNumber, a.interiorNumber, a.colony].map(text).filter((p) => p !== null).join(" "))
  const result = {
    street,
    city: text(a.city),
    region: text(a.department) ?? text(a.state) ?? text(a.province) ?? text(a.region),
    country: text(a.country),
    postalCode: text(a.zipCode) ?? text(a.postalCode)
  }
  return Object.values(result).every((v) => v === null) ? null : result
}

export const line = (wire: WireLine, asAccount = false) => ({
  itemId: asAccount ? null : wire.id ?? null,
  accountId: asAccount ? wire.id ?? null : null,
  description: text(wire.description) ?? text(wire.name),
  quantity: wire.quantity,
  price: wire.price,
  discount: wire.discount ?? "0",
  taxIds: taxIds(wire.tax),
  total: wire.total ?? null
})

const applications = (documentKind: "invoice" | "bill", list: ReadonlyArray<WireApplication> | null | undefined) =>
  (list ?? []).map((a) => ({ documentKind, documentId: a.id, amount: a.amount }))

const missing = (path: string, input: unknown, message: string) =>
  new ParseResult.Pointer(path, input, new ParseResult.Type(Schema.String.ast, undefined, message))

/** A wire → canonical mapper. Only decoding: writes to Alegra are built separately, not by encoding. */
const decodeOnly = <W extends Schema.Schema<any, any, never>, C extends Schema.Schema<any, any, never>>(
  wire: W,
  canonical: C,
  decode: (wire: Schema.Schema.Type<W>) => Effect.Effect<Schema.Schema.Encoded<C>, ParseResult.ParseIssue, never>
) =>
  Schema.transformOrFail(wire, canonical, {
    strict: true,
    decode: (value) => decode(value),
    encode: (_, __, ast, value) =>
      ParseResult.fail(new ParseResult.Forbidden(ast, value, "encoding canonical records to Alegra's wire format is not supported"))
  })

// ---------------------------------------------------------------------------------------
// Mappers, one per kind

export const ContactFromWire = decodeOnly(WireContactSchema, Contact, (wire) => {
  const name = contactName(wire)
  if (name === null) return ParseResult.fail(missing("name", wire, "expected a name (a string or {firstName, lastName, …})"))
  return ParseResult.succeed({
    id: wire.id,
    name,
    identification: identification(wire),
    email: text(wire.email),
    phone: text(wire.phonePrimary) ?? text(wire.phoneSecondary),
    mobile: text(wire.mobile),
    roles: roles(wire.type),
    status: status(wire.status),
    address: address(wire.address)
  })
})

export const ItemFromWire = decodeOnly(WireItem, Item, (wire) => {
  const price = wire.price === null || wire.price === undefined
    ? "0"
    : Array.isArray(wire.price)
    ? wire.price[0]?.price ?? "0"
    : wire.price as string
  const reference = wire.reference === null || wire.reference === undefined
    ? null
    : typeof wire.reference === "string"
    ? text(wire.reference)
    : text(wire.reference.reference)
  return ParseResult.succeed({
    id: wire.id,
    name: wire.name,
    description: text(wire.description),
    reference,
    status: status(wire.status),
    price,
    taxIds: taxIds(wire.tax),
    type: text(wire.type),
    productKey: text(wire.productKey)
  })
})

export const InvoiceFromWire = decodeOnly(WireInvoice, Invoice, (wire) => {
  const contactId = refId(wire.client)
  if (contactId === null) return ParseResult.fail(missing("client", wire, "expected client.id"))
  const balance = wire.balance ?? (wire.totalPaid != null ? subtractAmounts(wire.total, wire.totalPaid) : wire.total)
  return ParseResult.succeed({
    id: wire.id,
    number: documentNumber(wire.numberTemplate, wire.number),
    date: wire.date,
    dueDate: wire.dueDate ?? null,
    status: wire.status,
    contactId,
    currency: currencyCode(wire.currency),
    lines: (wire.items ?? []).map((l) => line(l)),
    total: wire.total,
    balance,
    stamped: isStamped(wire.stamp),
    observations: text(wire.observations)
  })
})

export const BillFromWire = decodeOnly(WireBill, Bill, (wire) => {
  const contactId = refId(wire.provider) ?? refId(wire.client)
  if (contactId === null) return ParseResult.fail(missing("provider", wire, "expected provider.id (or client.id)"))
  const items = wire.purchases?.items ?? wire.items ?? []
  const accounts = wire.purchases?.categories ?? wire.categories ?? []
  const balance = wire.balance ?? (wire.totalPaid != null ? subtractAmounts(wire.total, wire.totalPaid) : wire.total)
  return ParseResult.succeed({
    id: wire.id,
    number: documentNumber(wire.numberTemplate, wire.billNumber ?? wire.number),
    date: wire.date,
    dueDate: wire.dueDate ?? null,
    status: wire.status,
    contactId,
    currency: currencyCode(wire.currency),
    lines: [...items.map((l) => line(l)), ...accounts.map((l) => line(l, true))],
    total: wire.total,
    balance
  })
})

export const CreditNoteFromWire = decodeOnly(WireCreditNote, CreditNote, (wire) => {
  const contactId = refId(wire.client)
  if (contactId === null) return ParseResult.fail(missing("client", wire, "expected client.id"))
  const balance = wire.balance ??
    (wire.totalApplied != null ? subtractAmounts(wire.total, wire.totalApplied) : wire.total)
  return ParseResult.succeed({
    id: wire.id,
    number: documentNumber(wire.numberTemplate, wire.number),
    date: wire.date,
    status: wire.status,
    contactId,
    currency: currencyCode(wire.currency),
    lines: (wire.items ?? []).map((l) => line(l)),
    total: wire.total,
    balance,
    stamped: isStamped(wire.stamp),
    applications: applications("invoice", wire.invoices),
    ...((wire.refunds ?? []).length === 0
      ? {}
      : { refunds: wire.refunds!.map((r) => ({ date: r.date, amount: r.amount, bankAccountId: r.account == null ? null : refId(r.account) })) })
  })
})

export const EstimateFromWire = decodeOnly(WireEstimate, Estimate, (wire) => {
  const contactId = refId(wire.client)
  if (contactId === null) return ParseResult.fail(missing("client", wire, "expected client.id"))
  return ParseResult.succeed({
    id: wire.id,
    number: documentNumber(wire.numberTemplate, wire.number),
    date: wire.date,
    dueDate: wire.dueDate ?? null,
    status: wire.status,
    contactId,
    currency: currencyCode(wire.currency),
    lines: (wire.items ?? []).map((l) => line(l)),
    total: wire.total
  })
})

export const paymentMethod = (method: typeof WirePayment.Type["paymentMethod"]): string | null => {
  if (method === null || method === undefined) return null
  const raw = typeof method === "string" ? text(method) : text(method.key) ?? text(method.name) ?? text(method.id)
  return methodName(raw)
}

export const PaymentFromWire = decodeOnly(WirePayment, Payment, (wire) => {
  const invoices = applications("invoice", wire.invoices)
  const bills = applications("bill", wire.bills)
  const direction = wire.type ?? (bills.length > 0 && invoices.length === 0 ? "out" : "in")
  const applied = [...invoices, ...bills]
  const amount = wire.amount ?? (applied.length > 0 ? applied.map((a) => a.amount as string).reduce(addAmounts) : null)
  if (amount === null) return ParseResult.fail(missing("amount", wire, "expected an amount (or applied invoices/bills)"))
  return ParseResult.succeed({
    id: wire.id,
    number: documentNumber(wire.numberTemplate, wire.number),
    date: wire.date,
    direction,
    status: text(wire.status)?.toLowerCase() === "void" ? "void" as const : "open" as const,
    amount,
    contactId: refId(wire.client) ?? refId(wire.provider),
    bankAccountId: refId(wire.bankAccount),
    method: paymentMethod(wire.paymentMethod),
    currency: currencyCode(wire.currency),
    applications: applied
  })
})

export const CategoryFromWire = decodeOnly(WireCategory, Category, (wire) =>
  ParseResult.succeed({
    id: wire.id,
    parentId: wire.idParent === "" || wire.idParent === undefined ? null : wire.idParent,
    name: wire.name,
    code: text(wire.code),
    type: text(wire.type),
    status: text(wire.status)
  }))

export const BankAccountFromWire = decodeOnly(WireBankAccount, BankAccount, (wire) =>
  ParseResult.succeed({
    id: wire.id,
    name: wire.name,
    number: text(wire.number),
    type: text(wire.type),
    status: text(wire.status)
  }))

/** The wire → canonical schema of each kind. */
export const fromWire = {
  "category": CategoryFromWire,
  "bank-account": BankAccountFromWire,
  "contact": ContactFromWire,
  "item": ItemFromWire,
  "invoice": InvoiceFromWire,
  "bill": BillFromWire,
  "payment": PaymentFromWire,
  "credit-note": CreditNoteFromWire,
  "estimate": EstimateFromWire
} as const

// The canonical side of each mapper is the canonical schema of its kind.
const _check: { readonly [K in Kind]: Schema.Schema<Schema.Schema.Type<(typeof recordSchemas)[K]>, any, never> } = fromWire
void _check

/** Decodes one raw Alegra record of a kind; Left carries a message naming the fields. */
export const decodeRecord = (kind: Kind, raw: unknown): Either.Either<CanonicalRecord, string> => {
  const decoded = Schema.decodeUnknownEither(fromWire[kind] as Schema.Schema<any, unknown>, {
    errors: "all",
    onExcessProperty: "ignore"
  })(raw)
  return Either.isRight(decoded)
    ? Either.right({ kind, record: decoded.right } as CanonicalRecord)
    : Either.left(formatParseError(decoded.left))
}
