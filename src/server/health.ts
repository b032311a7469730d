import { HttpServerResponse } from "@effect/platform"
import { Effect, Option } from "effect"
import { Alegra } from "../ports/alegra.js"
import type { ConnectorState } from "../ports/connector.js"
import { type InboxDepth, Store } from "../store/index.js"

/**
 * ok: working. degraded: working, but Alegra is pausing or failing for now (the
 * daemon retries by itself). failing: it cannot work until someone acts (Alegra
 * rejects the credentials, the store cannot be read): answered with 503 so that a
 * container orchestrator or a monitor notices.
 */
export type HealthStatus = "ok" | "degraded" | "failing"

export interface HealthReport {
  readonly status: HealthStatus
  readonly alegra: {
    readonly state: ConnectorState
    readonly lastSuccessAt: string | null
    readonly lastFailure: { readonly at: string; readonly reason: string; readonly message: string } | null
    readonly pausedUntil: string | null
  }
  readonly store: "ok" | "unavailable"
  /** Null when the store cannot be read. */
  readonly inbox: InboxDepth | null
}

const statusOf: Record<ConnectorState, HealthStatus> = {
  starting: "ok",
  ok: "ok",
  "rate-limited": "degraded",
  unreachable: "degraded",
  "auth-failing": "failing"
}

const iso = (epochMs: number | null) => (epochMs === null ? null : new Date(epochMs).toISOString())

/** The daemon's health: the Alegra connector's own report and whether the store answers. */
export const healthReport = Effect.gen(function*() {
  const alegra = yield* (yield* Alegra).health
  const inbox = yield* (yield* Store).inbox.depth().pipe(Effect.option)
  const status: HealthStatus = Option.isNone(inbox) ? "failing" : statusOf[alegra.state]
  const report: HealthReport = {
    status,
    alegra: {
      state: alegra.state,
      lastSuccessAt: iso(alegra.lastSuccessAt),
      // Alegra's errors carry method, path, status and Alegra's message: never credentials.
      lastFailure: alegra.lastFailure === null
        ? null
        : { at: iso(alegra.lastFailure.at)!, reason: alegra.lastFailure.reason, message: alegra.lastFailure.message },
      pausedUntil: iso(alegra.pausedUntil)
    },
    store: Option.isNone(inbox) ? "unavailable" : "ok",
    inbox: Option.getOrNull(inbox)
  }
  return report
})

/** GET /health: 200 while the daemon can work, 503 when it cannot. */
export const health = Effect.map(
  healthReport,
  (report) => HttpServerResponse.unsafeJson(report, { status: report.status === "failing" ? 503 : 200 })
)
