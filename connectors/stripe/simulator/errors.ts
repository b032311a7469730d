/**
 * Errors of the simulated API, answered as Stripe's body `{"error": {type, code, message, param, …}}`.
 *
 * `stored` says whether an idempotent request that failed this way keeps its answer for replay:
 * Stripe stores nothing when "incoming parameters failed validation" (the endpoint never started),
 * and stores everything else, 500s included. Validation errors are made with `invalidParams`.
 */

export type ErrorType = "api_error" | "card_error" | "idempotency_error" | "invalid_request_error" | "rate_limit_error"

export interface ErrorBody {
  readonly type: ErrorType
  readonly message: string
  readonly code?: string
  readonly param?: string
  readonly decline_code?: string
  readonly doc_url?: string
  readonly charge?: string
  readonly payment_intent?: Readonly<Record<string, unknown>>
}

export class StripeSimError extends Error {
  override readonly name = "StripeSimError"
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly stored: boolean,
    readonly headers: Readonly<Record<string, string>> = {}
  ) {
    super(body.message)
  }
}

const withDoc = (body: ErrorBody): ErrorBody =>
  body.code === undefined ? body : { ...body, doc_url: `https://stripe.com/docs/error-codes/${body.code.replace(/_/g, "-")}` }

/** A 400 raised while reading parameters: never stored for idempotent replay. */
export const invalidParams = (message: string, param?: string, code?: string): StripeSimError =>
  new StripeSimError(
    400,
    withDoc({ type: "invalid_request_error", message, ...(param === undefined ? {} : { param }), ...(code === undefined ? {} : { code }) }),
    false
  )

/** A 400 raised by a state rule of the endpoint (stored for replay, as Stripe does once execution started). */
export const invalidRequest = (message: string, code?: string, param?: string): StripeSimError =>
  new StripeSimError(
    400,
    withDoc({ type: "invalid_request_error", message, ...(param === undefined ? {} : { param }), ...(code === undefined ? {} : { code }) }),
    true
  )

export const unknownParameter = (param: string): StripeSimError =>
  invalidParams(`Received unknown parameter: ${param}`, param, "parameter_unknown")

export const missingParameter = (param: string): StripeSimError =>
  invalidParams(`Missing required param: ${param}.`, param, "parameter_missing")

export const emptyParameter = (param: string): StripeSimError =>
  invalidParams(
    `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
    param,
    "parameter_invalid_empty"
  )

/** `No such customer: 'cus_x'`: 404 for the object in the path, 400 for an object named by a parameter. */
export const noSuch = (label: string, id: string, param?: string): StripeSimError =>
  param === undefined
    ? new StripeSimError(404, withDoc({ type: "invalid_request_error", message: `No such ${label}: '${id}'`, param: "id", code: "resource_missing" }), true)
    : new StripeSimError(400, withDoc({ type: "invalid_request_error", message: `No such ${label}: '${id}'`, param, code: "resource_missing" }), false)

export const unrecognizedUrl = (method: string, path: string): StripeSimError =>
  new StripeSimError(
    404,
    { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.` },
    false
  )

export const apiError = (message: string): StripeSimError => new StripeSimError(500, { type: "api_error", message }, true)
