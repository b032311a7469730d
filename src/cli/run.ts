import { Effect, Layer, Option, Stream } from "effect"
import { backfill, backfillCompleted, type BackfillProgress } from "../backfill/backfill.js"
import { Ingest } from "../capture/ingest.js"
import { loadConfigFile, type ResolvedConfig, SyncConfig } from "../config/index.js"
import { DaemonLease } from "../engine/lease.js"
import { SyncEngine } from "../engine/sync/engine.js"
import { Connectors } from "../ports/connector.js"
import { ConnectorCapture } from "../capture/connector-capture.js"
import { InboxWorker } from "../engine/worker.js"
import { Alegra } from "../ports/alegra.js"
import { HttpServerLive } from "../server/http.js"
import { baseLayer, connectorsLayer, type Wiring } from "./layers.js"
import { withStoreErrors } from "../store/index.js"

const logProgress = (p: BackfillProgress) =>
  p.done ? Effect.logInfo("backfill: kind done").pipe(Effect.annotateLogs({ kind: p.kind, read: p.read })) : Effect.void

/**
 * The daemon. The HTTP server and the inbox worker start first (Alegra's
 * subscription handshake needs the server up), then the credentials are checked,
 * the hub's capture started (its webhooks registered), a first backfill made if none
 * ever finished, and only then every connector's pollers (the hub's payments, credit
 * notes and sweep; the other systems' events) start. Runs until SIGINT/SIGTERM.
 */
export const runDaemon = Effect.gen(function*() {
  const lease = yield* DaemonLease
  return yield* Effect.raceFirst(followChanges, lease.lost)
})

const followChanges = Effect.gen(function*() {
  const config = yield* SyncConfig
  const alegra = yield* Alegra
  const capture = yield* ConnectorCapture
  yield* Effect.logInfo("alegra-sync started").pipe(
    Effect.annotateLogs({ port: config.server.port, store: config.store.path, alegra: config.alegra.baseUrl })
  )
  // Fails fast with a clear error on bad credentials instead of filling the dead letters.
  yield* Stream.runDrain(Stream.take(alegra.list("bank-account"), 1))
  yield* capture.start(alegra)
  if (!(yield* backfillCompleted)) {
    yield* Effect.logInfo("no completed backfill on this store: running one first")
    const summary = yield* backfill({ onProgress: logProgress })
    yield* Effect.logInfo("backfill done").pipe(
      Effect.annotateLogs({ records: summary.records, requests: summary.requests, seconds: summary.elapsedMs / 1000 })
    )
  }
  const registry = yield* Effect.serviceOption(Connectors)
  const systems = Option.match(registry, { onNone: () => [], onSome: (r) => r.systems })
  for (const connector of systems) yield* capture.anchor(connector)
  yield* Effect.logInfo("following changes: webhooks, payment and credit-note polling, sweep")
  // Every connector's pollers (the hub's, then Stripe's events), for as long as the daemon runs.
  return yield* Effect.scoped(Effect.gen(function*() {
    yield* capture.run(alegra, true)
    for (const connector of systems) yield* capture.run(connector, false)
    return yield* Effect.never
  }))
})

/** The daemon's layers around `runDaemon`. */
export const daemonLayer = (config: ResolvedConfig, wiring: Wiring) => {
  const base = baseLayer(config, wiring)
  // The lease first: a second daemon on the store is refused before it starts anything.
  const lease = DaemonLease.Default.pipe(Layer.provide(base))
  // The two-way engine, only when another system is enabled.
  const twoWay = config.stripe.enabled
    ? SyncEngine.Default.pipe(Layer.provideMerge(connectorsLayer(config, wiring)), Layer.provide(base))
    : Layer.empty
  const engine = Layer.mergeAll(base, twoWay)
  const worker = InboxWorker.Default.pipe(Layer.provide(lease), Layer.provide(engine))
  const capture = Layer.mergeAll(Ingest.Default, ConnectorCapture.Default).pipe(
    Layer.provide(worker),
    Layer.provide(engine)
  )
  const server = HttpServerLive.pipe(Layer.provide(capture), Layer.provide(worker), Layer.provide(engine))
  return Layer.mergeAll(server, worker, capture, lease).pipe(Layer.provideMerge(engine))
}

/** `alegra-sync run`: the daemon, until SIGINT/SIGTERM. */
export const runCommand = (configFile: string, wiring: Wiring) =>
  Effect.gen(function*() {
    const config = yield* loadConfigFile(configFile)
    return yield* runDaemon.pipe(Effect.provide(daemonLayer(config, wiring)), withStoreErrors(config.store.path))
  })
