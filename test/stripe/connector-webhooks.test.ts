/**
 * The Stripe webhook route: signatures checked on the raw body with the SDK (good, tampered,
 * stale, wrong secret, missing), events turned into the changes of the records they touch, and
 * duplicated or reordered deliveries giving the same set of changes.
 */
import { Redacted } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { changesOf, SIGNATURE_TOLERANCE_SECONDS, WEBHOOK_EVENTS } from "../../connectors/stripe/index.js"
import type { StripeSimulator } from "../../connectors/stripe/simulator/index.js"
import type { Change, ConnectorPort, Received, WebhookRoute } from "../../src/ports/connector.js"
import { connect, type Connected, run } from "./connector-support.js"
import { basics, client, type Receiver, start, startReceiver, Stripe } from "./support.js"

let sim: StripeSimulator
let stripe: Stripe
let receiver: Receiver
let secret: string
let connected: Connected
let connector: ConnectorPort
let route: WebhookRoute

beforeAll(async () => {
  sim = await start()
  stripe = client(sim)
  receiver = await startReceiver()
  const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: [...WEBHOOK_EVENTS, "payment_intent.created", "tax_rate.created"] as Array<Stripe.WebhookEndpointCreateParams.EnabledEvent> })
  secret = endpoint.secret!
  connected = await connect(sim, { webhookSecret: Redacted.make(secret) })
  connector = connected.connector
  route = connector.capture.routes[0]!
})
afterEach(async () => {
  sim.faults.clear()
  await sim.waitForDeliveries()
  receiver.received.length = 0
})
afterAll(async () => {
  await connected?.close()
  await receiver?.close()
  await sim?.close()
})

const deliver = (body: string, headers: Record<string, string | undefined>): Received =>
  route.receive({ method: "POST", url: "/webhooks/stripe", params: {}, headers, body })

/** Every delivery received so far, through the route. */
const received = (): Array<Received> =>
  receiver.received.map((r) => deliver(r.body, { "stripe-signature": r.headers["stripe-signature"] as string, "content-type": "application/json" }))

const changesIn = (answers: ReadonlyArray<Received>): Array<Change> =>
  answers.flatMap((a) => (a._tag === "Accepted" ? a.changes : []))

/** The changes once each, by event key, in a stable order. */
const distinct = (changes: ReadonlyArray<Change>) =>
  [...new Map(changes.map((c) => [c.eventKey, c])).values()].sort((a, b) => (a.eventKey < b.eventKey ? -1 : 1))

const signed = (payload: string, timestamp = Math.floor(Date.now() / 1000), key = secret) =>
  stripe.webhooks.generateTestHeaderString({ payload, secret: key, timestamp })

describe("signatures", () => {
  it("accepts a delivery signed with the endpoint's secret, whatever the header's case", async () => {
    await stripe.customers.create({ name: "Firmado" })
    await sim.waitForDeliveries()
    const [r] = receiver.received
    expect(r).toBeDefined()
    const answer = deliver(r!.body, { "Stripe-Signature": r!.headers["stripe-signature"] as string })
    expect(answer._tag).toBe("Accepted")
  })

  it("refuses a tampered body, another secret, a stale timestamp and a missing header with 400", async () => {
    const customer = await stripe.customers.create({ name: "Original" })
    await sim.waitForDeliveries()
    const r = receiver.received.find((x) => x.body.includes(customer.id))!
    const signature = r.headers["stripe-signature"] as string
    const refused = (a: Received) => (a._tag === "Rejected" ? { status: a.status, reason: a.reason } : a)
    expect(refused(deliver(r.body.replace("Original", "Falsificado"), { "stripe-signature": signature }))).toEqual({
      status: 400,
      reason: expect.stringMatching(/^bad Stripe-Signature: No signatures found matching the expected signature/)
    })
    expect(refused(deliver(r.body, { "stripe-signature": signed(r.body, undefined, "whsec_someoneElse00000000000000000000") }))).toMatchObject({ status: 400 })
    const now = Math.floor(Date.now() / 1000)
    expect(refused(deliver(r.body, { "stripe-signature": signed(r.body, now - SIGNATURE_TOLERANCE_SECONDS - 60) }))).toEqual({
      status: 400,
      reason: "bad Stripe-Signature: Timestamp outside the tolerance zone"
    })
    expect(deliver(r.body, { "stripe-signature": signed(r.body, now - SIGNATURE_TOLERANCE_SECONDS + 60) })._tag).toBe("Accepted")
    expect(refused(deliver(r.body, {}))).toEqual({ status: 400, reason: "missing Stripe-Signature header" })
    expect(refused(deliver(r.body, { "stripe-signature": "t=1,v1=00" }))).toMatchObject({ status: 400 })
    // Nothing in a refusal holds the secret.
    for (const a of [deliver(r.body, { "stripe-signature": "garbage" }), deliver("", { "stripe-signature": signature })]) {
      expect(JSON.stringify(a)).not.toContain(secret)
    }
  })
})

describe("events → changes", () => {
  /** A customer with a paid invoice, a refund credit note, a standalone refund and an unrelated tax rate. */
  const story = async () => {
    const { customer, tax, product, price } = await basics(stripe)
    const draft = await stripe.invoices.create({ customer: customer.id, currency: "mxn", default_tax_rates: [tax.id] })
    await stripe.invoiceItems.create({ customer: customer.id, invoice: draft.id, pricing: { price }, quantity: 2 })
    const invoice = await stripe.invoices.finalizeInvoice(draft.id)
    await stripe.invoices.pay(invoice.id, { payment_method: "pm_card_mx" })
    const payment = (await stripe.invoicePayments.list({ invoice: invoice.id })).data[0]!
    const note = await stripe.creditNotes.create({ invoice: invoice.id, lines: [{ type: "invoice_line_item", invoice_line_item: invoice.lines.data[0]!.id, quantity: 1 }], refund_amount: 174_000 })
    const refund = await stripe.refunds.create({ payment_intent: payment.payment.payment_intent as string, amount: 1_000 })
    await stripe.customers.update(customer.id, { phone: "+52 55 5555 5555" })
    return { customer, tax, product, invoice, payment, note, noteRefund: note.refunds[0]!.refund as string, refund }
  }

  it("turns each event into the records it touches, and events the connector does not sync into none", async () => {
    const s = await story()
    await sim.waitForDeliveries()
    const answers = received()
    expect(answers.every((a) => a._tag === "Accepted")).toBe(true)
    const touched = new Set(changesIn(answers).map((c) => `${c.kind} ${c.id}`))
    expect([...touched].sort()).toEqual([
      `contact ${s.customer.id}`,
      `credit-note ${s.note.id}`,
      `credit-note ${s.noteRefund}`,
      `credit-note ${s.refund.id}`,
      `invoice ${s.invoice.id}`,
      `item ${s.product.id}`,
      `payment ${s.payment.id}`
    ].sort())
    // payment_intent.created and tax_rate.created were delivered and change nothing.
    const quiet = receiver.received.filter((r) => /"type": "(payment_intent\.created|tax_rate\.created)"/.test(r.body))
    expect(quiet).toHaveLength(2)
    for (const r of quiet) expect(deliver(r.body, { "stripe-signature": r.headers["stripe-signature"] as string })).toEqual({ _tag: "Accepted", changes: [], unreadable: null })
    // One event, several records: the first keyed by the event id, the others by event and record.
    const paid = changesIn(answers).filter((c) => c.eventKey.startsWith("evt_") && c.kind === "payment")
    expect(paid).toHaveLength(1)
    const paidEvent = paid[0]!.eventKey
    expect(changesIn(answers).filter((c) => c.eventKey.startsWith(paidEvent)).map((c) => [c.kind, c.eventKey])).toEqual([
      ["payment", paidEvent],
      ["invoice", `${paidEvent}/invoice/${s.invoice.id}`]
    ])
    expect(changesIn(answers).some((c) => c.echo === true)).toBe(false)
    expect(changesIn(answers).find((c) => c.kind === "contact" && c.action === "created")).toBeDefined()
  })

  it("gives the same set of changes when deliveries are duplicated and reordered, as the events list does", async () => {
    sim.faults.duplicateDeliveries(6)
    sim.faults.reorderDeliveries(6, { maxHoldMs: 500 })
    const s = await story()
    await sim.waitForDeliveries()
    const arrived = receiver.eventIds()
    expect(arrived.length).toBeGreaterThan(new Set(arrived).size)
    const fromWebhooks = distinct(changesIn(received()))
    const events = (await stripe.events.list({ limit: 100 })).data.filter((e) => new Set(arrived).has(e.id))
    expect(fromWebhooks).toEqual(distinct(events.flatMap(changesOf)))
    expect(fromWebhooks.map((c) => c.id)).toContain(s.refund.id)
  })

  it("marks the events of our own writes as echoes", async () => {
    const invoice = sim.admin.createInvoice({ customer: sim.admin.list("customer")[0]!.id, currency: "mxn", lines: [{ amount: 5_000 }], finalize: true })
    await sim.waitForDeliveries()
    receiver.received.length = 0
    await run(connector.write({ _tag: "Act", kind: "invoice", id: invoice.id, action: { _tag: "void" }, idempotencyKey: "void-echo-1" }))
    await sim.waitForDeliveries()
    const changes = changesIn(received())
    expect(changes.length).toBeGreaterThan(0)
    expect(changes.every((c) => c.kind === "invoice" && c.id === invoice.id && c.echo === true)).toBe(true)
  })
})

describe("event shapes", () => {
  const event = (type: string, object: Record<string, unknown>, idempotencyKey: string | null = null) =>
    ({ id: "evt_1Shape", object: "event", type, data: { object }, request: { id: "req_1", idempotency_key: idempotencyKey } }) as unknown as Stripe.Event
  const touched = (e: Stripe.Event) => changesOf(e).map((c) => [c.kind, c.id, c.action, c.eventKey])

  it("maps what the simulator does not emit: other objects of a resource, refunds listed on a charge, invoices without an id", () => {
    expect(touched(event("customer.subscription.created", { id: "sub_1Abc", customer: "cus_1Abc" }))).toEqual([])
    expect(touched(event("charge.dispute.created", { id: "dp_1Abc", charge: "ch_1Abc" }))).toEqual([])
    expect(touched(event("customer.tax_id.updated", { id: "txi_1Abc", customer: "cus_1Abc" }))).toEqual([["contact", "cus_1Abc", "changed", "evt_1Shape"]])
    expect(touched(event("charge.refunded", { id: "ch_1Abc", refunds: { object: "list", data: [{ id: "re_1A" }, { id: "re_1B" }] } }))).toEqual([
      ["credit-note", "re_1A", "changed", "evt_1Shape"],
      ["credit-note", "re_1B", "changed", "evt_1Shape/credit-note/re_1B"]
    ])
    expect(touched(event("charge.refunded", { id: "ch_1Abc" }))).toEqual([])
    expect(touched(event("charge.refund.updated", { id: "re_1A", object: "refund" }))).toEqual([["credit-note", "re_1A", "changed", "evt_1Shape"]])
    expect(touched(event("invoice.upcoming", { object: "invoice", customer: "cus_1Abc" }))).toEqual([])
    expect(touched(event("invoiceitem.created", { id: "ii_1Abc", invoice: null }))).toEqual([])
    expect(touched(event("price.updated", { id: "price_1Abc", product: "custom-sku_1" }))).toEqual([["item", "custom-sku_1", "changed", "evt_1Shape"]])
    expect(touched(event("product.deleted", { id: "prod_1Abc" }))).toEqual([["item", "prod_1Abc", "deleted", "evt_1Shape"]])
    expect(touched(event("customer.updated", { id: "cus_../../x" }))).toEqual([])
    expect(touched(event("credit_note.created", { id: "cn_1Abc", refunds: [{ refund: { id: "re_1A" } }, { refund: "re_1A" }] }))).toEqual([
      ["credit-note", "cn_1Abc", "created", "evt_1Shape"],
      ["credit-note", "re_1A", "changed", "evt_1Shape/credit-note/re_1A"]
    ])
    expect(changesOf(event("customer.updated", { id: "cus_1Abc" }, "alegra-sync-intent-7"))[0]).toMatchObject({ echo: true })
    expect(changesOf(event("customer.updated", { id: "cus_1Abc" }, "stripe-node-retry-1"))[0]!.echo).toBeUndefined()
  })

  it("accepts a signed event of a shape it cannot read as announcing nothing, instead of failing", () => {
    const body = JSON.stringify({ id: "evt_1Odd", object: "event", type: "customer.updated" })
    expect(deliver(body, { "stripe-signature": signed(body) })).toEqual({ _tag: "Accepted", changes: [], unreadable: null })
    expect(changesOf({ id: "evt_1Odd", type: 7, data: { object: { id: "cus_1Abc" } } } as unknown as Stripe.Event)).toEqual([])
  })
})
