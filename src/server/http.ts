import { createServer } from "node:http"
import { HttpLayerRouter } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Effect, Layer } from "effect"
import { alegraWebhookHandler } from "../capture/alegra-webhook.js"
import { alegraWebhookPath } from "../capture/subscriptions.js"
import { SyncConfig } from "../config/index.js"
import { health } from "./health.js"
import { metrics } from "./metrics.js"
import { notFound } from "./responses.js"

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

const makeNodeServer = () => {
  const server = createServer({
    requestTimeout: serverLimits.requestTimeoutMs,
    keepAliveTimeout: serverLimits.keepAliveTimeoutMs,
    connectionsCheckingInterval: serverLimits.checkIntervalMs
  })
  server.headersTimeout = serverLimits.headersTimeoutMs
  return server
}

const Routes = Layer.mergeAll(
  HttpLayerRouter.add("POST", `${alegraWebhookPath}:token`, alegraWebhookHandler),
  HttpLayerRouter.add("GET", "/health", health),
  HttpLayerRouter.add("GET", "/metrics", metrics),
  // Any other method or path: the same answer as a webhook URL with a wrong token.
  HttpLayerRouter.add("*", "*", notFound)
)

/** The daemon's HTTP server on `server.port`. */
export const HttpServerLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* SyncConfig
  return HttpLayerRouter.serve(Routes, { disableLogger: true }).pipe(
    Layer.provide(NodeHttpServer.layer(makeNodeServer, { port: config.server.port, host: "0.0.0.0" }))
  )
}))
