/** startStripeSimulator: wires the account, its clock, search, webhooks, faults, stats and the HTTP server. */
import type { Socket } from "node:net"
import Stripe from "stripe"
import { type StripeSimulatorAdmin, makeAdmin } from "./admin.js"
import type { Account } from "./api.js"
import { Clock, type StripeSimulatorClock } from "./clock.js"
import { AUTOMATIC, Events } from "./events.js"
import { Renderer } from "./expand.js"
import { Faults, type StripeSimulatorFaults } from "./faults.js"
import { IdempotencyStore, KEY_TTL_MS } from "./idempotency.js"
import { RateLimiter } from "./rate-limit.js"
import { Cards } from "./resources/cards.js"
import { finalizeDue } from "./resources/invoice-actions.js"
import { SearchIndex } from "./search.js"
import { createApiServer } from "./server.js"
import { Store } from "./state.js"
import { Stats, type StripeSimulatorStats } from "./stats.js"
import { Webhooks } from "./webhooks.js"

/** The API version the simulator speaks: the one stripe@23.1.0 pins. */
export const API_VERSION: string = Stripe.API_VERSION

export interface StripeSimulatorOptions {
  /** The only key accepted; must start with sk_test_. Default "sk_test_simulator". */
  readonly apiKey?: string
  /** Default 0: any free port. The host is always 127.0.0.1. */
  readonly port?: number
  /** Requests per second (Stripe: 25 in test mode, 100 live). Default 25; Infinity turns it off. */
  readonly opsPerSecond?: number
  /** Search requests per second. Default 20. */
  readonly searchOpsPerSecond?: number
  /** How far search lags behind writes, on the simulator's clock. Default 2000 ms. */
  readonly searchLagMs?: number
  /** Delivery timeout. Default 10 000 ms. */
  readonly webhookTimeoutMs?: number
  /** Delays before the automatic retries of a failed delivery. Default [500, 2000, 8000]. */
  readonly webhookRetryDelaysMs?: ReadonlyArray<number>
  /** How long idempotency keys are kept, on the simulator's clock. Default 24 h. */
  readonly idempotencyTtlMs?: number
  /** The clock's base (it can still be advanced). Default Date.now. */
  readonly now?: () => number
  /** The account's name, country and default currency. Default "Simulated Account", "US", "usd". */
  readonly account?: { readonly name?: string; readonly country?: string; readonly defaultCurrency?: string }
}

export interface StripeSimulator {
  /** "http://127.0.0.1:PORT". */
  readonly url: string
  readonly host: "127.0.0.1"
  readonly port: number
  readonly protocol: "http"
  readonly apiKey: string
  readonly apiVersion: string
  /** `new Stripe(sim.apiKey, sim.clientOptions())`. */
  clientOptions(): { host: string; port: number; protocol: "http" }
  readonly clock: StripeSimulatorClock
  readonly admin: StripeSimulatorAdmin
  readonly faults: StripeSimulatorFaults
  readonly stats: StripeSimulatorStats
  readonly search: {
    /** Current lag; set it to change how far search trails writes. */
    lagMs: number
  }
  readonly rateLimit: {
    opsPerSecond: number
    searchOpsPerSecond: number
  }
  readonly webhooks: {
    /** Sends every delivery whose attempts all failed again now; answers how many. */
    retryFailed(): number
  }
  /** Resolves when no delivery is queued, held back or in flight (scheduled retries aside). */
  waitForDeliveries(): Promise<void>
  /** Stops the server and deliveries, closes keep-alive sockets. */
  close(): Promise<void>
}

export const startStripeSimulator = async (options: StripeSimulatorOptions = {}): Promise<StripeSimulator> => {
  const apiKey = options.apiKey ?? "sk_test_simulator"
  if (!/^sk_test_[A-Za-z0-9_]+$/.test(apiKey)) throw new Error("startStripeSimulator: apiKey must be a test secret key (sk_test_…)")
  const clock = new Clock(options.now)
  const store = new Store(clock)
  const stats = new Stats()
  const faults = new Faults()
  const search = new SearchIndex(options.searchLagMs ?? 2000)
  store.onWrite((kind, id, object, at) => search.record(kind, id, object, at))
  const renderer = new Renderer(store)
  const events = new Events(store, renderer, clock, API_VERSION)
  const webhooks = new Webhooks(store, clock, stats, faults, {
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    retryDelaysMs: options.webhookRetryDelaysMs ?? [500, 2000, 8000]
  })
  events.recipients = (type) => webhooks.recipients(type)
  events.onEvent((event) => webhooks.onEvent(event))
  const account: Account = {
    store,
    clock,
    renderer,
    events,
    search,
    webhooks,
    cards: new Cards(),
    settings: {
      apiVersion: API_VERSION,
      name: options.account?.name ?? "Simulated Account",
      country: options.account?.country ?? "US",
      defaultCurrency: options.account?.defaultCurrency ?? "usd"
    }
  }
  clock.onAdvance(() => finalizeDue(account, AUTOMATIC))
  const limiter = new RateLimiter(options.opsPerSecond ?? 25)
  const searchLimiter = new RateLimiter(options.searchOpsPerSecond ?? 20)
  const idempotency = new IdempotencyStore(clock, options.idempotencyTtlMs ?? KEY_TTL_MS)
  const { server, timers } = createApiServer({ apiKey, account, limiter, searchLimiter, faults, stats, idempotency })

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
    url: `http://127.0.0.1:${port}`,
    host: "127.0.0.1",
    port,
    protocol: "http",
    apiKey,
    apiVersion: API_VERSION,
    clientOptions: () => ({ host: "127.0.0.1", port, protocol: "http" }),
    clock,
    admin: makeAdmin(account, (id) => webhooks.secretOf(id)),
    faults,
    stats,
    search: {
      get lagMs() {
        return search.lagMs
      },
      set lagMs(ms: number) {
        if (!(ms >= 0)) throw new RangeError(`search lag must be >= 0 ms, got ${ms}`)
        search.lagMs = ms
      }
    },
    rateLimit: {
      get opsPerSecond() {
        return limiter.perSecond
      },
      set opsPerSecond(n: number) {
        limiter.perSecond = n
      },
      get searchOpsPerSecond() {
        return searchLimiter.perSecond
      },
      set searchOpsPerSecond(n: number) {
        searchLimiter.perSecond = n
      }
    },
    webhooks: { retryFailed: () => webhooks.retryFailed() },
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
