/**
 * Stripe amounts ↔ canonical amounts, exactly.
 *
 * Stripe sends integers in the currency's minor unit (`amount`, `total`…) and decimal strings of
 * minor units (`unit_amount_decimal`). Most currencies have two decimals; Stripe's zero-decimal
 * currencies have none (5000 CLP is `5000`) and five have three (12.345 KWD is `12345`). Canonical
 * amounts are decimal strings in the currency's major unit. Conversion moves the decimal point in
 * the text: no float ever touches a sum.
 */
import { type Amount, normaliseAmount } from "../../schema/index.js"

/** Stripe's zero-decimal currencies (docs.stripe.com/currencies#zero-decimal). */
const ZERO_DECIMAL: ReadonlySet<string> = new Set(
  ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]
)

/** Stripe's three-decimal currencies. */
const THREE_DECIMAL: ReadonlySet<string> = new Set(["bhd", "jod", "kwd", "omr", "tnd"])

/**
 * Digits after the decimal point in Stripe's minor unit. ISK, HUF and TWD count as two-decimal
 * in the API (Stripe only asks that their amounts be whole units), so they take the default.
 */
export const minorDigits = (currency: string): number => {
  const c = currency.toLowerCase()
  return ZERO_DECIMAL.has(c) ? 0 : THREE_DECIMAL.has(c) ? 3 : 2
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/

/**
 * A Stripe amount (an integer of minor units, or a decimal string of them as in `*_decimal`) as a
 * canonical amount in the major unit; undefined when it is not a plain decimal number.
 */
export const fromMinor = (minor: number | string, currency: string): Amount | undefined => {
  if (typeof minor === "number" && !Number.isSafeInteger(minor)) return undefined
  const match = DECIMAL.exec(String(minor).trim())
  if (match === null) return undefined
  const [, sign = "", whole = "", fraction = ""] = match
  const digits = minorDigits(currency)
  const padded = whole.padStart(digits + 1, "0")
  const point = padded.length - digits
  return normaliseAmount(`${sign}${padded.slice(0, point)}.${padded.slice(point)}${fraction}`)
}

/**
 * A canonical amount as Stripe's integer of minor units; undefined when it has more decimals
 * than the currency's minor unit holds (0.001 USD) or is beyond what a JavaScript number holds
 * exactly. Stripe writes take only whole minor units: rounding is the caller's decision.
 */
export const toMinor = (amount: Amount | string, currency: string): number | undefined => {
  const match = DECIMAL.exec(amount.trim())
  if (match === null) return undefined
  const [, sign = "", whole = "", fraction = ""] = match
  const digits = minorDigits(currency)
  const significant = fraction.replace(/0+$/, "")
  if (significant.length > digits) return undefined
  const value = BigInt(`${whole}${significant.padEnd(digits, "0")}`)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return undefined
  const n = Number(value)
  return sign === "-" && n !== 0 ? -n : n
}

