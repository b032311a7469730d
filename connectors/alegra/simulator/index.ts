/**
 * The Alegra simulator: a stateful HTTP server on loopback that behaves like Alegra's API
 * (shared/reference/alegra-api.md) on every point the connector relies on. For tests, `demo`
 * and the benchmark; never on the daemon's path.
 */
export { startAlegraSimulator } from "./simulator.js"
export type { AlegraSimulator, AlegraSimulatorOptions } from "./simulator.js"
export type { AdminOptions, AlegraSimulatorAdmin, WireRecord } from "./admin.js"
export type { AlegraSimulatorFaults } from "./faults.js"
export { maxInAnyWindow } from "./stats.js"
export type { AlegraSimulatorStats, DeliveryRecord, DroppedDelivery, RequestRecord, WindowCount } from "./stats.js"
export { MAX_CONSECUTIVE_FAILURES, normaliseUrl, WEBHOOK_EVENTS } from "./webhooks.js"
export type { SubscriptionView, WebhookEvent } from "./webhooks.js"
export { AlegraSimulatorError, Code as ErrorCode } from "./errors.js"
export { isKind, KINDS } from "./records.js"
export type { SimKind } from "./records.js"
export { MAX_LIMIT } from "./listing.js"
export { presets, seedAccount } from "./seed.js"
export type { SeedSizes, SeedSummary } from "./seed.js"
export { startActivity } from "./activity.js"
export type { Activity, ActivityOptions } from "./activity.js"
