/** Rate limits and 429s: a quota 429 is not retried by the SDK, a lock_timeout 429 is. */
import { describe, expect, it } from "vitest"
import { client, failure, harness, raw, Stripe } from "./support.js"

const t = harness({ opsPerSecond: 1, searchOpsPerSecond: 1 })

const settle = <T>(ps: Array<Promise<T>>) => Promise.allSettled(ps)

describe("rate limits", () => {
  it("answers over-quota requests 429 rate_limit_error without Stripe-Should-Retry, and the SDK does not retry them", async () => {
    t.sim.stats.reset()
    const stripe = client(t.sim, { maxNetworkRetries: 2 })
    const results = await settle(Array.from({ length: 5 }, () => stripe.customers.list({ limit: 1 })))
    const limited = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Stripe.errors.StripeError] : []))
    expect(limited.length).toBeGreaterThan(0)
    for (const e of limited) {
      expect(e).toBeInstanceOf(Stripe.errors.StripeRateLimitError)
      expect(e.statusCode).toBe(429)
      expect(e.rawType).toBe("rate_limit_error")
      expect(e.headers?.["stripe-should-retry"]).toBeUndefined()
      expect(e.headers?.["stripe-rate-limited-reason"]).toBe("global-rate")
    }
    // Five calls, five requests: nothing was retried.
    expect(t.sim.stats.requests()).toHaveLength(5)
    expect(t.sim.stats.requests().filter((r) => r.rateLimited === true)).toHaveLength(limited.length)
  })

  it("never lets more requests through in any one-second span than the limit", async () => {
    t.sim.rateLimit.opsPerSecond = 3
    try {
      t.sim.stats.reset()
      const stripe = client(t.sim)
      const passed = () => t.sim.stats.requests().filter((r) => r.status === 200).map((r) => r.at).sort((a, b) => a - b)
      // Bursts of 4 until 7 got through: that spans more than two seconds of the limiter's windows.
      while (passed().length < 7) {
        await settle(Array.from({ length: 4 }, () => stripe.customers.list({ limit: 1 })))
        await new Promise((r) => setTimeout(r, 50))
      }
      const ok = passed()
      expect(t.sim.stats.requests().some((r) => r.status === 429)).toBe(true)
      for (let i = 0; i + 3 < ok.length; i++) expect(ok[i + 3]! - ok[i]!).toBeGreaterThan(1000 - 1)
    } finally {
      t.sim.rateLimit.opsPerSecond = 1
    }
  })

  it("limits search on its own budget", async () => {
    t.sim.rateLimit.opsPerSecond = Number.POSITIVE_INFINITY
    try {
      const stripe = client(t.sim)
      const results = await settle(Array.from({ length: 4 }, () => stripe.customers.search({ query: "name:'x'" })))
      const limited = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as Stripe.errors.StripeError)
      expect(limited.length).toBeGreaterThan(0)
      expect(limited[0]!.headers?.["stripe-rate-limited-reason"]).toBe("endpoint-rate")
      expect((await raw(t.sim, "GET", "/v1/customers?limit=1")).status).toBe(200)
    } finally {
      t.sim.rateLimit.opsPerSecond = 1
    }
  })
})

describe("injected 429s", () => {
  it("retries a lock_timeout (Stripe-Should-Retry: true) and gives up on an injected quota 429", async () => {
    t.sim.rateLimit.opsPerSecond = Number.POSITIVE_INFINITY
    try {
      t.sim.stats.reset()
      const stripe = client(t.sim, { maxNetworkRetries: 1 })
      t.sim.faults.lockTimeout(1, { method: "POST" })
      const c = await stripe.customers.create({ name: "Bloqueado un momento" })
      expect(c.name).toBe("Bloqueado un momento")
      const posts = t.sim.stats.requests().filter((r) => r.method === "POST")
      expect(posts.map((r) => [r.status, r.fault])).toEqual([
        [429, "lock-timeout"],
        [200, undefined]
      ])
      t.sim.faults.rateLimit(1, { method: "POST" })
      const e = await failure(stripe.customers.create({ name: "Sin cuota" }))
      expect(e).toBeInstanceOf(Stripe.errors.StripeRateLimitError)
      expect(t.sim.admin.list("customer").filter((x) => x.name === "Sin cuota")).toHaveLength(0)
      expect(t.sim.stats.requests().filter((r) => r.method === "POST")).toHaveLength(3)
    } finally {
      t.sim.rateLimit.opsPerSecond = 1
    }
  })
})
