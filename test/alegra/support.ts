/** A small node:http server for exact control of headers, timing and failures, plus helpers. */
import { Effect, Redacted } from "effect"
import { createServer } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, expect } from "vitest"
import { AlegraLive, makeAlegraApi, makeAlegraHttp, memoryRateBudget } from "../../connectors/alegra/index.js"
import type { AlegraApi, AlegraClientOptions, AlegraOptions } from "../../connectors/alegra/index.js"
import { startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { maxInAnyWindow } from "../../connectors/alegra/simulator/stats.js"
import { Alegra } from "../../src/ports/alegra.js"
import type { AlegraPort } from "../../src/ports/alegra.js"
import type { RateBudgetPort } from "../../src/ports/rate-budget.js"

export interface Arrival {
  /** Date.now() when the request arrived (comparable with readAt). */
  readonly at: number
  readonly method: string
  readonly url: URL
  readonly headers: IncomingMessage["headers"]
  readonly body: string
  /** 0-based index of this request among all requests the server received. */
  readonly index: number
}

export type Handler = (arrival: Arrival, res: ServerResponse) => void

export interface TestServer {
  /** Base URL of the API, ending in /api/v1. */
  readonly url: string
  readonly arrivals: Array<Arrival>
  close(): Promise<void>
}

export const startServer = async (handler: Handler): Promise<TestServer> => {
  const arrivals: Array<Arrival> = []
  const server = createServer((req, res) => {
    const at = Date.now()
    const chunks: Array<Uint8Array> = []
    req.on("data", (c: Uint8Array) => chunks.push(c))
    req.on("end", () => {
      const arrival: Arrival = {
        at,
        method: req.method ?? "GET",
        url: new URL(req.url ?? "/", "http://localhost"),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        index: arrivals.length
      }
      arrivals.push(arrival)
      handler(arrival, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** Test servers and simulators for the tests of one file, each closed after its test. */
export const harness = () => {
  const open: Array<{ close(): Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()))
  })
  const track = <T extends { close(): Promise<void> }>(opened: T): T => {
    open.push(opened)
    return opened
  }
  return {
    serve: async (handler: Handler) => track(await startServer(handler)),
    simulator: async (requestsPerMinute: number, rateLimitWindowSeconds: number) =>
      track(await startAlegraSimulator({ email: EMAIL, token: TOKEN, requestsPerMinute, rateLimitWindowSeconds }))
  }
}

export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers })
  res.end(text)
}

export const EMAIL = "owner@example.com"
export const TOKEN = "tok_9f8e7d6c5b4a3210secret"
export const BASIC = Buffer.from(`${EMAIL}:${TOKEN}`).toString("base64")

export const options = (baseUrl: string, overrides: Partial<AlegraClientOptions> = {}): AlegraClientOptions => ({
  baseUrl,
  email: EMAIL,
  token: Redacted.make(TOKEN),
  requestsPerMinute: 600,
  rateLimitWindowSeconds: 2,
  retryBaseDelayMs: 20,
  ...overrides
})

/**
 * Runs `f` with Alegra's API (the client under the port) freshly built over real HTTP: with
 * its own in-process budget, or with `budget` when given (a budget shared with other clients).
 */
export const withAlegra = <A, E>(
  opts: AlegraClientOptions,
  f: (alegra: AlegraApi) => Effect.Effect<A, E>,
  budget?: RateBudgetPort
): Promise<A> =>
  Effect.runPromise(
    makeAlegraHttp(opts, budget ?? memoryRateBudget()).pipe(
      Effect.map(makeAlegraApi),
      Effect.flatMap(f),
      Effect.scoped
    )
  )

/** Runs `f` with the whole connector (the `Alegra` port) freshly built over real HTTP. */
export const withConnector = <A, E>(opts: AlegraOptions, f: (alegra: AlegraPort) => Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromise(Effect.flatMap(Alegra, f).pipe(Effect.provide(AlegraLive(opts))))

/** One request as the client sent it (a page's or an observation's readAt) and as the server saw it arrive. */
export interface Exchange {
  readonly sentAt: number
  readonly arrivedAt: number
}

/**
 * Checks the pacing the client promises, on a loaded machine too: at most `limit` starts in
 * any span of window + margin, as sent; and at the server, the same span shortened by the
 * largest delay measured between sending and arriving (a cold connection, a stalled event
 * loop). When that delay stays within the margin, no window of the server's holds more
 * than the limit. Returns the delay.
 */
export const expectPaced = (
  exchanges: ReadonlyArray<Exchange>,
  pacing: { readonly limit: number; readonly windowMs: number; readonly marginMs: number },
  limit = pacing.limit
): { readonly jitterMs: number } => {
  const horizon = pacing.windowMs + pacing.marginMs
  for (const e of exchanges) expect(e.arrivedAt).toBeGreaterThanOrEqual(e.sentAt)
  expect(maxInAnyWindow(exchanges.map((e) => e.sentAt), horizon)).toBeLessThanOrEqual(limit)
  const jitterMs = Math.max(0, ...exchanges.map((e) => e.arrivedAt - e.sentAt))
  expect(maxInAnyWindow(exchanges.map((e) => e.arrivedAt), Math.max(1, horizon - jitterMs))).toBeLessThanOrEqual(limit)
  return { jitterMs }
}
