/**
 * Pacing and rate limits over real HTTP: a node:http server for exact control of the
 * headers, and the Alegra simulator for its fixed windows. Every window assertion holds on
 * a loaded machine: it is made on the send times the client records (readAt) and, at the
 * server, with the margin the client promises less the delay measured on the way
 * (`expectPaced`); bounds on waiting are lower bounds, or generous upper ones.
 */
import { Effect, Either, Fiber } from "effect"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { describe, expect, it } from "vitest"
import { memoryRateBudget, pacingFor } from "../../connectors/alegra/index.js"
import type { RequestRecord } from "../../connectors/alegra/simulator/index.js"
import type { AlegraApi, Page } from "../../connectors/alegra/index.js"
import type { Arrival } from "./support.js"
import { expectPaced, harness, json, options, withAlegra } from "./support.js"

const { serve, simulator } = harness()

const contactPage = (arrival: Arrival, total: number) => {
  const start = Number(arrival.url.searchParams.get("start") ?? 0)
  const rows = []
  for (let i = start; i < Math.min(total, start + 30); i++) rows.push({ id: String(i + 1), name: `Contact ${i + 1}`, type: ["client"] })
  return rows
}

const startOf = (path: string): number => Number(new URL(path, "http://x").searchParams.get("start"))

/** Pages listed with distinct `start`s, paired with their arrivals at the simulator. */
const exchangesAt = (pages: ReadonlyArray<Page>, requests: ReadonlyArray<RequestRecord>, starts: ReadonlyArray<number>) => {
  const arrived = new Map(requests.filter((r) => r.status === 200).map((r) => [startOf(r.path), r.at]))
  return pages.map((page, i) => ({ sentAt: page.readAt, arrivedAt: arrived.get(starts[i]!)! }))
}

describe("429 and X-Rate-Limit-*", () => {
  it("a 429 is waited out for X-Rate-Limit-Reset seconds, then retried", async () => {
    const server = await serve((a, res) =>
      a.index === 0
        ? json(res, 429, { code: 429, message: "Too many requests" }, {
          "x-rate-limit-limit": "150",
          "x-rate-limit-remaining": "0",
          "x-rate-limit-reset": "1"
        })
        : json(res, 200, contactPage(a, 2))
    )
    const { page, usage } = await withAlegra(options(server.url), (alegra) =>
      Effect.all({ page: alegra.listPage("contact", { start: 0 }), usage: alegra.usage }))
    expect(page.records).toHaveLength(2)
    expect(usage).toEqual({ requests: 2, rateLimited: 1, retries: 1, busiestMinute: 2 })
    expect(server.arrivals[1]!.at - server.arrivals[0]!.at).toBeGreaterThanOrEqual(1000)
  })

  it("a 400 whose body carries code 429 is a rate limit too", async () => {
    const server = await serve((a, res) =>
      a.index === 0
        ? json(res, 400, { error: { code: 429, message: "Límite de peticiones" } }, { "x-rate-limit-reset": "1" })
        : json(res, 200, contactPage(a, 1))
    )
    const { page, usage } = await withAlegra(options(server.url), (alegra) =>
      Effect.all({ page: alegra.listPage("contact", { start: 0 }), usage: alegra.usage }))
    expect(page.records).toHaveLength(1)
    expect(usage).toEqual({ requests: 2, rateLimited: 1, retries: 1, busiestMinute: 2 })
    expect(server.arrivals[1]!.at - server.arrivals[0]!.at).toBeGreaterThanOrEqual(1000)
  })

  it("a 429 without Reset waits a whole window; one with Reset 0 still waits a second", async () => {
    const server = await serve((a, res) =>
      a.index === 0
        ? json(res, 429, { message: "slow down" })
        : a.index === 2
        ? json(res, 429, { message: "slow down" }, { "x-rate-limit-reset": "0" })
        : json(res, 200, [])
    )
    await withAlegra(options(server.url, { rateLimitWindowSeconds: 3, requestsPerMinute: 600 }), (alegra) =>
      Effect.zip(alegra.listPage("contact", { start: 0 }), alegra.listPage("contact", { start: 0 })))
    expect(server.arrivals[1]!.at - server.arrivals[0]!.at).toBeGreaterThanOrEqual(3000)
    expect(server.arrivals[3]!.at - server.arrivals[2]!.at).toBeGreaterThanOrEqual(1000)
  })

  it("429s that persist fail after a bounded time with reason rate-limit, and health says when to come back", async () => {
    const server = await serve((_a, res) => json(res, 429, { message: "no" }, { "x-rate-limit-reset": "1" }))
    const started = Date.now()
    const { error, health } = await withAlegra(
      options(server.url, { maxRateLimitWaitMs: 1500 }),
      (alegra) => Effect.all({ error: Effect.flip(alegra.read("item", "1")), health: alegra.health })
    )
    const elapsed = Date.now() - started
    expect(error).toMatchObject({ reason: "rate-limit", status: 429 })
    expect(error.transient).toBe(true)
    expect(error.message).toContain("gave up after 2 attempts")
    // The first 429 pauses for 1 s (within the 1.5 s allowed), the second would go past it.
    expect(server.arrivals).toHaveLength(2)
    expect(elapsed).toBeGreaterThanOrEqual(1000)
    expect(health.state).toBe("rate-limited")
    expect(health.pausedUntil).toBeGreaterThanOrEqual(server.arrivals[1]!.at + 1000)
    expect(health.lastFailure).toMatchObject({ reason: "rate-limit", message: "no" })
  })

  it("concurrent 429s pause the client once, until the latest reset: pauses never add up", async () => {
    // The server's window is used up for its first 500 ms: three requests in flight are refused.
    let first: number | undefined
    const server = await serve((a, res) => {
      first ??= a.at
      if (a.at < first + 500) {
        setTimeout(() => json(res, 429, { message: "over" }, { "x-rate-limit-reset": "1" }), 20)
      } else {
        json(res, 200, contactPage(a, 1))
      }
    })
    const fast = options(server.url, { requestsPerMinute: 60_000, rateLimitWindowSeconds: 1 })
    const usage = await withAlegra(fast, (alegra) =>
      Effect.zipRight(
        Effect.forEach([0, 1, 2], (i) => alegra.listPage("contact", { start: i }), { concurrency: "unbounded" }),
        alegra.usage
      ))
    expect(usage).toMatchObject({ requests: 6, rateLimited: 3, retries: 3 })
    const refused = server.arrivals.slice(0, 3)
    const retries = server.arrivals.slice(3)
    expect(refused.every((a) => a.at < first! + 500)).toBe(true)
    for (const retry of retries) expect(retry.at).toBeGreaterThanOrEqual(Math.max(...refused.map((a) => a.at)) + 1000)
    // Three pauses of a second each, had they added up, would have held the retries for 3 s.
    expect(Math.max(...retries.map((r) => r.at)) - first!).toBeLessThan(2500)
  })

  it("when X-Rate-Limit-Remaining reaches 0 nothing is sent until Reset elapses, and no 429 comes", async () => {
    // The server's budget is shared with someone else: it has 1 request left for us.
    let windowEnds = 0
    const server = await serve((a, res) => {
      if (a.index === 0) windowEnds = a.at + 1000
      if (a.at < windowEnds && a.index > 0) return json(res, 429, { message: "over" }, { "x-rate-limit-reset": "1" })
      const remaining = a.index === 0 ? 0 : 100
      json(res, 200, contactPage(a, 60), {
        "x-rate-limit-limit": "150",
        "x-rate-limit-remaining": String(remaining),
        "x-rate-limit-reset": "1"
      })
    })
    const { pages, usage } = await withAlegra(options(server.url), (alegra) =>
      Effect.all({
        pages: Effect.gen(function*() {
          const first = yield* alegra.listPage("contact", { start: 0 })
          const second = yield* alegra.listPage("contact", { start: first.next! })
          return [first, second]
        }),
        usage: alegra.usage
      }))
    expect(pages.map((p) => p.records.length)).toEqual([30, 30])
    expect(usage.rateLimited).toBe(0)
    expect(server.arrivals).toHaveLength(2)
    expect(server.arrivals[1]!.at - server.arrivals[0]!.at).toBeGreaterThanOrEqual(1000)
  })
})

describe("pacing", () => {
  it("never exceeds the budget in any window (20 requests per 2 s), with 3 in flight at most", async () => {
    let inFlight = 0
    let maxInFlight = 0
    const server = await serve((a, res) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      setTimeout(() => {
        inFlight--
        json(res, 200, contactPage(a, 5))
      }, 15)
    })
    const opts = options(server.url, { requestsPerMinute: 600, rateLimitWindowSeconds: 2 })
    const pacing = pacingFor(opts.requestsPerMinute, opts.rateLimitWindowSeconds)
    const started = Date.now()
    const pages = await withAlegra(opts, (alegra) =>
      Effect.forEach(Array.from({ length: 45 }, (_, i) => i), (i) => alegra.listPage("contact", { start: i }), {
        concurrency: "unbounded"
      }))
    const elapsed = Date.now() - started
    expect(server.arrivals).toHaveLength(45)
    const arrived = new Map(server.arrivals.map((a) => [Number(a.url.searchParams.get("start")), a.at]))
    expectPaced(pages.map((page, i) => ({ sentAt: page.readAt, arrivedAt: arrived.get(i)! })), pacing)
    expect(maxInFlight).toBeLessThanOrEqual(3)
    // 45 requests need a third window: the 41st start waits for two windows and margins.
    expect(elapsed).toBeGreaterThanOrEqual(2 * (pacing.windowMs + pacing.marginMs))
    // Starts are spread evenly: never two closer than the spacing.
    const sent = pages.map((p) => p.readAt).sort((a, b) => a - b)
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(pacing.spacingMs)
  })

  it("background reads use at most half the budget and do not starve foreground work", async () => {
    const server = await serve((_a, res) => json(res, 200, []))
    const opts = options(server.url, { requestsPerMinute: 600, rateLimitWindowSeconds: 2 })
    const pacing = pacingFor(opts.requestsPerMinute, opts.rateLimitWindowSeconds)
    const { background, foreground } = await withAlegra(opts, (alegra) =>
      Effect.gen(function*() {
        const sweep = yield* Effect.fork(
          Effect.forEach(Array.from({ length: 15 }, (_, i) => i), (i) => alegra.listPage("item", { start: i, background: true }), {
            concurrency: "unbounded"
          })
        )
        // Foreground work arriving while the sweep runs.
        const foreground = yield* Effect.forEach(Array.from({ length: 10 }, (_, i) => i), (i) => alegra.listPage("contact", { start: i }), {
          concurrency: "unbounded"
        })
        return { background: yield* Fiber.join(sweep), foreground }
      }))
    const arrivedAt = (path: string) =>
      new Map(server.arrivals.filter((a) => a.url.pathname.endsWith(path)).map((a) => [Number(a.url.searchParams.get("start")), a.at]))
    const items = arrivedAt("/items")
    const contacts = arrivedAt("/contacts")
    const itemExchanges = background.map((page, i) => ({ sentAt: page.readAt, arrivedAt: items.get(i)! }))
    const contactExchanges = foreground.map((page, i) => ({ sentAt: page.readAt, arrivedAt: contacts.get(i)! }))
    expectPaced(itemExchanges, pacing, pacing.backgroundLimit)
    expectPaced([...itemExchanges, ...contactExchanges], pacing)
    // All foreground requests are among the first window's 20 starts, beside the background half.
    const order = [...server.arrivals].sort((a, b) => a.at - b.at || a.index - b.index)
    expect(order.slice(0, pacing.limit).filter((a) => a.url.pathname.endsWith("/contacts"))).toHaveLength(10)
  })
})

describe("against the simulator's fixed windows", () => {
  it("uses at least 0.95 of every full window, and never more than the limit (150 per 6 s)", async () => {
    const sim = await simulator(1500, 6)
    const opts = options(sim.url, { requestsPerMinute: 1500, rateLimitWindowSeconds: 6 })
    const pacing = pacingFor(opts.requestsPerMinute, opts.rateLimitWindowSeconds)
    expect(pacing.limit).toBe(sim.rateLimit.limit)
    // Enough work for three windows: at least two of them lie wholly within the run.
    const starts = Array.from({ length: 470 }, (_, i) => i)
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    const { pages, usage } = await withAlegra(opts, (alegra) =>
      Effect.all({
        pages: Effect.forEach(starts, (i) => alegra.listPage("contact", { start: i }), { concurrency: 8 }),
        usage: alegra.usage
      }))
    loop.disable()
    const requests = sim.stats.requests()
    const windows = sim.stats.windows(pacing.windowMs)
    const full = windows.filter((w) => w.full)
    expect(full.length).toBeGreaterThanOrEqual(2)
    const { jitterMs } = expectPaced(exchangesAt(pages, requests, starts), pacing)
    // Within the margin the client promises, no window of the server's goes over and nothing is refused.
    if (jitterMs <= pacing.marginMs) {
      for (const w of windows) expect(w.count, `window at ${w.start}`).toBeLessThanOrEqual(150)
      expect(requests.every((r) => r.status === 200)).toBe(true)
      expect(usage.rateLimited).toBe(0)
    }
    // Using the budget takes a process that is not starved: when this one's event loop never
    // stalled longer than the margin, every full window is near full. (pacing.test.ts checks
    // the same on a virtual clock, whatever the machine's load.)
    if (loop.max / 1e6 <= pacing.marginMs) {
      for (const w of full) expect(w.count / 150, `window at ${w.start}`).toBeGreaterThanOrEqual(0.95)
    }
  })

  it("two clients that do not share a budget, each configured far above the account's 40 per 3 s: every 429 pauses until the reset, never longer", async () => {
    // The report, with a 3 s window: a daemon and a backfill on an account limited to
    // 40 requests per window, each believing it may send 400.
    const sim = await simulator(800, 3)
    const windowMs = 3000
    sim.faults.rateLimit(1, { disguised: true }) // one 400 carrying code 429, as reported
    const opts = options(sim.url, { requestsPerMinute: 8000, rateLimitWindowSeconds: 3, maxConcurrency: 1 })
    // Each client reads until it has 40 pages: together two windows' worth and more, so both
    // meet 429s. Counted, not timed: a loaded machine makes it slower, not different.
    const wanted = 40
    const hammer = (alegra: AlegraApi, kind: "contact" | "item") =>
      Effect.gen(function*() {
        let ok = 0
        while (ok < wanted) {
          const page = yield* Effect.either(alegra.listPage(kind, { start: 0 }))
          if (Either.isRight(page)) ok++
        }
        return ok
      })
    const [contactsOk, itemsOk] = await Promise.all([
      withAlegra(opts, (alegra) => hammer(alegra, "contact")),
      withAlegra(opts, (alegra) => hammer(alegra, "item"))
    ])
    expect([contactsOk, itemsOk]).toEqual([wanted, wanted])
    const requests = [...sim.stats.requests()].sort((a, b) => a.at - b.at)
    const limited = requests.filter((r) => r.status === 429 || r.fault === "rate-limit-disguised")
    expect(limited.length).toBeGreaterThan(0)
    for (const client of ["/contacts", "/items"]) {
      const mine = requests.filter((r) => new URL(r.path, "http://x").pathname.endsWith(client))
      mine.forEach((r, i) => {
        if (r.status !== 429 && r.fault !== "rate-limit-disguised") return
        const next = mine[i + 1]
        if (next === undefined) return // the run ended during the pause
        // Never asked again in the window that refused it...
        expect(Math.floor(next.at / windowMs), `${client} after the 429 at ${r.at}`).toBeGreaterThan(Math.floor(r.at / windowMs))
        // ...and asked again as soon as the reset it was given has passed.
        expect(next.at - r.at, `${client} after the 429 at ${r.at}`).toBeLessThanOrEqual(r.reset * 1000 + 1000)
      })
    }
    // Each client is refused at most once per window: a 429 holds it until the window ends.
    const windows = Math.ceil((requests.at(-1)!.at - requests[0]!.at) / windowMs) + 1
    expect(limited.length).toBeLessThanOrEqual(2 * windows + 1)
    // The account is never left idle for more than about a window.
    for (let i = 1; i < requests.length; i++) {
      expect(requests[i]!.at - requests[i - 1]!.at).toBeLessThanOrEqual(windowMs + 1000)
    }
  })

  it("two clients sharing one budget stay within the account's limit: no 429 at all", async () => {
    const sim = await simulator(1200, 1) // 20 per 1 s window
    const opts = options(sim.url, { requestsPerMinute: 1200, rateLimitWindowSeconds: 1 })
    const pacing = pacingFor(opts.requestsPerMinute, opts.rateLimitWindowSeconds)
    const budget = memoryRateBudget()
    const starts = (offset: number) => Array.from({ length: 45 }, (_, i) => offset + i)
    const list = (offset: number) => (alegra: AlegraApi) =>
      Effect.forEach(starts(offset), (i) => alegra.listPage("contact", { start: i }), { concurrency: 4 })
    const [a, b] = await Promise.all([withAlegra(opts, list(0), budget), withAlegra(opts, list(1000), budget)])
    const requests = sim.stats.requests()
    const ok = requests.filter((r) => r.status === 200)
    expect(ok).toHaveLength(90)
    // Paced as one client: at most 20 starts in any window + margin across both.
    const { jitterMs } = expectPaced([...exchangesAt(a, ok, starts(0)), ...exchangesAt(b, ok, starts(1000))], pacing)
    // Within the margin the client promises, the server never refuses a request.
    if (jitterMs <= pacing.marginMs) {
      expect(requests).toHaveLength(90)
      for (const w of sim.stats.windows(1000)) expect(w.count).toBeLessThanOrEqual(20)
    }
  })
})
