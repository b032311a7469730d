import type { ServerResponse } from "node:http"
import { HttpServerResponse } from "@effect/platform"

/** A JSON answer: what the Effect routes and the raw webhook routes (./webhooks.ts) both send. */
export interface JsonAnswer {
  readonly status: number
  readonly body: Readonly<Record<string, unknown>>
}

/**
 * The one answer for anything that is not there: an unknown route, a wrong method,
 * and a webhook URL with a wrong token. Identical status, body and content type, so
 * that probing cannot tell a webhook path from nothing.
 */
export const notFoundAnswer: JsonAnswer = { status: 404, body: { error: "not found" } }

/** `notFoundAnswer` for the Effect router. */
export const notFound = HttpServerResponse.unsafeJson(notFoundAnswer.body, { status: notFoundAnswer.status })

/** Writes `answer` on a plain Node response, with the content type the Effect router gives JSON. */
export const writeJson = (response: ServerResponse, answer: JsonAnswer, headers?: Readonly<Record<string, string>>): void => {
  const text = JSON.stringify(answer.body)
  response.writeHead(answer.status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text)
  })
  response.end(text)
}
