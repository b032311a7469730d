/**
 * What a read of Alegra tells the engine: the records that differ from what the store holds
 * (with the record as payload, read at `readAt`, so the worker need not read it again), and the
 * records the store holds that a listing did not return (re-read by id by the worker, and deleted
 * only on a 404: a record skipped by shifting offsets costs one GET, never a wrong delete).
 */
import type { CanonicalRecord, Kind } from "../../../schema/index.js"
import type { Change } from "../../../src/ports/connector.js"

export const changedRecords = (
  records: ReadonlyArray<CanonicalRecord>,
  known: ReadonlyMap<string, string>,
  hash: (record: CanonicalRecord) => string,
  readAt: number
): Array<Change> => {
  const changes: Array<Change> = []
  for (const record of records) {
    const content = hash(record)
    if (known.get(record.record.id) === content) continue
    changes.push({
      kind: record.kind,
      id: record.record.id,
      action: "changed",
      eventKey: `${record.kind}:${record.record.id}:${content}`,
      payload: record,
      readAt
    })
  }
  return changes
}

export const missingRecords = (kind: Kind, ids: Iterable<string>, runId: number): Array<Change> =>
  [...ids].map((id) => ({ kind, id, action: "changed", eventKey: `${kind}:${id}:missing:${runId}` }))
