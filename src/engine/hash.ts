import { createHash } from "node:crypto"
import { canonicalJson } from "../store/json.js"

export { canonicalJson }

/** A record serialised once: the canonical JSON the store keeps, and its hash. */
export interface Canonical {
  readonly json: string
  readonly hash: string
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex")

/** The content hash compared at each sync: equal hashes mean nothing changed (how echoes die). */
export const contentHash = (value: unknown): string => sha256(canonicalJson(value))

/** Serialises a record once, for both its hash and the store. */
export const canonicalize = (value: unknown): Canonical => {
  const json = canonicalJson(value)
  return { json, hash: sha256(json) }
}
