/** Pieces every mapping uses: dates, money, ids of expandable fields, and the one failure they raise. */
import { type Amount, type DateOnly, normaliseAmount } from "../../../schema/index.js"
import { fromMinor } from "../money.js"

/**
 * A Stripe object that does not map to the canonical model (an amount that is not a number, a
 * document without a customer). Raised by the pure mappings, turned into a "decode" failure where
 * the object was read.
 */
export class Undecodable extends Error {
  override readonly name = "Undecodable"
}

/** The UTC calendar day of a Stripe time (unix seconds). */
export const day = (unixSeconds: number): DateOnly => {
  if (!Number.isSafeInteger(unixSeconds)) throw new Undecodable(`expected a time in unix seconds, got ${JSON.stringify(unixSeconds)}`)
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10) as DateOnly
}

/** An amount of minor units (or a `*_decimal` string of them) in `currency`, as a canonical amount. */
export const money = (minor: number | string | { toString(): string }, currency: string, field: string): Amount => {
  const amount = fromMinor(typeof minor === "number" ? minor : String(minor), currency)
  if (amount === undefined) throw new Undecodable(`${field}: expected an amount in minor units, got ${JSON.stringify(String(minor))}`)
  return amount
}

/** A decimal quantity as a canonical amount. */
export const quantity = (value: number | string | { toString(): string }, field: string): Amount => {
  const amount = normaliseAmount(typeof value === "number" ? value : String(value))
  if (amount === undefined) throw new Undecodable(`${field}: expected a quantity, got ${JSON.stringify(String(value))}`)
  return amount
}

/** The id of a field the SDK types as an id or its expanded object. */
export const idOf = (value: string | { readonly id: string } | null | undefined): string | null =>
  value === null || value === undefined ? null : typeof value === "string" ? value : value.id

export const required = <A>(value: A | null | undefined, what: string): A => {
  if (value === null || value === undefined) throw new Undecodable(`expected ${what}`)
  return value
}

export const currencyCode = (currency: string): string => currency.toUpperCase()

/** A text, or null when Stripe has none (or only spaces). */
export const text = (value: string | null | undefined): string | null =>
  value === null || value === undefined || value.trim() === "" ? null : value
