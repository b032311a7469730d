/**
 * Runs every connector's pollers (src/ports/connector.ts): at start-up (catching up
 * from their cursors) and then every `everyMs`, and soon after a kind they read was
 * requested by an unreadable delivery. A poll's changes and its new cursor are
 * recorded in one transaction, so a crash never moves a cursor past changes that were
 * not recorded. Failures are logged once, then counted.
 */
import { Duration, Effect, Option, Queue } from "effect"
import type { Kind, System } from "../../schema/index.js"
import { contentHash } from "../engine/hash.js"
import { InboxWorker } from "../engine/worker.js"
import type { Change, ConnectorPort, OwnedSubscriptions, PollContext, Poller } from "../ports/connector.js"
import { type InboxOffer, Store } from "../store/index.js"
import { makeFailureLog } from "./failures.js"

const cursorName = (system: System, poller: Poller) => `poll:${system}:${poller.name}`
const requestName = (system: System) => `requested:${system}`

/** A change a connector saw, as the inbox row it becomes. */
export const offerOf = (system: System, change: Change, channel: InboxOffer["channel"]): InboxOffer => ({
  system,
  kind: change.kind,
  recordId: change.id,
  channel,
  action: change.action,
  eventKey: change.eventKey,
  ...(change.payload === undefined ? {} : { payload: change.payload.record, readAt: change.readAt ?? Date.now() })
})

const makeConnectorCapture = Effect.gen(function*() {
  const store = yield* Store
  const worker = yield* InboxWorker
  const wakeups = new Map<System, Queue.Queue<void>>()

  const requested = (system: System) =>
    Effect.map(store.cursors.get(requestName(system)), (value) =>
      Option.match(value as Option.Option<{ readonly kinds?: ReadonlyArray<Kind> }>, {
        onNone: () => [] as ReadonlyArray<Kind>,
        onSome: (v) => v.kinds ?? []
      }))

  const owned = (system: System): OwnedSubscriptions => ({
    list: Effect.orDie(Effect.map(store.subscriptions.list(system), (list) => list.map((s) => ({ id: s.id, event: s.event })))),
    record: (id, event, url) => Effect.orDie(store.subscriptions.record(system, id, event, url)),
    remove: (id) => Effect.orDie(Effect.asVoid(store.subscriptions.remove(system, id)))
  })

  const contextFor = (connector: ConnectorPort, hub: boolean, poller: Poller) =>
    Effect.gen(function*() {
      const backfill = (yield* store.cursors.get("backfill")) as Option.Option<{ readonly completedAt?: number | null }>
      return {
        cursor: yield* store.cursors.get(cursorName(connector.system, poller)),
        // The store holds a copy of the hub's records only (the mirror).
        known: (kind) => hub ? Effect.orDie(store.mirror.hashes(kind)) : Effect.succeed(new Map()),
        knownFrom: (kind, dateFrom) => hub ? Effect.orDie(store.mirror.datedHashes(kind, dateFrom)) : Effect.succeed([]),
        hash: (record) => contentHash(record.record),
        requested: poller.servesRequests ? yield* requested(connector.system) : [],
        lastFullRead: hub && Option.isSome(backfill) ? backfill.value.completedAt ?? null : null,
        subscriptions: owned(connector.system)
      } satisfies PollContext
    })

  /** One poll: its changes and its cursor in one transaction. */
  const pollOnce = (connector: ConnectorPort, hub: boolean, poller: Poller) =>
    Effect.gen(function*() {
      const context = yield* contextFor(connector, hub, poller)
      const result = yield* poller.poll(context)
      const channel = poller.name.includes("sweep") ? "sweep" : "poll"
      yield* store.writeTransaction(Effect.gen(function*() {
        yield* store.inbox.offerMany(result.changes.map((change) => offerOf(connector.system, change, channel)))
        if (result.cursor !== undefined) yield* store.cursors.set(cursorName(connector.system, poller), result.cursor)
        const served = result.served ?? []
        if (served.length > 0) {
          const left = (yield* requested(connector.system)).filter((kind) => !served.includes(kind))
          if (left.length === 0) yield* store.cursors.remove(requestName(connector.system))
          else yield* store.cursors.set(requestName(connector.system), { kinds: left })
        }
      }))
      if (result.changes.length > 0) yield* worker.wake
    })

  const queueOf = (system: System) =>
    Effect.gen(function*() {
      const existing = wakeups.get(system)
      if (existing !== undefined) return existing
      const created = yield* Queue.sliding<void>(1)
      wakeups.set(system, created)
      return created
    })

  return {
    /** The connector's start-up step (e.g. registering its webhook subscriptions), with this install's subscriptions. */
    start: (connector: ConnectorPort) => connector.capture.start?.(owned(connector.system)) ?? Effect.void,

    /**
     * The first poll of a system's pollers that never ran (it records where "now" is), before
     * the daemon says it follows changes: a daemon stopped right after its first start then
     * catches up on restart from that point, not from a later one.
     */
    anchor: (connector: ConnectorPort) =>
      Effect.forEach(connector.capture.pollers, (poller) =>
        Effect.gen(function*() {
          if (Option.isSome(yield* store.cursors.get(cursorName(connector.system, poller)))) return
          const logged = yield* makeFailureLog(`${connector.system} ${poller.name}`)
          yield* logged(pollOnce(connector, false, poller))
        }), { discard: true }),

    /** Runs the connector's pollers for as long as the caller's scope lives (the daemon's). */
    run: (connector: ConnectorPort, hub: boolean) =>
      Effect.gen(function*() {
        const requests = yield* queueOf(connector.system)
        for (const poller of connector.capture.pollers) {
          const logged = yield* makeFailureLog(`${connector.system} ${poller.name}`)
          const cycle = Effect.gen(function*() {
            yield* logged(pollOnce(connector, hub, poller))
            // Until the next one is due, or a requested re-read (pollers that serve them).
            const wait = Queue.take(requests).pipe(
              Effect.timeout(Duration.millis(poller.everyMs)),
              Effect.option,
              Effect.flatMap((woken) => Option.isSome(woken) ? Effect.sleep("2 seconds") : Effect.void)
            )
            yield* poller.servesRequests ? wait : Effect.sleep(Duration.millis(poller.everyMs))
          })
          yield* Effect.forkScoped(Effect.forever(cycle))
        }
      }),

    /** Asks the pollers that serve requests to re-read these kinds (persisted: a restart still does). */
    request: (system: System, kinds: ReadonlyArray<Kind>) =>
      Effect.gen(function*() {
        if (kinds.length === 0) return
        yield* store.writeTransaction(Effect.gen(function*() {
          const before = yield* requested(system)
          const merged = [...new Set([...before, ...kinds])].sort()
          if (merged.length !== before.length) yield* store.cursors.set(requestName(system), { kinds: merged })
        }))
        yield* Queue.offer(yield* queueOf(system), undefined)
      })
  } as const
})

/** Every connector's pollers, and the re-reads unreadable deliveries ask for. */
export class ConnectorCapture extends Effect.Service<ConnectorCapture>()("alegra-sync/ConnectorCapture", {
  effect: makeConnectorCapture
}) {}
