import { Option } from "effect"
import type { CanonicalRecord } from "../../schema/index.js"
import type { MirrorState } from "../store/index.js"
import { type Canonical, canonicalize } from "./hash.js"

/** One read of an Alegra record: when the request was sent, and what came back (None: 404). */
export interface Observed {
  readonly readAt: number
  readonly record: Option.Option<CanonicalRecord>
}

/** What to do with one observation of an Alegra record. */
export type Plan =
  /** The mirror holds a copy read at the same time or later: this read is older news. */
  | { readonly _tag: "Stale" }
  | { readonly _tag: "Unchanged"; readonly hash: string }
  | { readonly _tag: "Upsert"; readonly record: CanonicalRecord; readonly canonical: Canonical; readonly created: boolean }
  /** A live record answered 404: it becomes a tombstone. */
  | { readonly _tag: "Delete" }
  /** 404 for a record the mirror does not hold live: a tombstone guards against older reads. */
  | { readonly _tag: "Absent" }

/**
 * Compares what Alegra held when it was read with what the mirror holds. Pure, so
 * the decision is tested apart from any I/O. Observations are ordered by read time:
 * an older read never replaces a newer one.
 */
export const planAlegraChange = (current: Option.Option<MirrorState>, observed: Observed): Plan => {
  if (Option.isSome(current) && current.value.readAt >= observed.readAt) return { _tag: "Stale" }
  const live = Option.isSome(current) && !current.value.deleted
  if (Option.isNone(observed.record)) return live ? { _tag: "Delete" } : { _tag: "Absent" }
  const canonical = canonicalize(observed.record.value.record)
  if (live && current.value.hash === canonical.hash) return { _tag: "Unchanged", hash: canonical.hash }
  return { _tag: "Upsert", record: observed.record.value, canonical, created: !live }
}
