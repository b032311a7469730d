/** The connector's options: the SDK's host from a base URL, defaults, and one line per problem. */
import { Effect, Exit, Redacted, Scope } from "effect"
import { describe, expect, it } from "vitest"
import { checkOptions, DEFAULT_PAYMENT_METHODS, makeStripeConnector, serverOf, type StripeConnectorOptions } from "../../connectors/stripe/index.js"

const options = (extra: Partial<StripeConnectorOptions> = {}): StripeConnectorOptions => ({
  apiKey: Redacted.make("sk_live_optionsTestKey000000000000"),
  webhookSecret: Redacted.make("whsec_optionsTest00000000000000000"),
  baseUrl: "https://api.stripe.com",
  opsPerSecond: 100,
  ...extra
})

describe("options", () => {
  it("points the SDK at Stripe or at a loopback simulator by host, port and protocol", () => {
    expect(serverOf("https://api.stripe.com")).toEqual({ host: "api.stripe.com", port: 443, protocol: "https" })
    expect(serverOf("http://127.0.0.1:12111")).toEqual({ host: "127.0.0.1", port: 12111, protocol: "http" })
    expect(serverOf("http://[::1]:8080/")).toEqual({ host: "::1", port: 8080, protocol: "http" })
    expect(serverOf("https://api.stripe.com/v1")).toMatch(/scheme, host and port only/)
    expect(serverOf("ftp://api.stripe.com")).toMatch(/http or https/)
    expect(serverOf("api.stripe.com")).toMatch(/absolute URL/)
  })

  it("names every problem on its own line, never a secret", () => {
    expect(checkOptions(options())).toEqual([])
    const problems = checkOptions(options({
      baseUrl: "https://user:pass@api.stripe.com",
      opsPerSecond: 0,
      webhookPath: "webhooks stripe",
      paymentMethods: { Card: "credit-card", card: " " },
      maxConcurrency: 0
    }))
    expect(problems).toEqual([
      expect.stringContaining("baseUrl must be a scheme, host and port only"),
      "opsPerSecond must be between 1 and 10000, got 0",
      'webhookPath must be a path such as /webhooks/stripe, got "webhooks stripe"',
      'paymentMethods: "Card" is not a Stripe payment method type (lower case and _)',
      "paymentMethods.card must name an Alegra payment method",
      "maxConcurrency must be a positive integer, got 0"
    ])
    expect(problems.join("\n")).not.toMatch(/sk_live|whsec_/)
  })

  it("defaults the payment method table, the webhook path and the poller's minute", async () => {
    expect(DEFAULT_PAYMENT_METHODS).toMatchObject({ card: "credit-card", customer_balance: "transfer", us_bank_account: "transfer", sepa_debit: "transfer", oxxo: "cash" })
    const scope = Effect.runSync(Scope.make())
    const connector = await Effect.runPromise(Scope.extend(makeStripeConnector(options()), scope))
    expect(connector.system).toBe("stripe")
    expect(connector.kinds).toEqual(["contact", "item", "invoice", "payment", "credit-note"])
    expect(connector.capture.routes.map((r) => r.path)).toEqual(["/webhooks/stripe"])
    expect(connector.capture.pollers.map((p) => [p.name, p.everyMs])).toEqual([["stripe events", 60_000]])
    expect(await Effect.runPromise(connector.health)).toEqual({ state: "starting", lastSuccessAt: null, lastFailure: null, pausedUntil: null })
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  it("refuses to build on invalid options, naming the problem", async () => {
    const exit = await Effect.runPromiseExit(Effect.scoped(makeStripeConnector(options({ opsPerSecond: -1 }))))
    expect(Exit.isFailure(exit) && String(exit.cause)).toMatch(/invalid Stripe connector options: opsPerSecond must be between 1 and 10000/)
  })
})
