/** Helpers for the Stripe connector tests: a connector on a simulator, run in a scope of its own. */
import { Effect, Exit, Redacted, Scope } from "effect"
import { afterAll, beforeAll } from "vitest"
import { makeStripeConnector, type StripeConnectorOptions } from "../../connectors/stripe/index.js"
import { presets, seedAccount, type SeedSummary, type StripeSimulator, type StripeSimulatorOptions } from "../../connectors/stripe/simulator/index.js"
import type { ConnectorError, ConnectorPort } from "../../src/ports/connector.js"
import { client, start, type Stripe } from "./support.js"

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
export const failureOf = (effect: Effect.Effect<unknown, ConnectorError>): Promise<ConnectorError> => Effect.runPromise(Effect.flip(effect))

export interface Suite {
  readonly sim: StripeSimulator
  readonly stripe: Stripe
  readonly seed: SeedSummary
  readonly connector: ConnectorPort
}

/** For a file's tests: a simulator with the demo account and the connector on it, made before the tests and closed after them. */
export const suite = (simulator: StripeSimulatorOptions = {}): Suite => {
  let state: (Suite & { readonly close: () => Promise<void> }) | undefined
  beforeAll(async () => {
    const sim = await start(simulator)
    const seed = seedAccount(sim, presets.demo)
    const connected = await connect(sim)
    state = { sim, stripe: client(sim), seed, connector: connected.connector, close: () => connected.close() }
  })
  afterAll(async () => {
    await state?.close()
    await state?.sim.close()
  })
  const get = (): Suite => {
    if (state === undefined) throw new Error("the suite is used before beforeAll ran")
    return state
  }
  return {
    get sim() {
      return get().sim
    },
    get stripe() {
      return get().stripe
    },
    get seed() {
      return get().seed
    },
    get connector() {
      return get().connector
    }
  }
}
