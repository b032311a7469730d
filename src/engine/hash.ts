import * as crypto from "node:crypto"
import { canonicalJson } from "../store/json.js"

export { canonicalJson }

/** A record serialised once: the canonical JSON the store keeps, and its hash. */
export interface Canonical {
  readonly json: string
  readonly hash: string
}

// The one-shot digest (Node 20.12 and later) skips a Hash object per record; the same bytes either way.
const oneShot = (crypto as unknown as { readonly hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash
const sha256 = oneShot !== undefined
  ? (text: string): string => oneShot("sha256", text, "hex")
  : (text: string): string => crypto.createHash("sha256").update(text).digest("hex")

/** The content hash compared at each sync: equal hashes mean nothing changed (how echoes die). */
export const contentHash = (value: unknown): string => sha256(canonicalJson(value))

/** Serialises a record once, for both its hash and the store. */
export const canonicalize = (value: unknown): Canonical => {
  const json = canonicalJson(value)
  return { json, hash: sha256(json) }
}
