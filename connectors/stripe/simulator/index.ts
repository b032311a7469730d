/**
 * The Stripe simulator: a stateful HTTP server on loopback that the official `stripe` SDK talks to
 * (`new Stripe(sim.apiKey, sim.clientOptions())`), behaving like Stripe's v1 API on everything a
 * sync connector relies on, and stricter where in doubt. For tests, `demo` and the benchmark; never
 * on the daemon's path.
 */
export { API_VERSION, startStripeSimulator } from "./simulator.js"
export type { StripeSimulator, StripeSimulatorOptions } from "./simulator.js"
export type { InvoiceDraft, StripeSimulatorAdmin } from "./admin.js"
export type { StripeSimulatorClock } from "./clock.js"
export type { RequestMatch, StripeSimulatorFaults } from "./faults.js"
export type { DeliveryRecord, DroppedDelivery, RequestRecord, StripeSimulatorStats } from "./stats.js"
export { StripeSimError } from "./errors.js"
export type { ErrorBody, ErrorType } from "./errors.js"
export { KINDS, isKind } from "./state.js"
export type { EventObject, Kind, Objects } from "./state.js"
export type { Wire } from "./wire.js"
export { signatureHeader } from "./webhooks.js"
export { EVENT_TYPES } from "./resources/webhook-endpoints.js"
export { TEST_CARDS } from "./resources/cards.js"
export { TAX_ID_TYPES, nitCheckDigit, rutCheckDigit } from "./resources/tax-id-rules.js"
export { CURRENCIES, ZERO_DECIMAL, minorUnits } from "./money.js"
export { MAX_LIMIT } from "./listing.js"
export { KEY_TTL_MS } from "./idempotency.js"
export { presets, seedAccount } from "./seed.js"
export type { SeedSizes, SeedSummary } from "./seed.js"
