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
