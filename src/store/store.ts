/**
 * The mapping store as one service. It requires `SqlClient` from the caller's
 * layer (`sqliteLayer(file)`, built once), so a server database can replace
 * SQLite behind the same shape later.
 *
 *     const SqliteLive = sqliteLayer(file)               // once, as a constant
 *     const StoreLive = Store.Default.pipe(Layer.provideMerge(SqliteLive))
 *
 * Every method that writes runs in a write transaction (see transaction.ts).
 * To record several things atomically (the engine's "complete with effects"),
 * run the methods inside `store.writeTransaction`: they join it.
 *
 *     yield* store.writeTransaction(Effect.gen(function*() {
 *       yield* store.links.put(link)
 *       yield* store.mirror.upsert(kind, id, content, hash, now)
 *       yield* store.inbox.complete(row.id, row.generation)
 *     }))
 *
 * No network call ever runs inside it.
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Option } from "effect"
import type { Kind } from "../../schema/index.js"
import { type Conflicts, makeConflicts } from "./conflicts.js"
import { type Cursor, type Cursors, makeCursors } from "./cursors.js"
import { type DeadLetters, makeDeadLetters } from "./dead-letters.js"
import { type Inbox, type InboxDepth, makeInbox } from "./inbox.js"
import { type Intents, makeIntents } from "./intents.js"
import { type Lease, type Leases, makeLeases } from "./leases.js"
import { type LinkCount, type Links, makeLinks } from "./links.js"
import { makeMirror, type Mirror } from "./mirror.js"
import { makeRateBudget } from "./rate-budget.js"
import { makeSubscriptions, type Subscriptions } from "./subscriptions.js"
import { makeWriteTransaction, type WriteTransaction } from "./transaction.js"
import { makeUnreadable, type Unreadable } from "./unreadable.js"

/** Everything `alegra-sync status` prints. */
export interface StoreStatus {
  readonly mirror: Readonly<Record<Kind, number>>
  /** Links per system and kind (pairs with none are left out). */
  readonly links: ReadonlyArray<LinkCount>
  readonly inbox: InboxDepth
  /** Dead letters not replayed yet. */
  readonly deadLetters: number
  readonly intentsPending: number
  readonly conflicts: number
  readonly cursors: ReadonlyArray<Cursor>
  /** This install's webhook subscriptions (all systems). */
  readonly subscriptions: number
  /** Webhook deliveries kept because they could not be read. */
  readonly unreadableDeliveries: number
  /** Who holds the store now: the daemon, a backfill (leases not expired). */
  readonly leases: ReadonlyArray<Lease>
  readonly installId: string
}

export class Store extends Effect.Service<Store>()("alegra-sync/Store", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const file = Option.match(yield* Effect.serviceOption(SqliteClient.SqliteClient), {
      onNone: () => "(store)",
      onSome: (client) => client.config.filename
    })
    const writeTransaction: WriteTransaction = makeWriteTransaction(sql)
    const meta = yield* sql<{ value: string }>`SELECT value FROM store_meta WHERE key = 'install_id'`
    const installId = meta[0]?.value ?? ""
    const mirror: Mirror = makeMirror(sql, writeTransaction)
    const inbox: Inbox = makeInbox(sql, writeTransaction)
    const deadLetters: DeadLetters = makeDeadLetters(sql, writeTransaction)
    const cursors: Cursors = makeCursors(sql, writeTransaction)
    const links: Links = makeLinks(sql, writeTransaction)
    const intents: Intents = makeIntents(sql, writeTransaction)
    const conflicts: Conflicts = makeConflicts(sql, writeTransaction)
    const subscriptions: Subscriptions = makeSubscriptions(sql, writeTransaction, installId)
    const leases: Leases = makeLeases(sql, writeTransaction, file)
    const unreadable: Unreadable = makeUnreadable(sql, writeTransaction)

    /** One consistent snapshot (a read-only transaction: no write lock needed). */
    const status = Effect.fn("Store.status")(function*() {
      return yield* sql.withTransaction(Effect.gen(function*() {
        const result: StoreStatus = {
          mirror: yield* mirror.counts(),
          links: yield* links.counts(),
          inbox: yield* inbox.depth(),
          deadLetters: yield* deadLetters.count(),
          intentsPending: (yield* intents.pending()).length,
          conflicts: yield* conflicts.count(),
          cursors: yield* cursors.list(),
          subscriptions: yield* subscriptions.count(),
          unreadableDeliveries: yield* unreadable.count(),
          leases: yield* leases.held(),
          installId
        }
        return result
      }))
    })

    return {
      /**
       * Runs an effect in ONE write transaction; the store's methods called inside
       * join it. No network call inside; the effect may be retried on SQLITE_BUSY.
       */
      writeTransaction,
      mirror,
      inbox,
      deadLetters,
      cursors,
      links,
      intents,
      conflicts,
      subscriptions,
      leases,
      unreadable,
      /** The shared Alegra request budget (the `RateBudget` port over this store). */
      rateBudget: makeRateBudget(sql, writeTransaction),
      /** Identifies this install (created with the store); webhook subscriptions belong to it. */
      installId,
      file,
      status
    } as const
  }),
  dependencies: []
}) {}
