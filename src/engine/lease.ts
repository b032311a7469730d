import { Deferred, Effect, Schedule, type Scope } from "effect"
import { randomUUID } from "node:crypto"
import { currentHolder, Store, StoreError } from "../store/index.js"

/** This process, as a lease holder. */
const me = currentHolder(randomUUID())

/** A lease is taken for this long and renewed three times as often. */
export const LEASE_TTL_MS = 30_000

/**
 * Holds the store's lease `name` for the life of the scope: a second holder (another
 * daemon, another backfill) on the same store is refused with a StoreError "in-use"
 * saying who holds it. Renewed in the background and given back when the scope
 * closes; a crashed holder's lease expires (and on the same host is recognised at
 * once). `lost` fails if the lease was taken over anyway (this process was frozen
 * longer than the lease lives), so that the holder stops rather than run twice.
 */
export const holdLease = (
  name: string,
  what: string
): Effect.Effect<{ readonly lost: Effect.Effect<never, StoreError> }, StoreError, Store | Scope.Scope> =>
  Effect.gen(function*() {
    const store = yield* Store
    yield* Effect.acquireRelease(
      store.leases.acquire(name, me, LEASE_TTL_MS, what).pipe(
        Effect.catchTag("SqlError", (error) =>
          Effect.fail(new StoreError({ reason: "io", path: store.file, message: `cannot take the store's lease: ${error.message}` })))
      ),
      () => store.leases.release(name, me).pipe(Effect.ignore)
    )
    const lost = yield* Deferred.make<never, StoreError>()
    yield* store.leases.renew(name, me, LEASE_TTL_MS).pipe(
      Effect.flatMap((held) =>
        held
          ? Effect.void
          : Deferred.fail(
            lost,
            new StoreError({
              reason: "in-use",
              path: store.file,
              message: `${what} lost its lease on the store ${store.file} to another process — stopped so as not to run twice; start it again once the other has stopped`
            })
          )
      ),
      Effect.catchAll((error) =>
        Effect.logWarning("could not renew the store's lease").pipe(Effect.annotateLogs("error", error.message))
      ),
      Effect.repeat(Schedule.spaced(`${LEASE_TTL_MS / 3} millis`)),
      Effect.delay(`${LEASE_TTL_MS / 3} millis`),
      Effect.forkScoped
    )
    return { lost: Deferred.await(lost) }
  })

/** Runs `effect` holding the lease `name` (see holdLease). */
export const withLease = <A, E, R>(name: string, what: string, effect: Effect.Effect<A, E, R>) =>
  Effect.scoped(Effect.flatMap(holdLease(name, what), ({ lost }) => Effect.raceFirst(effect, lost)))

/** One daemon per store: held for the daemon's whole life, before anything else starts. */
export class DaemonLease extends Effect.Service<DaemonLease>()("alegra-sync/DaemonLease", {
  scoped: holdLease("daemon", "an alegra-sync daemon")
}) {}
