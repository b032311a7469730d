/**
 * Reading request parameters, typed by the SDK's own `…Params` interfaces: a handler can only ask
 * for a parameter the SDK declares (tsc checks the names), and `done()` answers 400
 * `parameter_unknown` for anything sent that the handler did not read. Every method returns
 * `undefined` when the parameter is absent and, where `unsettable`, `null` when sent as "" (the
 * SDK's way to unset a field).
 */
import type Stripe from "stripe"
import { emptyParameter, invalidParams, missingParameter, unknownParameter } from "./errors.js"
import type { FormObject, FormValue } from "./form.js"

type Keys<T> = keyof T & string
type Scalar = string | number | boolean | null | undefined | Stripe.Decimal
/** The object members of a parameter's type (`Emptyable<AddressParam>` → AddressParam). */
type ObjectPart<V> = V extends Scalar ? never : V extends ReadonlyArray<unknown> ? never : V
type ElementOf<V> = V extends ReadonlyArray<infer E> ? E : never

interface Common {
  readonly required?: boolean
}
interface Unsettable {
  /** "" is accepted and read as null (unset). */
  readonly unsettable?: boolean
}

/** Stripe's metadata limits: 50 keys, 40-character keys, 500-character values. */
export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 } as const

/** A metadata parameter: "" unsets everything, a key sent as "" unsets that key. */
export type MetadataChange = { readonly kind: "clear" } | { readonly kind: "set"; readonly values: Readonly<Record<string, string | null>> }

export class Params<T> {
  private readonly used = new Set<string>()
  private readonly children: Array<Params<unknown>> = []

  constructor(
    private readonly raw: FormObject,
    private readonly prefix = ""
  ) {}

  /** The parameter's name as Stripe reports it: `address[city]`, `lines[0][amount]`, `lines[0][pricing][price]`. */
  name(key: string): string {
    if (this.prefix === "") return key
    const at = key.indexOf("[")
    return at < 0 ? `${this.prefix}[${key}]` : `${this.prefix}[${key.slice(0, at)}]${key.slice(at)}`
  }

  has(key: Keys<T>): boolean {
    return this.raw[key] !== undefined
  }

  /** Whether a parameter was sent as a single value or as a hash (arrays are hashes keyed 0, 1, …). */
  shape(key: Keys<T>): "absent" | "value" | "hash" {
    const value = this.raw[key]
    return value === undefined ? "absent" : typeof value === "string" ? "value" : "hash"
  }

  private take(key: string, required: boolean | undefined): FormValue | undefined {
    this.used.add(key)
    const value = this.raw[key]
    if (value === undefined && required === true) throw missingParameter(this.name(key))
    return value
  }

  private text(key: string, opts: Common & Unsettable): string | null | undefined {
    const value = this.take(key, opts.required)
    if (value === undefined) return undefined
    if (typeof value !== "string") throw invalidParams(`Invalid value for ${this.name(key)}: expected a single value, not a hash.`, this.name(key))
    if (value === "") {
      if (opts.unsettable === true && opts.required !== true) return null
      throw emptyParameter(this.name(key))
    }
    return value
  }

  string(key: Keys<T>, opts: Common & Unsettable & { readonly maxLength?: number } = {}): string | null | undefined {
    const value = this.text(key, opts)
    const max = opts.maxLength ?? 5000
    if (typeof value === "string" && value.length > max) {
      throw invalidParams(`Invalid ${this.name(key)}: must be at most ${max} characters`, this.name(key))
    }
    return value
  }

  integer(key: Keys<T>, opts: Common & Unsettable & { readonly min?: number; readonly max?: number } = {}): number | null | undefined {
    const value = this.text(key, opts)
    if (value === null || value === undefined) return value
    if (!/^-?\d{1,15}$/.test(value)) throw invalidParams(`Invalid integer: ${value}`, this.name(key), "parameter_invalid_integer")
    const n = Number(value)
    if (opts.min !== undefined && n < opts.min) throw invalidParams(`This value must be greater than or equal to ${opts.min}.`, this.name(key))
    if (opts.max !== undefined && n > opts.max) throw invalidParams(`This value must be less than or equal to ${opts.max}.`, this.name(key))
    return n
  }

  boolean(key: Keys<T>, opts: Common = {}): boolean | undefined {
    const value = this.text(key, opts)
    if (value === undefined || value === null) return undefined
    if (value !== "true" && value !== "false") throw invalidParams(`Invalid boolean: ${value}`, this.name(key))
    return value === "true"
  }

  oneOf<const V extends string>(key: Keys<T>, values: ReadonlyArray<V>, opts: Common & Unsettable = {}): V | null | undefined {
    const value = this.text(key, opts)
    if (value === null || value === undefined) return value
    if (!(values as ReadonlyArray<string>).includes(value)) {
      const list = values.length <= 2 ? values.join(" or ") : `${values.slice(0, -1).join(", ")}, or ${values[values.length - 1]}`
      throw invalidParams(`Invalid ${this.name(key)}: must be one of ${list}`, this.name(key))
    }
    return value as V
  }

  /** A decimal string (`unit_amount_decimal`, `percentage`) with at most `maxScale` decimal places. */
  decimal(key: Keys<T>, opts: Common & { readonly maxScale?: number; readonly min?: number } = {}): string | undefined {
    const value = this.text(key, opts)
    if (value === null || value === undefined) return undefined
    const scale = opts.maxScale ?? 12
    if (!new RegExp(`^-?\\d{1,15}(\\.\\d{1,${scale}})?$`).test(value)) {
      throw invalidParams(`Invalid decimal: ${value}${scale < 12 ? ` (at most ${scale} decimal places)` : ""}`, this.name(key))
    }
    if (opts.min !== undefined && Number(value) < opts.min) throw invalidParams(`This value must be greater than or equal to ${opts.min}.`, this.name(key))
    return value.replace(/^(-?)0+(?=\d)/, "$1")
  }

  object<K extends Keys<T>>(key: K, opts: Common & Unsettable = {}): Params<ObjectPart<NonNullable<T[K]>>> | null | undefined {
    const value = this.take(key, opts.required)
    if (value === undefined) return undefined
    if (value === "") {
      if (opts.unsettable === true) return null
      throw emptyParameter(this.name(key))
    }
    if (typeof value === "string") throw invalidParams(`Invalid object: ${this.name(key)} must be a hash, not a single value.`, this.name(key))
    return this.child(value, this.name(key))
  }

  private child<C>(raw: FormObject, prefix: string): Params<C> {
    const p = new Params<C>(raw, prefix)
    this.children.push(p as Params<unknown>)
    return p
  }

  private elements(key: string, opts: Common & Unsettable): Array<FormValue> | null | undefined {
    const value = this.take(key, opts.required)
    if (value === undefined) return undefined
    if (value === "") {
      if (opts.unsettable === true) return null
      throw emptyParameter(this.name(key))
    }
    if (typeof value === "string") throw invalidParams(`Invalid array: ${this.name(key)} must be an array.`, this.name(key))
    const keys = Object.keys(value)
    if (!keys.every((k) => /^\d+$/.test(k))) throw invalidParams(`Invalid array: ${this.name(key)} must be an array.`, this.name(key))
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((i) => value[String(i)]!)
  }

  strings(key: Keys<T>, opts: Common & Unsettable & { readonly max?: number } = {}): Array<string> | null | undefined {
    const values = this.elements(key, opts)
    if (values === null || values === undefined) return values
    if (opts.max !== undefined && values.length > opts.max) throw invalidParams(`Invalid ${this.name(key)}: at most ${opts.max} values are allowed.`, this.name(key))
    return values.map((v, i) => {
      if (typeof v !== "string" || v === "") throw invalidParams(`Invalid ${this.name(key)}[${i}]: must be a non-empty string.`, `${this.name(key)}[${i}]`)
      return v
    })
  }

  objects<K extends Keys<T>>(
    key: K,
    opts: Common & Unsettable & { readonly max?: number } = {}
  ): Array<Params<ObjectPart<ElementOf<NonNullable<T[K]>>>>> | null | undefined {
    const values = this.elements(key, opts)
    if (values === null || values === undefined) return values
    if (opts.max !== undefined && values.length > opts.max) throw invalidParams(`Invalid ${this.name(key)}: at most ${opts.max} entries are allowed.`, this.name(key))
    return values.map((v, i) => {
      if (typeof v === "string") throw invalidParams(`Invalid ${this.name(key)}[${i}]: must be a hash.`, `${this.name(key)}[${i}]`)
      return this.child(v, `${this.name(key)}[${i}]`)
    })
  }

  metadata(key: Keys<T>): MetadataChange | undefined {
    const value = this.take(key, false)
    if (value === undefined) return undefined
    if (value === "") return { kind: "clear" }
    if (typeof value === "string") throw invalidParams(`Invalid object: ${this.name(key)} must be a hash.`, this.name(key))
    const values: Record<string, string | null> = {}
    for (const [k, v] of Object.entries(value)) {
      const param = `${this.name(key)}[${k}]`
      if (typeof v !== "string") throw invalidParams(`Invalid value for ${param}: metadata values must be strings.`, param)
      if (k.length > METADATA_LIMITS.keyLength) {
        throw invalidParams(`Metadata keys can have up to ${METADATA_LIMITS.keyLength} characters, but ${k.slice(0, 60)} is ${k.length}.`, param)
      }
      if (v.length > METADATA_LIMITS.valueLength) {
        throw invalidParams(`Metadata values can have up to ${METADATA_LIMITS.valueLength} characters, but you passed in a value that is ${v.length} characters. Invalid value: ${v.slice(0, 40)}…`, param)
      }
      values[k] = v === "" ? null : v
    }
    return { kind: "set", values }
  }

  /** Rejects every parameter that no one read (here and in nested hashes). */
  done(): void {
    for (const key of Object.keys(this.raw)) if (!this.used.has(key)) throw unknownParameter(this.name(key))
    for (const c of this.children) c.done()
  }
}

/** The metadata after a change, with Stripe's 50-key limit checked on the result. */
export const applyMetadata = (current: Readonly<Record<string, string>>, change: MetadataChange | undefined, param = "metadata"): Record<string, string> => {
  if (change === undefined) return { ...current }
  if (change.kind === "clear") return {}
  const next: Record<string, string> = { ...current }
  for (const [k, v] of Object.entries(change.values)) {
    if (v === null) delete next[k]
    else next[k] = v
  }
  if (Object.keys(next).length > METADATA_LIMITS.keys) {
    throw invalidParams(`You can have at most ${METADATA_LIMITS.keys} metadata keys (this request would leave ${Object.keys(next).length}).`, param)
  }
  return next
}
