/** Webhook subscriptions (handshake) and deliveries of the Alegra simulator, with their faults. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import type { AlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { WEBHOOK_EVENTS } from "../../connectors/alegra/simulator/index.js"
import { api, fixtures, type Receiver, start, startReceiver, waitFor } from "./simulator-support.js"

let sim: AlegraSimulator
let http: ReturnType<typeof api>
let fx: ReturnType<typeof fixtures>
let receiver: Receiver

beforeAll(async () => {
  sim = await start({ webhookTimeoutMs: 400 })
  http = api(sim)
  fx = fixtures(sim)
})
afterAll(() => sim.close())

beforeEach(async () => {
  receiver = await startReceiver()
})
afterEach(async () => {
  sim.faults.clear()
  await sim.waitForDeliveries()
  for (const s of sim.admin.subscriptions()) sim.admin.removeSubscription(s.id)
  await receiver.close()
})

const subscribe = async (event: string, url = receiver.bare) => {
  const r = await http.post("/webhooks/subscriptions", { event, url })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return r.body.subscription as { id: string; event: string; url: string; status: string }
}

describe("subscriptions", () => {
  it("creates a subscription after a successful handshake (an empty POST), with or without scheme", async () => {
    const sub = await subscribe("new-invoice")
    expect(sub).toEqual({ id: expect.any(String), event: "new-invoice", url: receiver.bare, status: "active" })
    expect(receiver.received).toHaveLength(1)
    expect(receiver.received[0]).toMatchObject({ method: "POST", path: "/hook", body: "" })
    const withScheme = await subscribe("edit-invoice", receiver.url)
    expect(withScheme.url).toBe(receiver.url)

    const list = await http.get("/webhooks/subscriptions")
    expect(list.body).toEqual({ subscriptions: [sub, withScheme] })
    expect((await http.get(`/webhooks/subscriptions/${sub.id}`)).body).toEqual({ subscription: sub })
  })

  it("rejects the same event and URL twice (scheme or not), unknown events, and missing fields", async () => {
    await subscribe("new-item")
    const again = await http.post("/webhooks/subscriptions", { event: "new-item", url: receiver.url })
    expect(again.status).toBe(400)
    expect(again.body.code).toBe(3002)
    const unknown = await http.post("/webhooks/subscriptions", { event: "new-payment", url: receiver.bare })
    expect(unknown.status).toBe(400)
    expect(unknown.body.message).toContain("new-payment")
    expect((await http.post("/webhooks/subscriptions", { event: "new-item" })).body.message).toContain("'url'")
    expect(WEBHOOK_EVENTS).toHaveLength(12)
    for (const event of WEBHOOK_EVENTS) await subscribe(event, `${receiver.bare}?e=${event}`)
    expect(sim.admin.subscriptions()).toHaveLength(13)
  })

  it("does not create the subscription when the handshake fails (non-2xx, timeout, refused)", async () => {
    receiver.mode.status = 500
    const failed = await http.post("/webhooks/subscriptions", { event: "new-client", url: receiver.bare })
    expect(failed.status).toBe(400)
    expect(failed.body.code).toBe(3003)
    receiver.mode.status = 200
    receiver.mode.delayMs = 800 // the simulator waits 400 ms
    const slow = await http.post("/webhooks/subscriptions", { event: "new-client", url: receiver.bare })
    expect(slow.status).toBe(400)
    expect(slow.body.message).toMatch(/no respondió/)
    const refused = await http.post("/webhooks/subscriptions", { event: "new-client", url: "127.0.0.1:9/nowhere" })
    expect(refused.status).toBe(400)
    expect(sim.admin.subscriptions()).toEqual([])
    expect(sim.stats.handshakes().filter((h) => !h.ok).length).toBeGreaterThanOrEqual(3)
  })

  it("updates (re-doing the handshake for a new URL) and deletes subscriptions", async () => {
    const sub = await subscribe("edit-bill")
    const other = await startReceiver("/other")
    try {
      const put = await http.put(`/webhooks/subscriptions/${sub.id}`, { url: other.bare })
      expect(put.status).toBe(200)
      expect(put.body.subscription.url).toBe(other.bare)
      expect(other.received).toHaveLength(1)
      const del = await http.del(`/webhooks/subscriptions/${sub.id}`)
      expect(del.status).toBe(200)
      expect((await http.get(`/webhooks/subscriptions/${sub.id}`)).status).toBe(404)
      expect((await http.del(`/webhooks/subscriptions/${sub.id}`)).status).toBe(404)
    } finally {
      await other.close()
    }
  })
})

describe("deliveries", () => {
  it("posts {subject, message} with the full record as GET returns it, for API and admin changes", async () => {
    await subscribe("new-client")
    await subscribe("edit-client")
    await subscribe("delete-client")
    const created = await http.post("/contacts", { name: "Cliente Webhook", identification: { type: "CC", number: "1020304050" } })
    const delivery = await waitFor("new-client", () => receiver.deliveries().find((d) => d.subject === "new-client"))
    expect(delivery).toEqual({ subject: "new-client", message: { client: created.body } })
    const raw = receiver.received.find((r) => r.body.includes("new-client"))!
    expect(raw.headers["content-type"]).toBe("application/json")
    expect(Object.keys(raw.headers).filter((h) => /signature|hmac/i.test(h))).toEqual([])

    sim.admin.update("contact", created.body.id, { phonePrimary: "+57 601 555 0101" })
    const edit = await waitFor("edit-client", () => receiver.deliveries().find((d) => d.subject === "edit-client"))
    expect(edit.message.client).toEqual(sim.admin.get("contact", created.body.id))
    expect(edit.message.client.phonePrimary).toBe("+57 601 555 0101")

    await http.del(`/contacts/${created.body.id}`)
    const del = await waitFor("delete-client", () => receiver.deliveries().find((d) => d.subject === "delete-client"))
    expect(del).toEqual({ subject: "delete-client", message: { id: created.body.id } })
    await sim.waitForDeliveries() // the log is written once the receiver's answer is read
    expect(sim.stats.deliveries().map((d) => [d.subject, d.ok, d.status])).toEqual([
      ["new-client", true, 200],
      ["edit-client", true, 200],
      ["delete-client", true, 200]
    ])
  })

  it("covers invoices, bills and items (void fires edit-invoice); silent admin changes and payments fire nothing", async () => {
    for (const e of ["new-invoice", "edit-invoice", "new-bill", "new-item", "delete-item"]) await subscribe(e)
    const inv = await http.post("/invoices", { date: "2026-01-10", dueDate: "2026-01-10", client: fx.clientId, items: [{ id: fx.itemId, price: 100, quantity: 1 }], status: "open" })
    await http.post(`/invoices/${inv.body.id}/void`, {})
    await http.post("/bills", { date: "2026-01-10", dueDate: "2026-01-10", provider: fx.providerId, purchases: { items: [{ id: fx.itemId, price: 1, quantity: 1 }] } })
    const item = sim.admin.create("item", { name: "Temporal", price: 1 })
    sim.admin.remove("item", item["id"] as string)
    sim.admin.create("item", { name: "Silencioso", price: 1 }, { silent: true })
    const open = await http.post("/invoices", { date: "2026-01-10", dueDate: "2026-01-10", client: fx.clientId, items: [{ id: fx.itemId, price: 100, quantity: 1 }], status: "open" })
    await http.post("/payments", { date: "2026-01-10", bankAccount: { id: fx.bankId }, invoices: [{ id: open.body.id, amount: 10 }] })
    await sim.waitForDeliveries()
    expect(receiver.deliveries().map((d) => d.subject)).toEqual(["new-invoice", "edit-invoice", "new-bill", "new-item", "delete-item", "new-invoice"])
    expect(receiver.deliveries()[1].message.invoice.status).toBe("void")
    expect(receiver.deliveries()[4]).toEqual({ subject: "delete-item", message: { id: item["id"] } })
  })

  it("never delays the API response, and delivers in order per subscription", async () => {
    await subscribe("edit-client")
    receiver.mode.delayMs = 150
    const started = Date.now()
    for (let i = 0; i < 4; i++) {
      const r = await http.put(`/contacts/${fx.clientId}`, { phonePrimary: `+57 601 555 000${i}` })
      expect(r.status).toBe(200)
    }
    expect(Date.now() - started).toBeLessThan(150)
    await sim.waitForDeliveries()
    expect(receiver.deliveries().map((d) => d.message.client.phonePrimary)).toEqual([0, 1, 2, 3].map((i) => `+57 601 555 000${i}`))
  })

  it("drops, duplicates and reorders deliveries on demand", async () => {
    await subscribe("edit-item")
    const edit = (name: string) => sim.admin.update("item", fx.serviceId, { name })
    sim.faults.dropWebhooks(1)
    edit("uno")
    edit("dos")
    await sim.waitForDeliveries()
    expect(receiver.deliveries().map((d) => d.message.item.name)).toEqual(["dos"])
    expect(sim.stats.dropped().map((d) => d.subject)).toEqual(["edit-item"])
    expect(sim.stats.deliveries().filter((d) => d.subject === "edit-item")).toHaveLength(1)

    sim.faults.duplicateWebhooks(1)
    edit("tres")
    await sim.waitForDeliveries()
    expect(receiver.deliveries().map((d) => d.message.item.name)).toEqual(["dos", "tres", "tres"])

    sim.faults.reorderWebhooks(1)
    edit("cuatro")
    edit("cinco")
    await sim.waitForDeliveries()
    expect(receiver.deliveries().map((d) => d.message.item.name)).toEqual(["dos", "tres", "tres", "cinco", "cuatro"])
  })

  it("deletes a subscription after 10 consecutive failed deliveries (a success resets the count)", async () => {
    const sub = await subscribe("edit-client")
    receiver.mode.status = 500
    for (let i = 0; i < 9; i++) sim.admin.update("contact", fx.clientId, { observations: `fallo ${i}` })
    await sim.waitForDeliveries()
    receiver.mode.status = 204
    sim.admin.update("contact", fx.clientId, { observations: "ok" })
    await sim.waitForDeliveries()
    expect(sim.admin.subscriptions().map((s) => s.id)).toEqual([sub.id])

    receiver.mode.status = 503
    for (let i = 0; i < 12; i++) sim.admin.update("contact", fx.clientId, { observations: `fallo otra vez ${i}` })
    await sim.waitForDeliveries()
    expect(sim.admin.subscriptions()).toEqual([])
    const failed = sim.stats.deliveries().filter((d) => d.subscriptionId === sub.id && !d.ok)
    expect(failed).toHaveLength(19)
    expect((await http.get(`/webhooks/subscriptions/${sub.id}`)).status).toBe(404)
  })

  it("close() ends pending deliveries and keep-alive sockets promptly", async () => {
    const own = await start({ webhookTimeoutMs: 5000 })
    const r = await api(own).post("/webhooks/subscriptions", { event: "new-item", url: receiver.bare })
    expect(r.status).toBe(201)
    receiver.mode.delayMs = 3000
    own.admin.create("item", { name: "Lento", price: 1 })
    own.admin.create("item", { name: "En cola", price: 1 })
    await waitFor("the first delivery to be in flight", () => receiver.received.length === 2)
    const started = Date.now()
    await own.close()
    await own.waitForDeliveries()
    expect(Date.now() - started).toBeLessThan(1000)
    await expect(api(own).get("/items")).rejects.toThrow()
  })

  it("counts a delivery slower than the timeout as failed", async () => {
    await subscribe("edit-client")
    receiver.mode.delayMs = 700
    sim.admin.update("contact", fx.clientId, { observations: "lento" })
    await sim.waitForDeliveries()
    const last = sim.stats.deliveries().at(-1)!
    expect(last.ok).toBe(false)
    expect(last.error).toMatch(/timeout/)
  })
})
