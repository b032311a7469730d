/** The daemon's HTTP server in-process, on a real port and a real SQLite file, with a test Alegra connector. */
import * as path from "node:path"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"
import { kinds } from "../../schema/index.js"
import { ConnectorCapture } from "../../src/capture/connector-capture.js"
import { Ingest } from "../../src/capture/ingest.js"
import { storeLayer } from "../../src/cli/layers.js"
import { type ResolvedConfig, resolveConfig, SyncConfig } from "../../src/config/index.js"
import { InboxWorker } from "../../src/engine/worker.js"
import { Alegra, type AlegraPort } from "../../src/ports/alegra.js"
import { HttpServerLive } from "../../src/server/http.js"
import { freePort, tempDir, waitFor } from "../support/process.js"

export interface RunningServer {
  readonly runtime: ManagedRuntime.ManagedRuntime<never, unknown>
  readonly config: ResolvedConfig
  readonly base: string
  readonly storePath: string
}

const notUsed = Effect.dieMessage("not used by the HTTP server tests")

/** A hub that is never called but for what a test gives it (its health, its webhook route…). */
export const testHub = (given: Partial<AlegraPort>): AlegraPort => ({
  system: "alegra",
  kinds,
  directions: {},
  isValidId: () => true,
  read: () => notUsed,
  find: () => notUsed,
  write: () => notUsed,
  list: () => Stream.fromEffect(notUsed),
  capture: { routes: [], pollers: [] },
  usage: Effect.succeed({ requests: 0, rateLimited: 0, retries: 0, busiestMinute: 0 }),
  health: Effect.succeed({ state: "ok", lastSuccessAt: null, lastFailure: null, pausedUntil: null }),
  ...given
})

/** Starts the server with the daemon's layers around it; `dispose` the runtime to stop it. */
export const startServer = async (options: {
  /** The hub, or how to make it from the config (a webhook route needs the config's token). */
  readonly alegra: AlegraPort | ((config: ResolvedConfig) => AlegraPort)
  /** The Alegra API token the config reads from the environment. */
  readonly alegraToken: string
  readonly maxBodyBytes?: number
}): Promise<RunningServer> => {
  const port = await freePort()
  const storePath = path.join(tempDir("http"), "store.db")
  const config = await Effect.runPromise(resolveConfig({
    store: { path: storePath },
    server: { port, ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }) },
    alegra: { email: "ops@empresa.co", token: { env: "T" } }
  }, { file: "/test/sync.config.ts", env: { T: options.alegraToken } }))
  const hub = typeof options.alegra === "function" ? options.alegra(config) : options.alegra
  const deps = Layer.mergeAll(storeLayer(storePath), Layer.succeed(Alegra, hub), Layer.succeed(SyncConfig, config))
  const worker = InboxWorker.Default.pipe(Layer.provide(deps))
  const capture = Layer.mergeAll(Ingest.Default, ConnectorCapture.Default).pipe(
    Layer.provide(worker),
    Layer.provide(deps)
  )
  const runtime = ManagedRuntime.make(HttpServerLive.pipe(Layer.provide(capture), Layer.provide(worker), Layer.provide(deps)))
  await runtime.runtime()
  const base = `http://127.0.0.1:${port}`
  await waitFor("the server", () => fetch(`${base}/health`).then(() => true, () => false))
  return { runtime, config, base, storePath }
}
