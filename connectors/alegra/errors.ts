/**
 * Turning HTTP outcomes into the port's `ConnectorError`s (system "alegra"), and keeping
 * credentials out of them.
 *
 * Alegra's error body is `{code, message}`, sometimes wrapped as `{error: {code, message}}`;
 * a 429 is sometimes "disguised" as a 400 whose body carries `code: 429`. A refusal by a
 * state rule (a stamped document, a paid invoice, an amount over the balance: codes 2001–2007)
 * is a "conflict", any other 4xx a "validation" error carrying Alegra's message.
 */
import { ConnectorError, type ConnectorFailure } from "../../src/ports/connector.js"

export interface AlegraErrorBody {
  readonly code: number | null
  readonly message: string | null
}

const asCode = (value: unknown): number | null => {
  if (typeof value === "number" && Number.isFinite(value)) return value
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) return Number(value)
  return null
}

const asMessage = (value: unknown): string | null => {
  if (typeof value === "string") return value.trim() === "" ? null : value
  if (Array.isArray(value)) {
    const parts = value.map(asMessage).filter((m): m is string => m !== null)
    return parts.length > 0 ? parts.join("; ") : null
  }
  return null
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Reads `{code, message}`, `{error: {code, message}}`, `{error: "text"}` or `{message: {code, message}}`. */
export const parseErrorBody = (body: unknown): AlegraErrorBody => {
  if (!isObject(body)) return { code: null, message: asMessage(body) }
  const nested = isObject(body.error) ? body.error : isObject(body.message) ? body.message : null
  const code = asCode(body.code) ?? (nested !== null ? asCode(nested.code) : null)
  const message = asMessage(body.message) ??
    (nested !== null ? asMessage(nested.message) : null) ??
    asMessage(body.error) ??
    asMessage(body.errors)
  return { code, message }
}

/** Parses a response text as JSON; undefined when it is not JSON. */
export const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  if (text.trim() === "") return { ok: true, value: null }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

/** 429, or a 400 whose body says code 429. */
export const isRateLimited = (status: number, body: AlegraErrorBody): boolean =>
  status === 429 || (status === 400 && body.code === 429)

/**
 * Alegra's codes for its state rules (shared/reference: undocumented; the simulator's own, see
 * its README): the stamped document is immutable (2001), has payments (2002), an amount over the
 * balance (2003), a payment without documents (2004), an invalid state change (2005), a record in
 * use (2006), a total below what is paid (2007).
 */
const STATE_RULES = new Set([2001, 2002, 2003, 2004, 2005, 2006, 2007])

/** Which failure an HTTP status (other than 2xx) means. */
export const classifyStatus = (status: number, body: AlegraErrorBody): ConnectorFailure => {
  if (isRateLimited(status, body)) return "rate-limit"
  if (status === 401 || status === 402 || status === 403) return "auth"
  if (status === 408 || status >= 500) return "server"
  if (body.code !== null && STATE_RULES.has(body.code)) return "conflict"
  return "validation"
}

/**
 * Replaces every occurrence of the secrets in a text. Messages are built from our own
 * strings, Alegra's message and transport error texts; this is the last line of defence
 * in case any of them echoes the Authorization header or the token.
 */
export const makeScrubber = (secrets: ReadonlyArray<string>) => {
  const needles = secrets.filter((s) => s.length >= 4)
  return (text: string): string => {
    let out = text
    for (const needle of needles) out = out.split(needle).join("<redacted>")
    return out
  }
}

export interface ErrorContext {
  readonly method: string
  readonly path: string
}

export const alegraError = (
  context: ErrorContext,
  reason: ConnectorFailure,
  fields: { readonly status?: number | null; readonly code?: number | string | null; readonly message: string }
): ConnectorError =>
  new ConnectorError({
    system: "alegra",
    reason,
    method: context.method,
    path: context.path,
    status: fields.status ?? null,
    code: fields.code === null || fields.code === undefined ? null : String(fields.code),
    message: fields.message
  })

/** The message of an error response: Alegra's own when it sent one. */
export const describeStatus = (status: number, body: AlegraErrorBody): string =>
  body.message ?? `HTTP ${status} without an error message`

/** A short text for a transport failure, without the request (whose headers carry the credentials). */
export const describeCause = (cause: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error || isObject(current)) {
      const c = current as { code?: unknown; message?: unknown; cause?: unknown }
      if (typeof c.code === "string") parts.push(c.code)
      if (typeof c.message === "string" && c.message !== "") parts.push(c.message)
      current = c.cause
    } else {
      parts.push(String(current))
      break
    }
  }
  const unique = parts.filter((p, i) => parts.indexOf(p) === i)
  return unique.length > 0 ? unique.join(": ") : "unknown transport error"
}
