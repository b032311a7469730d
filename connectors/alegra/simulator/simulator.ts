/** startAlegraSimulator: wires state, engine, webhooks, faults, stats and the HTTP server together. */
import type { Socket } from "node:net"
import { type AlegraSimulatorAdmin, makeAdmin } from "./admin.js"
import { Engine } from "./engine.js"
import { type AlegraSimulatorFaults, Faults } from "./faults.js"
import { RateLimiter } from "./rate-limit.js"
import { BASE_PATH, createApiServer } from "./server.js"
import { Store } from "./state.js"
import { type AlegraSimulatorStats, Stats } from "./stats.js"
import { Webhooks } from "./webhooks.js"

export interface AlegraSimulatorOptions {
  /** The only valid Basic credentials are email:token. */
  readonly email: string
  readonly token: string
  /** Default 0: any free port. The host is always 127.0.0.1. */
  readonly port?: number
  /** Default 150. */
  readonly requestsPerMinute?: number
  /** Default 60. The limit per window is requestsPerMinute × windowSeconds / 60. */
  readonly rateLimitWindowSeconds?: number
  /** Handshake and delivery timeout, default 5000. */
  readonly webhookTimeoutMs?: number
  /** Clock for record dates and timestamps (rate-limit windows and stats use the wall clock). */
  readonly now?: () => Date
}

export interface AlegraSimulator {
  /** "http://127.0.0.1:PORT/api/v1": the base URL a client uses. */
  readonly url: string
  readonly port: number
  readonly email: string
  /** The token accepted now (admin.setToken changes it). */
  readonly token: string
  /** Requests allowed per rate-limit window. */
  readonly rateLimit: { readonly limit: number; readonly windowSeconds: number }
  /** The simulator's clock (options.now), for dates of records made by seeds and activity. */
  now(): Date
  /** Stops the server and pending deliveries, closes keep-alive sockets. */
  close(): Promise<void>
  readonly admin: AlegraSimulatorAdmin
  readonly faults: AlegraSimulatorFaults
  readonly stats: AlegraSimulatorStats
  /** Resolves when no webhook delivery is queued, held back or in flight. */
  waitForDeliveries(): Promise<void>
}

export const startAlegraSimulator = async (options: AlegraSimulatorOptions): Promise<AlegraSimulator> => {
  if (options.email === "" || options.token === "") throw new Error("startAlegraSimulator: email and token are required")
  const rpm = options.requestsPerMinute ?? 150
  const windowSeconds = options.rateLimitWindowSeconds ?? 60
  if (!(rpm > 0) || !(windowSeconds > 0)) throw new Error("startAlegraSimulator: requestsPerMinute and rateLimitWindowSeconds must be > 0")
  const limit = Math.max(1, Math.round((rpm * windowSeconds) / 60))
  const now = options.now ?? (() => new Date())

  const store = new Store(now)
  const stats = new Stats()
  const faults = new Faults()
  const webhooks = new Webhooks(options.webhookTimeoutMs ?? 5000, stats, faults)
  const engine = new Engine(store, (change) => webhooks.emit(change.subject, change.message))
  const limiter = new RateLimiter(limit, windowSeconds * 1000)
  let token = options.token
  const { server, timers } = createApiServer({
    credentials: () => `${options.email}:${token}`,
    limiter,
    faults,
    stats,
    engine,
    webhooks
  })

  const sockets = new Set<Socket>()
  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0

  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    port,
    email: options.email,
    get token() {
      return token
    },
    rateLimit: { limit, windowSeconds },
    now,
    admin: makeAdmin(engine, webhooks, (next) => {
      token = next
    }),
    faults,
    stats,
    waitForDeliveries: () => webhooks.waitIdle(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        webhooks.close()
        for (const t of timers) clearTimeout(t)
        timers.clear()
        server.close(() => resolve())
        server.closeAllConnections()
        for (const s of sockets) s.destroy()
      })
      return closing
    }
  }
}
