import type { SqlError } from "@effect/sql/SqlError"
import { Chunk, Deferred, Effect, Exit, Queue } from "effect"
import { InboxWorker } from "../engine/worker.js"
import { type InboxOffer, type OfferResult, Store } from "../store/index.js"

interface Pending {
  readonly offers: ReadonlyArray<InboxOffer>
  readonly done: Deferred.Deferred<ReadonlyArray<OfferResult>, SqlError>
}

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
 */
export class Ingest extends Effect.Service<Ingest>()("alegra-sync/Ingest", {
  scoped: Effect.gen(function*() {
    const store = yield* Store
    const worker = yield* InboxWorker
    const queue = yield* Queue.unbounded<Pending>()

    const commit = (batch: ReadonlyArray<Pending>) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(store.inbox.offerMany(batch.flatMap((pending) => pending.offers)))
        if (Exit.isFailure(exit)) {
          yield* Effect.logError("could not record webhook deliveries", exit.cause)
          for (const pending of batch) yield* Deferred.failCause(pending.done, exit.cause)
          return
        }
        let at = 0
        for (const pending of batch) {
          yield* Deferred.succeed(pending.done, exit.value.slice(at, at + pending.offers.length))
          at += pending.offers.length
        }
        yield* worker.wake
      })

    const writer = Effect.gen(function*() {
      const first = yield* Queue.take(queue)
      const more = yield* Queue.takeUpTo(queue, MAX_BATCH)
      // Every delivery taken is committed (or failed) and answered, even at shutdown.
      yield* Effect.uninterruptible(commit([first, ...Chunk.toReadonlyArray(more)]))
    })
    yield* writer.pipe(Effect.forever, Effect.forkScoped)

    return {
      /** Records the offers durably (in a batch with others); their results, in order. */
      offer: (offers: ReadonlyArray<InboxOffer>): Effect.Effect<ReadonlyArray<OfferResult>, SqlError> =>
        offers.length === 0
          ? Effect.succeed([])
          : Effect.flatMap(Deferred.make<ReadonlyArray<OfferResult>, SqlError>(), (done) =>
            Effect.zipRight(Queue.offer(queue, { offers, done }), Deferred.await(done)))
    } as const
  })
}) {}
