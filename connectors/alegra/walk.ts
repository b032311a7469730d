/**
 * The walk over one raw record of Alegra's JSON: the path being read, the problems found,
 * and a reader for each shape of value the API sends (an id as a string or a number, an
 * amount as a number or a numeric string, `{id}` or a bare reference, …). A reader that
 * finds a problem records it, naming the field by its path ("items.0.price"), and returns
 * a placeholder: the record is thrown away once its walk ends with problems, so every
 * problem of a record is reported, not only the first.
 */
import type { Amount, Application, CreditNoteRefund, DateOnly, Line } from "../../schema/index.js"
import { normaliseAmount, ZERO } from "../../schema/index.js"
import { text } from "./normalise.js"

export type Json = Record<string, unknown>
export type Key = string | number

export const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const isAbsent = (value: unknown): value is null | undefined => value === null || value === undefined

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

/** The path being read and the problems found. */
export class Walk {
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
export const string = (walk: Walk, value: unknown, key: Key): string => {
  if (typeof value === "string") return value
  walk.expected(key, "a string", value)
  return ""
}

export const optString = (walk: Walk, value: unknown, key: Key): string | null =>
  isAbsent(value) ? null : string(walk, value, key)

/** A text sometimes sent as a number (numbers, codes, identification numbers). */
export const optText = (walk: Walk, value: unknown, key: Key): string | null => {
  if (isAbsent(value)) return null
  if (typeof value === "string") return value
  if (typeof value === "number") return String(value)
  walk.expected(key, "a string or a number", value)
  return null
}

/** An id as a string or a number, normalised to a non-empty string; required. */
export const id = (walk: Walk, value: unknown, key: Key): string => {
  if (typeof value === "string") {
    const trimmed = value.trim()
    if (trimmed !== "") return trimmed
  } else if (typeof value === "number" && Number.isFinite(value)) {
    return String(value)
  }
  walk.expected(key, "a non-empty id (a string or a number)", value)
  return ""
}

export const optId = (walk: Walk, value: unknown, key: Key): string | null => isAbsent(value) ? null : id(walk, value, key)

/** A number or a numeric string, normalised; required. */
export const amount = (walk: Walk, value: unknown, key: Key): Amount => {
  if (typeof value === "number" || typeof value === "string") {
    const normalised = normaliseAmount(value)
    if (normalised !== undefined) return normalised
  }
  walk.expected(key, "a number or a numeric string", value)
  return ZERO
}

/** An optional amount where "" (or blanks) means "not given". */
export const optAmount = (walk: Walk, value: unknown, key: Key): Amount | null =>
  isAbsent(value) || (typeof value === "string" && value.trim() === "") ? null : amount(walk, value, key)

const DATE = /^\s*(\d{4}-\d{2}-\d{2})/

/** A yyyy-MM-dd date, possibly followed by a time ("2024-01-15 10:20:00"); required. */
export const date = (walk: Walk, value: unknown, key: Key): DateOnly => {
  if (typeof value === "string") {
    const match = DATE.exec(value)
    if (match !== null) return match[1] as DateOnly
  }
  walk.expected(key, "a yyyy-MM-dd date", value)
  return "" as DateOnly
}

/** An optional date where "" and "0000-00-00" mean "none". */
export const optDate = (walk: Walk, value: unknown, key: Key): DateOnly | null =>
  isAbsent(value) || (typeof value === "string" && (value.trim() === "" || value.startsWith("0000-00-00")))
    ? null
    : date(walk, value, key)

/** A member of a lower-case enumeration ("Open" and "open" are the same status); required. */
export const oneOf = <L extends string>(walk: Walk, value: unknown, key: Key, members: ReadonlyArray<L>): L => {
  if (typeof value === "string") {
    const lower = value.trim().toLowerCase()
    if ((members as ReadonlyArray<string>).includes(lower)) return lower as L
  }
  walk.expected(key, `one of ${members.join("|")}`, value)
  return members[0]!
}

/** `{id}` or a bare id: the id, or null for `{}` and `{id: null}`; required. */
export const ref = (walk: Walk, value: unknown, key: Key): string | null => {
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

export const optRef = (walk: Walk, value: unknown, key: Key): string | null => isAbsent(value) ? null : ref(walk, value, key)

/** A currency as `{code, symbol, …}` or a bare code: the code, or null. */
export const currency = (walk: Walk, value: unknown, key: Key): string | null => {
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
export const documentNumber = (walk: Walk, raw: Json, fallback: string | null): string | null =>
  templateNumber(walk, raw.numberTemplate, "numberTemplate") ?? text(fallback)

/** Taxes: an array of `{id, …}` or bare ids, or a single one. */
export const taxIds = (walk: Walk, value: unknown, key: Key): Array<string> => {
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
export const lines = (walk: Walk, value: unknown, key: Key, asAccount = false): Array<Line> | null => {
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
export const applications = (
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

/** A credit note's `refunds` (money returned, each from a bank account), sorted keys like the rest. */
export const refunds = (walk: Walk, value: unknown, key: Key): Array<CreditNoteRefund> => {
  const out: Array<CreditNoteRefund> = []
  if (isAbsent(value)) return out
  if (!Array.isArray(value)) {
    walk.expected(key, "an array of {date, account, amount}", value)
    return out
  }
  walk.enter(key)
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i]
    if (!isRecord(entry)) {
      walk.expected(i, "{date, account, amount}", entry)
      continue
    }
    walk.enter(i)
    const refunded = amount(walk, entry.amount, "amount")
    const bankAccountId = optRef(walk, entry.account, "account")
    const day = date(walk, entry.date, "date")
    walk.leave()
    out.push({ amount: refunded, bankAccountId, date: day })
  }
  walk.leave()
  return out
}
