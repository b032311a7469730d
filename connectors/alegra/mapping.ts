/**
 * Alegra's JSON → the canonical model, read by hand in one walk over each record.
 *
 * Every record of an account passes here on a backfill, so this is plain code rather
 * than Effect Schemas (a wire schema, the mapping, then the canonical schema cost five
 * times the rest of the pipeline). It accepts exactly what those tolerant schemas
 * accepted — test/alegra/oracle/ keeps them, and test/alegra/decode-equivalence.test.ts
 * decodes the simulator's accounts and thousands of mutations of them both ways:
 * - ids as strings or numbers (normalised to trimmed, non-empty strings);
 * - amounts as numbers or numeric strings (normalised by `normaliseAmount`);
 * - `null` or a missing key for every optional field;
 * - references as `{id}` or a bare id; currencies as `{code}` or a code;
 * - numberTemplate as an object or an array; item price as a number or a price-list array;
 * - contact name as a string or `{firstName, …}`, identification as a string or an object,
 *   type as an array or a bare string.
 * Unknown keys are ignored; every known key is checked, used or not. A record that does
 * not fit fails with one line per problem, naming the field by its path ("items.0.price").
 *
 * The canonical checks the engine relies on hold by construction: dates are yyyy-MM-dd,
 * amounts normalised, ids non-empty, enumerations lower-case members. Objects are built
 * with their keys in sorted order, so their canonical JSON is plain JSON.stringify
 * (see src/store/json.ts).
 */
import { Either } from "effect"
import type {
  Address,
  Amount,
  BankAccount,
  Bill,
  CanonicalRecord,
  Category,
  Contact,
  ContactRole,
  CreditNote,
  Estimate,
  Identification,
  Invoice,
  Item,
  Kind,
  Line,
  Payment
} from "../../schema/index.js"
import { ZERO } from "../../schema/index.js"
import { addAmounts, isStamped, methodName, roles, status, subtractAmounts, text } from "./normalise.js"
import {
  amount,
  applications,
  currency,
  date,
  documentNumber,
  id,
  isAbsent,
  isRecord,
  type Json,
  type Key,
  lines,
  oneOf,
  optAmount,
  optDate,
  optId,
  refunds,
  optRef,
  optString,
  optText,
  ref,
  string,
  taxIds,
  Walk
} from "./walk.js"

// ---------------------------------------------------------------------------------------
// Contact parts

/** `{firstName, secondName, lastName, secondLastName}`: the parts joined, or null. */
const personName = (walk: Walk, value: Json, key: Key): string | null => {
  walk.enter(key)
  const parts = [
    text(optString(walk, value.firstName, "firstName")),
    text(optString(walk, value.secondName, "secondName")),
    text(optString(walk, value.lastName, "lastName")),
    text(optString(walk, value.secondLastName, "secondLastName"))
  ]
  walk.leave()
  return text(parts.filter((part) => part !== null).join(" "))
}

interface IdentificationParts {
  readonly type: string | null
  readonly number: string | null
  readonly dv: string | null
}

/** `{type, number, dv}`; type is a code, or in some countries an object carrying the code. */
const identificationObject = (walk: Walk, value: Json, key: Key): IdentificationParts => {
  walk.enter(key)
  const rawType = value.type
  let type: string | null = null
  if (typeof rawType === "string") {
    type = text(rawType)
  } else if (isRecord(rawType)) {
    walk.enter("type")
    const code = text(optText(walk, rawType.code, "code"))
    const short = text(optText(walk, rawType.key, "key"))
    const name = text(optText(walk, rawType.name, "name"))
    walk.leave()
    type = code ?? short ?? name
  } else if (!isAbsent(rawType)) {
    walk.expected("type", "a code or {code, key, name}", rawType)
  }
  const number = optText(walk, value.number, "number")
  const dv = optText(walk, value.dv, "dv")
  walk.leave()
  return { type, number, dv }
}

const identification = (walk: Walk, raw: Json): Identification | null => {
  const field = raw.identification
  let fieldText: string | null = null
  let fieldObject: IdentificationParts | null = null
  if (typeof field === "string") fieldText = field
  else if (typeof field === "number") fieldText = String(field)
  else if (isRecord(field)) fieldObject = identificationObject(walk, field, "identification")
  else if (!isAbsent(field)) walk.expected("identification", "a number (string) or {type, number, dv}", field)
  const separate = raw.identificationObject
  let object: IdentificationParts | null = null
  if (isRecord(separate)) object = identificationObject(walk, separate, "identificationObject")
  else if (!isAbsent(separate)) walk.expected("identificationObject", "{type, number, dv}", separate)
  object ??= fieldObject
  const number = text(object?.number) ?? text(fieldText)
  if (number === null) return null
  return { dv: text(object?.dv), number, type: object?.type ?? null }
}

const ADDRESS_STRINGS = ["address", "street", "colony", "city", "department", "state", "province", "region", "country"]
const ADDRESS_TEXTS = ["exteriorNumber", "interiorNumber", "zipCode", "postalCode"]

const address = (walk: Walk, value: unknown): Address | null => {
  if (isAbsent(value)) return null
  if (typeof value === "string") {
    const street = text(value)
    return street === null ? null : { city: null, country: null, postalCode: null, region: null, street }
  }
  if (!isRecord(value)) {
    walk.expected("address", "a string or {address, city, …}", value)
    return null
  }
  walk.enter("address")
  for (const key of ADDRESS_STRINGS) optString(walk, value[key], key)
  for (const key of ADDRESS_TEXTS) optText(walk, value[key], key)
  walk.leave()
  const part = (key: string): string | null => {
    const v = value[key]
    return typeof v === "string" ? text(v) : typeof v === "number" ? String(v) : null
  }
  const streetParts = [part("street"), part("exteriorNumber"), part("interiorNumber"), part("colony")]
  const result: Address = {
    city: part("city"),
    country: part("country"),
    postalCode: part("zipCode") ?? part("postalCode"),
    region: part("department") ?? part("state") ?? part("province") ?? part("region"),
    street: part("address") ?? text(streetParts.filter((p) => p !== null).join(" "))
  }
  return result.city === null && result.country === null && result.postalCode === null && result.region === null &&
      result.street === null
    ? null
    : result
}

/** type: ["client","provider"], a bare "client" or "client,provider"; invalid values are dropped. */
const contactRoles = (walk: Walk, value: unknown): ReadonlyArray<ContactRole> => {
  if (isAbsent(value)) return []
  if (typeof value === "string") return roles(value)
  if (!Array.isArray(value)) {
    walk.expected("type", "a string or an array of strings", value)
    return []
  }
  let valid = true
  walk.enter("type")
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i]
    if (entry === null || typeof entry === "string") continue
    walk.expected(i, "a string or null", entry)
    valid = false
  }
  walk.leave()
  return valid ? roles(value as ReadonlyArray<string | null>) : []
}

// ---------------------------------------------------------------------------------------
// One reader per kind. A reader returns null only with a problem recorded.

/** Whether the record can be built: no problem so far, and a value the mapping needs is there (else one more problem). */
const complete = <A>(walk: Walk, needed: A | null, key: string, message: string): needed is A => {
  if (walk.problems.length > 0) return false
  if (needed !== null) return true
  walk.fail(key, message)
  return false
}

const readContact = (walk: Walk, raw: Json): Contact | null => {
  const contactId = id(walk, raw.id, "id")
  const rawName = raw.name
  let name: string | null = null
  if (typeof rawName === "string") name = text(rawName)
  else if (isRecord(rawName)) name = personName(walk, rawName, "name")
  else walk.expected("name", "a name (a string or {firstName, lastName, …})", rawName)
  const nameObject = raw.nameObject
  let fromObject: string | null = null
  if (isRecord(nameObject)) fromObject = personName(walk, nameObject, "nameObject")
  else if (!isAbsent(nameObject)) walk.expected("nameObject", "{firstName, lastName, …}", nameObject)
  const ident = identification(walk, raw)
  const email = optString(walk, raw.email, "email")
  const phonePrimary = optText(walk, raw.phonePrimary, "phonePrimary")
  const phoneSecondary = optText(walk, raw.phoneSecondary, "phoneSecondary")
  const mobile = optText(walk, raw.mobile, "mobile")
  const contactType = contactRoles(walk, raw.type)
  const contactStatus = optString(walk, raw.status, "status")
  const contactAddress = address(walk, raw.address)
  name ??= fromObject
  if (!complete(walk, name, "name", "expected a name (a string or {firstName, lastName, …})")) return null
  return {
    address: contactAddress,
    email: text(email),
    id: contactId,
    identification: ident,
    mobile: text(mobile),
    name,
    phone: text(phonePrimary) ?? text(phoneSecondary),
    roles: contactType,
    status: status(contactStatus)
  }
}

/** An item's price: a number on create, a price-list array in responses (the main list first). */
const itemPrice = (walk: Walk, value: unknown): Amount => {
  if (isAbsent(value)) return ZERO
  if (!Array.isArray(value)) return amount(walk, value, "price")
  let first: Amount = ZERO
  walk.enter("price")
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i]
    if (!isRecord(entry)) {
      walk.expected(i, "{idPriceList, price}", entry)
      continue
    }
    walk.enter(i)
    optId(walk, entry.idPriceList, "idPriceList")
    const price = amount(walk, entry.price, "price")
    walk.leave()
    if (i === 0) first = price
  }
  walk.leave()
  return first
}

/** A reference as a text or, in some accounts, `{reference}`. */
const itemReference = (walk: Walk, value: unknown): string | null => {
  if (isAbsent(value)) return null
  if (isRecord(value)) {
    walk.enter("reference")
    const reference = optText(walk, value.reference, "reference")
    walk.leave()
    return text(reference)
  }
  return text(optText(walk, value, "reference"))
}

const readItem = (walk: Walk, raw: Json): Item | null => {
  const item: Item = {
    description: text(optString(walk, raw.description, "description")),
    id: id(walk, raw.id, "id"),
    name: string(walk, raw.name, "name"),
    price: itemPrice(walk, raw.price),
    productKey: text(optText(walk, raw.productKey, "productKey")),
    reference: itemReference(walk, raw.reference),
    status: status(optString(walk, raw.status, "status")),
    taxIds: taxIds(walk, raw.tax, "tax"),
    type: text(optString(walk, raw.type, "type"))
  }
  return walk.problems.length > 0 ? null : item
}

const INVOICE_STATUSES = ["draft", "open", "closed", "void"] as const
const CREDIT_NOTE_STATUSES = ["open", "closed", "void"] as const
const DIRECTIONS = ["in", "out"] as const

/** The balance Alegra gives, else the total less what was paid or applied. */
const balanceOf = (balance: Amount | null, total: Amount, less: Amount | null): Amount =>
  balance ?? (less !== null ? subtractAmounts(total, less) : total)

/** What every document carries; `ownNumber` is its number field, used when the template gives none. */
const documentHead = (walk: Walk, raw: Json, ownNumber: string | null) => ({
  id: id(walk, raw.id, "id"),
  number: documentNumber(walk, raw, ownNumber),
  date: date(walk, raw.date, "date"),
  currency: currency(walk, raw.currency, "currency"),
  total: amount(walk, raw.total, "total")
})

const readInvoice = (walk: Walk, raw: Json): Invoice | null => {
  const head = documentHead(walk, raw, optText(walk, raw.number, "number"))
  const dueDate = optDate(walk, raw.dueDate, "dueDate")
  const invoiceStatus = oneOf(walk, raw.status, "status", INVOICE_STATUSES)
  const contactId = ref(walk, raw.client, "client")
  const invoiceLines = lines(walk, raw.items, "items")
  const totalPaid = optAmount(walk, raw.totalPaid, "totalPaid")
  const balance = optAmount(walk, raw.balance, "balance")
  const observations = optString(walk, raw.observations, "observations")
  if (!complete(walk, contactId, "client", "expected client.id")) return null
  return {
    balance: balanceOf(balance, head.total, totalPaid),
    contactId,
    currency: head.currency,
    date: head.date,
    dueDate,
    id: head.id,
    lines: invoiceLines ?? [],
    number: head.number,
    observations: text(observations),
    stamped: isStamped(raw.stamp),
    status: invoiceStatus,
    total: head.total
  }
}

const readBill = (walk: Walk, raw: Json): Bill | null => {
  const ownNumber = optText(walk, raw.number, "number")
  const billNumber = optText(walk, raw.billNumber, "billNumber")
  const head = documentHead(walk, raw, billNumber ?? ownNumber)
  const dueDate = optDate(walk, raw.dueDate, "dueDate")
  const billStatus = oneOf(walk, raw.status, "status", INVOICE_STATUSES)
  const provider = optRef(walk, raw.provider, "provider")
  const client = optRef(walk, raw.client, "client")
  // Lines: catalog items and expense accounts, under `purchases` or at the top level.
  const purchases = raw.purchases
  let purchasedItems: Array<Line> | null = null
  let purchasedAccounts: Array<Line> | null = null
  if (isRecord(purchases)) {
    walk.enter("purchases")
    purchasedItems = lines(walk, purchases.items, "items")
    purchasedAccounts = lines(walk, purchases.categories, "categories", true)
    walk.leave()
  } else if (!isAbsent(purchases)) {
    walk.expected("purchases", "{items, categories}", purchases)
  }
  const items = lines(walk, raw.items, "items")
  const accounts = lines(walk, raw.categories, "categories", true)
  const totalPaid = optAmount(walk, raw.totalPaid, "totalPaid")
  const balance = optAmount(walk, raw.balance, "balance")
  const contactId = provider ?? client
  if (!complete(walk, contactId, "provider", "expected provider.id (or client.id)")) return null
  const itemLines = purchasedItems ?? items ?? []
  const accountLines = purchasedAccounts ?? accounts ?? []
  return {
    balance: balanceOf(balance, head.total, totalPaid),
    contactId,
    currency: head.currency,
    date: head.date,
    dueDate,
    id: head.id,
    lines: accountLines.length === 0 ? itemLines : [...itemLines, ...accountLines],
    number: head.number,
    status: billStatus,
    total: head.total
  }
}

const readCreditNote = (walk: Walk, raw: Json): CreditNote | null => {
  const head = documentHead(walk, raw, optText(walk, raw.number, "number"))
  const noteStatus = oneOf(walk, raw.status, "status", CREDIT_NOTE_STATUSES)
  const contactId = ref(walk, raw.client, "client")
  const noteLines = lines(walk, raw.items, "items")
  const balance = optAmount(walk, raw.balance, "balance")
  const totalApplied = optAmount(walk, raw.totalApplied, "totalApplied")
  const applied = applications(walk, raw.invoices, "invoices", "invoice")
  const returned = refunds(walk, raw.refunds, "refunds")
  if (!complete(walk, contactId, "client", "expected client.id")) return null
  return {
    applications: applied,
    balance: balanceOf(balance, head.total, totalApplied),
    // Absent when none, as in the canonical schema: a credit note without refunds reads as before.
    ...(returned.length === 0 ? {} : { refunds: returned }),
    contactId,
    currency: head.currency,
    date: head.date,
    id: head.id,
    lines: noteLines ?? [],
    number: head.number,
    stamped: isStamped(raw.stamp),
    status: noteStatus,
    total: head.total
  }
}

const readEstimate = (walk: Walk, raw: Json): Estimate | null => {
  const head = documentHead(walk, raw, optText(walk, raw.number, "number"))
  const dueDate = optDate(walk, raw.dueDate, "dueDate")
  const estimateStatus = string(walk, raw.status, "status")
  const contactId = ref(walk, raw.client, "client")
  const estimateLines = lines(walk, raw.items, "items")
  if (!complete(walk, contactId, "client", "expected client.id")) return null
  return {
    contactId,
    currency: head.currency,
    date: head.date,
    dueDate,
    id: head.id,
    lines: estimateLines ?? [],
    number: head.number,
    status: estimateStatus,
    total: head.total
  }
}

/** A method as a name, or `{key, name, id}`. */
const paymentMethod = (walk: Walk, value: unknown): string | null => {
  if (isAbsent(value)) return null
  if (typeof value === "string") return methodName(text(value))
  if (!isRecord(value)) {
    walk.expected("paymentMethod", "a name or {key, name, id}", value)
    return null
  }
  walk.enter("paymentMethod")
  const name = text(optString(walk, value.name, "name"))
  const key = text(optString(walk, value.key, "key"))
  const methodId = text(optText(walk, value.id, "id"))
  walk.leave()
  return methodName(key ?? name ?? methodId)
}

const readPayment = (walk: Walk, raw: Json): Payment | null => {
  const paymentId = id(walk, raw.id, "id")
  const number = documentNumber(walk, raw, optText(walk, raw.number, "number"))
  const paymentDate = date(walk, raw.date, "date")
  const given = optAmount(walk, raw.amount, "amount")
  // in = received against invoices, out = paid against bills.
  const type = isAbsent(raw.type) ? null : oneOf(walk, raw.type, "type", DIRECTIONS)
  const paymentStatus = optString(walk, raw.status, "status")
  const method = paymentMethod(walk, raw.paymentMethod)
  const bankAccountId = optRef(walk, raw.bankAccount, "bankAccount")
  const client = optRef(walk, raw.client, "client")
  const provider = optRef(walk, raw.provider, "provider")
  const paymentCurrency = currency(walk, raw.currency, "currency")
  const invoices = applications(walk, raw.invoices, "invoices", "invoice")
  const bills = applications(walk, raw.bills, "bills", "bill")
  if (walk.problems.length > 0) return null
  const applied = bills.length === 0 ? invoices : invoices.length === 0 ? bills : [...invoices, ...bills]
  let total = given
  if (total === null && applied.length > 0) {
    total = applied[0]!.amount
    for (let i = 1; i < applied.length; i++) total = addAmounts(total, applied[i]!.amount)
  }
  if (!complete(walk, total, "amount", "expected an amount (or applied invoices/bills)")) return null
  return {
    amount: total,
    applications: applied,
    bankAccountId,
    contactId: client ?? provider,
    currency: paymentCurrency,
    date: paymentDate,
    direction: type ?? (bills.length > 0 && invoices.length === 0 ? "out" : "in"),
    id: paymentId,
    method,
    number,
    status: text(paymentStatus)?.toLowerCase() === "void" ? "void" : "open"
  }
}

/** idParent: null, "" or missing for a root account. */
const parentId = (walk: Walk, value: unknown): string | null =>
  isAbsent(value) || value === "" ? null : id(walk, value, "idParent")

const readCategory = (walk: Walk, raw: Json): Category | null => {
  const category: Category = {
    code: text(optText(walk, raw.code, "code")),
    id: id(walk, raw.id, "id"),
    name: string(walk, raw.name, "name"),
    parentId: parentId(walk, raw.idParent),
    status: text(optString(walk, raw.status, "status")),
    type: text(optString(walk, raw.type, "type"))
  }
  return walk.problems.length > 0 ? null : category
}

const readBankAccount = (walk: Walk, raw: Json): BankAccount | null => {
  const account: BankAccount = {
    id: id(walk, raw.id, "id"),
    name: string(walk, raw.name, "name"),
    number: text(optText(walk, raw.number, "number")),
    status: text(optString(walk, raw.status, "status")),
    type: text(optString(walk, raw.type, "type"))
  }
  return walk.problems.length > 0 ? null : account
}

const readers: { readonly [K in Kind]: (walk: Walk, raw: Json) => CanonicalRecord["record"] | null } = {
  "category": readCategory,
  "bank-account": readBankAccount,
  "contact": readContact,
  "item": readItem,
  "invoice": readInvoice,
  "bill": readBill,
  "payment": readPayment,
  "credit-note": readCreditNote,
  "estimate": readEstimate
}

/** Reads one raw record; on a problem returns its message (one "path: problem" per problem, "; "-joined). */
const readRecord = (kind: Kind, raw: unknown): CanonicalRecord | string => {
  const walk = new Walk()
  if (!isRecord(raw)) {
    walk.expected(undefined, `a ${kind} object`, raw)
    return walk.problems.join("; ")
  }
  const record = readers[kind](walk, raw)
  return record === null ? walk.problems.join("; ") : { kind, record } as CanonicalRecord
}

/** Decodes one raw Alegra record of a kind; Left carries a message naming the fields. */
export const decodeRecord = (kind: Kind, raw: unknown): Either.Either<CanonicalRecord, string> => {
  const read = readRecord(kind, raw)
  return typeof read === "string" ? Either.left(read) : Either.right(read)
}

/** The first row of a page that cannot be read: its position and what is wrong with it. */
export interface RowFailure {
  readonly index: number
  readonly message: string
}

/** Decodes the rows of a page, in order; stops at the first that cannot be read. */
export const decodeRows = (kind: Kind, rows: ReadonlyArray<unknown>): Either.Either<Array<CanonicalRecord>, RowFailure> => {
  const records: Array<CanonicalRecord> = []
  for (let index = 0; index < rows.length; index++) {
    const read = readRecord(kind, rows[index])
    if (typeof read === "string") return Either.left({ index, message: read })
    records.push(read)
  }
  return Either.right(records)
}

/** The id of a raw record, for messages (undefined when it has none). */
export const rawId = (raw: unknown): string | undefined => {
  if (typeof raw !== "object" || raw === null) return undefined
  const value = (raw as { id?: unknown }).id
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined
}
