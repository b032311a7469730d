/**
 * How the connection to Stripe is doing, from the outcome of every request, for /health: the key
 * refused, Stripe unreachable, or requests held back after a 429 until `pausedUntil`.
 */
import { Clock, Effect, Ref } from "effect"
import type { ConnectorError, ConnectorHealth } from "../../src/ports/connector.js"

interface State {
  readonly answered: "starting" | "ok" | "auth-failing" | "unreachable"
  readonly lastSuccessAt: number | null
  readonly lastFailure: ConnectorHealth["lastFailure"]
  readonly pausedUntil: number
}

/** The state after a failure: a refused key stays the headline until a success proves it fixed. */
const afterFailure = (current: State["answered"], error: ConnectorError): State["answered"] => {
  if (error.reason === "auth") return "auth-failing"
  if (current === "auth-failing") return current
  if (error.reason === "transport" || error.reason === "server") return "unreachable"
  // A 429 shows through the pause; a refused or unreadable answer still came from Stripe.
  return error.reason === "rate-limit" ? current : "ok"
}

export interface Health {
  readonly succeeded: (at: number) => Effect.Effect<void>
  readonly failed: (at: number, error: ConnectorError) => Effect.Effect<void>
  /** Holds every request until `until` (epoch ms); the later end wins. */
  readonly pause: (until: number) => Effect.Effect<void>
  readonly pausedUntil: Effect.Effect<number>
  readonly read: Effect.Effect<ConnectorHealth>
}

export const makeHealth: Effect.Effect<Health> = Effect.map(
  Ref.make<State>({ answered: "starting", lastSuccessAt: null, lastFailure: null, pausedUntil: 0 }),
  (state): Health => ({
    succeeded: (at) => Ref.update(state, (s): State => ({ ...s, answered: "ok", lastSuccessAt: Math.max(at, s.lastSuccessAt ?? 0) })),
    failed: (at, error) =>
      Ref.update(state, (s): State => ({
        ...s,
        answered: afterFailure(s.answered, error),
        lastFailure: { at, reason: error.reason, message: error.message }
      })),
    pause: (until) => Ref.update(state, (s) => ({ ...s, pausedUntil: Math.max(s.pausedUntil, until) })),
    pausedUntil: Effect.map(Ref.get(state), (s) => s.pausedUntil),
    read: Effect.gen(function*() {
      const s = yield* Ref.get(state)
      const now = yield* Clock.currentTimeMillis
      const paused = s.pausedUntil > now
      return {
        state: s.answered === "auth-failing" ? s.answered : paused ? "rate-limited" : s.answered,
        lastSuccessAt: s.lastSuccessAt,
        lastFailure: s.lastFailure,
        pausedUntil: paused ? s.pausedUntil : null
      } satisfies ConnectorHealth
    })
  })
)
