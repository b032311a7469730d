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

/** JSON with object keys sorted at every level (otherwise what JSON.stringify gives). */
export const canonicalJson = (value: unknown): string => {
  if (value === undefined) return "null"
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
