/**
 * The Stripe events poller: where "now" is on its first run, catching up after downtime from
 * its cursor (paging forward with ending_before), bounded polls, a cursor Stripe forgot, and the
 * same event keys as webhook deliveries.
 */
import { Effect, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { changesOf, MAX_PAGES_PER_POLL } from "../../connectors/stripe/index.js"
import type { StripeSimulator } from "../../connectors/stripe/simulator/index.js"
import type { Poller, PollContext, PollResult } from "../../src/ports/connector.js"
import { connect, type Connected, run } from "./connector-support.js"
import { client, start } from "./support.js"

let sim: StripeSimulator
let connected: Connected
let poller: Poller

beforeEach(async () => {
  sim = await start()
  connected = await connect(sim)
  poller = connected.connector.capture.pollers[0]!
})
afterEach(async () => {
  await connected.close()
  await sim.close()
})

/** What the engine lends a poller; this one only reads its cursor. */
const context = (cursor: unknown): PollContext => ({
  cursor: cursor === undefined ? Option.none() : Option.some(cursor),
  known: () => Effect.succeed(new Map()),
  knownFrom: () => Effect.succeed([]),
  hash: () => "",
  requested: [],
  lastFullRead: null,
  subscriptions: { list: Effect.succeed([]), record: () => Effect.void, remove: () => Effect.void }
})

const poll = (cursor?: unknown): Promise<PollResult> => run(poller.poll(context(cursor)))

describe("the events poller", () => {
  it("runs every minute, and on its first run records where now is and returns nothing", async () => {
    expect(poller).toMatchObject({ name: "stripe events", everyMs: 60_000, servesRequests: false })
    sim.admin.createCustomer({ name: "Historia" })
    const first = await poll()
    expect(first.changes).toEqual([])
    const newest = (await client(sim).events.list({ limit: 1 })).data[0]!
    expect(first.cursor).toEqual({ id: newest.id, created: newest.created })
    expect(await poll(first.cursor)).toEqual({ changes: [], cursor: first.cursor })
  })

  it("catches up with what happened while no poller ran, oldest first, each event once, and moves its cursor", async () => {
    sim.admin.createCustomer({ name: "Antes de la caída" })
    const { cursor } = await poll()
    // Downtime: a customer, a product, an invoice paid by card, a refund.
    const customer = sim.admin.createCustomer({ name: "Durante la caída", email: "caida@ejemplo.mx" })
    const product = sim.admin.createProduct({ name: "Producto", default_price_data: { currency: "mxn", unit_amount: 10_000 } })
    const invoice = sim.admin.createInvoice({ customer: customer.id, currency: "mxn", lines: [{ pricing: { price: product.default_price as string }, quantity: 2 }], finalize: true })
    sim.admin.payInvoice(invoice.id)
    const payment = sim.admin.list("invoice_payment").find((p) => p.invoice === invoice.id)!
    const refund = sim.admin.refund({ payment_intent: payment.payment.payment_intent as string, amount: 5_000 })

    const caught = await poll(cursor)
    const events = (await client(sim).events.list({ limit: 100, ending_before: (cursor as { id: string }).id })).data.reverse()
    expect(caught.changes).toEqual(events.flatMap(changesOf))
    expect(caught.changes[0]).toMatchObject({ kind: "contact", id: customer.id, action: "created" })
    const touched = new Set(caught.changes.map((c) => `${c.kind} ${c.id}`))
    expect(touched).toEqual(new Set([`contact ${customer.id}`, `item ${product.id}`, `invoice ${invoice.id}`, `payment ${payment.id}`, `credit-note ${refund.id}`]))
    expect(new Set(caught.changes.map((c) => c.eventKey)).size).toBe(caught.changes.length)
    expect(caught.cursor).toEqual({ id: events[events.length - 1]!.id, created: events[events.length - 1]!.created })
    // Polling again from the old cursor gives the same changes; from the new one, nothing.
    expect((await poll(cursor)).changes).toEqual(caught.changes)
    expect((await poll(caught.cursor)).changes).toEqual([])
  })

  it("pages forward through a long downtime, at most a bounded number of pages per poll", async () => {
    sim.admin.createCustomer({ name: "Antes de la caída" })
    const { cursor } = await poll()
    const total = MAX_PAGES_PER_POLL * 100 + 150
    const ids: Array<string> = []
    for (let i = 0; i < total; i++) ids.push(sim.admin.createCustomer({ name: `Cliente ${i}` }).id)
    const first = await poll(cursor)
    expect(first.changes.map((c) => c.id)).toEqual(ids.slice(0, MAX_PAGES_PER_POLL * 100))
    const second = await poll(first.cursor)
    expect(second.changes.map((c) => c.id)).toEqual(ids.slice(MAX_PAGES_PER_POLL * 100))
    expect(sim.stats.count("GET", "/v1/events")).toBe(1 + MAX_PAGES_PER_POLL + 2)
  })

  it("starts from the time of its first run when Stripe had no events yet", async () => {
    const first = await poll()
    expect(first).toMatchObject({ changes: [], cursor: { id: null } })
    const customer = sim.admin.createCustomer({ name: "Primero" })
    const next = await poll(first.cursor)
    expect(next.changes.map((c) => c.id)).toEqual([customer.id])
    expect(next.cursor).toMatchObject({ id: expect.stringMatching(/^evt_/) })
  })

  it("resumes by time when Stripe no longer lists its cursor event (a downtime beyond 30 days)", async () => {
    sim.admin.createCustomer({ name: "Viejo" })
    const { cursor } = await poll()
    sim.clock.advance(31 * 86_400_000)
    const recent = sim.admin.createCustomer({ name: "Reciente" })
    const resumed = await poll(cursor)
    expect(resumed.changes.map((c) => c.id)).toEqual([recent.id])
  })

  it("starts over from now when its cursor cannot be read", async () => {
    sim.admin.createCustomer({ name: "Antes" })
    const result = await poll({ something: "else" })
    expect(result.changes).toEqual([])
    expect(result.cursor).toMatchObject({ id: expect.stringMatching(/^evt_/) })
  })
})
