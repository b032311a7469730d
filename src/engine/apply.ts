import { Effect, Option } from "effect"
import type { Application, CanonicalRecord, Kind } from "../../schema/index.js"
import { type MirrorWrite, Store } from "../store/index.js"
import { type Canonical, canonicalize } from "./hash.js"
import { type Observed, type Plan, planAlegraChange } from "./plan.js"

/** The documents a payment or credit note is applied to. */
const applicationsOf = (kind: Kind, content: unknown): ReadonlyArray<Application> =>
  (kind === "payment" || kind === "credit-note") && content !== null && typeof content === "object" &&
    Array.isArray((content as { applications?: unknown }).applications)
    ? (content as { applications: ReadonlyArray<Application> }).applications
    : []

/** What the mirror stores for a record read at `readAt`, serialised once. */
export const mirrorWrite = (
  { kind, record }: CanonicalRecord,
  readAt: number,
  canonical: Canonical = canonicalize(record)
): MirrorWrite => ({
  kind,
  id: record.id,
  json: canonical.json,
  hash: canonical.hash,
  docDate: "date" in record ? record.date : null,
  readAt
})

/**
 * Plans and records one observation of an Alegra record in the mirror. Runs inside
 * the caller's write transaction, so the mirror and the inbox row change together.
 * An observation older than the copy held changes nothing.
 *
 * Alegra sends no webhook when a payment or credit note changes an invoice's or a
 * bill's balance, so the documents such a record touches (before and after) are
 * queued for a re-read.
 *
 * Untraced: it runs for every row the worker records (a span costs 15-20 µs).
 */
export const recordAlegraObservation = Effect.fnUntraced(function*(
  kind: Kind,
  id: string,
  observed: Observed
) {
  const store = yield* Store
  const current = yield* store.mirror.state(kind, id)
  const plan = planAlegraChange(current, observed)
  switch (plan._tag) {
    case "Upsert":
      yield* store.mirror.put(mirrorWrite(plan.record, observed.readAt, plan.canonical))
      break
    case "Delete":
    case "Absent":
      yield* store.mirror.putTombstone(kind, id, observed.readAt)
      break
    case "Unchanged":
    case "Stale":
      break
  }
  if (plan._tag === "Upsert" || plan._tag === "Delete") {
    const before = Option.match(current, { onNone: () => [], onSome: (row) => applicationsOf(kind, row.content) })
    const after = plan._tag === "Upsert" ? applicationsOf(kind, plan.record.record) : []
    const documents = new Map([...before, ...after].map((a) => [`${a.documentKind}:${a.documentId}`, a]))
    yield* store.inbox.offerMany([...documents.values()].map((document) => ({
      system: "alegra" as const,
      kind: document.documentKind,
      recordId: document.documentId,
      channel: "related" as const,
      action: "changed" as const,
      eventKey: `${kind}:${id}:${plan._tag === "Upsert" ? plan.canonical.hash : "deleted"}`
    })))
  }
  return plan satisfies Plan
})
