/** The Stripe connector: the `ConnectorPort` over Stripe's API through the official SDK. */
import { Effect, Redacted } from "effect"
import type { Scope } from "effect"
import type { Kind } from "../../schema/index.js"
import type { ConnectorPort, NaturalKey, WriteRequest } from "../../src/ports/connector.js"
import { makeStripeClient } from "./client.js"
import { STRIPE_DIRECTIONS } from "./directions.js"
import { makeFind } from "./find.js"
import { isValidId } from "./ids.js"
import { resolveOptions } from "./options.js"
import type { StripeConnectorOptions } from "./options.js"
import { makeEventsPoller } from "./poller.js"
import { makeRecords, STRIPE_KINDS } from "./records.js"
import { makeWebhookRoute } from "./webhook.js"
import { makeWrite } from "./write.js"

/**
 * Builds the connector from the config's values. Invalid options are a defect: the config checks
 * them first (`checkOptions`), with one line per problem. Its connections to Stripe close with the scope.
 */
export const makeStripeConnector = (options: StripeConnectorOptions): Effect.Effect<ConnectorPort, never, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* Effect.sync(() => resolveOptions(options))
    const client = yield* makeStripeClient(resolved)
    const records = makeRecords(client, resolved.paymentMethods)
    const find = makeFind(client, records)
    const write = makeWrite(client, records)
    return {
      system: "stripe",
      kinds: STRIPE_KINDS,
      directions: STRIPE_DIRECTIONS,
      isValidId,
      read: Effect.fn("Stripe.read")(function*(kind: Kind, id: string) {
        return yield* records.read(kind, id)
      }),
      find: Effect.fn("Stripe.find")(function*(kind: Kind, key: NaturalKey) {
        return yield* find(kind, key)
      }),
      write: Effect.fn("Stripe.write")(function*(request: WriteRequest) {
        return yield* write(request)
      }),
      list: records.list,
      capture: {
        routes: [makeWebhookRoute(client.stripe, resolved.webhookPath, () => Redacted.value(resolved.webhookSecret))],
        pollers: [makeEventsPoller(client, resolved.pollEveryMs)]
      },
      health: client.health
    } satisfies ConnectorPort
  })
