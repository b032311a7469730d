import type { SqlError } from "@effect/sql/SqlError"
import { Duration, Effect, Either, Metric, Option, Queue, Schedule, Schema } from "effect"
import { type CanonicalRecord, type Kind, recordSchemas } from "../../schema/index.js"
import { SyncConfig } from "../config/index.js"
import { Alegra } from "../ports/alegra.js"
import type { ConnectorError } from "../ports/connector.js"
import { type InboxRow, Store } from "../store/index.js"
import { recordAlegraObservation } from "./apply.js"
import type { Observed, Plan } from "./plan.js"
import { SyncEngine } from "./sync/engine.js"
import { SyncRefused } from "./sync/errors.js"
import { fanOutOffers } from "./sync/fanout.js"

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

/** A failure as the worker decides on it, whichever system or engine step it came from. */
interface Failure {
  readonly tag: string
  readonly reason: string
  readonly message: string
  readonly status: number | null
  readonly code: number | string | null
  /** Retried later without using up the row's attempts (a rate limit, bad credentials, a prerequisite not there yet). */
  readonly waits: boolean
  readonly permanent: boolean
}

/** An unexpected error, with what caused it (a SqlError says only "Failed to execute statement"). */
const describeInternal = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? error.cause.message : undefined
  return cause === undefined || cause === error.message ? error.message : `${error.message}: ${cause}`
}

const failureOf = (error: unknown): Failure => {
  const tagged = typeof error === "object" && error !== null && "_tag" in error ? (error as { _tag: string })._tag : undefined
  if (tagged === "ConnectorError") {
    const e = error as { reason: string; message: string; status: number | null; code: number | string | null; transient: boolean }
    return {
      tag: tagged,
      reason: e.reason,
      message: e.message,
      status: e.status,
      code: e.code,
      waits: e.reason === "rate-limit" || e.reason === "auth",
      permanent: !e.transient && e.reason !== "auth"
    }
  }
  if (tagged === "Waiting") {
    return { tag: tagged, reason: "waiting", message: (error as { message: string }).message, status: null, code: null, waits: true, permanent: false }
  }
  if (tagged === "SyncRefused") {
    return { tag: tagged, reason: "refused", message: (error as { message: string }).message, status: null, code: null, waits: false, permanent: true }
  }
  return {
    tag: "InternalError",
    reason: "internal",
    message: describeInternal(error),
    status: null,
    code: null,
    waits: false,
    permanent: false
  }
}

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

/**
 * Alegra rows recorded per write transaction. Webhook deliveries wait for the store's one
 * connection while a transaction is open, so the worker keeps its transactions short
 * (about 40 statements) and lets the group commit in between.
 */
const ROWS_PER_TRANSACTION = 10

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
    // Only when another system is enabled: an Alegra-only install needs no sync engine.
    const engine = yield* Effect.serviceOption(SyncEngine)
    const wakeups = yield* Queue.sliding<void>(1)

    const fail = Effect.fn("InboxWorker.fail")(function*(row: InboxRow, error: unknown) {
      const failure = failureOf(error)
      if (failure.waits) {
        // Not the row's fault: wait, without using up its attempts. A rate-limit pause ends when the
        // server's window does (it must not grow like a backoff); a prerequisite not there yet is
        // looked for again with a growing delay.
        const health = yield* alegra.health
        const now = Date.now()
        const at = failure.reason === "rate-limit"
          ? Math.max(health.pausedUntil ?? 0, now + 1_000) + Math.round(Math.random() * 500)
          : failure.reason === "auth"
          ? now + AUTH_RETRY_MS
          : now + retryDelay(row.attempts + 1)
        yield* store.inbox.retry(row.id, failure.message, at, { countAttempt: failure.reason === "waiting" })
        yield* count("retried")
        return
      }
      const attempts = row.attempts + 1
      if (failure.permanent || attempts >= config.worker.maxAttempts) {
        yield* store.inbox.deadLetter(row.id, {
          _tag: failure.tag,
          reason: failure.reason,
          message: failure.message,
          status: failure.status,
          code: typeof failure.code === "string" ? Number.isFinite(Number(failure.code)) ? Number(failure.code) : null : failure.code
        }, row.generation) // a delivery that arrived meanwhile keeps the row pending
        yield* count("deadLettered")
        yield* Effect.logWarning("change moved to dead letters").pipe(
          Effect.annotateLogs({ system: row.system, kind: row.kind, id: row.recordId, attempts, error: failure.message })
        )
      } else {
        const delay = retryDelay(attempts)
        yield* store.inbox.retry(row.id, failure.message, Date.now() + delay)
        yield* count("retried")
        yield* Effect.logInfo("change will be retried").pipe(
          Effect.annotateLogs({ system: row.system, kind: row.kind, id: row.recordId, attempts, in: Duration.format(delay), error: failure.message })
        )
      }
    })

    const observe = (row: InboxRow): Effect.Effect<Observed, ConnectorError> => {
      const fromPayload = row.payload === null ? Option.none() : decodePayload(row.kind, row.payload)
      return Option.isSome(fromPayload)
        ? Effect.succeed({ readAt: row.readAt ?? row.receivedAt, record: fromPayload })
        : alegra.read(row.kind, row.recordId)
    }

    /** Records one observed Alegra record: into the mirror, and to every record linked to it; runs inside a write transaction. */
    const record = (row: InboxRow, observed: Observed) =>
      Effect.gen(function*() {
        const plan = yield* recordAlegraObservation(row.kind, row.recordId, observed)
        if (plan._tag === "Upsert" || plan._tag === "Delete") {
          const hash = plan._tag === "Upsert" ? plan.canonical.hash : "deleted"
          yield* store.inbox.offerMany(yield* fanOutOffers(row.kind, row.recordId, hash))
        }
        const completed = yield* store.inbox.complete(row.id, row.generation)
        return { row, plan, completed }
      }).pipe(Effect.provideService(Store, store))

    const recorded = (outcomes: ReadonlyArray<Effect.Effect.Success<ReturnType<typeof record>>>) =>
      Effect.forEach(outcomes, ({ completed, plan, row }) =>
        Effect.all([
          count("processed"),
          count(planOutcome[plan._tag]),
          Effect.logDebug("change applied").pipe(
            Effect.annotateLogs({ kind: row.kind, id: row.recordId, plan: plan._tag, coalesced: !completed })
          )
        ]), { discard: true })

    /**
     * Alegra rows: read concurrently (the client caps its requests in flight), then
     * recorded ROWS_PER_TRANSACTION at a time, so a burst of webhooks costs one commit
     * per few rows rather than per row. If a transaction fails, each of its rows is
     * recorded alone, so one row cannot hold back the others.
     */
    const processAlegra = Effect.fn("InboxWorker.processAlegra")(function*(rows: ReadonlyArray<InboxRow>) {
      const reads = yield* Effect.forEach(rows, (row) => Effect.either(observe(row)), { concurrency: config.worker.concurrency })
      const observed: Array<readonly [InboxRow, Observed]> = []
      for (const [i, read] of reads.entries()) {
        if (Either.isLeft(read)) yield* fail(rows[i]!, read.left)
        else observed.push([rows[i]!, read.right])
      }
      for (let start = 0; start < observed.length; start += ROWS_PER_TRANSACTION) {
        yield* recordTogether(observed.slice(start, start + ROWS_PER_TRANSACTION))
      }
    })

    const recordTogether = (observed: ReadonlyArray<readonly [InboxRow, Observed]>) =>
      Effect.gen(function*() {
        const together = yield* Effect.either(store.writeTransaction(Effect.forEach(observed, ([row, o]) => record(row, o))))
        if (Either.isRight(together)) return yield* recorded(together.right)
        yield* Effect.forEach(observed, ([row, o]) =>
          store.writeTransaction(record(row, o)).pipe(
            Effect.flatMap((outcome) => recorded([outcome])),
            Effect.catchAll((error) => fail(row, error))
          ), { discard: true })
      })

    /** A record of another system: synced with its Alegra record (the row completed with what it records). */
    const processPair = Effect.fn("InboxWorker.processPair")(function*(row: InboxRow) {
      if (Option.isNone(engine)) {
        return yield* new SyncRefused({ message: `${row.system} is not enabled in the config` })
      }
      const complete = store.inbox.complete(row.id, row.generation)
      const outcome = yield* engine.value.syncPair(row.system, row.kind, row.recordId, complete)
      if (outcome._tag !== "Linked" && outcome._tag !== "Synced") yield* store.writeTransaction(complete)
      yield* count("processed")
      yield* count(outcome._tag === "Linked" || outcome._tag === "Synced" ? "upserted" : outcome._tag === "Unlinked" ? "deleted" : "unchanged")
      yield* Effect.logDebug("pair synced").pipe(
        Effect.annotateLogs({ system: row.system, kind: row.kind, id: row.recordId, outcome: outcome._tag })
      )
    })

    const processPairs = (rows: ReadonlyArray<InboxRow>): Effect.Effect<void, SqlError> =>
      Effect.forEach(rows, (row) => Effect.catchAll(processPair(row), (error) => fail(row, error)), {
        concurrency: config.worker.concurrency,
        discard: true
      })

    const drainOnce = Effect.gen(function*() {
      const rows = yield* store.inbox.due(Date.now(), 50)
      if (rows.length > 0) {
        const alegraRows = rows.filter((row) => row.system === "alegra")
        const pairRows = rows.filter((row) => row.system !== "alegra")
        yield* Effect.all([processAlegra(alegraRows), processPairs(pairRows)], { concurrency: 2, discard: true })
        return
      }
      const next = yield* store.inbox.nextDueAt()
      const wait = Option.match(next, { onNone: () => 1_000, onSome: (at) => Math.min(Math.max(at - Date.now(), 0), 1_000) })
      yield* Queue.take(wakeups).pipe(Effect.timeout(wait), Effect.ignore)
    })

    // Intents a crash left pending are resolved before anything else runs (never by a second create).
    const resolveIntents = Option.match(engine, {
      onNone: () => Effect.void,
      onSome: (e) =>
        e.resolveIntents.pipe(
          Effect.tapError((error) => Effect.logWarning("cannot resolve pending intents yet; will try again").pipe(
            Effect.annotateLogs("error", failureOf(error).message)
          )),
          Effect.retry(Schedule.exponential("1 second").pipe(Schedule.union(Schedule.spaced("1 minute")))),
          Effect.asVoid
        )
    })
    yield* resolveIntents.pipe(
      Effect.zipRight(drainOnce.pipe(
        Effect.catchAllCause((cause) => Effect.logError("inbox worker", cause).pipe(Effect.zipRight(Effect.sleep(1_000)))),
        Effect.forever
      )),
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
