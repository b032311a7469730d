import { Effect, Option } from "effect"
import type { Application, CanonicalRecord, Kind } from "../../schema/index.js"
import { Store } from "../store/index.js"
import { type Plan, planAlegraChange } from "./plan.js"

/** The documents a payment or credit note is applied to. */
const applicationsOf = (kind: Kind, content: unknown): ReadonlyArray<Application> =>
  (kind === "payment" || kind === "credit-note") && content !== null && typeof content === "object" &&
    Array.isArray((content as { applications?: unknown }).applications)
    ? (content as { applications: ReadonlyArray<Application> }).applications
    : []

/**
 * Plans and records one observation of an Alegra record in the mirror. Runs inside
 * the caller's write transaction, so the mirror and the inbox row change together.
 *
 * Alegra sends no webhook when a payment or credit note changes an invoice's or a
 * bill's balance, so the documents such a record touches (before and after) are
 * queued for a re-read.
 */
export const recordAlegraObservation = Effect.fn("Engine.recordAlegraObservation")(function*(
  kind: Kind,
  id: string,
  observed: Option.Option<CanonicalRecord>,
  seenAt: number
) {
  const store = yield* Store
  const current = yield* store.mirror.get(kind, id)
  const plan = planAlegraChange(current, observed)
  switch (plan._tag) {
    case "Upsert":
      yield* store.mirror.upsert(kind, id, plan.record.record, plan.hash, seenAt)
      break
    case "Delete":
      yield* store.mirror.remove(kind, id)
      break
    case "Unchanged":
      // Same hash: only the last-seen time moves.
      yield* store.mirror.upsert(kind, id, Option.getOrThrow(observed).record, plan.hash, seenAt)
      break
    case "Absent":
      break
  }
  if (plan._tag === "Upsert" || plan._tag === "Delete") {
    const before = Option.match(current, { onNone: () => [], onSome: (row) => applicationsOf(kind, row.content) })
    const after = plan._tag === "Upsert" ? applicationsOf(kind, plan.record.record) : []
    const documents = new Map([...before, ...after].map((a) => [`${a.documentKind}:${a.documentId}`, a]))
    for (const document of documents.values()) {
      yield* store.inbox.offer({
        source: "alegra-related",
        kind: document.documentKind,
        recordId: document.documentId,
        action: "changed",
        eventKey: `${kind}:${id}:${plan._tag === "Upsert" ? plan.hash : "deleted"}`
      })
    }
  }
  return plan satisfies Plan
})
