import { Effect, Option, Stream } from "effect"
import type { Kind } from "../../schema/index.js"
import { SyncConfig } from "../config/index.js"
import { mirrorWrite, recordAlegraObservation } from "../engine/apply.js"
import { withLease } from "../engine/lease.js"
import { Alegra, compareIds, maxId, takeUnseen } from "../ports/alegra.js"
import { type MirrorWrite, Store } from "../store/index.js"

export const backfillCursor = "backfill"

/**
 * Pages are written in batches: one write transaction holds up to this many rows, or what
 * was read within BATCH_MS, with the checkpoint of its last page. A transaction costs
 * about as much as a few hundred rows (BEGIN IMMEDIATE, the checkpoint, the commit); an
 * interrupted run reads at most one batch again.
 */
const BATCH_ROWS = 300
const BATCH_MS = 1_000

interface KindState {
  /** Where the list resumes: the `next` of the last page written (null: from the start). */
  readonly after: string | null
  readonly done: boolean
  readonly read: number
  readonly stored: number
  /** The highest id read so far (lists are read by ascending id); on resume, lower ids count as seen. */
  readonly lastId?: string | null
}

/** The checkpoint: where each kind stands in the current run. */
interface BackfillState {
  readonly runId: number
  readonly startedAt: number
  readonly completedAt: number | null
  readonly kinds: Partial<Record<Kind, KindState>>
}

export interface KindSummary {
  readonly kind: Kind
  readonly read: number
  readonly stored: number
  readonly removed: number
  readonly requests: number
  readonly rateLimited: number
  readonly elapsedMs: number
  /** Finished by an earlier, interrupted run: not read again. */
  readonly resumedDone: boolean
}

export interface BackfillSummary {
  readonly kinds: ReadonlyArray<KindSummary>
  readonly records: number
  readonly requests: number
  readonly rateLimited: number
  readonly elapsedMs: number
  /** The most requests sent within any 60 s of the run, against the limit. */
  readonly busiestMinute: number
  readonly limitPerMinute: number
  readonly resumed: boolean
}

export interface BackfillProgress {
  readonly kind: Kind
  readonly read: number
  readonly done: boolean
}

const freshState = (now: number): BackfillState => ({ runId: now, startedAt: now, completedAt: null, kinds: {} })

/** A kind's checkpoint; one written by an earlier version kept its position as a number (`start`). */
const resumedState = (saved: (Partial<KindState> & { readonly start?: number }) | undefined): KindState => {
  if (saved === undefined) return { after: null, done: false, read: 0, stored: 0, lastId: null }
  const { start, ...kept } = saved
  return {
    done: kept.done ?? false,
    read: kept.read ?? 0,
    stored: kept.stored ?? 0,
    lastId: kept.lastId ?? null,
    after: kept.after ?? (start !== undefined && start > 0 ? String(start) : null)
  }
}

/** Whether a backfill has ever run to completion on this store. */
export const backfillCompleted = Effect.gen(function*() {
  const store = yield* Store
  const state = (yield* store.cursors.get(backfillCursor)) as Option.Option<BackfillState>
  return Option.isSome(state) && state.value.completedAt !== null
})

/**
 * Pages through every kind Alegra exposes into the mirror. Pages are written in
 * batches (see BATCH_ROWS) with the guard of the mirror (a copy read later, e.g. by
 * the daemon's webhook meanwhile, is never replaced), and only rows whose content
 * changed are written: a re-run on an account in sync writes nothing at all. The
 * checkpoint is written in the same transaction as a batch's rows, so an interrupted
 * run resumes after the last batch it wrote and never reads a finished kind again.
 * After a kind is read, mirror rows it did not return are re-read by id and become
 * tombstones only on a 404.
 *
 * One backfill per store at a time (a lease); it may run beside the daemon, sharing
 * the account's request budget through the store.
 */
export const backfill = (options: {
  readonly restart?: boolean
  readonly onProgress?: (progress: BackfillProgress) => Effect.Effect<void>
}) => withLease("backfill", "a backfill", runBackfill(options))

const runBackfill = Effect.fn("Backfill.run")(function*(options: {
  readonly restart?: boolean
  readonly onProgress?: (progress: BackfillProgress) => Effect.Effect<void>
}) {
  const alegra = yield* Alegra
  const store = yield* Store
  const config = yield* SyncConfig
  const now = Date.now()
  const previous = (yield* store.cursors.get(backfillCursor)) as Option.Option<BackfillState>
  const resumed = !options.restart && Option.isSome(previous) && previous.value.completedAt === null
  let state: BackfillState = resumed ? Option.getOrThrow(previous) : freshState(now)
  const progress = options.onProgress ?? (() => Effect.void)
  const usageAtStart = yield* alegra.usage
  const summaries: Array<KindSummary> = []
  // Nothing is written for a run that changes nothing; once it has, checkpoints are kept.
  let wrote = false
  const checkpoint = (next: BackfillState) => ({ name: backfillCursor, value: next })

  for (const kind of alegra.kinds) {
    const begun = resumedState(state.kinds[kind])
    if (begun.done) {
      summaries.push({ kind, read: begun.read, stored: begun.stored, removed: 0, requests: 0, rateLimited: 0, elapsedMs: 0, resumedDone: true })
      yield* progress({ kind, read: begun.read, done: true })
      continue
    }
    const usageBefore = yield* alegra.usage
    const kindStart = Date.now()
    let current: KindState = begun
    // Ids read by this run; on resume, those up to the checkpoint were read before the interruption.
    const seen = new Set<string>()
    const resumedFrom = begun.lastId ?? null
    const readBefore = (id: string) => resumedFrom !== null && compareIds(id, resumedFrom) <= 0
    // Rows read but not written yet, and when the first of them was read.
    let pending: Array<MirrorWrite> = []
    let pendingSince = 0
    const flush = Effect.gen(function*() {
      const candidate: BackfillState = { ...state, kinds: { ...state.kinds, [kind]: current } }
      const written = yield* store.mirror.writePage(pending, checkpoint(candidate), { cursorOnlyWithRows: true })
      wrote = wrote || written > 0
      current = { ...current, stored: current.stored + written }
      state = { ...state, kinds: { ...state.kinds, [kind]: current } }
      pending = []
    })
    yield* Stream.runForEach(alegra.list(kind, begun.after), (page) =>
      Effect.gen(function*() {
        const fresh = takeUnseen(seen, page.records)
        current = {
          // The last page keeps the position it was read from: a resumed kind is done, never read again.
          after: page.next ?? current.after,
          done: false,
          read: current.read + fresh.length,
          stored: current.stored,
          lastId: maxId(fresh.map((r) => r.record.id), current.lastId ?? null)
        }
        if (pending.length === 0) pendingSince = Date.now()
        for (const record of fresh) pending.push(mirrorWrite(record, page.readAt))
        if (page.next === null || pending.length >= BATCH_ROWS || Date.now() - pendingSince >= BATCH_MS) yield* flush
        yield* progress({ kind, read: current.read, done: false })
      }))
    // Records the mirror holds that this run did not see: deleted in Alegra, or skipped because offsets shifted.
    let removed = 0
    for (const id of yield* store.mirror.ids(kind)) {
      if (seen.has(id) || readBefore(id)) continue
      const observed = yield* alegra.read(kind, id)
      const plan = yield* store.writeTransaction(recordAlegraObservation(kind, id, observed))
      if (plan._tag === "Delete") removed++
      wrote = wrote || plan._tag === "Delete" || plan._tag === "Upsert"
    }
    current = { ...current, done: true }
    state = { ...state, kinds: { ...state.kinds, [kind]: current } }
    if (wrote) yield* store.cursors.set(backfillCursor, state)
    const usageAfter = yield* alegra.usage
    summaries.push({
      kind,
      read: current.read,
      stored: current.stored,
      removed,
      requests: usageAfter.requests - usageBefore.requests,
      rateLimited: usageAfter.rateLimited - usageBefore.rateLimited,
      elapsedMs: Date.now() - kindStart,
      resumedDone: false
    })
    yield* progress({ kind, read: current.read, done: true })
  }

  state = { ...state, completedAt: Date.now() }
  const everCompleted = Option.isSome(previous) && previous.value.completedAt !== null
  if (wrote || !everCompleted) yield* store.cursors.set(backfillCursor, state)
  const usageAtEnd = yield* alegra.usage
  const elapsedMs = Date.now() - now
  const requests = usageAtEnd.requests - usageAtStart.requests
  return {
    kinds: summaries,
    records: summaries.reduce((sum, k) => sum + k.read, 0),
    requests,
    rateLimited: usageAtEnd.rateLimited - usageAtStart.rateLimited,
    elapsedMs,
    busiestMinute: usageAtEnd.busiestMinute,
    limitPerMinute: config.alegra.requestsPerMinute,
    resumed
  } satisfies BackfillSummary
})
