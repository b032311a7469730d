/**
 * The SDK's errors as `ConnectorError`s: which failure each one is, Stripe's own message and
 * `code`, and never a secret in them.
 */
import Stripe from "stripe"
import type { ConnectorFailure } from "../../src/ports/connector.js"
import { ConnectorError } from "../../src/ports/connector.js"

export interface RequestContext {
  readonly method: string
  /** Path with query, as sent (ids in it were validated first). */
  readonly path: string
}

/** Stripe's codes for a state rule that refused the change (the object is in another state). */
const STATE_CODES: ReadonlySet<string> = new Set([
  "invoice_unexpected_state",
  "invoice_not_editable",
  "credit_note_unexpected_state",
  "charge_already_refunded",
  "charge_not_refundable",
  "resource_already_exists"
])

const reasonOf = (error: Stripe.errors.StripeError): ConnectorFailure => {
  const status = error.statusCode
  if (error instanceof Stripe.errors.StripeConnectionError) return "transport"
  if (error instanceof Stripe.errors.StripeRateLimitError || status === 429) return "rate-limit"
  if (error instanceof Stripe.errors.StripeAuthenticationError || error instanceof Stripe.errors.StripePermissionError) return "auth"
  if (status === 401 || status === 403) return "auth"
  // 409: a request with the same Idempotency-Key is still running, or an object lock: try again.
  if (error instanceof Stripe.errors.StripeAPIError || (status !== undefined && (status >= 500 || status === 409))) return "server"
  if (error.code !== undefined && (STATE_CODES.has(error.code) || error.code.endsWith("_unexpected_state"))) return "conflict"
  if (status === undefined) return "transport"
  return "validation"
}

/** Replaces every occurrence of the secrets in a text: the last line of defence for messages. */
export const makeScrubber = (secrets: ReadonlyArray<string>) => {
  const needles = secrets.filter((s) => s.length >= 8)
  return (text: string): string => needles.reduce((out, needle) => out.split(needle).join("<redacted>"), text)
}

export const connectorError = (
  context: RequestContext,
  reason: ConnectorFailure,
  fields: { readonly status?: number | null; readonly code?: string | null; readonly message: string }
): ConnectorError =>
  new ConnectorError({
    system: "stripe",
    reason,
    method: context.method,
    path: context.path,
    status: fields.status ?? null,
    code: fields.code ?? null,
    message: fields.message
  })

/** Any failure of an SDK call. Anything but a `StripeError` is a failure to reach Stripe. */
export const fromSdkError = (context: RequestContext, error: unknown, scrub: (text: string) => string): ConnectorError => {
  if (error instanceof Stripe.errors.StripeError) {
    return connectorError(context, reasonOf(error), {
      status: error.statusCode ?? null,
      code: error.code ?? null,
      message: scrub(error.message || `HTTP ${error.statusCode ?? "?"} without a message`)
    })
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return connectorError(context, "transport", { message: scrub(message) })
}
