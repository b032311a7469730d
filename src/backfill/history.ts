/**
 * A system's history into Alegra (`backfill --system stripe --since <day>`): the documents dated
 * from that day on — invoices, their payments, refunds and credit notes — are queued in the inbox
 * as changes, and the daemon syncs them as it syncs any change, prerequisites first (an invoice
 * brings its customer and products; customers and products alone are not imported). Queuing
 * only, in one transaction per page: the running daemon (or the next one) does the writing,
 * within its budgets, with its intents. Drafts are left alone, as they are live.
 */
import { Clock, Effect, Stream } from "effect"
import type { CanonicalRecord, Kind, System } from "../../schema/index.js"
import type { ConnectorPort } from "../ports/connector.js"
import { Store } from "../store/index.js"

/** Documents in the order they depend on each other. */
export const HISTORY_KINDS: ReadonlyArray<Kind> = ["invoice", "payment", "credit-note"]

export interface HistorySummary {
  readonly system: System
  readonly since: string
  /** Per kind: records read, and those queued (dated from `since` on, not drafts). */
  readonly kinds: Readonly<Record<string, { readonly read: number; readonly queued: number }>>
}

const dateOf = ({ record }: CanonicalRecord): string | null => ("date" in record && typeof record.date === "string" ? record.date : null)
const isDraft = ({ record }: CanonicalRecord): boolean => "status" in record && record.status === "draft"

export const queueHistory = (connector: ConnectorPort, since: string) =>
  Effect.gen(function*() {
    const store = yield* Store
    // One key per run: a second run syncs every pair again (in sync pairs write nothing).
    const run = yield* Clock.currentTimeMillis
    const kinds: Record<string, { read: number; queued: number }> = {}
    for (const kind of HISTORY_KINDS.filter((k) => connector.kinds.includes(k))) {
      const counts = { read: 0, queued: 0 }
      kinds[kind] = counts
      yield* Stream.runForEach(connector.list(kind), (page) =>
        Effect.gen(function*() {
          counts.read += page.records.length
          const wanted = page.records.filter((r) => !isDraft(r) && (dateOf(r) ?? "") >= since)
          if (wanted.length === 0) return
          yield* store.inbox.offerMany(wanted.map((r) => ({
            system: connector.system,
            kind,
            recordId: r.record.id,
            channel: "backfill" as const,
            action: "changed" as const,
            eventKey: `history:${run}:${r.record.id}`
          })))
          counts.queued += wanted.length
        }))
    }
    return { system: connector.system, since, kinds } satisfies HistorySummary
  })
