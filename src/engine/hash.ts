import { createHash } from "node:crypto"

/** JSON with object keys sorted at every level, so equal content always serialises the same. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v)

/** The content hash compared at each sync: equal hashes mean nothing changed (how echoes die). */
export const contentHash = (value: unknown): string => createHash("sha256").update(canonicalJson(value)).digest("hex")
