import { Effect } from "effect"

/**
 * One lock per key, in-process: two changes that would create the same record (the
 * same natural key, the same external record) never run their lookup-then-create at
 * once. One daemon per store makes the process the only writer. Locks are taken in
 * prerequisite order (a payment's invoice, then its customer), which has no cycles.
 */
export const makeKeyedLock = Effect.sync(() => {
  const held = new Map<string, { readonly semaphore: Effect.Semaphore; users: number }>()
  return <A, E, R>(key: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      let entry = held.get(key)
      if (entry === undefined) {
        entry = { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 }
        held.set(key, entry)
      }
      const current = entry
      current.users++
      return current.semaphore.withPermits(1)(effect).pipe(
        Effect.ensuring(Effect.sync(() => {
          current.users--
          if (current.users === 0) held.delete(key)
        }))
      )
    })
})

export type KeyedLock = Effect.Effect.Success<typeof makeKeyedLock>
