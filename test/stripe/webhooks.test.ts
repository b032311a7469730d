/**
 * Webhook endpoints and signed deliveries, verified with the SDK's own `constructEvent`; delivery
 * faults (duplicate, reorder, drop, delay), failures, retries and `delivery_success`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { failure, harness, type Receiver, startReceiver, Stripe, waitFor } from "./support.js"

const t = harness({ webhookTimeoutMs: 1_500, webhookRetryDelaysMs: [200] })
let receiver: Receiver
beforeEach(async () => {
  receiver = await startReceiver()
})
afterEach(async () => {
  t.sim.faults.clear()
  for (const e of (await t.stripe.webhookEndpoints.list({ limit: 100 })).data) await t.stripe.webhookEndpoints.del(e.id)
  await t.sim.waitForDeliveries()
  await receiver.close()
})

const subscribe = async (events: Array<Stripe.WebhookEndpointCreateParams.EnabledEvent> = ["customer.created", "customer.updated"]) =>
  t.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: events })

const verify = (index: number, secret: string): Stripe.Event => {
  const r = receiver.received[index]!
  return t.stripe.webhooks.constructEvent(r.body, r.headers["stripe-signature"] as string, secret)
}

describe("endpoints", () => {
  it("answers the signing secret only at creation, and refuses unknown event types and bad URLs", async () => {
    const endpoint = await subscribe()
    expect(endpoint).toMatchObject({ object: "webhook_endpoint", status: "enabled", url: receiver.url, enabled_events: ["customer.created", "customer.updated"] })
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/)
    expect((await t.stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined()
    expect((await t.stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([endpoint.id])
    expect((await failure(t.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ["customer.teleported" as "*"] }))).param).toBe("enabled_events[0]")
    expect((await failure(t.stripe.webhookEndpoints.create({ url: "ftp://example.com/x", enabled_events: ["*"] }))).param).toBe("url")
    expect((await failure(t.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ["*"], api_version: "2019-02-19" }))).param).toBe("api_version")
  })
})

describe("deliveries", () => {
  it("posts each event signed with the endpoint's secret: constructEvent accepts it, a tampered body or another secret is refused", async () => {
    const endpoint = await subscribe()
    const c = await t.stripe.customers.create({ name: "Firmado" })
    await waitFor("the delivery", () => receiver.received.length === 1)
    const r = receiver.received[0]!
    expect(r.headers["content-type"]).toBe("application/json; charset=utf-8")
    expect(r.headers["user-agent"]).toContain("Stripe/1.0")
    expect(r.headers["stripe-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
    const event = verify(0, endpoint.secret!)
    expect(event).toMatchObject({ type: "customer.created", object: "event", pending_webhooks: 1 })
    expect((event.data.object as Stripe.Customer).id).toBe(c.id)
    expect(Number(/t=(\d+)/.exec(r.headers["stripe-signature"] as string)![1])).toBe(event.created)
    const tampered = r.body.replace("Firmado", "Falsificado")
    expect(() => t.stripe.webhooks.constructEvent(tampered, r.headers["stripe-signature"] as string, endpoint.secret!)).toThrow(Stripe.errors.StripeSignatureVerificationError)
    expect(() => t.stripe.webhooks.constructEvent(r.body, r.headers["stripe-signature"] as string, "whsec_someoneElse0000000000000000000")).toThrow(Stripe.errors.StripeSignatureVerificationError)
    await waitFor("pending_webhooks to drop to 0", async () => (await t.stripe.events.retrieve(event.id)).pending_webhooks === 0)
    await t.stripe.customers.update(c.id, { name: "Firmado otra vez" })
    await t.stripe.products.create({ name: "No suscrito" })
    await t.sim.waitForDeliveries()
    expect(receiver.received).toHaveLength(2)
    expect(verify(1, endpoint.secret!).type).toBe("customer.updated")
  })

  it("sends only subscribed types (or everything with *), and nothing to a disabled endpoint", async () => {
    const all = await subscribe(["*"])
    await t.stripe.products.create({ name: "Todo" })
    await t.sim.waitForDeliveries()
    expect(receiver.received.map((r) => verify(receiver.received.indexOf(r), all.secret!).type)).toEqual(["product.created"])
    await t.stripe.webhookEndpoints.update(all.id, { disabled: true })
    await t.stripe.products.create({ name: "Nada" })
    await t.sim.waitForDeliveries()
    expect(receiver.received).toHaveLength(1)
    expect((await t.stripe.events.list({ limit: 1 })).data[0]!.pending_webhooks).toBe(0)
  })
})

describe("delivery faults", () => {
  it("duplicates: the same event arrives twice", async () => {
    await subscribe()
    t.sim.faults.duplicateDeliveries(1)
    await t.stripe.customers.create({ name: "Doble" })
    await t.sim.waitForDeliveries()
    const ids = receiver.eventIds()
    expect(ids).toHaveLength(2)
    expect(ids[0]).toBe(ids[1])
  })

  it("reorders: the held event arrives after the next one", async () => {
    await subscribe()
    t.sim.faults.reorderDeliveries(1, { maxHoldMs: 5_000 })
    const c = await t.stripe.customers.create({ name: "Orden" })
    await t.stripe.customers.update(c.id, { name: "Orden cambiado" })
    await t.sim.waitForDeliveries()
    const types = receiver.received.map((r) => (JSON.parse(r.body) as Stripe.Event).type)
    expect(types).toEqual(["customer.updated", "customer.created"])
  })

  it("drops: the event never arrives, but the events list has it for catch-up", async () => {
    await subscribe()
    t.sim.faults.dropDeliveries(1)
    const lost = await t.stripe.customers.create({ name: "Perdido" })
    await t.stripe.customers.create({ name: "Entregado" })
    await t.sim.waitForDeliveries()
    expect(receiver.received).toHaveLength(1)
    expect(t.sim.stats.dropped().map((d) => d.eventType)).toContain("customer.created")
    const missed = (await t.stripe.events.list({ type: "customer.created", delivery_success: false, limit: 10 })).data
    expect(missed.map((e) => (e.data.object as Stripe.Customer).id)).toContain(lost.id)
  })

  it("delays: a later event overtakes the delayed one", async () => {
    await subscribe()
    t.sim.faults.delayDeliveries(1, 2_000)
    const c = await t.stripe.customers.create({ name: "Tarde" })
    await t.stripe.customers.update(c.id, { name: "Tarde bis" })
    await waitFor("both deliveries", () => receiver.received.length === 2)
    expect(receiver.received.map((r) => (JSON.parse(r.body) as Stripe.Event).type)).toEqual(["customer.updated", "customer.created"])
  })
})

describe("failures and retries", () => {
  it("retries a failed delivery on its schedule and records every attempt", async () => {
    await subscribe()
    receiver.mode.status = (i) => (i === 0 ? 500 : 200)
    await t.stripe.customers.create({ name: "Reintento" })
    await waitFor("the retry", () => receiver.received.length === 2)
    // An attempt is recorded once its answer is back, a moment after the receiver has the request.
    const attempts = await waitFor("both attempts recorded", () => {
      const recorded = t.sim.stats.deliveries().filter((d) => d.url === receiver.url)
      return recorded.length === 2 && recorded
    })
    expect(attempts.map((d) => [d.attempt, d.status, d.ok])).toEqual([
      [1, 500, false],
      [2, 200, true]
    ])
    expect(receiver.eventIds()[0]).toBe(receiver.eventIds()[1])
    const event = await t.stripe.events.retrieve(receiver.eventIds()[0]!)
    expect(event.pending_webhooks).toBe(0)
  })

  it("gives up after the schedule, counts a slow answer as a failure, and retries failed ones on demand", async () => {
    await subscribe()
    receiver.mode.delayMs = 3_000
    const c = await t.stripe.customers.create({ name: "Lento" })
    await waitFor("two failed attempts", () => t.sim.stats.deliveries().filter((d) => d.url === receiver.url && !d.ok).length === 2)
    const failed = t.sim.stats.deliveries().filter((d) => d.url === receiver.url)
    expect(failed.map((d) => d.error)).toEqual([expect.stringContaining("timeout"), expect.stringContaining("timeout")])
    const pending = (await t.stripe.events.list({ delivery_success: false, type: "customer.created", limit: 10 })).data
    expect(pending.map((e) => (e.data.object as Stripe.Customer).id)).toContain(c.id)
    receiver.mode.delayMs = 0
    expect(t.sim.webhooks.retryFailed()).toBe(1)
    await t.sim.waitForDeliveries()
    const ok = t.sim.stats.deliveries().filter((d) => d.url === receiver.url && d.ok)
    expect(ok.map((d) => d.attempt)).toEqual([3])
    const delivered = (await t.stripe.events.list({ delivery_success: true, type: "customer.created", limit: 10 })).data
    expect(delivered.map((e) => (e.data.object as Stripe.Customer).id)).toContain(c.id)
  })
})
