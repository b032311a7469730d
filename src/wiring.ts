/**
 * The composition root: the one place that wires connectors into the engine, loaded
 * once a command runs (src/main.ts). Connectors are imported when a command needs them,
 * and the simulator only by `demo`: never on the daemon's path, never for `status`.
 */
import { Effect, Layer } from "effect"
import type { CliWiring } from "./cli/execute.js"

export const wiring: CliWiring = {
  alegra: (config) =>
    Layer.unwrapEffect(Effect.promise(async () => {
      const { AlegraLive } = await import("../connectors/alegra/index.js")
      return AlegraLive({
        baseUrl: config.alegra.baseUrl,
        email: config.alegra.email,
        token: config.alegra.token,
        requestsPerMinute: config.alegra.requestsPerMinute,
        rateLimitWindowSeconds: config.alegra.rateLimitWindowSeconds,
        capture: {
          webhookToken: config.server.webhookToken,
          publicUrl: config.server.publicUrl,
          registerWebhooks: config.alegra.webhooks,
          ...config.polling
        }
      })
    })),
  systems: (config) =>
    config.stripe.enabled
      ? Effect.gen(function*() {
        const stripe = config.stripe
        if (!stripe.enabled) return []
        const { makeStripeConnector } = yield* Effect.promise(() => import("../connectors/stripe/index.js"))
        return [
          yield* makeStripeConnector({
            apiKey: stripe.apiKey,
            webhookSecret: stripe.webhookSecret,
            baseUrl: stripe.baseUrl,
            opsPerSecond: stripe.requestsPerSecond,
            paymentMethods: stripe.paymentMethods
          })
        ]
      })
      : Effect.succeed([]),
  demoSimulator: async (options) => {
    const { startDemoSimulator } = await import("../connectors/alegra/simulator/demo.js")
    return startDemoSimulator(options)
  },
  demoStripe: async (options) => {
    const { startStripeDemo } = await import("../connectors/stripe/simulator/demo.js")
    return startStripeDemo(options)
  }
}
