/**
 * Payments and credit notes have no webhooks (alegra-api.md §4, §7): they are polled. Each poll
 * answers the records that differ from the store, with the time they were read, and its cursor;
 * the engine records both in one transaction and calls it again at start-up (catching up) and
 * then every interval.
 */
import { Effect, Option } from "effect"
import type { CanonicalRecord, DateOnly } from "../../../schema/index.js"
import { compareIds, maxId, minId, takeUnseen } from "../../../src/ports/alegra.js"
import type { Change, PollContext, Poller } from "../../../src/ports/connector.js"
import type { AlegraApi, Page } from "../api.js"
import { changedRecords, missingRecords } from "./changes.js"
import type { AlegraCaptureOptions } from "./options.js"

interface PaymentsCursor {
  readonly highWater: string | null
}

interface CreditNotesCursor {
  readonly windowFrom: string
  readonly polledAt: number | null
}

/**
 * Payments: newest first by id down to the high-water mark, and always at least the `recent`
 * newest ones, because void/open change a payment without changing its id. The first poll
 * starts the mark at the highest payment the store holds (what the backfill read), so payments
 * created while the daemon was down lie above it and are read.
 */
export const paymentsPoller = (api: AlegraApi, options: AlegraCaptureOptions): Poller => ({
  name: "payments",
  everyMs: options.paymentsSeconds * 1000,
  servesRequests: false,
  poll: Effect.fn("Alegra.pollPayments")(function*(context: PollContext) {
    const known = yield* context.known("payment")
    const cursor = Option.getOrElse(
      context.cursor as Option.Option<PaymentsCursor>,
      (): PaymentsCursor => ({ highWater: maxId(known.keys()) })
    )
    const runId = Date.now()
    const seen = new Set<string>()
    const changes: Array<Change> = []
    let start: number | null = 0
    while (start !== null) {
      const page: Page = yield* api.listPage("payment", { start, order: "desc" })
      const fresh: Array<CanonicalRecord> = takeUnseen(seen, page.records)
      changes.push(...changedRecords(fresh, known, context.hash, page.readAt))
      const reachedMark = cursor.highWater !== null &&
        page.records.some((r) => compareIds(r.record.id, cursor.highWater!) <= 0)
      const enough = seen.size >= options.paymentsRecent
      if (enough && (reachedMark || cursor.highWater === null)) break
      start = page.next
    }
    // Stored payments inside the range just read that Alegra no longer lists: deleted, or skipped.
    const lowest = minId(seen)
    const missing = lowest === null ? [] : [...known.keys()].filter((id) => !seen.has(id) && compareIds(id, lowest) >= 0)
    changes.push(...missingRecords("payment", missing, runId))
    const highWater = maxId(seen, cursor.highWater)
    return {
      changes,
      ...(Option.isSome(context.cursor) && highWater === cursor.highWater ? {} : { cursor: { highWater } satisfies PaymentsCursor })
    }
  })
})

const DAY_MS = 86_400_000
const isoDate = (ms: number): DateOnly => new Date(ms).toISOString().slice(0, 10) as DateOnly

/**
 * Credit notes: the trailing window of document dates is read again. After a downtime longer
 * than the window, the window reaches back to the last poll, so notes created meanwhile with
 * older dates are not missed. Of the stored notes, only the ids, hashes and dates in the window
 * are loaded.
 */
export const creditNotesPoller = (api: AlegraApi, options: AlegraCaptureOptions): Poller => ({
  name: "credit-notes",
  everyMs: options.creditNotesSeconds * 1000,
  servesRequests: false,
  poll: Effect.fn("Alegra.pollCreditNotes")(function*(context: PollContext) {
    const runId = Date.now()
    const previous = context.cursor as Option.Option<CreditNotesCursor>
    const lastPolled = Option.isSome(previous) ? previous.value.polledAt : null
    const dateFrom = isoDate(Math.min(runId, lastPolled ?? runId) - options.creditNotesWindowDays * DAY_MS)
    const stored = yield* context.knownFrom("credit-note", dateFrom)
    const known = new Map(stored.map((row) => [row.id, row.hash]))
    const seen = new Set<string>()
    const changes: Array<Change> = []
    let start: number | null = 0
    while (start !== null) {
      const page: Page = yield* api.listPage("credit-note", { start, dateFrom })
      changes.push(...changedRecords(takeUnseen(seen, page.records), known, context.hash, page.readAt))
      start = page.next
    }
    changes.push(...missingRecords("credit-note", stored.filter((row) => !seen.has(row.id)).map((row) => row.id), runId))
    return { changes, cursor: { windowFrom: dateFrom, polledAt: runId } satisfies CreditNotesCursor }
  })
})
