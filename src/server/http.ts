import { createServer, type RequestListener } from "node:http"
import { HttpLayerRouter } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Cause, Effect, Layer, Runtime } from "effect"
import { connectorWebhookRoutes } from "../capture/connector-webhooks.js"
import { SyncConfig } from "../config/index.js"
import { health } from "./health.js"
import { metrics } from "./metrics.js"
import { notFound } from "./responses.js"
import { webhookListener, type WebhookRoute } from "./webhooks.js"

/**
 * Limits of the Node server. Alegra sends small bodies at once, so a request that
 * takes longer than this is a stuck or hostile client: it is answered 408 and its
 * socket closed, rather than held open.
 */
export const serverLimits = {
  /** Until the request's headers are complete. */
  headersTimeoutMs: 10_000,
  /** Until the whole request (headers and body) has arrived. */
  requestTimeoutMs: 15_000,
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: 5_000,
  /** How often Node checks the two timeouts above (its default, 30 s, would let a request overstay by that much). */
  checkIntervalMs: 1_000
} as const

const makeNodeServer = (listener: RequestListener) => {
  const server = createServer({
    requestTimeout: serverLimits.requestTimeoutMs,
    keepAliveTimeout: serverLimits.keepAliveTimeoutMs,
    connectionsCheckingInterval: serverLimits.checkIntervalMs
  }, listener)
  server.headersTimeout = serverLimits.headersTimeoutMs
  return server
}

/** Everything but the webhook deliveries, which ./webhooks.ts answers before the router. */
const Routes = Layer.mergeAll(
  HttpLayerRouter.add("GET", "/health", health),
  HttpLayerRouter.add("GET", "/metrics", metrics),
  // Any other method or path: the same answer as a webhook URL with a wrong token.
  HttpLayerRouter.add("*", "*", notFound)
)

/**
 * The daemon's HTTP server on `server.port`: one Node server whose listener answers
 * webhook deliveries itself (./webhooks.ts) and hands every other request to the
 * Effect router. Listening and closing are NodeHttpServer's (its ServeError names the
 * port when it is taken); its own `serve` is not used, since it would add a second
 * request listener.
 */
export const HttpServerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const config = yield* SyncConfig
  const next = yield* NodeHttpServer.makeHandler(yield* HttpLayerRouter.toHttpEffect(Routes))
  const webhooks: ReadonlyArray<WebhookRoute> = yield* connectorWebhookRoutes
  const runFork = Runtime.runFork(yield* Effect.runtime<never>())
  const onDefect = (route: WebhookRoute, defect: unknown) =>
    runFork(Effect.logError(`${route.name} webhook failed`, Cause.die(defect)))
  let closing = false
  yield* NodeHttpServer.make(() => makeNodeServer(webhookListener(webhooks, { next, onDefect, closing: () => closing })), {
    port: config.server.port,
    host: "0.0.0.0"
  })
  // Runs before the server's own close (finalizers run last-added first), which waits for busy connections.
  yield* Effect.addFinalizer(() => Effect.sync(() => (closing = true)))
}))
