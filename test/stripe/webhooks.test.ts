/**
 * Webhook endpoints and signed deliveries, verified with the SDK's own `constructEvent`; delivery
 * faults (duplicate, reorder, drop, delay), failures, retries and `delivery_success`.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import type { StripeSimulator } from "../../connectors/stripe/simulator/index.js"
import { client, failure, type Receiver, start, startReceiver, Stripe, waitFor } from "./support.js"

let sim: StripeSimulator
let stripe: Stripe
let receiver: Receiver

beforeAll(async () => {
  sim = await start({ webhookTimeoutMs: 1_500, webhookRetryDelaysMs: [200] })
  stripe = client(sim)
})
afterAll(() => sim.close())
beforeEach(async () => {
  receiver = await startReceiver()
})
afterEach(async () => {
  sim.faults.clear()
  for (const e of (await stripe.webhookEndpoints.list({ limit: 100 })).data) await stripe.webhookEndpoints.del(e.id)
  await sim.waitForDeliveries()
  await receiver.close()
})

const subscribe = async (events: Array<Stripe.WebhookEndpointCreateParams.EnabledEvent> = ["customer.created", "customer.updated"]) =>
  stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: events })

const verify = (index: number, secret: string): Stripe.Event => {
  const r = receiver.received[index]!
  return stripe.webhooks.constructEvent(r.body, r.headers["stripe-signature"] as string, secret)
}

describe("endpoints", () => {
  it("answers the signing secret only at creation, and refuses unknown event types and bad URLs", async () => {
    const endpoint = await subscribe()
    expect(endpoint).toMatchObject({ object: "webhook_endpoint", status: "enabled", url: receiver.url, enabled_events: ["customer.created", "customer.updated"] })
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/)
    expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined()
    expect((await stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([endpoint.id])
    expect((await failure(stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ["customer.teleported" as "*"] }))).param).toBe("enabled_events[0]")
    expect((await failure(stripe.webhookEndpoints.create({ url: "ftp://example.com/x", enabled_events: ["*"] }))).param).toBe("url")
    expect((await failure(stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ["*"], api_version: "2019-02-19" }))).param).toBe("api_version")
  })
})

describe("deliveries", () => {
  it("posts each event signed with the endpoint's secret: constructEvent accepts it, a tampered body or another secret is refused", async () => {
    const endpoint = await subscribe()
    const c = await stripe.customers.create({ name: "Firmado" })
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
    expect(() => stripe.webhooks.constructEvent(tampered, r.headers["stripe-signature"] as string, endpoint.secret!)).toThrow(Stripe.errors.StripeSignatureVerificationError)
    expect(() => stripe.webhooks.constructEvent(r.body, r.headers["stripe-signature"] as string, "whsec_someoneElse0000000000000000000")).toThrow(Stripe.errors.StripeSignatureVerificationError)
    await waitFor("pending_webhooks to drop to 0", async () => (await stripe.events.retrieve(event.id)).pending_webhooks === 0)
    await stripe.customers.update(c.id, { name: "Firmado otra vez" })
    await stripe.products.create({ name: "No suscrito" })
    await sim.waitForDeliveries()
    expect(receiver.received).toHaveLength(2)
    expect(verify(1, endpoint.secret!).type).toBe("customer.updated")
  })

  it("sends only subscribed types (or everything with *), and nothing to a disabled endpoint", async () => {
    const all = await subscribe(["*"])
    await stripe.products.create({ name: "Todo" })
    await sim.waitForDeliveries()
    expect(receiver.received.map((r) => verify(receiver.received.indexOf(r), all.secret!).type)).toEqual(["product.created"])
    await stripe.webhookEndpoints.update(all.id, { disabled: true })
    await stripe.products.create({ name: "Nada" })
    await sim.waitForDeliveries()
    expect(receiver.received).toHaveLength(1)
    expect((await stripe.events.list({ limit: 1 })).data[0]!.pending_webhooks).toBe(0)
  })
})

describe("delivery faults", () => {
  it("duplicates: the same event arrives twice", async () => {
    await subscribe()
    sim.faults.duplicateDeliveries(1)
    await stripe.customers.create({ name: "Doble" })
    await sim.waitForDeliveries()
    const ids = receiver.eventIds()
    expect(ids).toHaveLength(2)
    expect(ids[0]).toBe(ids[1])
  })

  it("reorders: the held event arrives after the next one", async () => {
    await subscribe()
    sim.faults.reorderDeliveries(1, { maxHoldMs: 5_000 })
    const c = await stripe.customers.create({ name: "Orden" })
    await stripe.customers.update(c.id, { name: "Orden cambiado" })
    await sim.waitForDeliveries()
    const types = receiver.received.map((r) => (JSON.parse(r.body) as Stripe.Event).type)
    expect(types).toEqual(["customer.updated", "customer.created"])
  })

  it("drops: the event never arrives, but the events list has it for catch-up", async () => {
    await subscribe()
    sim.faults.dropDeliveries(1)
    const lost = await stripe.customers.create({ name: "Perdido" })
    await stripe.customers.create({ name: "Entregado" })
    await sim.waitForDeliveries()
    expect(receiver.received).toHaveLength(1)
    expect(sim.stats.dropped().map((d) => d.eventType)).toContain("customer.created")
    const missed = (await stripe.events.list({ type: "customer.created", delivery_success: false, limit: 10 })).data
    expect(missed.map((e) => (e.data.object as Stripe.Customer).id)).toContain(lost.id)
  })

  it("delays: a later event overtakes the delayed one", async () => {
    await subscribe()
    sim.faults.delayDeliveries(1, 2_000)
    const c = await stripe.customers.create({ name: "Tarde" })
    await stripe.customers.update(c.id, { name: "Tarde bis" })
    await waitFor("both deliveries", () => receiver.received.length === 2)
    expect(receiver.received.map((r) => (JSON.parse(r.body) as Stripe.Event).type)).toEqual(["customer.updated", "customer.created"])
  })
})

describe("failures and retries", () => {
  it("retries a failed delivery on its schedule and records every attempt", async () => {
    await subscribe()
    receiver.mode.status = (i) => (i === 0 ? 500 : 200)
    await stripe.customers.create({ name: "Reintento" })
    await waitFor("the retry", () => receiver.received.length === 2)
    const attempts = sim.stats.deliveries().filter((d) => d.url === receiver.url)
    expect(attempts.map((d) => [d.attempt, d.status, d.ok])).toEqual([
      [1, 500, false],
      [2, 200, true]
    ])
    expect(receiver.eventIds()[0]).toBe(receiver.eventIds()[1])
    const event = await stripe.events.retrieve(receiver.eventIds()[0]!)
    expect(event.pending_webhooks).toBe(0)
  })

  it("gives up after the schedule, counts a slow answer as a failure, and retries failed ones on demand", async () => {
    await subscribe()
    receiver.mode.delayMs = 3_000
    const c = await stripe.customers.create({ name: "Lento" })
    await waitFor("two failed attempts", () => sim.stats.deliveries().filter((d) => d.url === receiver.url && !d.ok).length === 2)
    const failed = sim.stats.deliveries().filter((d) => d.url === receiver.url)
    expect(failed.map((d) => d.error)).toEqual([expect.stringContaining("timeout"), expect.stringContaining("timeout")])
    const pending = (await stripe.events.list({ delivery_success: false, type: "customer.created", limit: 10 })).data
    expect(pending.map((e) => (e.data.object as Stripe.Customer).id)).toContain(c.id)
    receiver.mode.delayMs = 0
    expect(sim.webhooks.retryFailed()).toBe(1)
    await sim.waitForDeliveries()
    const ok = sim.stats.deliveries().filter((d) => d.url === receiver.url && d.ok)
    expect(ok.map((d) => d.attempt)).toEqual([3])
    const delivered = (await stripe.events.list({ delivery_success: true, type: "customer.created", limit: 10 })).data
    expect(delivered.map((e) => (e.data.object as Stripe.Customer).id)).toContain(c.id)
  })
})
