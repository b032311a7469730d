/**
 * The Stripe connector (issue 10): customers, products, invoices, invoice payments, credit notes
 * and refunds as canonical records, through the official `stripe` SDK; webhooks and the events
 * list as capture; paid-out-of-band, void, metadata tags and customer updates as writes.
 */
export { makeStripeConnector } from "./connector.js"
export { checkOptions, DEFAULT_PAYMENT_METHODS, DEFAULT_WEBHOOK_PATH, serverOf } from "./options.js"
export type { StripeConnectorOptions } from "./options.js"
export { changesOf, WEBHOOK_EVENTS } from "./events.js"
export { IDEMPOTENCY_PREFIX, idempotencyKey, isValidId } from "./ids.js"
export { fromMinor, minorDigits, toMinor } from "./money.js"
export { identificationType } from "./mapping/tax-ids.js"
export { MAX_PAGES_PER_POLL } from "./poller.js"
export { STRIPE_KINDS } from "./records.js"
export { SIGNATURE_TOLERANCE_SECONDS } from "./webhook.js"
