/** Validation of request bodies: every failure is a 400 whose message names the field. */
import { badRequest, Code, invalidField, requiredField } from "./errors.js"
import { isValidDate } from "./util.js"

export type Obj = Record<string, unknown>

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v)

/** True when the key is present (null counts as present: it clears the field). */
export const has = (o: Obj, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined

export const asBody = (v: unknown): Obj => {
  if (!isObj(v)) throw badRequest(Code.invalidBody, "El cuerpo de la petición debe ser un objeto JSON.")
  return v
}

export const text = (v: unknown, field: string, max?: number): string => {
  if (typeof v !== "string") throw invalidField(field, "debe ser un texto")
  if (max !== undefined && v.length > max) throw invalidField(field, `no puede tener más de ${max} caracteres`)
  return v
}

/** A required, non-blank string. */
export const nonBlank = (v: unknown, field: string, max?: number): string => {
  if (v === null || v === undefined) throw requiredField(field)
  const s = text(v, field, max).trim()
  if (s === "") throw requiredField(field)
  return s
}

/** An optional string: null (or an empty string) clears it. */
export const optText = (v: unknown, field: string, max?: number): string | null => {
  if (v === null) return null
  const s = text(v, field, max)
  return s === "" ? null : s
}

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/

/** A number, or a numeric string (clients echo back what they read). */
export const decimal = (
  v: unknown,
  field: string,
  range: { readonly min?: number; readonly max?: number; readonly exclusiveMin?: number } = {}
): number => {
  let n: number
  if (typeof v === "number") n = v
  else if (typeof v === "string" && NUMERIC.test(v)) n = Number(v)
  else throw invalidField(field, "debe ser un número")
  if (!Number.isFinite(n)) throw invalidField(field, "debe ser un número")
  if (range.min !== undefined && n < range.min) throw invalidField(field, `debe ser mayor o igual a ${range.min}`)
  if (range.exclusiveMin !== undefined && n <= range.exclusiveMin) {
    throw invalidField(field, `debe ser mayor que ${range.exclusiveMin}`)
  }
  if (range.max !== undefined && n > range.max) throw invalidField(field, `debe ser menor o igual a ${range.max}`)
  return n
}

export const date = (v: unknown, field: string): string => {
  if (v === null || v === undefined || v === "") throw requiredField(field)
  if (typeof v !== "string" || !isValidDate(v)) throw invalidField(field, "debe ser una fecha con formato yyyy-MM-dd")
  return v
}

/** A reference: `{"id": …}` or the bare id, as a string or a positive integer. */
export const refId = (v: unknown, field: string): string => {
  if (v === null || v === undefined) throw requiredField(field)
  const raw = isObj(v) ? v["id"] : v
  if (raw === null || raw === undefined) throw requiredField(`${field}.id`)
  if (typeof raw === "number" && Number.isInteger(raw) && raw > 0) return String(raw)
  if (typeof raw === "string" && raw.trim() !== "") return raw.trim()
  throw invalidField(isObj(v) ? `${field}.id` : field, "debe ser un identificador válido")
}

export const oneOf = <T extends string>(v: unknown, field: string, values: ReadonlyArray<T>): T => {
  if (typeof v === "string" && (values as ReadonlyArray<string>).includes(v)) return v as T
  throw invalidField(field, `debe ser uno de: ${values.join(", ")}`)
}

export const list = (v: unknown, field: string): ReadonlyArray<unknown> => {
  if (!Array.isArray(v)) throw invalidField(field, "debe ser una lista")
  return v
}

export const object = (v: unknown, field: string): Obj => {
  if (!isObj(v)) throw invalidField(field, "debe ser un objeto")
  return v
}

export const bool = (v: unknown, field: string): boolean => {
  if (typeof v === "boolean") return v
  if (v === "true" || v === 1) return true
  if (v === "false" || v === 0) return false
  throw invalidField(field, "debe ser verdadero o falso")
}

/** Top-level merge: the parsed value when the key is sent, else the current one. */
export const merge = <T>(o: Obj, key: string, current: T, parse: (v: unknown) => T): T =>
  has(o, key) ? parse(o[key]) : current

/** On create a required key must be present; on update it keeps its current value. */
export const mergeRequired = <T>(o: Obj, key: string, current: T | undefined, parse: (v: unknown) => T): T => {
  if (has(o, key)) return parse(o[key])
  if (current === undefined) throw requiredField(key)
  return current
}

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]{2,}$/

export const email = (v: unknown, field: string): string | null => {
  const s = optText(v, field, 100)
  if (s === null) return null
  if (!EMAIL.test(s.trim())) throw invalidField(field, `no es un correo electrónico válido ('${s}')`)
  return s.trim()
}
