/**
 * JSON as the store keeps it in TEXT columns.
 *
 * `canonicalJson` is the one serialisation of a record: object keys sorted at every
 * level, so equal content always gives the same bytes. The engine hashes exactly
 * these bytes and the store keeps them, so a record is serialised once.
 */

const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

// Written out rather than JSON.stringify with a sorting replacer: the replacer
// copies every object, which is most of the garbage a backfill makes.
const write = (value: unknown, out: Array<string>): void => {
  if (value === null || typeof value !== "object") {
    out.push(JSON.stringify(value) ?? "null")
    return
  }
  if (Array.isArray(value)) {
    out.push("[")
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",")
      const item: unknown = value[i]
      if (item === undefined || typeof item === "function" || typeof item === "symbol") out.push("null")
      else write(item, out)
    }
    out.push("]")
    return
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    write((value as { toJSON: () => unknown }).toJSON(), out)
    return
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record).sort(compareKeys)
  out.push("{")
  let first = true
  for (const key of keys) {
    const item = record[key]
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue
    if (!first) out.push(",")
    first = false
    out.push(JSON.stringify(key), ":")
    write(item, out)
  }
  out.push("}")
}

/**
 * Whether JSON.stringify gives the canonical bytes of a value as it is: plain objects
 * and arrays whose keys are already in sorted order at every level (the Alegra
 * connector builds its records so). Checked without allocating; anything else (a
 * toJSON, a class instance, an unsorted key) takes the writer above.
 */
const inCanonicalOrder = (value: unknown): boolean => {
  if (value === null || typeof value !== "object") return true
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return false
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!inCanonicalOrder(value[i])) return false
    return true
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false
  let previous: string | undefined
  // for…in visits own keys in JSON.stringify's order (integer-like keys first): the check
  // fails on exactly the objects whose serialisation would not come out sorted.
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false
    previous = key
    if (!inCanonicalOrder((value as Record<string, unknown>)[key])) return false
  }
  return true
}

/** JSON with object keys sorted at every level (otherwise what JSON.stringify gives). */
export const canonicalJson = (value: unknown): string => {
  if (value === undefined) return "null"
  if (inCanonicalOrder(value)) return JSON.stringify(value) ?? "null"
  const out: Array<string> = []
  write(value, out)
  return out.join("")
}

/** Parses a TEXT column written by this store. A parse failure means a corrupt file: a defect, not an error. */
export const parseJson = (text: string): unknown => JSON.parse(text)

/** Nullable JSON column: SQL NULL when the value is undefined or null. */
export const nullableJson = (value: unknown): string | null => (value === undefined || value === null ? null : canonicalJson(value))

/** Reads a nullable JSON column: null stays null. */
export const parseNullableJson = (text: string | null): unknown => (text === null ? null : parseJson(text))
