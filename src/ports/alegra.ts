/**
 * The hub's port: the generic connector port (./connector.ts) as Alegra implements it, plus
 * what the engine uses of Alegra alone (its request counts), and how Alegra's ids are ordered
 * (its lists page by ascending id: the backfill resumes by it, the payment poll keeps its
 * high-water mark by it).
 */
import { Context } from "effect"
import type { Effect } from "effect"
import type { CanonicalRecord } from "../../schema/index.js"
import type { ConnectorPort } from "./connector.js"

/** Counters of the calls made through the client since it was built. */
export interface AlegraUsage {
  readonly requests: number
  readonly rateLimited: number
  readonly retries: number
  /** The most requests sent within any 60 s, to hold against Alegra's per-minute limit. */
  readonly busiestMinute: number
}

/**
 * The Alegra account, as the engine sees it. `list` pages each kind by ascending id
 * (`compareIds`); `directions` is empty (Alegra is one end of every pair).
 */
export interface AlegraPort extends ConnectorPort {
  readonly system: "alegra"
  readonly usage: Effect.Effect<AlegraUsage>
}

export class Alegra extends Context.Tag("alegra-sync/Alegra")<Alegra, AlegraPort>() {}

// ---------------------------------------------------------------------------------------
// Alegra's ids: numeric strings, and UUIDv7 for some kinds (opaque, but ordered)

/** Orders ids numerically when both are numeric strings, else as text (UUIDv7 sorts by time). */
export const compareIds = (a: string, b: string): number => {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0
  }
  return a < b ? -1 : a > b ? 1 : 0
}

/** The highest id by `compareIds`, or `initial` when there is none higher. */
export const maxId = (ids: Iterable<string>, initial: string | null = null): string | null => {
  let high = initial
  for (const id of ids) if (high === null || compareIds(id, high) > 0) high = id
  return high
}

/** The lowest id by `compareIds`, or null for none. */
export const minId = (ids: Iterable<string>): string | null => {
  let low: string | null = null
  for (const id of ids) if (low === null || compareIds(id, low) < 0) low = id
  return low
}

/**
 * The records not seen on an earlier page, adding them to `seen`: Alegra lists a
 * payment once per category line, and such lines can straddle pages.
 */
export const takeUnseen = (seen: Set<string>, records: ReadonlyArray<CanonicalRecord>): Array<CanonicalRecord> => {
  const fresh = records.filter((r) => !seen.has(r.record.id))
  for (const r of fresh) seen.add(r.record.id)
  return fresh
}
