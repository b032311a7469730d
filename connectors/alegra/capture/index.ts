/** How Alegra tells the engine that records changed: its webhook route, its pollers and the sweep. */
import { Effect, Redacted } from "effect"
import type { Capture, OwnedSubscriptions } from "../../../src/ports/connector.js"
import type { AlegraApi } from "../api.js"
import { type AlegraCaptureOptions, WEBHOOK_PATH } from "./options.js"
import { creditNotesPoller, paymentsPoller } from "./pollers.js"
import { reconcileSubscriptions } from "./subscriptions.js"
import { sweepPoller } from "./sweep.js"
import { webhookRoute } from "./webhook.js"

export type { AlegraCaptureOptions } from "./options.js"

/** Nothing is captured without options (a backfill, a test of the client). */
export const noCapture: Capture = { routes: [], pollers: [] }

export const makeCapture = (api: AlegraApi, options: AlegraCaptureOptions): Capture => {
  const desiredUrl = `${options.publicUrl.replace(/\/+$/, "")}${WEBHOOK_PATH}${Redacted.value(options.webhookToken)}`
  const reconcile = options.registerWebhooks
    ? (owned: OwnedSubscriptions) => reconcileSubscriptions(api, owned, desiredUrl)
    : undefined
  return {
    routes: [webhookRoute(options.webhookToken)],
    pollers: [
      paymentsPoller(api, options),
      creditNotesPoller(api, options),
      sweepPoller(api, { sweepMinutes: options.sweepMinutes, reconcile })
    ],
    // Registered before anything else runs: changes made during a first backfill are delivered.
    start: (owned) => reconcile === undefined ? Effect.void : Effect.asVoid(reconcile(owned))
  }
}
