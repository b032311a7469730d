/**
 * Ids with Stripe's prefixes. Short ids (`cus_QXg1o8vcGmoR32`) for customers and products, long
 * ones (`in_1Pgc6tB7WZ01zgkWu9fdqL6I`) for the rest, as the live API issues them. Random, so two
 * simulators (or two runs against one store) never hand out the same id.
 */
import { randomBytes } from "node:crypto"

export const PREFIXES = {
  customer: "cus",
  tax_id: "txi",
  product: "prod",
  price: "price",
  tax_rate: "txr",
  invoiceitem: "ii",
  invoice: "in",
  line_item: "il",
  invoice_payment: "inpay",
  payment_intent: "pi",
  charge: "ch",
  refund: "re",
  credit_note: "cn",
  credit_note_line_item: "cnli",
  event: "evt",
  webhook_endpoint: "we",
  payment_method: "pm",
  balance_transaction: "txn",
  request: "req"
} as const

export type IdKind = keyof typeof PREFIXES

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

export const randomText = (length: number, alphabet = ALPHABET): string => {
  const bytes = randomBytes(length)
  let out = ""
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length]
  return out
}

const SHORT: ReadonlySet<IdKind> = new Set(["customer", "product", "request"])

export const newId = (kind: IdKind): string =>
  `${PREFIXES[kind]}_${SHORT.has(kind) ? randomText(14) : `1${randomText(23)}`}`

/** The kind an id names, by its prefix; undefined for anything the simulator never issues. */
export const kindOfId = (id: string): IdKind | undefined => {
  const prefix = id.slice(0, id.indexOf("_"))
  for (const [kind, p] of Object.entries(PREFIXES)) if (p === prefix) return kind as IdKind
  return undefined
}

/** The characters a Stripe id may contain after its prefix: anything else cannot name an object. */
export const looksLikeId = (id: string): boolean => /^[a-z]+_[A-Za-z0-9]{6,64}$/.test(id)
