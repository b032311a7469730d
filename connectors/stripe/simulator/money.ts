/**
 * Currencies and exact money arithmetic. Amounts are integers in the currency's minor unit; a
 * zero-decimal currency (CLP, JPY, KRW…) has none, so 5000 CLP is `5000`. Products of decimal
 * strings (`unit_amount_decimal` × quantity, amount × percentage) are computed exactly with
 * BigInt and rounded once, half away from zero.
 */
import { invalidParams } from "./errors.js"

/** Stripe's presentment currencies (lower case, as the API takes and returns them). */
export const CURRENCIES: ReadonlySet<string> = new Set(
  (
    "usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf clp cny cop " +
    "crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs " +
    "khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd omr pab " +
    "pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs top try ttd twd tzs uah ugx uyu " +
    "uzs vnd vuv wst xaf xcd xof xpf yer zar zmw"
  ).split(" ")
)

/** Stripe's zero-decimal currencies: amounts are whole units. */
export const ZERO_DECIMAL: ReadonlySet<string> = new Set(
  ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]
)

/** Three-decimal currencies: card charges must be a multiple of 10 minor units. */
export const THREE_DECIMAL: ReadonlySet<string> = new Set(["bhd", "jod", "kwd", "omr", "tnd"])

/** The largest amount the simulator takes in any amount field (Stripe's 12-digit ceiling). */
export const MAX_AMOUNT = 999_999_999_999

export const minorUnits = (currency: string): number => (ZERO_DECIMAL.has(currency) ? 0 : THREE_DECIMAL.has(currency) ? 3 : 2)

export const checkCurrency = (value: string, param: string): string => {
  if (!CURRENCIES.has(value)) {
    throw invalidParams(`Invalid currency: ${value}. Stripe currently supports these currencies: usd, mxn, cop, clp, eur, … (lower case ISO 4217 codes).`, param)
  }
  return value
}

/** What a card charge in this currency must respect beyond being an integer. */
export const checkChargeAmount = (amount: number, currency: string, param: string): void => {
  if (THREE_DECIMAL.has(currency) && amount % 10 !== 0) {
    throw invalidParams(`Amounts in ${currency.toUpperCase()} must be a multiple of 10 (the last decimal is always 0).`, param, "amount_invalid")
  }
  if (currency === "isk" && amount % 100 !== 0) {
    throw invalidParams("ISK is charged in whole krónur: the amount must be a multiple of 100.", param, "amount_invalid")
  }
}

/** A decimal string as an integer numerator over 10^scale. */
interface Dec {
  readonly n: bigint
  readonly scale: number
}

const parse = (text: string): Dec => {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)
  if (m === null) throw new Error(`not a decimal: ${text}`)
  const frac = m[3] ?? ""
  const n = BigInt(`${m[2]}${frac}`)
  return { n: m[1] === "-" ? -n : n, scale: frac.length }
}

const pow10 = (k: number): bigint => 10n ** BigInt(k)

/** n / d rounded half away from zero. */
export const roundDiv = (n: bigint, d: bigint): bigint => {
  if (d < 0n) return roundDiv(-n, -d)
  const q = n / d
  const r = n % d
  if (2n * (r < 0n ? -r : r) >= d) return n < 0n ? q - 1n : q + 1n
  return q
}

const toSafe = (v: bigint): number => {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw invalidParams("The resulting amount is too large.", "amount")
  return Number(v)
}

/** round(unit × quantity), exact: `unit` is a decimal string of minor units, `quantity` a decimal string or integer. */
export const lineAmount = (unit: string, quantity: string | number): number => {
  const u = parse(unit)
  const q = parse(String(quantity))
  return toSafe(roundDiv(u.n * q.n, pow10(u.scale + q.scale)))
}

/** round(base × percentage / 100): an exclusive tax. */
export const percentOf = (base: number, percentage: string): number => {
  const p = parse(percentage)
  return toSafe(roundDiv(BigInt(base) * p.n, 100n * pow10(p.scale)))
}

/**
 * The tax contained in an amount that includes taxes at `inclusive` rates:
 * round(amount × p / (100 + Σp)) for rate p.
 */
export const includedTax = (amount: number, percentage: string, allInclusive: ReadonlyArray<string>): number => {
  const scale = Math.max(parse(percentage).scale, ...allInclusive.map((x) => parse(x).scale))
  const at = (x: string): bigint => {
    const d = parse(x)
    return d.n * pow10(scale - d.scale)
  }
  const sum = allInclusive.reduce((s, x) => s + at(x), 0n)
  return toSafe(roundDiv(BigInt(amount) * at(percentage), 100n * pow10(scale) + sum))
}

/** An integer amount as the decimal string of `*_decimal` fields ("2000"). */
export const decimalString = (amount: number): string => String(amount)
