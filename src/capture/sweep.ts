import { Effect, Layer } from "effect"
import { SyncConfig } from "../config/index.js"
import { InboxWorker } from "../engine/worker.js"
import { Alegra, type Page } from "../ports/alegra.js"
import { Store } from "../store/index.js"
import { offerChanged, offerMissing, takeUnseen } from "./observe.js"
import { reconcileSubscriptions } from "./subscriptions.js"

export const sweepCursor = "sweep"

/**
 * Compares every record Alegra lists with the mirror, to catch webhooks that never
 * came (including deletes). Reads in the background lane of the rate limiter, so
 * live work keeps most of the budget. Also re-registers webhooks Alegra dropped.
 */
export const sweep = Effect.fn("Capture.sweep")(function*() {
  const alegra = yield* Alegra
  const store = yield* Store
  const config = yield* SyncConfig
  const runId = Date.now()
  let read = 0
  let offered = 0
  for (const kind of alegra.kinds) {
    const hashes = yield* store.mirror.hashes(kind)
    const seen = new Set<string>()
    let start: number | null = 0
    while (start !== null) {
      const page: Page = yield* alegra.listPage(kind, { start, background: true })
      const fresh = takeUnseen(seen, page.records)
      read += fresh.length
      offered += yield* offerChanged("alegra-sweep", fresh, hashes)
      start = page.next
    }
    offered += yield* offerMissing("alegra-sweep", kind, [...hashes.keys()].filter((id) => !seen.has(id)), runId)
  }
  if (config.alegra.webhooks) yield* reconcileSubscriptions()
  yield* store.cursors.set(sweepCursor, { startedAt: runId, finishedAt: Date.now(), read, offered })
  yield* Effect.logInfo("sweep done").pipe(Effect.annotateLogs({ read, differences: offered }))
  return { read, offered }
})

/** Runs the sweep every `polling.sweepMinutes`, first one interval after start-up. */
export const SweepLive = Layer.scopedDiscard(Effect.gen(function*() {
  const config = yield* SyncConfig
  const worker = yield* InboxWorker
  yield* Effect.sleep(`${config.polling.sweepMinutes} minutes`).pipe(
    Effect.zipRight(sweep()),
    Effect.tap(() => worker.wake),
    Effect.catchAllCause((cause) => Effect.logError("sweep failed; will try again", cause)),
    Effect.forever,
    Effect.forkScoped
  )
}))
