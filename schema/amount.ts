import { ParseResult, Schema } from "effect"

/**
 * A money amount or quantity as a normalised decimal string ("1234.5", "-3", "0").
 * Strings, not floats, so that hashes are stable and no rounding creeps into the books.
 */
export const Amount = Schema.String.pipe(
  Schema.pattern(/^-?(0|[1-9]\d*)(\.\d*[1-9])?$/),
  Schema.brand("Amount")
)
export type Amount = typeof Amount.Type

const DECIMAL = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/

const isDigit = (code: number) => code >= 48 && code <= 57

/**
 * The form amounts arrive in ("407100.00", "-12.5", "19"): an optional minus, digits
 * without a leading zero (or a lone 0), an optional point and digits. Normalised by
 * slicing off the fraction's trailing zeros, without a regular expression (amounts are
 * read by the hundred thousand in a backfill); undefined for any other form, which the
 * general path reads.
 */
const plainDecimal = (text: string): Amount | undefined => {
  const n = text.length
  const start = text.charCodeAt(0) === 45 ? 1 : 0
  let i = start
  while (i < n && isDigit(text.charCodeAt(i))) i++
  if (i === start || (i - start > 1 && text.charCodeAt(start) === 48)) return undefined
  let end = i
  if (i < n) {
    if (text.charCodeAt(i) !== 46) return undefined
    const point = i++
    const fraction = i
    while (i < n && isDigit(text.charCodeAt(i))) i++
    if (i === fraction || i !== n) return undefined
    end = n
    while (end > fraction && text.charCodeAt(end - 1) === 48) end--
    if (end === fraction) end = point
  }
  // Zero has no sign: "-0", "-0.00".
  if (start === 1 && end === 2 && text.charCodeAt(1) === 48) return "0" as Amount
  return (end === n ? text : text.slice(0, end)) as Amount
}

/** Normalises a number or numeric string into an Amount; undefined when it is not numeric. */
export const normaliseAmount = (input: number | string): Amount | undefined => {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return undefined
    // The shortest round-trip form prints k decimals. When 10^-k is wider than the number's
    // precision (|n|·10^k < 2^51; k ≤ 20, as toFixed allows), no other k-decimal value is as
    // close to it, so this is exactly what the general path below gives (toFixed to k
    // digits), already normalised: the common case, once per amount read, without a
    // regular expression.
    const shortest = String(input)
    if (!shortest.includes("e")) {
      const point = shortest.indexOf(".")
      const decimals = point < 0 ? 0 : shortest.length - point - 1
      if (decimals <= 20 && Math.abs(input) * 10 ** decimals < 2 ** 51) return shortest as Amount
    }
  }
  if (typeof input === "string") {
    const plain = plainDecimal(input)
    if (plain !== undefined) return plain
  }
  const text = typeof input === "number" ? numberToPlain(input) : input
  const match = DECIMAL.exec(text)
  if (match === null) return undefined
  const [, sign = "", whole = "", fraction = ""] = match
  if (whole === "" && fraction === "") return undefined
  const intPart = whole.replace(/^0+(?=\d)/, "") || "0"
  const fracPart = fraction.replace(/0+$/, "")
  const body = fracPart === "" ? intPart : `${intPart}.${fracPart}`
  return (body === "0" || sign !== "-" ? body : `-${body}`) as Amount
}

// Avoids exponent notation (1e-7) that String(n) would produce.
const numberToPlain = (n: number): string =>
  Math.abs(n) < 1e21 ? n.toFixed(Math.min(20, Math.max(0, decimalsOf(n)))) : String(n)

const decimalsOf = (n: number): number => {
  const s = String(n)
  const exp = /e-(\d+)$/.exec(s)
  if (exp) return Number(exp[1]) + (s.split("e")[0]!.split(".")[1]?.length ?? 0)
  return s.split(".")[1]?.length ?? 0
}

/** Decodes a number or a numeric string (as APIs send them) into an Amount. */
export const AmountFromWire = Schema.transformOrFail(
  Schema.Union(Schema.Number, Schema.String),
  Amount,
  {
    strict: true,
    decode: (input, _, ast) => {
      const amount = normaliseAmount(input)
      return amount === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, input, `expected a number or a numeric string, got ${JSON.stringify(input)}`))
        : ParseResult.succeed(amount)
    },
    encode: (amount) => ParseResult.succeed(amount)
  }
)

export const ZERO = "0" as Amount
