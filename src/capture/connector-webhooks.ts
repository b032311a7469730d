/**
 * Mounts the hub's and every enabled system's webhook routes (src/ports/connector.ts) on the daemon's
 * raw route table (src/server/webhooks.ts): a delivery is checked by its connector on the
 * exact bytes received, its changes go to the group commit, and it is answered 2xx once
 * they are recorded. What a connector could not read is kept and its kinds re-read.
 */
import { Effect, Exit, Option, Runtime } from "effect"
import type { Kind, System } from "../../schema/index.js"
import { SyncConfig } from "../config/index.js"
import { Alegra } from "../ports/alegra.js"
import { Connectors, type ConnectorPort, type Received, type WebhookRoute as ConnectorRoute } from "../ports/connector.js"
import { type JsonAnswer, notFoundAnswer } from "../server/responses.js"
import { failedAnswer, type WebhookRoute } from "../server/webhooks.js"
import { type InboxOffer, type OfferResult, Store } from "../store/index.js"
import { ConnectorCapture, offerOf } from "./connector-capture.js"
import { Ingest } from "./ingest.js"

const recorded = (results: ReadonlyArray<OfferResult>): JsonAnswer => ({
  status: 200,
  body: { status: "ok", recorded: results.filter((r) => r !== "duplicate").length }
})

const rejected = (received: Extract<Received, { _tag: "Rejected" }>): JsonAnswer =>
  received.status === 404 ? notFoundAnswer : { status: received.status, body: { error: received.reason } }

/** "/webhooks/alegra/:token" → prefix "/webhooks/alegra/" and a parameter; "/webhooks/stripe" → that path exactly. */
const prefixOf = (path: string) => {
  const param = /\/:[A-Za-z]\w*$/.exec(path)
  return param === null ? { prefix: path, takesParam: false } : { prefix: path.slice(0, param.index + 1), takesParam: true }
}

export const connectorWebhookRoutes = Effect.gen(function*() {
  const hub = yield* Alegra
  const registry = yield* Effect.serviceOption(Connectors)
  const config = yield* SyncConfig
  const ingest = yield* Ingest
  const store = yield* Store
  const capture = yield* ConnectorCapture
  const runFork = Runtime.runFork(yield* Effect.runtime<never>())

  const keepUnreadable = (
    system: System,
    text: string,
    offers: ReadonlyArray<InboxOffer>,
    unreadable: { readonly kinds: ReadonlyArray<Kind>; readonly reason: string }
  ) =>
    Effect.gen(function*() {
      const results = yield* ingest.offer(offers)
      yield* store.unreadable.record({ system, reason: unreadable.reason, kinds: unreadable.kinds, body: text })
      yield* capture.request(system, unreadable.kinds)
      yield* Effect.logWarning(`${system} webhook not understood: kept for diagnosis, its kinds will be re-read`).pipe(
        Effect.annotateLogs({ reason: unreadable.reason, kinds: unreadable.kinds.join(",") })
      )
      return results
    })

  const mount = (connector: ConnectorPort, route: ConnectorRoute): WebhookRoute => {
    const { prefix, takesParam } = prefixOf(route.path)
    const paramName = takesParam ? route.path.slice(prefix.length + 1) : ""
    return {
      name: connector.system,
      prefix,
      maxBodyBytes: config.server.maxBodyBytes,
      accepts: (param) => (takesParam ? param !== "" && (route.accepts?.(param) ?? true) : param === ""),
      handle: ({ param, url, headers, body }, answer) => {
        const text = body.toString("utf8")
        const received = route.receive({
          method: "POST",
          url,
          params: takesParam ? { [paramName]: param } : {},
          headers: headers as Readonly<Record<string, string | undefined>>,
          body: text
        })
        if (received._tag === "Rejected") return answer(rejected(received))
        if (received._tag === "Handshake") return answer({ status: 200, body: { status: "ok" } })
        const offers = received.changes.map((change) => offerOf(connector.system, change, "webhook"))
        if (received.unreadable === null) {
          return ingest.enqueue(offers, (exit) => answer(Exit.isSuccess(exit) ? recorded(exit.value) : failedAnswer))
        }
        runFork(keepUnreadable(connector.system, text, offers, received.unreadable).pipe(
          Effect.exit,
          Effect.flatMap((exit) =>
            Exit.isSuccess(exit)
              ? Effect.sync(() => answer(recorded(exit.value)))
              : Effect.logError(`${connector.system} webhook failed`, exit.cause).pipe(Effect.andThen(() => answer(failedAnswer)))
          ),
          // A client that hangs up, or a shutdown, must not cut the recording in half.
          Effect.uninterruptible
        ))
      }
    }
  }

  const systems = Option.match(registry, { onNone: () => [], onSome: (r) => r.systems })
  return [hub, ...systems].flatMap((connector) => connector.capture.routes.map((route) => mount(connector, route)))
})
