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
  Application,
  BankAccount,
  Bill,
  CanonicalRecord,
  Category,
  Contact,
  ContactRole,
  CreditNote,
  DateOnly,
  Estimate,
  Identification,
  Invoice,
  Item,
  Kind,
  Line,
  Payment
} from "../../schema/index.js"
import { normaliseAmount, ZERO } from "../../schema/index.js"

// ---------------------------------------------------------------------------------------
// Normalisers shared with the oracle (they take values already read)

/** A trimmed text, or null when missing or blank. */
export const text = (value: string | null | undefined): string | null => {
  if (value === null || value === undefined) return null
  const trimmed = value.trim()
  return trimmed === "" ? null : trimmed
}

const STAMP_KEYS = ["uuid", "cufe", "cude", "clave", "folio_fiscal", "foliofiscal"]

/** Stamped (electronic, immutable) when the stamp output carries a uuid, cufe or cude. */
export const isStamped = (stamp: unknown): boolean => {
  if (typeof stamp !== "object" || stamp === null || Array.isArray(stamp)) return false
  for (const key of Object.keys(stamp)) {
    if (!STAMP_KEYS.includes(key.toLowerCase())) continue
    const value: unknown = (stamp as Record<string, unknown>)[key]
    if ((typeof value === "string" && value.trim() !== "") || typeof value === "number") return true
  }
  return false
}

/** active unless Alegra says inactive. */
export const status = (value: string | null | undefined): "active" | "inactive" =>
  text(value)?.toLowerCase() === "inactive" ? "inactive" : "active"

/** Sorted, deduplicated roles from an array, a bare string or a comma-separated string. */
export const roles = (type: string | ReadonlyArray<string | null> | null | undefined): ReadonlyArray<ContactRole> => {
  if (type === null || type === undefined) return []
  const raw = typeof type === "string" ? type.split(/[\s,;|]+/) : type
  const found = new Set<ContactRole>()
  for (const entry of raw) {
    const value = entry?.trim().toLowerCase()
    if (value === "client" || value === "provider") found.add(value)
  }
  return [...found].sort()
}

// A Map, not an object literal: "constructor" or "__proto__" must not find Object's members.
const PAYMENT_METHODS = new Map<string, string>([
  ["efectivo", "cash"],
  ["cheque", "check"],
  ["transferencia", "transfer"],
  ["consignación", "deposit"],
  ["consignacion", "deposit"],
  ["tarjeta de crédito", "credit-card"],
  ["tarjeta de credito", "credit-card"],
  ["tarjeta débito", "debit-card"],
  ["tarjeta de débito", "debit-card"],
  ["tarjeta debito", "debit-card"],
  ["tarjeta de debito", "debit-card"]
])

/** The canonical payment method: Alegra's Spanish names in English, anything else as written. */
export const methodName = (raw: string | null): string | null =>
  raw === null ? null : PAYMENT_METHODS.get(raw.toLowerCase()) ?? raw

// Exact decimal arithmetic on normalised amount strings (no floats in the books).
const scaleOf = (a: string) => a.split(".")[1]?.length ?? 0
const toScaled = (a: string, scale: number): bigint => {
  const negative = a.startsWith("-")
  const [whole = "0", fraction = ""] = (negative ? a.slice(1) : a).split(".")
  const value = BigInt(whole + fraction.padEnd(scale, "0"))
  return negative ? -value : value
}
const fromScaled = (value: bigint, scale: number): Amount => {
  const negative = value < 0n
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0")
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  return normaliseAmount(`${negative ? "-" : ""}${body}`)!
}
export const addAmounts = (a: string, b: string): Amount => {
  const scale = Math.max(scaleOf(a), scaleOf(b))
  return fromScaled(toScaled(a, scale) + toScaled(b, scale), scale)
}
export const subtractAmounts = (a: string, b: string): Amount => {
  const scale = Math.max(scaleOf(a), scaleOf(b))
  return fromScaled(toScaled(a, scale) - toScaled(b, scale), scale)
}

// ---------------------------------------------------------------------------------------
// The walk: where it is, and what did not fit

type Json = Record<string, unknown>
type Key = string | number

const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isAbsent = (value: unknown): value is null | undefined => value === null || value === undefined

/** A value as it appears in messages: its JSON, cut to 80 characters. */
export const preview = (value: unknown): string => {
  let shown: string
  try {
    shown = JSON.stringify(value) ?? String(value)
  } catch {
    shown = String(value)
  }
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown
}

/**
 * The path being read and the problems found. A reader that finds a problem records it
 * and returns a placeholder: the record is thrown away once the walk ends with problems,
 * so every problem of a record is reported, not only the first.
 */
class Walk {
  private readonly path: Array<Key> = []
  readonly problems: Array<string> = []

  enter(key: Key): void {
    this.path.push(key)
  }

  leave(): void {
    this.path.pop()
  }

  fail(key: Key | undefined, message: string): void {
    const parts = key === undefined ? this.path : [...this.path, key]
    this.problems.push(`${parts.length === 0 ? "(root)" : parts.join(".")}: ${message}`)
  }

  /** "is missing" for a required key that is absent, else what was expected and what came. */
  expected(key: Key | undefined, what: string, value: unknown): void {
    this.fail(key, value === undefined ? "is missing" : `expected ${what}, got ${preview(value)}`)
  }
}

// ---------------------------------------------------------------------------------------
// Readers of one value: `value` is what the key holds, `key` names it in messages

/** A string, required. */
const string = (walk: Walk, value: unknown, key: Key): string => {
  if (typeof value === "string") return value
  walk.expected(key, "a string", value)
  return ""
}

const optString = (walk: Walk, value: unknown, key: Key): string | null =>
  isAbsent(value) ? null : string(walk, value, key)

/** A text sometimes sent as a number (numbers, codes, identification numbers). */
const optText = (walk: Walk, value: unknown, key: Key): string | null => {
  if (isAbsent(value)) return null
  if (typeof value === "string") return value
  if (typeof value === "number") return String(value)
  walk.expected(key, "a string or a number", value)
  return null
}

/** An id as a string or a number, normalised to a non-empty string; required. */
const id = (walk: Walk, value: unknown, key: Key): string => {
  if (typeof value === "string") {
    const trimmed = value.trim()
    if (trimmed !== "") return trimmed
  } else if (typeof value === "number" && Number.isFinite(value)) {
    return String(value)
  }
  walk.expected(key, "a non-empty id (a string or a number)", value)
  return ""
}

const optId = (walk: Walk, value: unknown, key: Key): string | null => isAbsent(value) ? null : id(walk, value, key)

/** A number or a numeric string, normalised; required. */
const amount = (walk: Walk, value: unknown, key: Key): Amount => {
  if (typeof value === "number" || typeof value === "string") {
    const normalised = normaliseAmount(value)
    if (normalised !== undefined) return normalised
  }
  walk.expected(key, "a number or a numeric string", value)
  return ZERO
}

/** An optional amount where "" (or blanks) means "not given". */
const optAmount = (walk: Walk, value: unknown, key: Key): Amount | null =>
  isAbsent(value) || (typeof value === "string" && value.trim() === "") ? null : amount(walk, value, key)

const DATE = /^\s*(\d{4}-\d{2}-\d{2})/

/** A yyyy-MM-dd date, possibly followed by a time ("2024-01-15 10:20:00"); required. */
const date = (walk: Walk, value: unknown, key: Key): DateOnly => {
  if (typeof value === "string") {
    const match = DATE.exec(value)
    if (match !== null) return match[1] as DateOnly
  }
  walk.expected(key, "a yyyy-MM-dd date", value)
  return "" as DateOnly
}

/** An optional date where "" and "0000-00-00" mean "none". */
const optDate = (walk: Walk, value: unknown, key: Key): DateOnly | null =>
  isAbsent(value) || (typeof value === "string" && (value.trim() === "" || value.startsWith("0000-00-00")))
    ? null
    : date(walk, value, key)

/** A member of a lower-case enumeration ("Open" and "open" are the same status); required. */
const oneOf = <L extends string>(walk: Walk, value: unknown, key: Key, members: ReadonlyArray<L>): L => {
  if (typeof value === "string") {
    const lower = value.trim().toLowerCase()
    if ((members as ReadonlyArray<string>).includes(lower)) return lower as L
  }
  walk.expected(key, `one of ${members.join("|")}`, value)
  return members[0]!
}

/** `{id}` or a bare id: the id, or null for `{}` and `{id: null}`; required. */
const ref = (walk: Walk, value: unknown, key: Key): string | null => {
  if (typeof value === "string" || typeof value === "number") return id(walk, value, key)
  if (isRecord(value)) {
    walk.enter(key)
    const found = optId(walk, value.id, "id")
    walk.leave()
    return found
  }
  walk.expected(key, "an id or {id}", value)
  return null
}

const optRef = (walk: Walk, value: unknown, key: Key): string | null => isAbsent(value) ? null : ref(walk, value, key)

/** A currency as `{code, symbol, …}` or a bare code: the code, or null. */
const currency = (walk: Walk, value: unknown, key: Key): string | null => {
  if (isAbsent(value)) return null
  if (typeof value === "string") return text(value)
  if (isRecord(value)) {
    walk.enter(key)
    const code = optString(walk, value.code, "code")
    walk.leave()
    return text(code)
  }
  walk.expected(key, "a currency code or {code}", value)
  return null
}

/** One numberTemplate: its fullNumber, else prefix + number, else null. */
const template = (walk: Walk, value: unknown, key: Key): string | null => {
  if (!isRecord(value)) {
    walk.expected(key, "{prefix, number, fullNumber}", value)
    return null
  }
  walk.enter(key)
  optId(walk, value.id, "id")
  const prefix = optText(walk, value.prefix, "prefix")
  const number = optText(walk, value.number, "number")
  const fullNumber = optText(walk, value.fullNumber, "fullNumber")
  walk.leave()
  const full = text(fullNumber)
  if (full !== null) return full
  const short = text(number)
  return short === null ? null : `${text(prefix) ?? ""}${short}`
}

/** numberTemplate as an object, or an array (of one): the number its first gives, or null. */
const templateNumber = (walk: Walk, value: unknown, key: Key): string | null => {
  if (isAbsent(value)) return null
  if (!Array.isArray(value)) return template(walk, value, key)
  walk.enter(key)
  let first: string | null = null
  for (let i = 0; i < value.length; i++) {
    const number = template(walk, value[i], i)
    if (i === 0) first = number
  }
  walk.leave()
  return first
}

/** The document number: the template's, else the document's own. */
const documentNumber = (walk: Walk, raw: Json, fallback: string | null): string | null =>
  templateNumber(walk, raw.numberTemplate, "numberTemplate") ?? text(fallback)

/** Taxes: an array of `{id, …}` or bare ids, or a single one. */
const taxIds = (walk: Walk, value: unknown, key: Key): Array<string> => {
  const ids: Array<string> = []
  if (isAbsent(value)) return ids
  if (!Array.isArray(value)) {
    const one = ref(walk, value, key)
    if (one !== null) ids.push(one)
    return ids
  }
  walk.enter(key)
  for (let i = 0; i < value.length; i++) {
    const one = ref(walk, value[i], i)
    if (one !== null) ids.push(one)
  }
  walk.leave()
  return ids
}

/** One line of a document; `asAccount` for a bill's expense lines (its id is an account). */
const line = (walk: Walk, value: unknown, key: Key, asAccount: boolean): Line | null => {
  if (!isRecord(value)) {
    walk.expected(key, "a line object", value)
    return null
  }
  walk.enter(key)
  const lineId = optId(walk, value.id, "id")
  const name = optString(walk, value.name, "name")
  const description = optString(walk, value.description, "description")
  const price = amount(walk, value.price, "price")
  const quantity = amount(walk, value.quantity, "quantity")
  const discount = optAmount(walk, value.discount, "discount")
  const taxes = taxIds(walk, value.tax, "tax")
  const total = optAmount(walk, value.total, "total")
  walk.leave()
  return {
    accountId: asAccount ? lineId : null,
    description: text(description) ?? text(name),
    discount: discount ?? ZERO,
    itemId: asAccount ? null : lineId,
    price,
    quantity,
    taxIds: taxes,
    total
  }
}

/** The lines under a key, or null when the key is absent or null. */
const lines = (walk: Walk, value: unknown, key: Key, asAccount = false): Array<Line> | null => {
  if (isAbsent(value)) return null
  if (!Array.isArray(value)) {
    walk.expected(key, "an array of lines", value)
    return null
  }
  const out: Array<Line> = []
  walk.enter(key)
  for (let i = 0; i < value.length; i++) {
    const read = line(walk, value[i], i, asAccount)
    if (read !== null) out.push(read)
  }
  walk.leave()
  return out
}

/** Documents a payment or credit note is applied to, with the applied amounts. */
const applications = (
  walk: Walk,
  value: unknown,
  key: Key,
  documentKind: Application["documentKind"]
): Array<Application> => {
  const out: Array<Application> = []
  if (isAbsent(value)) return out
  if (!Array.isArray(value)) {
    walk.expected(key, "an array of {id, amount}", value)
    return out
  }
  walk.enter(key)
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i]
    if (!isRecord(entry)) {
      walk.expected(i, "{id, amount}", entry)
      continue
    }
    walk.enter(i)
    const documentId = id(walk, entry.id, "id")
    const applied = amount(walk, entry.amount, "amount")
    walk.leave()
    out.push({ amount: applied, documentId, documentKind })
  }
  walk.leave()
  return out
}

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
  if (walk.problems.length > 0) return null
  if (name === null) {
    walk.fail("name", "expected a name (a string or {firstName, lastName, …})")
    return null
  }
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

const readInvoice = (walk: Walk, raw: Json): Invoice | null => {
  const invoiceId = id(walk, raw.id, "id")
  const number = documentNumber(walk, raw, optText(walk, raw.number, "number"))
  const invoiceDate = date(walk, raw.date, "date")
  const invoiceCurrency = currency(walk, raw.currency, "currency")
  const total = amount(walk, raw.total, "total")
  const dueDate = optDate(walk, raw.dueDate, "dueDate")
  const invoiceStatus = oneOf(walk, raw.status, "status", INVOICE_STATUSES)
  const contactId = ref(walk, raw.client, "client")
  const invoiceLines = lines(walk, raw.items, "items")
  const totalPaid = optAmount(walk, raw.totalPaid, "totalPaid")
  const balance = optAmount(walk, raw.balance, "balance")
  const observations = optString(walk, raw.observations, "observations")
  if (walk.problems.length > 0) return null
  if (contactId === null) {
    walk.fail("client", "expected client.id")
    return null
  }
  return {
    balance: balanceOf(balance, total, totalPaid),
    contactId,
    currency: invoiceCurrency,
    date: invoiceDate,
    dueDate,
    id: invoiceId,
    lines: invoiceLines ?? [],
    number,
    observations: text(observations),
    stamped: isStamped(raw.stamp),
    status: invoiceStatus,
    total
  }
}

const readBill = (walk: Walk, raw: Json): Bill | null => {
  const billId = id(walk, raw.id, "id")
  const ownNumber = optText(walk, raw.number, "number")
  const billNumber = optText(walk, raw.billNumber, "billNumber")
  const number = documentNumber(walk, raw, billNumber ?? ownNumber)
  const billDate = date(walk, raw.date, "date")
  const billCurrency = currency(walk, raw.currency, "currency")
  const total = amount(walk, raw.total, "total")
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
  if (walk.problems.length > 0) return null
  const contactId = provider ?? client
  if (contactId === null) {
    walk.fail("provider", "expected provider.id (or client.id)")
    return null
  }
  const itemLines = purchasedItems ?? items ?? []
  const accountLines = purchasedAccounts ?? accounts ?? []
  return {
    balance: balanceOf(balance, total, totalPaid),
    contactId,
    currency: billCurrency,
    date: billDate,
    dueDate,
    id: billId,
    lines: accountLines.length === 0 ? itemLines : [...itemLines, ...accountLines],
    number,
    status: billStatus,
    total
  }
}

const readCreditNote = (walk: Walk, raw: Json): CreditNote | null => {
  const noteId = id(walk, raw.id, "id")
  const number = documentNumber(walk, raw, optText(walk, raw.number, "number"))
  const noteDate = date(walk, raw.date, "date")
  const noteCurrency = currency(walk, raw.currency, "currency")
  const total = amount(walk, raw.total, "total")
  const noteStatus = oneOf(walk, raw.status, "status", CREDIT_NOTE_STATUSES)
  const contactId = ref(walk, raw.client, "client")
  const noteLines = lines(walk, raw.items, "items")
  const balance = optAmount(walk, raw.balance, "balance")
  const totalApplied = optAmount(walk, raw.totalApplied, "totalApplied")
  const applied = applications(walk, raw.invoices, "invoices", "invoice")
  if (walk.problems.length > 0) return null
  if (contactId === null) {
    walk.fail("client", "expected client.id")
    return null
  }
  return {
    applications: applied,
    balance: balanceOf(balance, total, totalApplied),
    contactId,
    currency: noteCurrency,
    date: noteDate,
    id: noteId,
    lines: noteLines ?? [],
    number,
    stamped: isStamped(raw.stamp),
    status: noteStatus,
    total
  }
}

const readEstimate = (walk: Walk, raw: Json): Estimate | null => {
  const estimateId = id(walk, raw.id, "id")
  const number = documentNumber(walk, raw, optText(walk, raw.number, "number"))
  const estimateDate = date(walk, raw.date, "date")
  const estimateCurrency = currency(walk, raw.currency, "currency")
  const total = amount(walk, raw.total, "total")
  const dueDate = optDate(walk, raw.dueDate, "dueDate")
  const estimateStatus = string(walk, raw.status, "status")
  const contactId = ref(walk, raw.client, "client")
  const estimateLines = lines(walk, raw.items, "items")
  if (walk.problems.length > 0) return null
  if (contactId === null) {
    walk.fail("client", "expected client.id")
    return null
  }
  return {
    contactId,
    currency: estimateCurrency,
    date: estimateDate,
    dueDate,
    id: estimateId,
    lines: estimateLines ?? [],
    number,
    status: estimateStatus,
    total
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
  if (total === null) {
    walk.fail("amount", "expected an amount (or applied invoices/bills)")
    return null
  }
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
