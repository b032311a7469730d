/**
 * Webhook routes answered by a plain Node request listener, in front of the Effect router.
 *
 * Why this exists: a webhook sender waits for our answer and gives up (Alegra after
 * 5 s, deleting the subscription after 10 failures), so deliveries must be answered
 * in microseconds even during a burst, and they are the one path under load. Served
 * by the Effect router, each delivery cost a fiber, the router's request and response
 * objects and a fiber per step of its handler: 0.04–0.06 of a bare node:http server
 * at concurrency 100 (`npm run bench -- --only ingest`). Here a delivery costs what
 * Node's own parsing costs plus its route's handler, which only enqueues the delivery
 * for the group commit (src/capture/ingest.ts) and answers from its callback: 0.23–0.67
 * of bare on the same shared 2-core machine.
 *
 * Every other request (any other path or method, /health, /metrics) goes on to the
 * Effect app. One server, one port, the same limits (src/server/http.ts).
 *
 * A route sees the body as the bytes received, so a route for a signed webhook
 * (Stripe, HubSpot) can check the signature on exactly those bytes.
 */
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from "node:http"
import { type JsonAnswer, notFoundAnswer, writeJson } from "./responses.js"

export interface WebhookDelivery {
  /** The rest of the path after the route's prefix, without the query (Alegra: the URL token). */
  readonly param: string
  /** The request target as received: path and query. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  /** The body exactly as received. */
  readonly body: Buffer
}

export interface WebhookRoute {
  /** Names the route in logs. */
  readonly name: string
  /** POST requests whose path starts with it are this route's. */
  readonly prefix: string
  /**
   * Checked before the body is read (Alegra: the URL token, in constant time). False:
   * the answer of a route that does not exist, so probing cannot find the route.
   */
  readonly accepts: (param: string) => boolean
  /** Larger bodies are answered 413 and never reach `handle`. */
  readonly maxBodyBytes: number
  /**
   * Takes a whole delivery and answers it once through `answer`. It runs on the
   * request path: it must never block, only hand the work on and answer when done.
   */
  readonly handle: (delivery: WebhookDelivery, answer: (answer: JsonAnswer) => void) => void
}

/** What a route's handler throwing is answered with (the sender retries). */
export const failedAnswer: JsonAnswer = { status: 500, body: { error: "could not record the delivery" } }

const tooLarge: JsonAnswer = { status: 413, body: { error: "body too large" } }

/** The path of a request target, without its query. */
const pathOf = (url: string): string => {
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}

const closeConnection = { connection: "close" } as const

const answerOnce = (response: ServerResponse, closing: () => boolean) => {
  let answered = false
  return (answer: JsonAnswer, headers?: Readonly<Record<string, string>>) => {
    // A sender that hung up has no one to answer; what was recorded stays recorded.
    if (answered || response.destroyed) return
    answered = true
    // While the server closes, a sender that keeps its connection busy would keep the daemon from stopping.
    writeJson(response, answer, closing() ? closeConnection : headers)
  }
}

/** Reads the whole body of `request`, or answers 413 (and closes the connection) past `limit` bytes. */
const readBody = (
  request: IncomingMessage,
  limit: number,
  answer: ReturnType<typeof answerOnce>,
  use: (body: Buffer) => void
) => {
  const declared = Number(request.headers["content-length"] ?? "0")
  // Whatever the client keeps sending is read and dropped by Node before it closes the connection.
  if (declared > limit) return answer(tooLarge, closeConnection)
  // Views of the chunks, typed as what Buffer.concat takes (@types/node's Buffer is not one for TS 5.9).
  const chunks: Array<Uint8Array> = []
  let size = 0
  let overflow = false
  request.on("data", (chunk: Buffer) => {
    if (overflow) return
    size += chunk.length
    if (size <= limit) return void chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))
    overflow = true
    chunks.length = 0
    answer(tooLarge, closeConnection)
  })
  request.on("end", () => {
    if (!overflow) use(Buffer.concat(chunks, size))
  })
  // A client that hangs up mid-body: nothing was handed on, and there is no one to answer.
  request.on("error", () => {})
}

/**
 * The server's request listener: POSTs to a webhook route are handled here, anything
 * else goes to `next` (the Effect app).
 */
export const webhookListener = (
  routes: ReadonlyArray<WebhookRoute>,
  options: {
    readonly next: RequestListener
    /** Told when a route's handler throws. */
    readonly onDefect: (route: WebhookRoute, defect: unknown) => void
    /** True once the server is closing: each answer then closes its connection. */
    readonly closing: () => boolean
  }
): RequestListener =>
(request, response) => {
  const url = request.url ?? "/"
  const route = request.method === "POST" ? routes.find((r) => url.startsWith(r.prefix)) : undefined
  if (route === undefined) return options.next(request, response)
  const answer = answerOnce(response, options.closing)
  const param = pathOf(url).slice(route.prefix.length)
  if (!route.accepts(param)) return answer(notFoundAnswer)
  readBody(request, route.maxBodyBytes, answer, (body) => {
    try {
      route.handle({ param, url, headers: request.headers, body }, answer)
    } catch (defect) {
      options.onDefect(route, defect)
      answer(failedAnswer)
    }
  })
}
