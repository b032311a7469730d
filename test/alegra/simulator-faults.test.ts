/** Rate limiting and fault injection of the Alegra simulator, over real HTTP. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import type { AlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { api, AUTH, call, start, waitFor } from "./simulator-support.js"

/** Waits (by polling the clock) until the next fixed window has just begun, so a burst fits in one fresh window. */
const atWindowStart = (windowMs: number) => {
  const current = Math.floor(Date.now() / windowMs)
  return waitFor(
    "the start of the next rate-limit window",
    () => Math.floor(Date.now() / windowMs) > current && Date.now() % windowMs < 150,
    windowMs + 500
  )
}

describe("rate limit", () => {
  let sim: AlegraSimulator
  // 600 per minute over 1 s windows: 10 requests per window.
  beforeAll(async () => {
    sim = await start({ requestsPerMinute: 600, rateLimitWindowSeconds: 1 })
  })
  afterAll(() => sim.close())

  it("sends the headers on every answer, 429 over the limit until the window ends, then recovers", async () => {
    await atWindowStart(1000)
    const remaining: Array<string | null> = []
    for (let i = 0; i < 10; i++) {
      const r = await api(sim).get("/contacts")
      expect(r.status).toBe(200)
      expect(r.headers.get("x-rate-limit-limit")).toBe("10")
      const reset = Number(r.headers.get("x-rate-limit-reset"))
      expect(reset).toBe(1)
      remaining.push(r.headers.get("x-rate-limit-remaining"))
    }
    expect(remaining).toEqual(["9", "8", "7", "6", "5", "4", "3", "2", "1", "0"])
    const limited = await api(sim).get("/contacts")
    expect(limited.status).toBe(429)
    expect(limited.body).toEqual({ code: 429, message: expect.any(String) })
    expect(limited.headers.get("x-rate-limit-remaining")).toBe("0")
    expect(Number(limited.headers.get("x-rate-limit-reset"))).toBeGreaterThanOrEqual(1)
    // Polling itself counts; the first 200 comes once the window is over.
    const before = Date.now()
    await waitFor("the next window", async () => (await api(sim).get("/contacts")).status === 200, 2000)
    expect(Date.now() - before).toBeLessThanOrEqual(1100)
    expect(sim.stats.maxPerWindow(1000)).toBeGreaterThan(10)
    expect(sim.stats.requests().filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(11)
  })

  it("counts requests answered 401 too", async () => {
    await atWindowStart(1000)
    for (let i = 0; i < 10; i++) {
      expect((await call(sim, "GET", "/items", undefined, { authorization: "Basic bm9ib2R5Om5vcGU=" })).status).toBe(401)
    }
    const r = await call(sim, "GET", "/items", undefined, { authorization: AUTH })
    expect(r.status).toBe(429)
  })
})

describe("faults", () => {
  let sim: AlegraSimulator
  beforeAll(async () => {
    sim = await start()
  })
  afterEach(() => sim.faults.clear())
  afterAll(() => sim.close())

  it("answers the next N requests with 429, with rate-limit headers, optionally disguised as 400", async () => {
    sim.faults.rateLimit(2)
    sim.faults.rateLimit(1, { disguised: true })
    const a = await api(sim).get("/items")
    const b = await api(sim).get("/items")
    const c = await api(sim).get("/items")
    const d = await api(sim).get("/items")
    expect([a.status, b.status, c.status, d.status]).toEqual([429, 429, 400, 200])
    expect(a.body.code).toBe(429)
    expect(c.body).toEqual({ code: 429, message: expect.any(String) })
    for (const r of [a, b, c]) expect(r.headers.get("x-rate-limit-remaining")).not.toBeNull()
    expect(sim.faults.pending().responses).toBe(0)
  })

  it("answers 500 or 503, in the order the faults were queued", async () => {
    sim.faults.serverError(1)
    sim.faults.serverError(1, 503)
    sim.faults.rateLimit(1)
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await api(sim).get("/contacts")).status)
    expect(statuses).toEqual([500, 503, 429, 200])
  })

  it("delays the next N responses", async () => {
    sim.faults.slow(1, 400)
    const slow = await api(sim).get("/contacts")
    const fast = await api(sim).get("/contacts")
    expect(slow.status).toBe(200)
    expect(slow.ms).toBeGreaterThanOrEqual(380)
    expect(fast.ms).toBeLessThan(380)
  })

  it("resets the next N connections without an answer", async () => {
    sim.stats.reset()
    sim.faults.resetConnections(1)
    await expect(api(sim).get("/contacts")).rejects.toThrow()
    expect((await api(sim).get("/contacts")).status).toBe(200)
    expect(sim.stats.requests().map((r) => [r.status, r.fault ?? null])).toEqual([[0, "reset"], [200, null]])
  })

  it("records every request with its path and query, and computes window maxima", async () => {
    sim.stats.reset()
    await api(sim).get("/invoices?start=0&limit=30")
    await api(sim).get("/nowhere")
    const requests = sim.stats.requests()
    expect(requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", "/api/v1/invoices?start=0&limit=30", 200],
      ["GET", "/api/v1/nowhere", 404]
    ])
    expect(sim.stats.maxInAnySlidingWindow(60_000)).toBe(2)
    expect(sim.stats.maxPerWindow(3_600_000)).toBeLessThanOrEqual(2)
    // A span shorter than the gap between the two requests holds one of them (they may share a millisecond).
    const gap = requests[1]!.at - requests[0]!.at
    expect(sim.stats.maxInAnySlidingWindow(Math.max(1, gap))).toBe(gap === 0 ? 2 : 1)
  })
})
