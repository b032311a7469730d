import { Duration, Effect, Metric, Option, Queue, Schedule, Schema } from "effect"
import { type CanonicalRecord, type Kind, recordSchemas } from "../../schema/index.js"
import { SyncConfig } from "../config/index.js"
import { Alegra, AlegraError } from "../ports/alegra.js"
import { type InboxRow, Store } from "../store/index.js"
import { recordAlegraObservation } from "./apply.js"
import type { Observed, Plan } from "./plan.js"

export interface WorkerStats {
  readonly processed: number
  readonly upserted: number
  readonly deleted: number
  readonly unchanged: number
  readonly stale: number
  readonly retried: number
  readonly deadLettered: number
}

/** Changes the worker applied, by outcome (Prometheus: alegra_sync_changes_total{outcome}). */
const changes = Metric.counter("alegra_sync_changes_total", {
  description: "inbox rows the worker finished or retried, by outcome",
  incremental: true
})
const outcomeCounter = (outcome: keyof WorkerStats) => Metric.tagged(changes, "outcome", outcome)
const counters = {
  processed: outcomeCounter("processed"),
  upserted: outcomeCounter("upserted"),
  deleted: outcomeCounter("deleted"),
  unchanged: outcomeCounter("unchanged"),
  stale: outcomeCounter("stale"),
  retried: outcomeCounter("retried"),
  deadLettered: outcomeCounter("deadLettered")
} as const
const count = (outcome: keyof WorkerStats) => Metric.increment(counters[outcome])

const planOutcome: Record<Plan["_tag"], keyof WorkerStats> = {
  Upsert: "upserted",
  Delete: "deleted",
  Absent: "unchanged",
  Unchanged: "unchanged",
  Stale: "stale"
}

/** Retry delay after the n-th failed attempt: 2 s doubling, capped at 10 min, ±20 % jitter. */
export const retryDelay = (attempts: number, random: number = Math.random()): number =>
  Math.round(Math.min(2_000 * 2 ** Math.max(0, attempts - 1), 600_000) * (0.8 + 0.4 * random))

/** While the credentials are refused, rows wait this long between attempts (not counted as attempts). */
const AUTH_RETRY_MS = 60_000

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

    const fail = Effect.fn("InboxWorker.fail")(function*(row: InboxRow, error: unknown) {
      const alegraError = error instanceof AlegraError ? error : undefined
      const message = alegraError?.message ?? (error instanceof Error ? error.message : String(error))
      if (alegraError?.reason === "rate-limit" || alegraError?.reason === "auth") {
        // Not the row's fault: wait until Alegra takes requests again, without using up its attempts
        // (a rate-limit pause must end when the server's window does, not grow like a backoff).
        const health = yield* alegra.health
        const now = Date.now()
        const at = alegraError.reason === "rate-limit"
          ? Math.max(health.pausedUntil ?? 0, now + 1_000) + Math.round(Math.random() * 500)
          : now + AUTH_RETRY_MS
        yield* store.inbox.retry(row.id, message, at, { countAttempt: false })
        yield* count("retried")
        return
      }
      const permanent = alegraError !== undefined && !alegraError.transient
      const attempts = row.attempts + 1
      if (permanent || attempts >= config.worker.maxAttempts) {
        yield* store.inbox.deadLetter(row.id, {
          _tag: alegraError?._tag ?? "InternalError",
          reason: alegraError?.reason ?? "internal",
          message,
          status: alegraError?.status ?? null,
          code: alegraError?.code ?? null
        }, row.generation) // a delivery that arrived meanwhile keeps the row pending
        yield* count("deadLettered")
        yield* Effect.logWarning("change moved to dead letters").pipe(
          Effect.annotateLogs({ kind: row.kind, id: row.recordId, attempts, error: message })
        )
      } else {
        const delay = retryDelay(attempts)
        yield* store.inbox.retry(row.id, message, Date.now() + delay)
        yield* count("retried")
        yield* Effect.logInfo("change will be retried").pipe(
          Effect.annotateLogs({ kind: row.kind, id: row.recordId, attempts, in: Duration.format(delay), error: message })
        )
      }
    })

    const observe = (row: InboxRow): Effect.Effect<Observed, AlegraError> => {
      const fromPayload = row.payload === null ? Option.none() : decodePayload(row.kind, row.payload)
      return Option.isSome(fromPayload)
        ? Effect.succeed({ readAt: row.readAt ?? row.receivedAt, record: fromPayload })
        : alegra.get(row.kind, row.recordId)
    }

    const process = Effect.fn("InboxWorker.process")(function*(row: InboxRow) {
      const observed = yield* observe(row)
      const { plan, completed } = yield* store.writeTransaction(Effect.gen(function*() {
        const plan = yield* recordAlegraObservation(row.kind, row.recordId, observed)
        const completed = yield* store.inbox.complete(row.id, row.generation)
        return { plan, completed }
      }))
      yield* count("processed")
      yield* count(planOutcome[plan._tag])
      yield* Effect.logDebug("change applied").pipe(
        Effect.annotateLogs({ kind: row.kind, id: row.recordId, plan: plan._tag, coalesced: !completed })
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

    // Done rows are kept a week (duplicate deliveries are recognised against them), then pruned,
    // with tombstones and kept unreadable deliveries of the same age.
    const prune = Effect.gen(function*() {
      const before = Date.now() - 7 * 86_400_000
      const rows = yield* store.inbox.prune(before)
      const tombstones = yield* store.mirror.pruneTombstones(before)
      const unreadable = yield* store.unreadable.prune(before)
      if (rows + tombstones + unreadable > 0) {
        yield* Effect.logInfo("store pruned").pipe(Effect.annotateLogs({ inbox: rows, tombstones, unreadable }))
      }
    })
    yield* prune.pipe(
      Effect.catchAllCause((cause) => Effect.logError("store prune failed", cause)),
      Effect.repeat(Schedule.spaced("1 hour")),
      Effect.forkScoped
    )

    const value = (outcome: keyof WorkerStats) => Effect.map(Metric.value(counters[outcome]), (state) => state.count)
    return {
      /** Called after an inbox write, so a webhook is applied at once rather than at the next tick. */
      wake: Queue.offer(wakeups, undefined).pipe(Effect.asVoid),
      /** What this process's worker did so far (read from its metrics). */
      stats: Effect.all({
        processed: value("processed"),
        upserted: value("upserted"),
        deleted: value("deleted"),
        unchanged: value("unchanged"),
        stale: value("stale"),
        retried: value("retried"),
        deadLettered: value("deadLettered")
      }) as Effect.Effect<WorkerStats>
    } as const
  })
}) {}
