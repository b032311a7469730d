import { Effect, Layer, Option, Schedule } from "effect"
import type { CanonicalRecord, DateOnly } from "../../schema/index.js"
import { SyncConfig } from "../config/index.js"
import { InboxWorker } from "../engine/worker.js"
import { Alegra, type Page } from "../ports/alegra.js"
import { Store } from "../store/index.js"
import { compareIds, maxId, minId, offerChanged, offerMissing, takeUnseen } from "./observe.js"

export const paymentsCursor = "poll:payment"
export const creditNotesCursor = "poll:credit-note"

interface PaymentsCursor {
  readonly highWater: string | null
}

/**
 * Payments have no webhooks. Newest first by id down to the high-water mark, and
 * always at least the `recent` newest ones, because void/open change a payment
 * without changing its id.
 */
export const pollPayments = Effect.fn("Capture.pollPayments")(function*() {
  const alegra = yield* Alegra
  const store = yield* Store
  const config = yield* SyncConfig
  const cursor = Option.getOrElse(
    (yield* store.cursors.get(paymentsCursor)) as Option.Option<PaymentsCursor>,
    (): PaymentsCursor => ({ highWater: null })
  )
  const runId = Date.now()
  const records: Array<CanonicalRecord> = []
  const seen = new Set<string>()
  let start: number | null = 0
  while (start !== null) {
    const page: Page = yield* alegra.listPage("payment", { start, order: "desc" })
    records.push(...takeUnseen(seen, page.records))
    const reachedMark = cursor.highWater !== null &&
      page.records.some((r) => compareIds(r.record.id, cursor.highWater!) <= 0)
    const enough = records.length >= config.polling.paymentsRecent
    if (enough && (reachedMark || cursor.highWater === null)) break
    start = page.next
  }
  const hashes = yield* store.mirror.hashes("payment")
  const offered = yield* offerChanged("alegra-poll", records, hashes)
  // Mirrored payments inside the range just read that Alegra no longer lists: deleted, or skipped.
  const lowest = minId(seen)
  const missing = lowest === null
    ? []
    : [...hashes.keys()].filter((id) => !seen.has(id) && compareIds(id, lowest) >= 0)
  const gone = yield* offerMissing("alegra-poll", "payment", missing, runId)
  const highWater = maxId(seen, cursor.highWater)
  yield* store.cursors.set(paymentsCursor, { highWater, polledAt: runId })
  return { read: records.length, offered: offered + gone }
})

const isoDate = (ms: number): DateOnly => new Date(ms).toISOString().slice(0, 10) as DateOnly

/** Credit notes have no webhooks: re-read a trailing window of document dates. */
export const pollCreditNotes = Effect.fn("Capture.pollCreditNotes")(function*() {
  const alegra = yield* Alegra
  const store = yield* Store
  const config = yield* SyncConfig
  const runId = Date.now()
  const dateFrom = isoDate(runId - config.polling.creditNotesWindowDays * 86_400_000)
  const records: Array<CanonicalRecord> = []
  const seen = new Set<string>()
  let start: number | null = 0
  while (start !== null) {
    const page: Page = yield* alegra.listPage("credit-note", { start, dateFrom })
    records.push(...takeUnseen(seen, page.records))
    start = page.next
  }
  const rows = yield* store.mirror.list("credit-note")
  const hashes = new Map(rows.map((row) => [row.id, row.hash]))
  const offered = yield* offerChanged("alegra-poll", records, hashes)
  const missing = rows
    .filter((row) => !seen.has(row.id) && String((row.content as { date?: string }).date ?? "") >= dateFrom)
    .map((row) => row.id)
  const gone = yield* offerMissing("alegra-poll", "credit-note", missing, runId)
  yield* store.cursors.set(creditNotesCursor, { windowFrom: dateFrom, polledAt: runId })
  return { read: records.length, offered: offered + gone }
})

const every = <A, E, R>(name: string, seconds: number, tick: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const worker = yield* InboxWorker
    yield* tick.pipe(
      Effect.tap(() => worker.wake),
      Effect.catchAllCause((cause) => Effect.logError(`${name} failed; will try again`, cause)),
      Effect.repeat(Schedule.spaced(`${seconds} seconds`)),
      Effect.forkScoped
    )
  })

/** Starts the payment and credit-note pollers for the life of the layer. */
export const PollersLive = Layer.scopedDiscard(Effect.gen(function*() {
  const config = yield* SyncConfig
  yield* every("payments poll", config.polling.paymentsSeconds, pollPayments())
  yield* every("credit notes poll", config.polling.creditNotesSeconds, pollCreditNotes())
}))
