/**
 * Wire shapes: the SDK's response types with `Stripe.Decimal` replaced by the decimal string the
 * API sends (stripe-node 23 turns `*_decimal` strings into Decimal objects after parsing), so every
 * object the simulator renders is checked by tsc against the SDK's own contract.
 */
import type Stripe from "stripe"

export type Wire<T> = T extends Stripe.Decimal
  ? string
  : T extends string | number | boolean | null | undefined
  ? T
  : T extends ReadonlyArray<infer U>
  ? Array<Wire<U>>
  : T extends object
  ? { -readonly [K in keyof T]: Wire<T[K]> }
  : T

export type Json = null | boolean | number | string | ReadonlyArray<Json> | JsonObject
export interface JsonObject {
  readonly [key: string]: Json
}

/** Any object the simulator stores: it has an id and an `object` name. */
export interface StoredObject {
  id: string
  object: string
}

/** A deep copy through JSON: stored objects are plain data, and what leaves the store never aliases it. */
export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
