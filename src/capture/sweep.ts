import { Duration, Effect, Option, Queue } from "effect"
import type { Kind } from "../../schema/index.js"
import { SyncConfig } from "../config/index.js"
import { InboxWorker } from "../engine/worker.js"
import { Alegra, type Page } from "../ports/alegra.js"
import { Store } from "../store/index.js"
import { makeFailureLog } from "./failures.js"
import { offerChanged, offerMissing, takeUnseen } from "./observe.js"
import { reconcileSubscriptions } from "./subscriptions.js"

export const sweepCursor = "sweep"
/** Kinds a targeted sweep was asked for and has not read yet (survives a restart). */
export const sweepRequestCursor = "sweep:requested"

interface SweepState {
  readonly startedAt: number
  readonly finishedAt: number
  readonly read: number
  readonly offered: number
}

/**
 * Compares every record Alegra lists (of `only` kinds, or all) with the mirror, to
 * catch webhooks that never came (including deletes). Reads in the background lane
 * of the rate limiter, so live work keeps most of the budget. A full sweep also
 * re-registers webhooks Alegra dropped, and records when it finished.
 */
export const sweep = Effect.fn("Capture.sweep")(function*(only?: ReadonlyArray<Kind>) {
  const alegra = yield* Alegra
  const store = yield* Store
  const config = yield* SyncConfig
  const runId = Date.now()
  const kinds = only === undefined ? alegra.kinds : alegra.kinds.filter((kind) => only.includes(kind))
  let read = 0
  let offered = 0
  for (const kind of kinds) {
    const hashes = yield* store.mirror.hashes(kind)
    const seen = new Set<string>()
    let start: number | null = 0
    while (start !== null) {
      const page: Page = yield* alegra.listPage(kind, { start, background: true })
      const fresh = takeUnseen(seen, page.records)
      read += fresh.length
      offered += yield* offerChanged("sweep", fresh, hashes, page.readAt)
      start = page.next
    }
    offered += yield* offerMissing("sweep", kind, [...hashes.keys()].filter((id) => !seen.has(id)), runId)
  }
  if (only === undefined) {
    if (config.alegra.webhooks) yield* reconcileSubscriptions()
    yield* store.cursors.set(sweepCursor, { startedAt: runId, finishedAt: Date.now(), read, offered } satisfies SweepState)
  }
  yield* Effect.logInfo(only === undefined ? "sweep done" : "targeted sweep done").pipe(
    Effect.annotateLogs({ kinds: kinds.join(","), read, differences: offered })
  )
  return { read, offered }
})

/** When the last full read of the account finished: a sweep, or a backfill. */
const lastFullRead = Effect.gen(function*() {
  const store = yield* Store
  const swept = (yield* store.cursors.get(sweepCursor)) as Option.Option<Partial<SweepState>>
  const backfilled = (yield* store.cursors.get("backfill")) as Option.Option<{ readonly completedAt?: number | null }>
  return Math.max(
    Option.isSome(swept) ? swept.value.finishedAt ?? 0 : 0,
    Option.isSome(backfilled) ? backfilled.value.completedAt ?? 0 : 0
  )
})

const requestedKinds = Effect.gen(function*() {
  const store = yield* Store
  const requested = (yield* store.cursors.get(sweepRequestCursor)) as Option.Option<{ readonly kinds?: ReadonlyArray<Kind> }>
  return Option.isSome(requested) ? requested.value.kinds ?? [] : []
})

/** Deliveries that ask for a re-read within this time are read together. */
const REQUEST_GATHER_MS = 2_000

/**
 * The sweep, run every `polling.sweepMinutes` (`run`). At start-up it catches up: when the
 * last full read of the account is older than the interval (the daemon was down, or
 * restarts more often than the interval), a sweep runs at once, because Alegra
 * never re-sends a webhook. It also runs targeted sweeps of the kinds an unreadable
 * webhook may concern (`request`), a few seconds after the request.
 */
export class Sweeper extends Effect.Service<Sweeper>()("alegra-sync/Sweeper", {
  scoped: Effect.gen(function*() {
    const store = yield* Store
    const config = yield* SyncConfig
    const worker = yield* InboxWorker
    const requests = yield* Queue.sliding<void>(1)
    const intervalMs = config.polling.sweepMinutes * 60_000
    const loggedFull = yield* makeFailureLog("sweep")
    const loggedTargeted = yield* makeFailureLog("targeted sweep")

    const runTargeted = Effect.gen(function*() {
      const kinds = yield* requestedKinds
      if (kinds.length === 0) return
      yield* sweep(kinds)
      // Only what was read: a request that came meanwhile stays for the next round.
      yield* store.writeTransaction(Effect.gen(function*() {
        const now = yield* requestedKinds
        const left = now.filter((kind) => !kinds.includes(kind))
        if (left.length === 0) yield* store.cursors.remove(sweepRequestCursor)
        else yield* store.cursors.set(sweepRequestCursor, { kinds: left })
      }))
      yield* worker.wake
    })

    const loop = Effect.gen(function*() {
      const next = (yield* lastFullRead) + intervalMs
      const wait = Math.max(0, next - Date.now())
      const requested = yield* requestedKinds
      if (requested.length > 0) {
        yield* loggedTargeted(runTargeted)
        // Failed (the same kinds are still asked for): try again after a while, not in a tight loop.
        const left = yield* requestedKinds
        if (left.some((kind) => requested.includes(kind))) yield* Effect.sleep(Duration.seconds(30))
        return
      }
      if (wait === 0) {
        yield* loggedFull(Effect.tap(sweep(), () => worker.wake))
        // A failed sweep tries again after a while, not in a tight loop.
        if (Date.now() >= (yield* lastFullRead) + intervalMs) yield* Effect.sleep(Duration.minutes(1))
        return
      }
      const woken = yield* Queue.take(requests).pipe(Effect.timeout(Duration.millis(wait)), Effect.option)
      if (Option.isSome(woken)) yield* Effect.sleep(Duration.millis(REQUEST_GATHER_MS))
    })
    return {
      /**
       * The sweep loop, for as long as it runs (the daemon starts it once it follows
       * changes: not before the first backfill, which reads everything anyway).
       */
      run: loop.pipe(Effect.forever) as Effect.Effect<never>,
      /** Asks for a re-read of these kinds (persisted, so a restart still does it). */
      request: Effect.fn("Sweeper.request")(function*(kinds: ReadonlyArray<Kind>) {
        if (kinds.length === 0) return
        yield* store.writeTransaction(Effect.gen(function*() {
          const before = yield* requestedKinds
          const merged = [...new Set([...before, ...kinds])].sort()
          if (merged.length !== before.length) yield* store.cursors.set(sweepRequestCursor, { kinds: merged })
        }))
        yield* Queue.offer(requests, undefined)
      })
    } as const
  })
}) {}
