/** The events list: what each change records, order, paging, filters and retention. */
import { describe, expect, it } from "vitest"
import { failure, harness, Stripe } from "./support.js"

const t = harness()

describe("what an event holds", () => {
  it("records the object as of the event, previous attributes of updates, and the request that caused it", async () => {
    const created = await t.stripe.customers.create({ name: "Primero", metadata: { a: "1" } }, { idempotencyKey: "evt-test-1" })
    const renamed = await t.stripe.customers.update(created.id, { name: "Segundo", metadata: { b: "2" } })
    await t.stripe.customers.update(created.id, { name: "Tercero" })
    const events = (await t.stripe.events.list({ limit: 10 })).data.filter((e) => (e.data.object as { id: string }).id === created.id)
    expect(events.map((e) => e.type)).toEqual(["customer.updated", "customer.updated", "customer.created"])
    const [third, second, first] = events
    expect(first).toMatchObject({ object: "event", api_version: Stripe.API_VERSION, livemode: false, pending_webhooks: 0 })
    expect(first!.id).toMatch(/^evt_/)
    expect(first!.request).toEqual({ id: created.lastResponse.requestId, idempotency_key: "evt-test-1" })
    expect((first!.data.object as Stripe.Customer).name).toBe("Primero")
    expect((second!.data.object as Stripe.Customer).name).toBe("Segundo")
    expect(second!.data.previous_attributes).toEqual({ name: "Primero", metadata: { b: null } })
    expect(second!.request?.id).toBe(renamed.lastResponse.requestId)
    expect(second!.request?.idempotency_key).toMatch(/^stripe-node-retry-/)
    expect(third!.data.previous_attributes).toEqual({ name: "Segundo" })
    expect(await t.stripe.events.retrieve(first!.id)).toMatchObject({ id: first!.id, type: "customer.created" })
    const unchanged = await t.stripe.customers.update(created.id, { name: "Tercero" })
    expect(unchanged.name).toBe("Tercero")
    expect((await t.stripe.events.list({ limit: 1 })).data[0]!.id).toBe(third!.id)
  })

  it("records dashboard changes with a request id and no idempotency key", async () => {
    const c = t.sim.admin.createCustomer({ name: "Desde el dashboard" })
    const e = (await t.stripe.events.list({ type: "customer.created", limit: 100 })).data.find((x) => (x.data.object as Stripe.Customer).id === c.id)
    expect(e?.request?.id).toMatch(/^req_/)
    expect(e?.request?.idempotency_key).toBeNull()
  })
})

describe("listing events", () => {
  it("pages newest first and filters by type (with wildcards), types[] and created", async () => {
    const start = t.sim.clock.nowSeconds()
    t.sim.clock.advance(2_000)
    const from = t.sim.clock.nowSeconds()
    for (let i = 0; i < 30; i++) {
      const p = t.sim.admin.createProduct({ name: `Producto ${i}` })
      t.sim.admin.request("POST", `/v1/products/${p.id}`, { description: `Descripción ${i}` })
    }
    const all = await t.stripe.events.list({ created: { gte: from }, limit: 7 }).autoPagingToArray({ limit: 1000 })
    expect(all).toHaveLength(60)
    expect(all.map((e) => e.created)).toEqual([...all.map((e) => e.created)].sort((a, b) => b - a))
    expect(all[0]!.type).toBe("product.updated")
    expect(all[59]!.type).toBe("product.created")
    expect(new Set(all.map((e) => e.id)).size).toBe(60)
    const created = await t.stripe.events.list({ type: "product.created", created: { gte: from }, limit: 100 })
    expect(created.data).toHaveLength(30)
    const wildcard = await t.stripe.events.list({ type: "product.*", created: { gte: from }, limit: 100 })
    expect(wildcard.data).toHaveLength(60)
    const suffix = await t.stripe.events.list({ type: "*.updated", created: { gte: from }, limit: 100 })
    expect(suffix.data.every((e) => e.type === "product.updated")).toBe(true)
    const types = await t.stripe.events.list({ types: ["product.updated", "customer.created"], created: { gte: from }, limit: 100 })
    expect(types.data).toHaveLength(30)
    expect((await t.stripe.events.list({ created: { lt: start }, limit: 100 })).data.every((e) => e.created < start)).toBe(true)
    expect((await failure(t.stripe.events.list({ type: "product.created", types: ["product.updated"] }))).code).toBe("parameters_exclusive")
    expect((await failure(t.stripe.events.list({ types: Array.from({ length: 21 }, () => "product.created") }))).param).toBe("types")
    const page = await t.stripe.events.list({ limit: 3, starting_after: all[2]!.id })
    expect(page.data.map((e) => e.id)).toEqual(all.slice(3, 6).map((e) => e.id))
  })

  it("keeps events 30 days (on the simulator's clock)", async () => {
    const c = t.sim.admin.createCustomer({ name: "Viejo" })
    const event = (await t.stripe.events.list({ limit: 1 })).data[0]!
    expect((event.data.object as Stripe.Customer).id).toBe(c.id)
    t.sim.clock.advance(29 * 86_400_000)
    expect((await t.stripe.events.retrieve(event.id)).id).toBe(event.id)
    t.sim.clock.advance(2 * 86_400_000)
    expect((await failure(t.stripe.events.retrieve(event.id))).statusCode).toBe(404)
    expect((await t.stripe.events.list({ limit: 100 })).data.map((e) => e.id)).not.toContain(event.id)
  })
})
