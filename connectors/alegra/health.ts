/**
 * How the connection to Alegra is doing, from the outcome of every attempt: for /health,
 * so that the daemon can say "the token is refused" or "paused until 12:01:00" instead of
 * "ok" while nothing works.
 */
import { Clock, Effect, Ref } from "effect"
import type { ConnectorError, ConnectorHealth, ConnectorState } from "../../src/ports/connector.js"

interface Known {
  /** The state from the last answers; "rate-limited" is derived from `pausedUntil` instead. */
  readonly state: Exclude<ConnectorState, "rate-limited">
  readonly lastSuccessAt: number | null
  readonly lastFailure: ConnectorHealth["lastFailure"]
  readonly pausedUntil: number
}

export interface HealthTracker {
  /** A 2xx: the connection works, and credentials refused earlier are accepted again. */
  readonly succeeded: (at: number) => Effect.Effect<void>
  /** A failed attempt (or a 2xx whose body could not be read). */
  readonly failed: (at: number, error: ConnectorError) => Effect.Effect<void>
  /** No request is sent before `until` (epoch ms); the later end wins. */
  readonly paused: (until: number) => Effect.Effect<void>
  /** The end of the latest pause (epoch ms), 0 when none was ever set. */
  readonly pausedUntil: Effect.Effect<number>
  readonly read: Effect.Effect<ConnectorHealth>
}

const stateAfter = (current: Known["state"], error: ConnectorError): Known["state"] => {
  switch (error.reason) {
    case "auth":
      return "auth-failing"
    case "transport":
    case "server":
      // Credentials refused stay the headline until a 2xx proves them fixed.
      return current === "auth-failing" ? current : "unreachable"
    case "rate-limit":
      // Shown through the pause; says nothing of the credentials.
      return current
    case "validation":
    case "conflict":
    case "decode":
      // Alegra answered and did not refuse the credentials.
      return current === "auth-failing" ? current : "ok"
  }
}

export const makeHealthTracker: Effect.Effect<HealthTracker> = Effect.map(
  Ref.make<Known>({ state: "starting", lastSuccessAt: null, lastFailure: null, pausedUntil: 0 }),
  (ref): HealthTracker => ({
    succeeded: (at) => Ref.update(ref, (k): Known => ({ ...k, state: "ok", lastSuccessAt: Math.max(at, k.lastSuccessAt ?? 0) })),
    failed: (at, error) =>
      Ref.update(ref, (k): Known => ({
        ...k,
        state: stateAfter(k.state, error),
        // The message is the ConnectorError's, already scrubbed of credentials.
        lastFailure: { at, reason: error.reason, message: error.message }
      })),
    paused: (until) => Ref.update(ref, (k): Known => ({ ...k, pausedUntil: Math.max(k.pausedUntil, until) })),
    pausedUntil: Effect.map(Ref.get(ref), (k) => k.pausedUntil),
    read: Effect.flatMap(Ref.get(ref), (k) =>
      Effect.map(Clock.currentTimeMillis, (now): ConnectorHealth => {
        const paused = k.pausedUntil > now
        return {
          state: k.state === "auth-failing" ? k.state : paused ? "rate-limited" : k.state,
          lastSuccessAt: k.lastSuccessAt,
          lastFailure: k.lastFailure,
          pausedUntil: paused ? k.pausedUntil : null
        }
      }))
  })
)
