import type { SqlError } from "@effect/sql/SqlError"
import { Chunk, Effect, Exit, Metric, Queue } from "effect"
import { InboxWorker } from "../engine/worker.js"
import { type InboxOffer, type OfferResult, Store } from "../store/index.js"

/** Told once whether a delivery's offers are committed: their results in order, or why not. */
export type Recorded = (exit: Exit.Exit<ReadonlyArray<OfferResult>, SqlError>) => void

interface Pending {
  readonly offers: ReadonlyArray<InboxOffer>
  readonly done: Recorded
}

/**
 * Waits until Node has run the I/O callbacks that are ready (setImmediate runs after
 * them). Without it the writer, woken in a microtask right after the first delivery's
 * body is read, would commit every delivery alone: Effect resumes fibers in
 * microtasks, before Node reads the next socket. Measured at concurrency 100: one
 * delivery per transaction without it.
 */
const ioRound = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/** Deliveries and the transactions that recorded them: their ratio is the group commit's batch size. */
const deliveries = Metric.counter("alegra_sync_ingest_deliveries_total", {
  description: "webhook deliveries handed to the group commit (committed or failed)",
  incremental: true
})
const commits = Metric.counter("alegra_sync_ingest_commits_total", {
  description: "write transactions of the group commit, each recording a batch of deliveries",
  incremental: true
})

/** Most offers committed in one transaction. */
const MAX_BATCH = 1_000

/**
 * Group commit for webhook deliveries: deliveries that arrive together share one
 * write transaction. One fiber writes: it takes whatever has queued up while the
 * previous batch committed, writes it at once (three statements however many
 * offers), and answers every delivery of the batch. A delivery is answered only once
 * its row is committed, so a 2xx always means a durable inbox row; and the worker
 * gets the connection between batches instead of queuing behind one transaction per
 * delivery.
 *
 * `enqueue` is a plain function: the webhook routes call it from a Node request
 * listener (src/server/webhooks.ts), so that a delivery costs no fiber of its own.
 */
export class Ingest extends Effect.Service<Ingest>()("alegra-sync/Ingest", {
  scoped: Effect.gen(function*() {
    const store = yield* Store
    const worker = yield* InboxWorker
    const queue = yield* Queue.unbounded<Pending>()

    const tell = (pending: Pending, exit: Exit.Exit<ReadonlyArray<OfferResult>, SqlError>) => {
      try {
        pending.done(exit)
      } catch {
        // A callback that throws (a response already torn down) must not stop the writer.
      }
    }

    const commit = (batch: ReadonlyArray<Pending>) =>
      Effect.gen(function*() {
        yield* Metric.increment(commits)
        yield* Metric.incrementBy(deliveries, batch.length)
        const exit = yield* Effect.exit(store.inbox.offerMany(batch.flatMap((pending) => pending.offers)))
        if (Exit.isFailure(exit)) {
          yield* Effect.logError("could not record webhook deliveries", exit.cause)
          for (const pending of batch) tell(pending, exit)
          return
        }
        let at = 0
        for (const pending of batch) {
          tell(pending, Exit.succeed(exit.value.slice(at, at + pending.offers.length)))
          at += pending.offers.length
        }
        yield* worker.wake
      })

    const writer = Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const first = yield* restore(Queue.take(queue))
        // From here on every delivery taken is committed (or failed) and answered, even at shutdown.
        yield* ioRound
        const more = yield* Queue.takeUpTo(queue, MAX_BATCH)
        yield* commit([first, ...Chunk.toReadonlyArray(more)])
      })
    )
    // Runs after the writer is interrupted (finalizers run last-added first): what is still queued is recorded too.
    yield* Effect.addFinalizer(() =>
      Effect.flatMap(Queue.takeAll(queue), (rest) => Chunk.isEmpty(rest) ? Effect.void : commit(Chunk.toReadonlyArray(rest)))
    )
    yield* writer.pipe(Effect.forever, Effect.forkScoped)

    const enqueue = (offers: ReadonlyArray<InboxOffer>, done: Recorded): void => {
      if (offers.length === 0) done(Exit.succeed([]))
      else queue.unsafeOffer({ offers, done })
    }

    return {
      /**
       * Hands the offers to the writer, from outside any fiber; `done` is called once
       * they are committed (in a batch with others), or could not be.
       */
      enqueue,
      /** Records the offers durably (in a batch with others); their results, in order. */
      offer: (offers: ReadonlyArray<InboxOffer>): Effect.Effect<ReadonlyArray<OfferResult>, SqlError> =>
        Effect.async((resume) => enqueue(offers, resume))
    } as const
  })
}) {}
