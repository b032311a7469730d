/** Idempotency keys: replay, conflicts, concurrency, stored errors, expiry, and the SDK's own retries. */
import { describe, expect, it } from "vitest"
import { basics, client, failure, harness, openInvoice, raw, Stripe, waitFor } from "./support.js"

const t = harness()

const customersNamed = (name: string): number => t.sim.admin.list("customer").filter((c) => c.name === name).length

describe("replay and conflicts", () => {
  it("answers the same key with the same parameters with the first response, marked as a replay", async () => {
    const first = await t.stripe.customers.create({ name: "Una sola vez" }, { idempotencyKey: "alegra-intent-1" })
    const again = await t.stripe.customers.create({ name: "Una sola vez" }, { idempotencyKey: "alegra-intent-1" })
    expect(again.id).toBe(first.id)
    expect(customersNamed("Una sola vez")).toBe(1)
    const wire = await raw(t.sim, "POST", "/v1/customers", { form: "name=Una+sola+vez", headers: { "idempotency-key": "alegra-intent-1" } })
    expect(wire.status).toBe(200)
    expect(wire.body.id).toBe(first.id)
    expect(wire.headers.get("idempotent-replayed")).toBe("true")
    expect(wire.headers.get("original-request")).toBe(first.lastResponse.requestId)
    expect(wire.headers.get("request-id")).not.toBe(first.lastResponse.requestId)
    const events = (await t.stripe.events.list({ type: "customer.created", limit: 100 })).data.filter((e) => (e.data.object as Stripe.Customer).id === first.id)
    expect(events).toHaveLength(1)
    expect(events[0]!.request).toEqual({ id: first.lastResponse.requestId, idempotency_key: "alegra-intent-1" })
  })

  it("refuses the same key with other parameters or another path (idempotency_error), creating nothing", async () => {
    await t.stripe.customers.create({ name: "Original" }, { idempotencyKey: "alegra-intent-2" })
    const other = await failure(t.stripe.customers.create({ name: "Distinto" }, { idempotencyKey: "alegra-intent-2" }))
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError)
    expect(other.statusCode).toBe(400)
    expect(other.type).toBe("StripeIdempotencyError")
    const path = await failure(t.stripe.products.create({ name: "Original" }, { idempotencyKey: "alegra-intent-2" }))
    expect(path).toBeInstanceOf(Stripe.errors.StripeIdempotencyError)
    expect(customersNamed("Distinto")).toBe(0)
    expect(t.sim.admin.list("product").filter((p) => p.name === "Original")).toHaveLength(0)
  })

  it("answers 409 to a request whose key is still in flight", async () => {
    t.sim.faults.slow(1, 3_000, { method: "POST", path: "/v1/customers" })
    const slow = raw(t.sim, "POST", "/v1/customers", { form: "name=Lento", headers: { "idempotency-key": "in-flight-1" } })
    await waitFor("the slow request to take its fault", () => t.sim.faults.pending().api === 0)
    const concurrent = await raw(t.sim, "POST", "/v1/customers", { form: "name=Lento", headers: { "idempotency-key": "in-flight-1" } })
    expect(concurrent.status).toBe(409)
    expect(concurrent.body.error).toMatchObject({ type: "idempotency_error", code: "idempotency_key_in_use" })
    const done = await slow
    expect(done.status).toBe(200)
    const after = await raw(t.sim, "POST", "/v1/customers", { form: "name=Lento", headers: { "idempotency-key": "in-flight-1" } })
    expect(after.body.id).toBe(done.body.id)
    expect(customersNamed("Lento")).toBe(1)
  })
})

describe("what is stored", () => {
  it("replays an error the endpoint produced (a card decline), but not a validation failure", async () => {
    const fx = await basics(t.stripe)
    const inv = await openInvoice(t.stripe, fx.customer.id, fx.price)
    const opts = { idempotencyKey: "pay-once" }
    const declined = await failure(t.stripe.invoices.pay(inv.id, { payment_method: "pm_card_chargeDeclined" }, opts))
    expect(declined.statusCode).toBe(402)
    const replayed = await failure(t.stripe.invoices.pay(inv.id, { payment_method: "pm_card_chargeDeclined" }, opts))
    expect(replayed.statusCode).toBe(402)
    expect(replayed.headers?.["idempotent-replayed"]).toBe("true")
    expect((await t.stripe.invoices.retrieve(inv.id)).attempt_count).toBe(1)

    const invalid = await failure(t.stripe.customers.create({ name: "x", colour: "red" } as Stripe.CustomerCreateParams, { idempotencyKey: "fix-and-retry" }))
    expect(invalid.code).toBe("parameter_unknown")
    const fixed = await t.stripe.customers.create({ name: "Arreglado" }, { idempotencyKey: "fix-and-retry" })
    expect(fixed.name).toBe("Arreglado")
  })

  it("stores an injected 500 (the SDK stops, told not to retry) unless it is marked not stored", async () => {
    const retrying = client(t.sim, { maxNetworkRetries: 2 })
    t.sim.faults.serverError(1, { method: "POST", path: "/v1/customers" })
    const e = await failure(retrying.customers.create({ name: "Quinientos" }, { idempotencyKey: "five-hundred" }))
    expect(e.statusCode).toBe(500)
    expect(e.headers?.["stripe-should-retry"]).toBe("false")
    expect(t.sim.stats.requests().filter((r) => r.idempotencyKey === "five-hundred")).toHaveLength(1)
    const replay = await failure(retrying.customers.create({ name: "Quinientos" }, { idempotencyKey: "five-hundred" }))
    expect(replay.statusCode).toBe(500)
    expect(customersNamed("Quinientos")).toBe(0)

    t.sim.faults.serverError(1, { method: "POST", path: "/v1/customers", stored: false })
    const ok = await retrying.customers.create({ name: "Reintentado" }, { idempotencyKey: "transient-500" })
    expect(ok.name).toBe("Reintentado")
    expect(t.sim.stats.requests().filter((r) => r.idempotencyKey === "transient-500").map((r) => r.status)).toEqual([500, 200])
  })

  it("forgets keys after 24 hours on the simulator's clock", async () => {
    await t.stripe.customers.create({ name: "Ayer" }, { idempotencyKey: "day-old" })
    t.sim.clock.advance(23 * 3600 * 1000)
    expect((await failure(t.stripe.customers.create({ name: "Hoy" }, { idempotencyKey: "day-old" }))).statusCode).toBe(400)
    t.sim.clock.advance(3600 * 1000 + 1000)
    expect((await t.stripe.customers.create({ name: "Hoy" }, { idempotencyKey: "day-old" })).name).toBe("Hoy")
  })
})

describe("the SDK's own keys and retries", () => {
  it("keys every POST (stripe-node-retry-…) and no GET", async () => {
    t.sim.stats.reset()
    const c = await t.stripe.customers.create({ name: "Con clave automática" })
    await t.stripe.customers.retrieve(c.id)
    const [post, get] = t.sim.stats.requests()
    expect(post!.idempotencyKey).toMatch(/^stripe-node-retry-[0-9a-f-]{36}$/)
    expect(get!.idempotencyKey).toBeUndefined()
    expect(t.sim.stats.idempotencyKeys()).toEqual([post!.idempotencyKey])
  })

  it("gets the first response back when its connection dropped after the request was handled", async () => {
    t.sim.stats.reset()
    t.sim.faults.dropResponses(1, { method: "POST", path: "/v1/customers" })
    const c = await client(t.sim, { maxNetworkRetries: 2 }).customers.create({ name: "Conexión caída" })
    expect(customersNamed("Conexión caída")).toBe(1)
    expect(t.sim.admin.get("customer", c.id)?.name).toBe("Conexión caída")
    const tries = t.sim.stats.requests().filter((r) => r.method === "POST")
    expect(tries.map((r) => [r.status, r.replayed === true])).toEqual([
      [0, false],
      [200, true]
    ])
    expect(tries[0]!.idempotencyKey).toBe(tries[1]!.idempotencyKey)
  })
})
