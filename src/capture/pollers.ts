import { Effect, Layer, Option, Schedule } from "effect"
import type { DateOnly } from "../../schema/index.js"
import { SyncConfig } from "../config/index.js"
import { InboxWorker } from "../engine/worker.js"
import { Alegra, type Page } from "../ports/alegra.js"
import { Store } from "../store/index.js"
import { makeFailureLog } from "./failures.js"
import { compareIds, maxId, minId, offerChanged, offerMissing, takeUnseen } from "./observe.js"

export const paymentsCursor = "poll:payment"
export const creditNotesCursor = "poll:credit-note"

interface PaymentsCursor {
  readonly highWater: string | null
}

interface CreditNotesCursor {
  readonly windowFrom: string
  readonly polledAt: number | null
}

/**
 * Payments have no webhooks. Newest first by id down to the high-water mark, and
 * always at least the `recent` newest ones, because void/open change a payment
 * without changing its id. Resumes from its cursor after a restart: payments
 * created while the daemon was down lie above the mark and are read.
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
  const hashes = yield* store.mirror.hashes("payment")
  const seen = new Set<string>()
  let read = 0
  let offered = 0
  let start: number | null = 0
  while (start !== null) {
    const page: Page = yield* alegra.listPage("payment", { start, order: "desc" })
    const fresh = takeUnseen(seen, page.records)
    read += fresh.length
    offered += yield* offerChanged("poll", fresh, hashes, page.readAt)
    const reachedMark = cursor.highWater !== null &&
      page.records.some((r) => compareIds(r.record.id, cursor.highWater!) <= 0)
    const enough = read >= config.polling.paymentsRecent
    if (enough && (reachedMark || cursor.highWater === null)) break
    start = page.next
  }
  // Mirrored payments inside the range just read that Alegra no longer lists: deleted, or skipped.
  const lowest = minId(seen)
  const missing = lowest === null
    ? []
    : [...hashes.keys()].filter((id) => !seen.has(id) && compareIds(id, lowest) >= 0)
  offered += yield* offerMissing("poll", "payment", missing, runId)
  const highWater = maxId(seen, cursor.highWater)
  if (highWater !== cursor.highWater) yield* store.cursors.set(paymentsCursor, { highWater })
  return { read, offered }
})

const DAY_MS = 86_400_000
const isoDate = (ms: number): DateOnly => new Date(ms).toISOString().slice(0, 10) as DateOnly

/**
 * Credit notes have no webhooks: re-read a trailing window of document dates. After
 * a downtime longer than the window, the window reaches back to cover it (from the
 * last poll), so notes created meanwhile with older dates are not missed. Reads only
 * ids, hashes and dates of the mirrored notes in the window.
 */
export const pollCreditNotes = Effect.fn("Capture.pollCreditNotes")(function*() {
  const alegra = yield* Alegra
  const store = yield* Store
  const config = yield* SyncConfig
  const runId = Date.now()
  const previous = (yield* store.cursors.get(creditNotesCursor)) as Option.Option<CreditNotesCursor>
  const lastPolled = Option.isSome(previous) ? previous.value.polledAt : null
  const windowMs = config.polling.creditNotesWindowDays * DAY_MS
  const dateFrom = isoDate(Math.min(runId, lastPolled ?? runId) - windowMs)
  const mirrored = yield* store.mirror.datedHashes("credit-note", dateFrom)
  const hashes = new Map(mirrored.map((row) => [row.id, row.hash]))
  const seen = new Set<string>()
  let read = 0
  let offered = 0
  let start: number | null = 0
  while (start !== null) {
    const page: Page = yield* alegra.listPage("credit-note", { start, dateFrom })
    const fresh = takeUnseen(seen, page.records)
    read += fresh.length
    offered += yield* offerChanged("poll", fresh, hashes, page.readAt)
    start = page.next
  }
  offered += yield* offerMissing("poll", "credit-note", mirrored.filter((row) => !seen.has(row.id)).map((row) => row.id), runId)
  yield* store.cursors.set(creditNotesCursor, { windowFrom: dateFrom, polledAt: runId } satisfies CreditNotesCursor)
  return { read, offered }
})

/** Runs a poll now (catching up at start-up), then every `seconds`; failures are logged once, then counted. */
const every = <A, E, R>(name: string, seconds: number, tick: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const worker = yield* InboxWorker
    const logged = yield* makeFailureLog(name)
    yield* logged(Effect.tap(tick, () => worker.wake)).pipe(
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
