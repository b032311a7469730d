import { HttpServerResponse } from "@effect/platform"

/**
 * The one answer for anything that is not there: an unknown route, a wrong method,
 * and a webhook URL with a wrong token. Identical status, body and content type, so
 * that probing cannot tell a webhook path from nothing.
 */
export const notFound = HttpServerResponse.unsafeJson({ error: "not found" }, { status: 404 })
