/**
 * Small normalisers of values already read from Alegra's JSON: texts, statuses, roles,
 * stamps, payment methods, and exact decimal arithmetic on amounts.
 */
import type { Amount, ContactRole } from "../../schema/index.js"
import { normaliseAmount } from "../../schema/index.js"

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
