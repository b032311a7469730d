/** Pieces shared by the document rule modules: lines, taxes, totals, numbering, rendering helpers, filters. */
import { normaliseAmount } from "../../../../schema/index.js"
import { CURRENCIES, currencyDecimals, DEFAULT_CURRENCY, taxById, templateById } from "../catalog.js"
import { badRequest, Code, invalidField, invalidState, referenceNotFound, requiredField } from "../errors.js"
import { bool, decimal, has, isObj, list, merge, object, oneOf, type Obj, optText, refId } from "../input.js"
import type { ContactRec, FiscalRec, LineInput, LineRec, NumberingRec, SimKind, StampRec, Totals } from "../records.js"
import type { Store } from "../state.js"
import { formatDateTime, hash32, isValidDate, type Json, type JsonObject, wireDecimal, wireMoney } from "../util.js"
import type { Filter } from "./resource.js"

// ---- taxes and lines ------------------------------------------------------

export const parseTaxes = (v: unknown, field: string): ReadonlyArray<number> => {
  if (v === null) return []
  const ids = list(v, field).map((raw, i) => {
    const id = Number(refId(raw, `${field}[${i}]`))
    if (!Number.isInteger(id) || taxById(id) === undefined) {
      throw referenceNotFound(`${field}[${i}].id`, "un impuesto", String(raw && isObj(raw) ? raw["id"] : raw))
    }
    return id
  })
  return [...new Set(ids)]
}


/** A decimal as an integer over 10^scale, exactly as the number reads (no float product ever rounds). */
interface Decimal {
  readonly units: bigint
  readonly scale: number
}

const decimalOf = (n: number): Decimal => {
  const text = normaliseAmount(n) ?? "0"
  const negative = text.startsWith("-")
  const [whole = "0", fraction = ""] = (negative ? text.slice(1) : text).split(".")
  const units = BigInt(`${whole}${fraction}`)
  return { units: negative ? -units : units, scale: fraction.length }
}

const centsAsDecimal = (cents: number): Decimal => ({ units: BigInt(cents), scale: 2 })

/** a × b, divided by 100 when `percent`. */
const times = (a: Decimal, b: Decimal, percent = false): Decimal => ({ units: a.units * b.units, scale: a.scale + b.scale + (percent ? 2 : 0) })

/** Rounded half away from zero to `decimals` places, in cents. */
const centsAt = (value: Decimal, decimals: 0 | 2): number => {
  const negative = value.units < 0n
  const magnitude = negative ? -value.units : value.units
  const shift = value.scale - decimals
  let rounded: bigint
  if (shift <= 0) rounded = magnitude * 10n ** BigInt(-shift)
  else {
    const divisor = 10n ** BigInt(shift)
    rounded = magnitude / divisor + ((magnitude % divisor) * 2n >= divisor ? 1n : 0n)
  }
  return Number(negative ? -rounded : rounded) * 10 ** (2 - decimals)
}

/** A line's amounts in the document currency's decimals: the product, the discount and each tax rounded once. */
export const computeLine = (l: LineInput, decimals: 0 | 2 = 2): LineRec => {
  const grossCents = centsAt(times(decimalOf(l.price), decimalOf(l.quantity)), decimals)
  const discountCents = centsAt(times(centsAsDecimal(grossCents), decimalOf(l.discount), true), decimals)
  const baseCents = grossCents - discountCents
  const taxAmounts = l.taxIds.map((id) => centsAt(times(centsAsDecimal(baseCents), decimalOf(taxById(id)?.percentage ?? 0), true), decimals))
  const taxCents = taxAmounts.reduce((sum, amount) => sum + amount, 0)
  return { ...l, grossCents, baseCents, taxAmounts, taxCents, totalCents: baseCents + taxCents }
}

/** Lines computed again in a document's currency (its currency decides the rounding). */
export const inCurrency = (lines: ReadonlyArray<LineRec>, code: string): ReadonlyArray<LineRec> =>
  lines.map((line) => computeLine(line, currencyDecimals(code)))

export const totalsOf = (lines: ReadonlyArray<LineRec>): Totals => {
  let subtotalCents = 0
  let discountCents = 0
  let taxCents = 0
  for (const l of lines) {
    subtotalCents += l.grossCents
    discountCents += l.grossCents - l.baseCents
    taxCents += l.taxCents
  }
  return { subtotalCents, discountCents, taxCents, totalCents: subtotalCents - discountCents + taxCents }
}

const requiredNumber = (o: Record<string, unknown>, key: string, field: string, range: Parameters<typeof decimal>[2]): number => {
  if (!has(o, key) || o[key] === null) throw requiredField(field)
  return decimal(o[key], field, range)
}

/** Sales lines (`items[]` of invoices, credit notes, estimates, and `purchases.items[]` of bills). */
export const itemLines = (v: unknown, field: string, store: Store, allowEmpty = false): ReadonlyArray<LineRec> => {
  const arr = list(v, field)
  if (arr.length === 0 && !allowEmpty) throw invalidField(field, "debe contener al menos un ítem")
  return arr.map((raw, i) => {
    const f = `${field}[${i}]`
    const o = object(raw, f)
    const itemId = refId(o["id"], `${f}.id`)
    const item = store.get("item", itemId)
    if (item === undefined) throw referenceNotFound(`${f}.id`, "un ítem", itemId)
    return computeLine({
      itemId,
      categoryId: null,
      name: item.name,
      description: has(o, "description") ? optText(o["description"], `${f}.description`, 500) : item.description,
      reference: item.reference,
      price: requiredNumber(o, "price", `${f}.price`, { min: 0 }),
      quantity: requiredNumber(o, "quantity", `${f}.quantity`, { exclusiveMin: 0 }),
      discount: has(o, "discount") && o["discount"] !== null ? decimal(o["discount"], `${f}.discount`, { min: 0, max: 100 }) : 0,
      taxIds: has(o, "tax") ? parseTaxes(o["tax"], `${f}.tax`) : item.taxIds
    })
  })
}

/** Expense lines against an accounting account (`purchases.categories[]` of bills). */
export const categoryLines = (v: unknown, field: string, store: Store): ReadonlyArray<LineRec> =>
  list(v, field).map((raw, i) => {
    const f = `${field}[${i}]`
    const o = object(raw, f)
    const categoryId = refId(o["id"], `${f}.id`)
    const category = store.get("category", categoryId)
    if (category === undefined) throw referenceNotFound(`${f}.id`, "una categoría", categoryId)
    return computeLine({
      itemId: null,
      categoryId,
      name: category.name,
      description: has(o, "observations") ? optText(o["observations"], `${f}.observations`, 500) : null,
      reference: null,
      price: requiredNumber(o, "price", `${f}.price`, { min: 0 }),
      quantity: has(o, "quantity") ? decimal(o["quantity"], `${f}.quantity`, { exclusiveMin: 0 }) : 1,
      discount: has(o, "discount") && o["discount"] !== null ? decimal(o["discount"], `${f}.discount`, { min: 0, max: 100 }) : 0,
      taxIds: has(o, "tax") ? parseTaxes(o["tax"], `${f}.tax`) : []
    })
  })

// ---- references -------------------------------------------------------------

export const existingContact = (store: Store, v: unknown, field: string): string => {
  const id = refId(v, field)
  if (store.get("contact", id) === undefined) throw referenceNotFound(field, "un contacto", id)
  return id
}

export const currency = (v: unknown, field: string): string => {
  const code = isObj(v) ? v["code"] : v
  if (typeof code !== "string" || CURRENCIES[code] === undefined) {
    throw invalidField(isObj(v) ? `${field}.code` : field, `debe ser una moneda habilitada (${Object.keys(CURRENCIES).join(", ")})`)
  }
  return code
}

export const optCurrency = (o: Record<string, unknown>, current: string | undefined): string =>
  has(o, "currency") && o["currency"] !== null ? currency(o["currency"], "currency") : (current ?? DEFAULT_CURRENCY)

export const checkDueDate = (date: string, dueDate: string): void => {
  if (dueDate < date) throw invalidField("dueDate", "debe ser igual o posterior a la fecha del documento ('date')")
}

/** Stamps (electronic emission): a CUFE (Colombia) and a UUID (Mexico-style folio fiscal). */
export const makeStamp = (store: Store): StampRec => {
  const uuid = store.randomHex(32)
  return {
    legalStatus: "STAMPED_AND_ACCEPTED",
    cufe: store.randomHex(96),
    uuid: `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20, 32)}`.toUpperCase(),
    date: formatDateTime(store.now())
  }
}

/** `stamp: {generateStamp: true}` in a body. */
export const wantsStamp = (o: Obj): boolean => {
  if (!has(o, "stamp") || o["stamp"] === null) return false
  const stamp = object(o["stamp"], "stamp")
  return has(stamp, "generateStamp") ? bool(stamp["generateStamp"], "stamp.generateStamp") : false
}

/** The fiscal fields of a body, merged into what the document holds. */
export const parseFiscal = (o: Obj, prev: FiscalRec | undefined): FiscalRec => ({
  paymentForm: merge(o, "paymentForm", prev?.paymentForm ?? null, (v) =>
    v === null ? null : oneOf(v, "paymentForm", ["CASH", "CREDIT"] as const)),
  paymentMethod: merge(o, "paymentMethod", prev?.paymentMethod ?? null, (v) => optText(v, "paymentMethod", 60)),
  cfdiUse: merge(o, "cfdiUse", prev?.cfdiUse ?? null, (v) => optText(v, "cfdiUse", 10)),
  regime: merge(o, "regime", prev?.regime ?? null, (v) => optText(v, "regime", 60))
})

export const renderFiscal = (f: FiscalRec): JsonObject => ({
  paymentForm: f.paymentForm,
  paymentMethod: f.paymentMethod,
  cfdiUse: f.cfdiUse,
  regime: f.regime
})

interface Stampable extends FiscalRec {
  numbering: NumberingRec
  stamp: StampRec | null
  status: string
}

/**
 * POST /{invoices|credit-notes}/{id}/open with `stamp.generateStamp`: stamps an unstamped
 * document, with the fiscal fields the body carries. Stamping needs an electronic numbering: a
 * `numberTemplate: {id}` in the body names one, and a document numbered by another template
 * takes a new number from it (the simulator's choice: the notes say nothing of it). Returns the
 * change to apply once every check passed.
 */
export const prepareStamp = (
  doc: Stampable,
  body: Obj,
  documentType: "invoice" | "creditNote",
  label: string
): ((store: Store) => void) => {
  if (doc.stamp !== null) throw invalidState(`${label.charAt(0).toUpperCase()}${label.slice(1)} ya fue timbrada.`)
  let numbering = doc.numbering
  if (has(body, "numberTemplate") && body["numberTemplate"] !== null) {
    const o = object(body["numberTemplate"], "numberTemplate")
    const id = Number(refId(o["id"], "numberTemplate.id"))
    const t = templateById(id)
    if (t === undefined || t.documentType !== documentType) {
      throw referenceNotFound("numberTemplate.id", "una numeración del documento", String(o["id"]))
    }
    if (t.id !== numbering.templateId) numbering = { templateId: t.id, prefix: t.prefix, number: null }
  }
  const template = numbering.templateId === null ? undefined : templateById(numbering.templateId)
  if (template?.isElectronic !== true) {
    throw invalidField("numberTemplate.id", "debe ser una numeración electrónica para timbrar")
  }
  const fiscal = parseFiscal(body, doc)
  return (store) => {
    Object.assign(doc, fiscal)
    doc.numbering = numbering
    if (numbering.number === null && numbering.templateId !== null) numbering.number = store.nextTemplateNumber(numbering.templateId)
    doc.stamp = makeStamp(store)
  }
}

export const stampedImmutable = (label: string): never => {
  throw badRequest(
    Code.stampedImmutable,
    `No se puede modificar ni eliminar ${label} porque ya fue emitida electrónicamente (timbrada). Para corregirla genera una nota crédito.`
  )
}

// ---- rendering --------------------------------------------------------------

export const money = (kind: SimKind, id: string, field: string, cents: number): number | string =>
  wireMoney(cents, `${kind}:${id}:${field}`)

export const contactRef = (store: Store, id: string | null): JsonObject | null => {
  if (id === null) return null
  const c: ContactRec | undefined = store.get("contact", id)
  if (c === undefined) return { id, name: null, identification: null }
  return {
    id,
    name: c.name,
    identification: c.identification?.number ?? null,
    email: c.email,
    phonePrimary: c.phonePrimary
  }
}

export const renderTaxes = (
  taxIds: ReadonlyArray<number>,
  baseCents: number | null,
  key: string,
  amounts?: ReadonlyArray<number>
): ReadonlyArray<Json> =>
  taxIds.map((id, i) => {
    const t = taxById(id)
    const out: Record<string, Json> = {
      id, // nested refs stay numbers (alegra-api.md §2: "Some nested refs are still numbers")
      name: t?.name ?? null,
      percentage: wireDecimal(t?.percentage ?? 0, `${key}.tax.${id}.percentage`),
      description: t?.description ?? null,
      type: t?.type ?? null
    }
    const amount = amounts?.[i] ?? (baseCents === null ? undefined : Math.round((baseCents * (t?.percentage ?? 0)) / 100))
    if (amount !== undefined) out["amount"] = wireMoney(amount, `${key}.tax.${id}.amount`)
    return out
  })

export const renderLine = (l: LineRec, key: string): JsonObject => ({
  id: l.itemId ?? l.categoryId,
  name: l.name,
  description: l.description,
  reference: l.reference,
  price: wireDecimal(l.price, `${key}.price`),
  quantity: wireDecimal(l.quantity, `${key}.quantity`),
  discount: wireDecimal(l.discount, `${key}.discount`),
  tax: renderTaxes(l.taxIds, l.baseCents, key, l.taxAmounts),
  total: wireMoney(l.totalCents, `${key}.total`)
})

export const renderLines = (kind: SimKind, id: string, field: string, lines: ReadonlyArray<LineRec>): ReadonlyArray<Json> =>
  lines.map((l, i) => renderLine(l, `${kind}:${id}:${field}.${i}`))

export const renderCurrency = (code: string): JsonObject => {
  const c = CURRENCIES[code] ?? { symbol: "$", exchangeRate: 1 }
  return { code, symbol: c.symbol, exchangeRate: c.exchangeRate }
}

/** `decimalPrecision` as Alegra answers it: the document currency's decimals, as text. */
export const decimalPrecision = (code: string): string => String(currencyDecimals(code))

/** numberTemplate {id, prefix, number, fullNumber}; for some records an array of one (alegra-api.md §5, CLI). */
export const renderNumbering = (kind: SimKind, id: string, n: NumberingRec): Json => {
  const obj: JsonObject = {
    id: n.templateId,
    prefix: n.prefix,
    number: n.number,
    fullNumber: n.number === null ? null : `${n.prefix}${n.number}`
  }
  return hash32(`${kind}:${id}:numberTemplate`) % 5 === 0 ? [obj] : obj
}

export const renderStamp = (s: StampRec): JsonObject => ({
  legalStatus: s.legalStatus,
  cufe: s.cufe,
  uuid: s.uuid,
  date: s.date,
  barCodeContent: `CUFE:${s.cufe}`
})

// ---- list filters -------------------------------------------------------------

export const norm = (s: string): string =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()

/** Text filters match substrings, case- and accent-insensitively (a client must check exactness itself). */
export const contains = (haystack: string | null | undefined, needle: string): boolean =>
  haystack !== null && haystack !== undefined && norm(haystack).includes(norm(needle))

const dateParam = (value: string, name: string): string => {
  if (!isValidDate(value)) throw badRequest(Code.invalidQuery, `El parámetro '${name}' debe ser una fecha con formato yyyy-MM-dd.`)
  return value
}

/** date, date_after, date_afterOrNow, date_before, date_beforeOrNow (and the same for another date field). */
export const dateFilters = <R>(field: string, get: (r: R) => string | null): Record<string, Filter<R>> => ({
  [field]: (r, v) => get(r) === dateParam(v, field),
  [`${field}_after`]: (r, v) => {
    const d = get(r)
    return d !== null && d > dateParam(v, `${field}_after`)
  },
  [`${field}_afterOrNow`]: (r, v) => {
    const d = get(r)
    return d !== null && d >= dateParam(v, `${field}_afterOrNow`)
  },
  [`${field}_before`]: (r, v) => {
    const d = get(r)
    return d !== null && d < dateParam(v, `${field}_before`)
  },
  [`${field}_beforeOrNow`]: (r, v) => {
    const d = get(r)
    return d !== null && d <= dateParam(v, `${field}_beforeOrNow`)
  }
})

export const checkEnum = <T extends string>(v: string, values: ReadonlyArray<T>, name: string): T => {
  if (!(values as ReadonlyArray<string>).includes(v)) {
    throw badRequest(Code.invalidQuery, `El parámetro '${name}' debe ser uno de: ${values.join(", ")}.`)
  }
  return v as T
}

export const enumFilter = <R>(values: ReadonlyArray<string>, get: (r: R) => string, name: string): Filter<R> => (r, v) =>
  get(r) === checkEnum(v, values, name)
