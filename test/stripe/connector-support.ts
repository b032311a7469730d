/** Helpers for the Stripe connector tests: a connector on a simulator, run in a scope of its own. */
import { Effect, Exit, Redacted, Scope } from "effect"
import { makeStripeConnector, type StripeConnectorOptions } from "../../connectors/stripe/index.js"
import type { StripeSimulator } from "../../connectors/stripe/simulator/index.js"
import type { ConnectorError, ConnectorPort } from "../../src/ports/connector.js"

export const WEBHOOK_SECRET = "whsec_connectorTests0000000000000000"

export interface Connected {
  readonly connector: ConnectorPort
  readonly close: () => Promise<void>
}

/** The connector pointed at the simulator (unpaced unless `opsPerSecond` says otherwise). */
export const connect = async (sim: StripeSimulator, options: Partial<StripeConnectorOptions> = {}): Promise<Connected> => {
  const scope = Effect.runSync(Scope.make())
  const connector = await Effect.runPromise(
    Scope.extend(
      makeStripeConnector({
        apiKey: Redacted.make(sim.apiKey),
        webhookSecret: Redacted.make(WEBHOOK_SECRET),
        baseUrl: sim.url,
        opsPerSecond: 10_000,
        ...options
      }),
      scope
    )
  )
  return { connector, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** Runs a connector call. */
export const run = <A>(effect: Effect.Effect<A, ConnectorError>): Promise<A> => Effect.runPromise(effect)

/** The ConnectorError a connector call fails with. */
export const failureOf = async (effect: Effect.Effect<unknown, ConnectorError>): Promise<ConnectorError> => {
  const exit = await Effect.runPromise(Effect.flip(effect))
  return exit
}
