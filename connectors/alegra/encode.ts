/**
 * The canonical model → Alegra's JSON, for writes (the reverse of ./mapping.ts).
 *
 * - References go as `{id}`; identification as `{type, number, dv}`; a contact's roles as `type`.
 * - An item's price is the main price list's: a number on create (Alegra's "main list"); on an
 *   update the list array Alegra holds, with its first (main) entry replaced, since PUT replaces
 *   arrays whole and the other lists' prices must survive.
 * - Document lines are `{id, price, quantity, discount, tax: [{id}], description}`; invoices are
 *   created `open` (a draft takes no payment), never stamped here (stamping is an action).
 * - Amounts are the canonical decimals as JSON numbers, refused when a number cannot carry them
 *   exactly (more than 15 significant digits).
 * - Fields Alegra computes (id, number, total, balance, status, stamped) are never written.
 *
 * The marker of a record alegra-sync creates goes in a field the canonical model does not carry
 * for that kind, so it never shows as a change of the record, and `find` reads it back from the
 * raw record (./find.ts):
 *
 * | kind | marker field |
 * |---|---|
 * | contact, credit note | `observations` |
 * | invoice, payment | `anotation` |
 * | item | `reference`, when the item has none of its own (its own is its natural key) |
 */
import { Either } from "effect"
import type { Address, Amount, CanonicalRecord, CreditNoteRefund, Identification, Kind, Line } from "../../schema/index.js"
import { normaliseAmount } from "../../schema/index.js"

export type Wire = Record<string, unknown>

/** The wire field that carries the marker of a created record of each kind. */
export const MARKER_FIELD: Partial<Record<Kind, string>> = {
  "contact": "observations",
  "item": "reference",
  "invoice": "anotation",
  "payment": "anotation",
  "credit-note": "observations"
}

/** A refusal to encode: the message names the field. */
class Unencodable extends Error {}

const amount = (value: Amount, field: string): number => {
  const n = Number(value)
  if (!Number.isFinite(n) || normaliseAmount(n) !== value) {
    throw new Unencodable(`${field}: ${value} has more digits than Alegra's numbers carry exactly`)
  }
  return n
}

const ref = (id: string) => ({ id })

const identification = (value: Identification | null) =>
  value === null
    ? null
    : {
      ...(value.type === null ? {} : { type: value.type }),
      number: value.number,
      ...(value.dv === null ? {} : { dv: value.dv })
    }

const address = (value: Address | null) =>
  value === null
    ? null
    : { address: value.street, city: value.city, department: value.region, country: value.country, zipCode: value.postalCode }

const lines = (list: ReadonlyArray<Line>, field: string) =>
  list.map((line, i) => {
    if (line.itemId === null) throw new Unencodable(`${field}.${i}: a line without an item (Alegra bills a catalog item on every line)`)
    return {
      id: line.itemId,
      price: amount(line.price, `${field}.${i}.price`),
      quantity: amount(line.quantity, `${field}.${i}.quantity`),
      discount: amount(line.discount, `${field}.${i}.discount`),
      tax: line.taxIds.map(ref),
      description: line.description
    }
  })

const applications = (list: ReadonlyArray<{ readonly documentId: string; readonly amount: Amount }>, field: string) =>
  list.map((a, i) => ({ id: a.documentId, amount: amount(a.amount, `${field}.${i}.amount`) }))

const currency = (code: string | null) => (code === null ? undefined : { code })

/** Drops the keys whose value is undefined (Alegra keeps what is not sent). */
const defined = (wire: Record<string, unknown>): Wire =>
  Object.fromEntries(Object.entries(wire).filter(([, value]) => value !== undefined))

/** Each synced canonical field of a kind → its wire key and value; `null` for fields Alegra computes. */
type FieldWriters = Readonly<Record<string, ((record: any) => Wire) | null>>

const writers: Partial<Record<Kind, FieldWriters>> = {
  "contact": {
    id: null,
    name: (r) => ({ name: r.name }),
    identification: (r) => ({ identification: identification(r.identification) }),
    email: (r) => ({ email: r.email }),
    phone: (r) => ({ phonePrimary: r.phone }),
    mobile: (r) => ({ mobile: r.mobile }),
    roles: (r) => ({ type: [...r.roles] }),
    status: (r) => ({ status: r.status }),
    address: (r) => ({ address: address(r.address) })
  },
  "item": {
    id: null,
    name: (r) => ({ name: r.name }),
    description: (r) => ({ description: r.description }),
    reference: (r) => ({ reference: r.reference }),
    status: (r) => ({ status: r.status }),
    // On an update the caller merges it into the price lists Alegra holds (`mainPrice`).
    price: (r) => ({ price: amount(r.price, "price") }),
    taxIds: (r) => ({ tax: r.taxIds.map(ref) }),
    type: (r) => ({ type: r.type ?? undefined }),
    productKey: (r) => ({ productKey: r.productKey })
  },
  "invoice": {
    id: null,
    number: null,
    status: null,
    stamped: null,
    total: null,
    balance: null,
    contactId: (r) => ({ client: ref(r.contactId) }),
    date: (r) => ({ date: r.date }),
    // Alegra requires a due date: none means due on the invoice's date.
    dueDate: (r) => ({ dueDate: r.dueDate ?? r.date }),
    currency: (r) => ({ currency: currency(r.currency) }),
    lines: (r) => ({ items: lines(r.lines, "lines") }),
    observations: (r) => ({ observations: r.observations })
  },
  "payment": {
    id: null,
    number: null,
    status: null,
    direction: null,
    contactId: (r) => ({ client: r.contactId === null ? undefined : ref(r.contactId) }),
    date: (r) => ({ date: r.date }),
    amount: (r) => ({ amount: amount(r.amount, "amount") }),
    currency: (r) => ({ currency: currency(r.currency) }),
    method: (r) => ({ paymentMethod: r.method ?? undefined }),
    bankAccountId: (r) => ({ bankAccount: r.bankAccountId === null ? undefined : ref(r.bankAccountId) }),
    applications: (r) => ({ [r.direction === "out" ? "bills" : "invoices"]: applications(r.applications, "applications") })
  },
  "credit-note": {
    id: null,
    number: null,
    status: null,
    stamped: null,
    total: null,
    balance: null,
    contactId: (r) => ({ client: ref(r.contactId) }),
    date: (r) => ({ date: r.date }),
    currency: (r) => ({ currency: currency(r.currency) }),
    lines: (r) => ({ items: lines(r.lines, "lines") }),
    applications: (r) => ({ invoices: applications(r.applications, "applications") }),
    refunds: (r) => ({
      refunds: r.refunds?.map((refund: CreditNoteRefund, i: number) => {
        if (refund.bankAccountId === null) throw new Unencodable(`refunds.${i}: a refund without the bank account it leaves from`)
        return { date: refund.date, account: ref(refund.bankAccountId), amount: amount(refund.amount, `refunds.${i}.amount`) }
      })
    })
  }
}

/** Kinds alegra-sync writes into Alegra. */
export const writableKinds: ReadonlyArray<Kind> = Object.keys(writers) as Array<Kind>

const encoded = <A>(build: () => A): Either.Either<A, string> => {
  try {
    return Either.right(build())
  } catch (error) {
    if (error instanceof Unencodable) return Either.left(error.message)
    throw error
  }
}

const fieldsOf = (kind: Kind, record: unknown, fields: ReadonlyArray<string>): Wire => {
  const table = writers[kind]!
  const out: Record<string, unknown> = {}
  for (const field of fields) {
    const write = table[field]
    if (write === undefined) throw new Unencodable(`${field}: not a field of ${kind} records alegra-sync writes`)
    if (write !== null) Object.assign(out, write(record))
  }
  return defined(out)
}

/** Every writable field of a kind, for a create. */
const allFields = (kind: Kind): ReadonlyArray<string> => Object.keys(writers[kind] ?? {})

/** The body of POST /{kind}: the record's fields, the marker where `find` reads it, and the create-only fields. */
export const createBody = ({ kind, record }: CanonicalRecord, marker: string): Either.Either<Wire, string> =>
  encoded(() => {
    if (writers[kind] === undefined) throw new Unencodable(`${kind} records are not created by alegra-sync`)
    const body = fieldsOf(kind, record, allFields(kind))
    switch (kind) {
      case "contact":
        if (record.identification === null) delete body.identification
        if (record.address === null) delete body.address
        return { ...body, observations: marker }
      case "item":
        if (record.productKey === null) delete body.productKey
        return { ...body, reference: record.reference ?? marker }
      case "invoice":
        if (record.observations === null) delete body.observations
        return { ...body, status: "open", anotation: marker }
      case "payment":
        return { ...body, type: record.direction, anotation: marker }
      default:
        return { ...body, observations: marker }
    }
  })

/** The body of PUT /{kind}/{id}: only the named fields (Alegra merges top-level fields, replaces arrays). */
export const updateBody = ({ kind, record }: CanonicalRecord, fields: ReadonlyArray<string>): Either.Either<Wire, string> =>
  encoded(() => {
    if (writers[kind] === undefined) throw new Unencodable(`${kind} records are not written by alegra-sync`)
    return fieldsOf(kind, record, fields)
  })

/**
 * An item's price lists with the main one (the first) set to `price`: the array a PUT of the
 * price sends, so that the other lists keep their prices. `current` is the item's `price` as
 * Alegra answers it.
 */
export const mainPrice = (current: unknown, price: number): ReadonlyArray<unknown> => {
  const lists = Array.isArray(current) ? current.filter((p) => typeof p === "object" && p !== null) : []
  if (lists.length === 0) return [{ idPriceList: 1, price }]
  const [main, ...others] = lists as Array<Record<string, unknown>>
  return [{ idPriceList: main!.idPriceList ?? 1, price }, ...others.map((p) => ({ idPriceList: p.idPriceList, price: p.price }))]
}
