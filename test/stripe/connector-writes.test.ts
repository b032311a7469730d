/**
 * Writes into Stripe through the connector (paid out of band, void, metadata tags, customer
 * updates), their Idempotency-Keys, states already reached, refusals; and finding records by
 * natural key while search lags behind writes.
 */
import { Option } from "effect"
import { describe, expect, it } from "vitest"
import { changesOf } from "../../connectors/stripe/index.js"
import type { WriteRequest } from "../../src/ports/connector.js"
import type { Contact } from "../../schema/index.js"
import { failureOf, run, suite } from "./connector-support.js"

// Search lags writes by a minute, as Stripe's usually does.
const t = suite({ searchLagMs: 60_000 })

let keys = 0
const key = () => `test-${process.pid}-${++keys}`
const write = (request: WriteRequest) => run(t.connector.write(request))
const recordOf = async (request: WriteRequest) => Option.getOrThrow((await write(request)).record).record
const openInvoice = (amount = 12_300) =>
  t.sim.admin.createInvoice({ customer: t.seed.customers.us, currency: "usd", lines: [{ amount, description: "Servicio" }], finalize: true })
/** Events about an object, oldest first. */
const eventsOf = async (id: string) =>
  (await t.stripe.events.list({ limit: 100 })).data.filter((e) => (e.data.object as { id?: string }).id === id).reverse()

describe("an invoice paid out of band (a payment recorded in Alegra)", () => {
  it("marks the open invoice paid with our Idempotency-Key; a retry with the same key changes nothing more", async () => {
    const invoice = openInvoice()
    const k = key()
    const paid = await write({ _tag: "Act", kind: "invoice", id: invoice.id, action: { _tag: "paid-out-of-band" }, idempotencyKey: k })
    expect(Option.getOrThrow(paid.record).record).toMatchObject({ id: invoice.id, status: "closed", balance: "0", total: "123" })
    expect(t.sim.admin.get("invoice", invoice.id)!.status).toBe("paid")
    const again = await write({ _tag: "Act", kind: "invoice", id: invoice.id, action: { _tag: "paid-out-of-band" }, idempotencyKey: k })
    expect(Option.getOrThrow(again.record).record).toMatchObject({ status: "closed" })
    const events = await eventsOf(invoice.id)
    expect(events.filter((e) => e.type === "invoice.paid")).toHaveLength(1)
    const paidEvent = events.find((e) => e.type === "invoice.paid")!
    expect(paidEvent.request?.idempotency_key).toBe(`alegra-sync-${k}`)
    expect(changesOf(paidEvent)).toEqual([{ kind: "invoice", id: invoice.id, action: "changed", eventKey: paidEvent.id, echo: true }])
    const sent = t.sim.stats.requests().filter((r) => r.path === `/v1/invoices/${invoice.id}/pay`)
    expect(sent.map((r) => [r.idempotencyKey, r.replayed ?? false])).toEqual([[`alegra-sync-${k}`, false], [`alegra-sync-${k}`, true]])
  })

  it("takes an invoice already paid as done, and refuses a void one as a conflict with Stripe's message", async () => {
    const invoice = openInvoice()
    t.sim.admin.payInvoice(invoice.id)
    expect(await recordOf({ _tag: "Act", kind: "invoice", id: invoice.id, action: { _tag: "paid-out-of-band" }, idempotencyKey: key() })).toMatchObject({ status: "closed" })
    const voided = openInvoice()
    t.sim.admin.voidInvoice(voided.id)
    const error = await failureOf(t.connector.write({ _tag: "Act", kind: "invoice", id: voided.id, action: { _tag: "paid-out-of-band" }, idempotencyKey: key() }))
    expect(error).toMatchObject({ system: "stripe", reason: "conflict", status: 400, code: "invoice_unexpected_state", method: "POST", path: `/v1/invoices/${voided.id}/pay` })
    expect(error.message).toContain("void")
    expect(error.transient).toBe(false)
  })
})

describe("an open invoice voided (voided in Alegra before payment)", () => {
  it("voids it, takes a void one as done, and refuses a paid one as a conflict", async () => {
    const invoice = openInvoice()
    expect(await recordOf({ _tag: "Act", kind: "invoice", id: invoice.id, action: { _tag: "void" }, idempotencyKey: key() })).toMatchObject({ status: "void", balance: "0" })
    expect(t.sim.admin.get("invoice", invoice.id)!.status).toBe("void")
    expect(await recordOf({ _tag: "Act", kind: "invoice", id: invoice.id, action: { _tag: "void" }, idempotencyKey: key() })).toMatchObject({ status: "void" })
    const paid = openInvoice()
    t.sim.admin.payInvoice(paid.id)
    const error = await failureOf(t.connector.write({ _tag: "Act", kind: "invoice", id: paid.id, action: { _tag: "void" }, idempotencyKey: key() }))
    expect(error).toMatchObject({ reason: "conflict", code: "invoice_unexpected_state" })
    expect(t.sim.admin.get("invoice", paid.id)!.status).toBe("paid")
  })
})

describe("tags (metadata.alegra_id) and finding them again", () => {
  it("tags a customer and finds it by that marker at once (recent events) and after search caught up (search)", async () => {
    const tagged = await recordOf({ _tag: "Tag", kind: "contact", id: t.seed.customers.co, alegraId: "4021", idempotencyKey: key() })
    expect(tagged).toMatchObject({ id: t.seed.customers.co, name: "Ferretería Andina S.A.S." })
    expect(t.sim.admin.get("customer", t.seed.customers.co)!.metadata).toEqual({ alegra_id: "4021" })
    const eventsBefore = t.sim.stats.count("GET", "/v1/events")
    const found = await run(t.connector.find("contact", { _tag: "marker", value: "4021" }))
    expect(Option.getOrThrow(found).record.id).toBe(t.seed.customers.co)
    expect(t.sim.stats.count("GET", "/v1/events")).toBe(eventsBefore + 1)
    t.sim.clock.advance(61_000)
    const viaSearch = await run(t.connector.find("contact", { _tag: "marker", value: "4021" }))
    expect(Option.getOrThrow(viaSearch).record.id).toBe(t.seed.customers.co)
    expect(t.sim.stats.count("GET", "/v1/events")).toBe(eventsBefore + 1)
    expect(await run(t.connector.find("contact", { _tag: "marker", value: "4022" }))).toEqual(Option.none())
  })

  it("does not answer a customer whose marker was changed since search indexed it", async () => {
    await write({ _tag: "Tag", kind: "contact", id: t.seed.customers.cl, alegraId: "7001", idempotencyKey: key() })
    t.sim.clock.advance(61_000)
    await write({ _tag: "Tag", kind: "contact", id: t.seed.customers.cl, alegraId: "7002", idempotencyKey: key() })
    expect(await run(t.connector.find("contact", { _tag: "marker", value: "7001" }))).toEqual(Option.none())
    expect(Option.getOrThrow(await run(t.connector.find("contact", { _tag: "marker", value: "7002" }))).record.id).toBe(t.seed.customers.cl)
  })

  it("tags products, invoices, credit notes and refunds; an invoice payment has no metadata and is answered as it is", async () => {
    const product = t.sim.admin.list("product")[0]!
    expect(await recordOf({ _tag: "Tag", kind: "item", id: product.id, alegraId: "11", idempotencyKey: key() })).toMatchObject({ id: product.id })
    expect(t.sim.admin.get("product", product.id)!.metadata).toMatchObject({ alegra_id: "11" })
    expect(Option.getOrThrow(await run(t.connector.find("item", { _tag: "marker", value: "11" }))).record.id).toBe(product.id)
    const invoice = openInvoice()
    expect(await recordOf({ _tag: "Tag", kind: "invoice", id: invoice.id, alegraId: "12", idempotencyKey: key() })).toMatchObject({ status: "open" })
    expect(t.sim.admin.get("invoice", invoice.id)!.metadata).toEqual({ alegra_id: "12" })
    expect(Option.getOrThrow(await run(t.connector.find("invoice", { _tag: "marker", value: "12" }))).record.id).toBe(invoice.id)
    const note = t.sim.admin.list("credit_note")[0]!
    expect(await recordOf({ _tag: "Tag", kind: "credit-note", id: note.id, alegraId: "13", idempotencyKey: key() })).toMatchObject({ id: note.id })
    expect(t.sim.admin.get("credit_note", note.id)!.metadata).toEqual({ alegra_id: "13" })
    const paid = t.sim.admin.list("invoice_payment").find((p) => p.status === "paid")!
    const refund = t.sim.admin.refund({ payment_intent: paid.payment.payment_intent as string, amount: 10 })
    expect(await recordOf({ _tag: "Tag", kind: "credit-note", id: refund.id, alegraId: "14", idempotencyKey: key() })).toMatchObject({ id: refund.id })
    expect(t.sim.admin.get("refund", refund.id)!.metadata).toEqual({ alegra_id: "14" })
    const posts = t.sim.stats.count("POST", "/v1")
    expect(await recordOf({ _tag: "Tag", kind: "payment", id: paid.id, alegraId: "15", idempotencyKey: key() })).toMatchObject({ id: paid.id })
    expect(t.sim.stats.count("POST", "/v1")).toBe(posts)
  })
})

describe("customer updates", () => {
  it("writes name, email, phone and address, ignores what Stripe does not take from Alegra, once per key", async () => {
    const current = Option.getOrThrow((await run(t.connector.read("contact", t.seed.customers.mxPerson))).record).record as Contact
    const wanted: Contact = {
      ...current,
      name: "María Fernanda López",
      email: "mf.lopez@empresa.mx",
      phone: "+52 33 1234 5678",
      identification: { type: "RFC", number: "XAXX010101000", dv: null },
      address: { street: "Av. Vallarta 1000", city: "Zapopan", region: "JAL", country: "MX", postalCode: "45110" }
    }
    const k = key()
    const request: WriteRequest = {
      _tag: "Update",
      record: { kind: "contact", record: wanted },
      fields: ["name", "email", "phone", "address", "identification"],
      idempotencyKey: k
    }
    expect(await recordOf(request)).toEqual({ ...wanted, identification: current.identification })
    expect(await recordOf(request)).toEqual({ ...wanted, identification: current.identification })
    const updates = (await eventsOf(t.seed.customers.mxPerson)).filter((e) => e.type === "customer.updated" && e.request?.idempotency_key === `alegra-sync-${k}`)
    expect(updates).toHaveLength(1)
    expect(t.sim.admin.get("customer", t.seed.customers.mxPerson)).toMatchObject({
      name: "María Fernanda López",
      address: { line1: "Av. Vallarta 1000", line2: null, city: "Zapopan", state: "JAL", country: "MX", postal_code: "45110" }
    })
  })

  it("refuses creates, deletes, other kinds' updates and actions, and ids Stripe never issues, sending nothing", async () => {
    const before = t.sim.stats.requests().length
    const contact = Option.getOrThrow((await run(t.connector.read("contact", t.seed.customers.us))).record)
    const sentForRead = t.sim.stats.requests().length
    const refusals = await Promise.all([
      failureOf(t.connector.write({ _tag: "Create", record: contact, marker: "m", idempotencyKey: key() })),
      failureOf(t.connector.write({ _tag: "Delete", kind: "contact", id: t.seed.customers.us, idempotencyKey: key() })),
      failureOf(t.connector.write({ _tag: "Act", kind: "contact", id: t.seed.customers.us, action: { _tag: "void" }, idempotencyKey: key() })),
      failureOf(t.connector.write({ _tag: "Act", kind: "invoice", id: "in_1Abc", action: { _tag: "stamp", fiscal: {} }, idempotencyKey: key() })),
      failureOf(t.connector.write({ _tag: "Tag", kind: "invoice", id: "in_1Abc/../../v1/customers", alegraId: "1", idempotencyKey: key() }))
    ])
    expect(refusals.map((e) => e.reason)).toEqual(["validation", "validation", "validation", "validation", "validation"])
    expect(refusals[4]!.message).toMatch(/^not a Stripe invoice id/)
    expect(t.sim.stats.requests().length).toBe(sentForRead)
    expect(sentForRead).toBe(before + 1)
  })
})

describe("finding customers and products by natural key", () => {
  it("finds a customer by email (exact list first, then search for another case), by name, and by tax id", async () => {
    const byEmail = await run(t.connector.find("contact", { _tag: "email", value: "finanzas@austral.cl" }))
    expect(Option.getOrThrow(byEmail).record.id).toBe(t.seed.customers.cl)
    const mixed = t.sim.admin.createCustomer({ name: "Mayúsculas", email: "Compras@Ejemplo.MX" })
    expect(await run(t.connector.find("contact", { _tag: "email", value: "compras@ejemplo.mx" }))).toEqual(Option.none())
    t.sim.clock.advance(61_000)
    expect(Option.getOrThrow(await run(t.connector.find("contact", { _tag: "email", value: "compras@ejemplo.mx" }))).record.id).toBe(mixed.id)
    expect(Option.getOrThrow(await run(t.connector.find("contact", { _tag: "name", value: "Importadora  Austral SpA" }))).record.id).toBe(t.seed.customers.cl)
    expect(Option.getOrThrow(await run(t.connector.find("contact", { _tag: "identification", value: "900123456" }))).record.id).toBe(t.seed.customers.co)
    expect(Option.getOrThrow(await run(t.connector.find("contact", { _tag: "identification", value: "CBA0102031X5" }))).record.id).toBe(t.seed.customers.mx)
    expect(await run(t.connector.find("contact", { _tag: "identification", value: "000000000" }))).toEqual(Option.none())
  })

  it("finds a product by SKU (even one search does not show yet) and by name; other keys find nothing", async () => {
    const sku = Option.getOrThrow(await run(t.connector.find("item", { _tag: "reference", value: "CAP-PRES" })))
    expect(sku.record).toMatchObject({ name: "Capacitación presencial", price: "180000" })
    const fresh = t.sim.admin.createProduct({ name: "Nuevo", metadata: { sku: "NEW-1" }, default_price_data: { currency: "mxn", unit_amount: 100 } })
    expect(Option.getOrThrow(await run(t.connector.find("item", { _tag: "reference", value: "NEW-1" }))).record.id).toBe(fresh.id)
    expect(Option.getOrThrow(await run(t.connector.find("item", { _tag: "name", value: "Hosting mensual" }))).record).toMatchObject({ reference: "HOST-MES" })
    expect(await run(t.connector.find("payment", { _tag: "marker", value: "1" }))).toEqual(Option.none())
    expect(await run(t.connector.find("item", { _tag: "email", value: "x@y.z" }))).toEqual(Option.none())
  })
})
