/**
 * JSON as the store keeps it in TEXT columns.
 *
 * `canonicalJson` sorts object keys recursively, so the same value always gives
 * the same bytes (the mirror's `content` column is compared and diffed by
 * humans and tools; the content hash itself is computed by the caller).
 */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const source = v as Record<string, unknown>
      const sorted: Record<string, unknown> = {}
      for (const key of Object.keys(source).sort()) {
        sorted[key] = source[key]
      }
      return sorted
    }
    return v
  }) ?? "null"

/** Parses a TEXT column written by this store. A parse failure means a corrupt file: a defect, not an error. */
export const parseJson = (text: string): unknown => JSON.parse(text)

/** Nullable JSON column: SQL NULL when the value is undefined or null. */
export const nullableJson = (value: unknown): string | null => (value === undefined || value === null ? null : canonicalJson(value))

/** Reads a nullable JSON column: null stays null. */
export const parseNullableJson = (text: string | null): unknown => (text === null ? null : parseJson(text))
