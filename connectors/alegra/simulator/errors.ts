/**
 * Errors of the simulated Alegra API.
 *
 * Wire shape (alegra-api.md §2): `{"code": <int>, "message": "<Spanish text>"}`.
 * The real numeric codes are undocumented (an open gap of the notes), so the
 * codes below are the simulator's own choice: HTTP-like codes for transport-level
 * answers, 1xxx for validation, 2xxx for state rules, 3xxx for webhooks.
 */
export const Code = {
  unauthorized: 401,
  notFound: 404,
  methodNotAllowed: 405,
  rateLimited: 429,
  serverError: 500,
  unavailable: 503,
  invalidJson: 1000,
  invalidBody: 1001,
  requiredField: 1002,
  invalidField: 1003,
  referenceNotFound: 1004,
  invalidQuery: 1005,
  limitTooHigh: 1006,
  duplicate: 1007,
  stampedImmutable: 2001,
  hasPayments: 2002,
  amountExceedsBalance: 2003,
  paymentWithoutDocuments: 2004,
  invalidState: 2005,
  inUse: 2006,
  totalBelowPaid: 2007,
  webhookUnknownEvent: 3001,
  webhookDuplicate: 3002,
  webhookHandshakeFailed: 3003
} as const

export class AlegraSimulatorError extends Error {
  override readonly name = "AlegraSimulatorError"
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message)
  }
  toBody(): { code: number; message: string } {
    return { code: this.code, message: this.message }
  }
}

export const badRequest = (code: number, message: string): AlegraSimulatorError =>
  new AlegraSimulatorError(400, code, message)

export const notFound = (message = "El recurso solicitado no existe."): AlegraSimulatorError =>
  new AlegraSimulatorError(404, Code.notFound, message)

export const invalidField = (field: string, detail: string): AlegraSimulatorError =>
  badRequest(Code.invalidField, `El campo '${field}' ${detail}.`)

export const requiredField = (field: string): AlegraSimulatorError =>
  badRequest(Code.requiredField, `El campo '${field}' es obligatorio.`)

export const referenceNotFound = (field: string, what: string, id: string): AlegraSimulatorError =>
  badRequest(Code.referenceNotFound, `El campo '${field}' hace referencia a ${what} que no existe (id ${id}).`)

export const invalidState = (message: string): AlegraSimulatorError => badRequest(Code.invalidState, message)
