import { Effect } from "effect"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import { contentHash } from "../engine/hash.js"
import { type InboxChannel, type InboxOffer, Store } from "../store/index.js"

/**
 * Offers to the inbox the records that differ from the mirror, with the record as
 * payload (it was just read from the API, so the worker need not read it again)
 * and the time it was read. Returns how many were offered.
 */
export const offerChanged = Effect.fn("Capture.offerChanged")(function*(
  channel: InboxChannel,
  records: ReadonlyArray<CanonicalRecord>,
  mirrorHashes: ReadonlyMap<string, string>,
  readAt: number
) {
  const store = yield* Store
  const offers: Array<InboxOffer> = []
  for (const { kind, record } of records) {
    const hash = contentHash(record)
    if (mirrorHashes.get(record.id) === hash) continue
    offers.push({
      system: "alegra",
      kind,
      recordId: record.id,
      channel,
      action: "changed",
      eventKey: `${kind}:${record.id}:${hash}`,
      payload: record,
      readAt
    })
  }
  yield* store.inbox.offerMany(offers)
  return offers.length
})

/**
 * Offers records the mirror has but a listing did not return: the worker re-reads
 * each by id and deletes it only on a 404, so a record skipped by shifting offsets
 * costs one GET and is never deleted by mistake.
 */
export const offerMissing = Effect.fn("Capture.offerMissing")(function*(
  channel: InboxChannel,
  kind: Kind,
  ids: Iterable<string>,
  runId: number
) {
  const store = yield* Store
  const offers: Array<InboxOffer> = [...ids].map((id) => ({
    system: "alegra",
    kind,
    recordId: id,
    channel,
    action: "changed",
    eventKey: `${kind}:${id}:missing:${runId}`
  }))
  yield* store.inbox.offerMany(offers)
  return offers.length
})

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
