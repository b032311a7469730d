import { Option } from "effect"
import type { CanonicalRecord } from "../../schema/index.js"
import { contentHash } from "./hash.js"

/** What the mirror holds for a record before a change is applied. */
export interface Current {
  readonly hash: string
}

/** What to do with one observation of an Alegra record. */
export type Plan =
  | { readonly _tag: "Unchanged"; readonly hash: string }
  | { readonly _tag: "Upsert"; readonly record: CanonicalRecord; readonly hash: string; readonly created: boolean }
  | { readonly _tag: "Delete" }
  | { readonly _tag: "Absent" }

/**
 * Compares what Alegra holds now (None when it answered 404) with the mirror.
 * Pure, so the decision is tested apart from any I/O.
 */
export const planAlegraChange = (current: Option.Option<Current>, observed: Option.Option<CanonicalRecord>): Plan => {
  if (Option.isNone(observed)) return Option.isSome(current) ? { _tag: "Delete" } : { _tag: "Absent" }
  const hash = contentHash(observed.value.record)
  if (Option.isSome(current) && current.value.hash === hash) return { _tag: "Unchanged", hash }
  return { _tag: "Upsert", record: observed.value, hash, created: Option.isNone(current) }
}
