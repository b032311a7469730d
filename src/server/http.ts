import { createServer } from "node:http"
import { HttpLayerRouter, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { alegraWebhookHandler } from "../capture/alegra-webhook.js"
import { alegraWebhookPath } from "../capture/subscriptions.js"
import { SyncConfig } from "../config/index.js"
import { InboxWorker } from "../engine/worker.js"
import { Alegra } from "../ports/alegra.js"
import { Store } from "../store/index.js"

const health = Effect.gen(function*() {
  const store = yield* Store
  const depth = yield* store.inbox.depth()
  return HttpServerResponse.unsafeJson({ status: "ok", inbox: depth })
}).pipe(Effect.catchAll(() => Effect.succeed(HttpServerResponse.unsafeJson({ status: "store unavailable" }, { status: 503 }))))

/** Prometheus text format. Counts only: no ids, no secrets. */
const metrics = Effect.gen(function*() {
  const store = yield* Store
  const alegra = yield* Alegra
  const worker = yield* InboxWorker
  const depth = yield* store.inbox.depth()
  const mirror = yield* store.mirror.counts()
  const usage = yield* alegra.usage
  const stats = yield* worker.stats
  const lines = [
    "# TYPE alegra_sync_inbox_pending gauge",
    `alegra_sync_inbox_pending ${depth.pending}`,
    "# TYPE alegra_sync_dead_letters gauge",
    `alegra_sync_dead_letters ${depth.dead}`,
    "# TYPE alegra_sync_mirror_records gauge",
    ...Object.entries(mirror).map(([kind, n]) => `alegra_sync_mirror_records{kind="${kind}"} ${n}`),
    "# TYPE alegra_sync_alegra_requests_total counter",
    `alegra_sync_alegra_requests_total ${usage.requests}`,
    "# TYPE alegra_sync_alegra_rate_limited_total counter",
    `alegra_sync_alegra_rate_limited_total ${usage.rateLimited}`,
    "# TYPE alegra_sync_changes_total counter",
    ...(["upserted", "deleted", "unchanged", "retried", "deadLettered"] as const).map((k) =>
      `alegra_sync_changes_total{outcome="${k}"} ${stats[k]}`
    )
  ]
  return HttpServerResponse.text(`${lines.join("\n")}\n`, { contentType: "text/plain; version=0.0.4" })
})

const Routes = Layer.mergeAll(
  HttpLayerRouter.add("POST", `${alegraWebhookPath}:token`, alegraWebhookHandler),
  HttpLayerRouter.add("GET", "/health", health),
  HttpLayerRouter.add("GET", "/metrics", metrics)
)

/** The daemon's HTTP server on `server.port`. */
export const HttpServerLive = Layer.unwrapEffect(Effect.gen(function*() {
  const config = yield* SyncConfig
  return HttpLayerRouter.serve(Routes, { disableLogger: true }).pipe(
    Layer.provide(NodeHttpServer.layer(createServer, { port: config.server.port, host: "0.0.0.0" }))
  )
}))
