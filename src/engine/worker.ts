import { Duration, Effect, Option, Queue, Ref, Schedule, Schema } from "effect"
import { type CanonicalRecord, type Kind, recordSchemas } from "../../schema/index.js"
import { SyncConfig } from "../config/index.js"
import { Alegra, AlegraError } from "../ports/alegra.js"
import { type InboxRow, Store, writeTransaction } from "../store/index.js"
import { recordAlegraObservation } from "./apply.js"

export interface WorkerStats {
  readonly processed: number
  readonly upserted: number
  readonly deleted: number
  readonly unchanged: number
  readonly retried: number
  readonly deadLettered: number
}

const emptyStats: WorkerStats = { processed: 0, upserted: 0, deleted: 0, unchanged: 0, retried: 0, deadLettered: 0 }

/** Retry delay after the n-th failed attempt: 2 s doubling, capped at 10 min, ±20 % jitter. */
export const retryDelay = (attempts: number, random: number = Math.random()): number =>
  Math.round(Math.min(2_000 * 2 ** Math.max(0, attempts - 1), 600_000) * (0.8 + 0.4 * random))

/** A row's payload is a record already read from the API (polls, sweep); webhooks carry none. */
const decodePayload = (kind: Kind, payload: unknown): Option.Option<CanonicalRecord> =>
  Option.map(
    Schema.decodeUnknownOption(recordSchemas[kind] as Schema.Schema<any>)(payload),
    (record) => ({ kind, record }) as CanonicalRecord
  )

/**
 * Drains the inbox: each pending row is resolved against Alegra (re-read by id
 * unless it carries a record just read from the API), planned against the mirror
 * and recorded together with the row's completion in one transaction.
 */
export class InboxWorker extends Effect.Service<InboxWorker>()("alegra-sync/InboxWorker", {
  scoped: Effect.gen(function*() {
    const store = yield* Store
    const alegra = yield* Alegra
    const config = yield* SyncConfig
    const wakeups = yield* Queue.sliding<void>(1)
    const stats = yield* Ref.make(emptyStats)
    const bump = (key: keyof WorkerStats) => Ref.update(stats, (s) => ({ ...s, [key]: s[key] + 1 }))

    const fail = Effect.fn("InboxWorker.fail")(function*(row: InboxRow, error: unknown) {
      const alegraError = error instanceof AlegraError ? error : undefined
      const message = alegraError?.message ?? (error instanceof Error ? error.message : String(error))
      const permanent = alegraError !== undefined && !alegraError.transient && alegraError.reason !== "auth"
      const attempts = row.attempts + 1
      if (permanent || (attempts >= config.worker.maxAttempts && alegraError?.reason !== "auth")) {
        yield* store.inbox.deadLetter(row.id, {
          _tag: alegraError?._tag ?? "InternalError",
          reason: alegraError?.reason ?? "internal",
          message,
          status: alegraError?.status ?? null,
          code: alegraError?.code ?? null
        }, row.generation) // a delivery that arrived meanwhile keeps the row pending
        yield* bump("deadLettered")
        yield* Effect.logWarning("change moved to dead letters").pipe(
          Effect.annotateLogs({ kind: row.kind, id: row.recordId, attempts, error: message })
        )
      } else {
        const delay = retryDelay(attempts)
        yield* store.inbox.retry(row.id, message, Date.now() + delay)
        yield* bump("retried")
        yield* Effect.logInfo("change will be retried").pipe(
          Effect.annotateLogs({ kind: row.kind, id: row.recordId, attempts, in: Duration.format(delay), error: message })
        )
      }
    })

    const process = Effect.fn("InboxWorker.process")(function*(row: InboxRow) {
      const fromPayload = row.payload === null ? Option.none() : decodePayload(row.kind, row.payload)
      const { readAt: seenAt, record: observed } = Option.isSome(fromPayload)
        ? { readAt: Date.now(), record: fromPayload }
        : yield* alegra.get(row.kind, row.recordId)
      const plan = yield* writeTransaction(Effect.gen(function*() {
        const plan = yield* recordAlegraObservation(row.kind, row.recordId, observed, seenAt)
        const completed = yield* store.inbox.complete(row.id, row.generation)
        return { plan, completed }
      }))
      yield* bump("processed")
      if (plan.plan._tag === "Upsert") yield* bump("upserted")
      if (plan.plan._tag === "Delete") yield* bump("deleted")
      if (plan.plan._tag === "Unchanged") yield* bump("unchanged")
      yield* Effect.logDebug("change applied").pipe(
        Effect.annotateLogs({ kind: row.kind, id: row.recordId, plan: plan.plan._tag, coalesced: !plan.completed })
      )
    }, (effect, row) => Effect.catchAll(effect, (error) => fail(row, error)))

    const drainOnce = Effect.gen(function*() {
      const rows = yield* store.inbox.due(Date.now(), 50)
      if (rows.length > 0) {
        yield* Effect.forEach(rows, process, { concurrency: config.worker.concurrency, discard: true })
        return
      }
      const next = yield* store.inbox.nextDueAt()
      const wait = Option.match(next, { onNone: () => 1_000, onSome: (at) => Math.min(Math.max(at - Date.now(), 0), 1_000) })
      yield* Queue.take(wakeups).pipe(Effect.timeout(wait), Effect.ignore)
    })

    yield* drainOnce.pipe(
      Effect.catchAllCause((cause) => Effect.logError("inbox worker", cause).pipe(Effect.zipRight(Effect.sleep(1_000)))),
      Effect.forever,
      Effect.forkScoped
    )

    // Done rows are kept a week (duplicate deliveries are recognised against them), then pruned.
    yield* store.inbox.prune(Date.now() - 7 * 86_400_000).pipe(
      Effect.tap((pruned) => pruned > 0 ? Effect.logInfo("inbox pruned").pipe(Effect.annotateLogs({ rows: pruned })) : Effect.void),
      Effect.catchAllCause((cause) => Effect.logError("inbox prune failed", cause)),
      Effect.repeat(Schedule.spaced("1 hour")),
      Effect.forkScoped
    )

    return {
      /** Called after an inbox write, so a webhook is applied at once rather than at the next tick. */
      wake: Queue.offer(wakeups, undefined).pipe(Effect.asVoid),
      stats: Ref.get(stats)
    } as const
  })
}) {}
