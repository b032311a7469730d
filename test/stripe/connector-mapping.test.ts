/**
 * Reading Stripe through the connector: every kind mapped to the canonical model from the
 * simulator's seeded account (MXN, COP, CLP and USD), deleted and draft records, refunds and the
 * credit notes that cover them, listing page by page.
 */
import { Option, Stream } from "effect"
import { describe, expect, it } from "vitest"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import { nitCheckDigit, presets, rutCheckDigit, seedAccount } from "../../connectors/stripe/simulator/index.js"
import { connect, failureOf, run, suite } from "./connector-support.js"
import { start, Stripe } from "./support.js"

const t = suite()

const read = async (kind: Kind, id: string) => (await run(t.connector.read(kind, id))).record
const record = async (kind: Kind, id: string): Promise<CanonicalRecord["record"]> => Option.getOrThrow(await read(kind, id)).record
const utcDay = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().slice(0, 10)
const invoices = () => t.sim.admin.list("invoice")
const invoiceOf = (customer: string, status: string) => invoices().filter((i) => i.customer === customer && i.status === status)
const all = async (kind: Kind) => (await run(Stream.runCollect(t.connector.list(kind)))).pipe((c) => [...c].flatMap((p) => p.records))

describe("customers → contacts", () => {
  it("maps name, email, phone, address and the tax id as the Alegra identification, NIT and RUT check digits apart", async () => {
    expect(await record("contact", t.seed.customers.mx)).toEqual({
      id: t.seed.customers.mx,
      name: "Comercializadora del Bajío S.A. de C.V.",
      identification: { type: "RFC", number: "CBA0102031X5", dv: null },
      email: "compras@bajio-comercial.mx",
      phone: "+52 442 123 4567",
      mobile: null,
      roles: ["client"],
      status: "active",
      address: { street: "Av. Constituyentes 120", city: "Querétaro", region: "QRO", country: "MX", postalCode: "76000" }
    })
    expect(await record("contact", t.seed.customers.co)).toMatchObject({
      identification: { type: "NIT", number: "900.123.456", dv: String(nitCheckDigit("900123456")) },
      address: { street: "Carrera 7 # 71-21", city: "Bogotá", region: null, country: "CO", postalCode: "110231" }
    })
    expect(await record("contact", t.seed.customers.cl)).toMatchObject({ identification: { type: "RUT", number: "76.543.210", dv: rutCheckDigit("76543210") } })
    expect(await record("contact", t.seed.customers.us)).toMatchObject({ identification: { type: "EIN", number: "12-3456789", dv: null }, phone: null })
  })

  it("prefers the tax id of the customer's country, names a nameless customer by its email, and reads a deleted one as gone", async () => {
    const dr = t.sim.admin.createCustomer({
      email: "pagos@caribe.do",
      address: { country: "DO", line1: "Av. Winston Churchill 93", line2: "Piso 4" },
      tax_id_data: [{ type: "us_ein", value: "98-7654321" }, { type: "do_rcn", value: "131246799" }]
    })
    expect(await record("contact", dr.id)).toMatchObject({
      name: "pagos@caribe.do",
      identification: { type: "RNC", number: "131246799", dv: null },
      address: { street: "Av. Winston Churchill 93, Piso 4", city: null, country: "DO" }
    })
    t.sim.admin.request("DELETE", `/v1/customers/${dr.id}`)
    expect(await read("contact", dr.id)).toEqual(Option.none())
    expect(await read("contact", "cus_NeverIssued0000")).toEqual(Option.none())
  })
})

describe("products → items", () => {
  it("maps the default price exactly in its currency, the SKU as reference, and the SAT product key", async () => {
    const items = (await all("item")).map((r) => r.record)
    const byRef = Object.fromEntries(items.map((i) => [(i as { reference: string }).reference, i]))
    expect(byRef["SRV-CONT-H"]).toMatchObject({ name: "Consultoría contable (hora)", price: "1500", status: "active", taxIds: [], productKey: null, description: null })
    expect(byRef["LIC-ANUAL"]).toMatchObject({ price: "12000" })
    expect(byRef["SOP-MES"]).toMatchObject({ price: "250000" })
    expect(byRef["CAP-PRES"]).toMatchObject({ price: "180000" })
    expect(byRef["HOST-MES"]).toMatchObject({ price: "49" })

    const kwd = await t.stripe.products.create({
      name: "Servicio",
      description: "Mensual",
      metadata: { sat_product_key: "81111500" },
      default_price_data: { currency: "kwd", unit_amount_decimal: Stripe.Decimal.from("12345.5") }
    })
    expect(await record("item", kwd.id)).toEqual({
      id: kwd.id,
      name: "Servicio",
      description: "Mensual",
      reference: null,
      status: "active",
      price: "12.3455",
      taxIds: [],
      type: null,
      productKey: "81111500"
    })
  })

  it("reads a product without a price at 0, an archived one as inactive, and a deleted one as gone", async () => {
    const bare = t.sim.admin.createProduct({ name: "Sin precio", active: false })
    expect(await record("item", bare.id)).toMatchObject({ price: "0", status: "inactive" })
    t.sim.admin.request("DELETE", `/v1/products/${bare.id}`)
    expect(await read("item", bare.id)).toEqual(Option.none())
  })
})

describe("invoices", () => {
  it("maps a paid MXN invoice: number, finalization day, lines with product, unit price, taxes and total, closed with nothing due", async () => {
    const [paid] = invoiceOf(t.seed.customers.mx, "paid")
    const iva = paid!.default_tax_rates[0] as { id: string }
    const products = paid!.lines.data.map((l) => l.pricing!.price_details!.product)
    expect(await record("invoice", paid!.id)).toEqual({
      id: paid!.id,
      number: paid!.number,
      date: utcDay(paid!.status_transitions.finalized_at!),
      dueDate: null,
      status: "closed",
      contactId: t.seed.customers.mx,
      currency: "MXN",
      lines: [
        { itemId: products[0], accountId: null, description: "Consultoría contable (hora)", quantity: "6", price: "1500", discount: "0", taxIds: [iva.id], total: "10440" },
        { itemId: products[1], accountId: null, description: "Licencia anual de software", quantity: "1", price: "12000", discount: "0", taxIds: [iva.id], total: "13920" }
      ],
      total: "24360",
      balance: "0",
      stamped: false,
      observations: null
    })
  })

  it("maps COP and CLP (zero-decimal, tax included in the price) totals to the unit, open invoices with what is left", async () => {
    const [copOpen] = invoiceOf(t.seed.customers.co, "open")
    expect(await record("invoice", copOpen!.id)).toMatchObject({ status: "open", currency: "COP", total: "297500", balance: "297500", dueDate: utcDay(copOpen!.due_date!) })
    const [copPaid] = invoiceOf(t.seed.customers.co, "paid")
    expect(await record("invoice", copPaid!.id)).toMatchObject({ status: "closed", total: "595000", balance: "0" })
    const [clp] = invoiceOf(t.seed.customers.cl, "paid")
    expect(await record("invoice", clp!.id)).toMatchObject({
      currency: "CLP",
      total: "540000",
      lines: [{ quantity: "3", price: "180000", total: "540000" }]
    })
    // The open MXN invoice a pre-payment credit note lowered: 3480 - 1740.
    const [mxOpen] = invoiceOf(t.seed.customers.mxPerson, "open")
    expect(await record("invoice", mxOpen!.id)).toMatchObject({ status: "open", total: "3480", balance: "1740" })
  })

  it("reads a void invoice as void, a line without a product with no item, a draft as draft, uncollectible as open, a deleted draft as gone", async () => {
    const [voided] = invoiceOf(t.seed.customers.us, "void")
    expect(await record("invoice", voided!.id)).toMatchObject({ status: "void", total: "25", balance: "0", lines: [{ itemId: null, description: "Setup fee", quantity: "1", price: "25" }] })
    const [draft] = invoiceOf(t.seed.customers.cl, "draft")
    expect(await record("invoice", draft!.id)).toMatchObject({ status: "draft", number: null, date: utcDay(draft!.created), total: "95000" })
    const owed = t.sim.admin.createInvoice({ customer: t.seed.customers.us, currency: "usd", lines: [{ amount: 1_000, description: "Late fee" }], finalize: true })
    t.sim.admin.markUncollectible(owed.id)
    expect(await record("invoice", owed.id)).toMatchObject({ status: "open", balance: "10" })
    const gone = t.sim.admin.createInvoice({ customer: t.seed.customers.us, currency: "usd", lines: [{ amount: 500 }] })
    t.sim.admin.request("DELETE", `/v1/invoices/${gone.id}`)
    expect(await read("invoice", gone.id)).toEqual(Option.none())
  })

  it("reads every line of an invoice with more than Stripe embeds", async () => {
    const many = t.sim.admin.createInvoice({
      customer: t.seed.customers.us,
      currency: "usd",
      lines: Array.from({ length: 23 }, (_, i) => ({ amount: 100 + i, description: `Línea ${i}` })),
      finalize: true
    })
    const mapped = await record("invoice", many.id) as { lines: ReadonlyArray<{ description: string; total: string }>; total: string }
    expect(mapped.lines.map((l) => l.description)).toEqual(Array.from({ length: 23 }, (_, i) => `Línea ${i}`))
    expect(mapped.total).toBe("25.53")
    expect(t.sim.stats.count("GET", "/v1/invoices/:id/lines")).toBe(1)
  })
})

describe("invoice payments → payments", () => {
  it("maps every card payment with its invoice, customer, amount in its currency and the method; out-of-band payments are not listed", async () => {
    const payments = (await all("payment")).map((r) => r.record as { applications: ReadonlyArray<{ documentId: string }> })
    const paidByCard = invoices().filter((i) => i.status === "paid" && i.customer !== t.seed.customers.co)
    expect(payments.map((p) => p.applications[0]!.documentId).sort()).toEqual(paidByCard.map((i) => i.id).sort())
    const [clp] = invoiceOf(t.seed.customers.cl, "paid")
    const pay = t.sim.admin.list("invoice_payment").find((p) => p.invoice === clp!.id)!
    expect(await record("payment", pay.id)).toEqual({
      id: pay.id,
      number: null,
      date: utcDay(pay.status_transitions.paid_at!),
      direction: "in",
      status: "open",
      amount: "540000",
      contactId: t.seed.customers.cl,
      bankAccountId: null,
      method: "credit-card",
      currency: "CLP",
      applications: [{ documentKind: "invoice", documentId: clp!.id, amount: "540000" }]
    })
  })

  it("reads an attempt that was declined as nothing to sync, and maps the method through the configured table", async () => {
    const invoice = t.sim.admin.createInvoice({ customer: t.seed.customers.us, currency: "usd", lines: [{ amount: 7_700 }], finalize: true })
    expect(() => t.sim.admin.payInvoice(invoice.id, { paymentMethod: "pm_card_chargeDeclined" })).toThrow()
    const attempt = t.sim.admin.list("invoice_payment").find((p) => p.invoice === invoice.id)!
    expect(attempt.status).toBe("open")
    expect(await read("payment", attempt.id)).toEqual(Option.none())
    t.sim.admin.payInvoice(invoice.id, { paymentMethod: "pm_card_amex" })
    const custom = await connect(t.sim, { paymentMethods: { card: "debit-card" } })
    try {
      const observed = await run(custom.connector.read("payment", attempt.id))
      expect(Option.getOrThrow(observed.record).record).toMatchObject({ method: "debit-card", amount: "77", currency: "USD" })
    } finally {
      await custom.close()
    }
  })
})

describe("credit notes and refunds → credit notes", () => {
  it("maps pre- and post-payment credit notes against their invoice; a refund a credit note made is not a second one", async () => {
    const notes = t.sim.admin.list("credit_note")
    const [mxOpen] = invoiceOf(t.seed.customers.mxPerson, "open")
    const pre = notes.find((n) => n.invoice === mxOpen!.id)!
    const line = mxOpen!.lines.data[0]!
    expect(await record("credit-note", pre.id)).toEqual({
      id: pre.id,
      number: pre.number,
      date: utcDay(pre.effective_at!),
      status: "closed",
      contactId: t.seed.customers.mxPerson,
      currency: "MXN",
      lines: [{
        itemId: line.pricing!.price_details!.product,
        accountId: null,
        description: line.description,
        quantity: "1",
        price: "1500",
        discount: "0",
        taxIds: [(mxOpen!.default_tax_rates[0] as { id: string }).id],
        total: "1740"
      }],
      total: "1740",
      balance: "0",
      stamped: false,
      applications: [{ documentKind: "invoice", documentId: mxOpen!.id, amount: "1740" }]
    })
    const post = notes.find((n) => n.type === "post_payment")!
    const refundId = post.refunds[0]!.refund as string
    // After payment the credit is money returned, not a balance applied to the (paid) invoice.
    expect(await record("credit-note", post.id)).toMatchObject({ total: "1740", status: "closed", applications: [], refunds: [{ amount: "1740", bankAccountId: null }] })
    expect(await read("credit-note", refundId)).toEqual(Option.none())
    const listed = (await all("credit-note")).map((r) => r.record.id)
    expect(listed.sort()).toEqual(notes.map((n) => n.id).sort())
  })

  it("maps a refund no credit note covers as a credit note of the refunded amount, until a credit note takes it over", async () => {
    const [usd] = invoiceOf(t.seed.customers.us, "paid")
    const payment = t.sim.admin.list("invoice_payment").find((p) => p.invoice === usd!.id)!
    const refund = t.sim.admin.refund({ payment_intent: payment.payment.payment_intent as string, amount: 1_050, reason: "requested_by_customer" })
    expect(await record("credit-note", refund.id)).toEqual({
      id: refund.id,
      number: null,
      date: utcDay(refund.created),
      status: "closed",
      contactId: t.seed.customers.us,
      currency: "USD",
      lines: [{ itemId: null, accountId: null, description: `Stripe refund ${refund.id} (requested_by_customer)`, quantity: "1", price: "10.5", discount: "0", taxIds: [], total: "10.5" }],
      total: "10.5",
      balance: "0",
      stamped: false,
      applications: [],
      refunds: [{ date: utcDay(refund.created), amount: "10.5", bankAccountId: null }]
    })
    expect((await all("credit-note")).map((r) => r.record.id)).toContain(refund.id)
    const note = t.sim.admin.createCreditNote({ invoice: usd!.id, amount: 1_050, refunds: [{ refund: refund.id }] })
    expect(await read("credit-note", refund.id)).toEqual(Option.none())
    expect(await record("credit-note", note.id)).toMatchObject({ total: "10.5", lines: [{ itemId: null, quantity: "1", price: "10.5" }] })
    expect((await all("credit-note")).map((r) => r.record.id)).not.toContain(refund.id)
  })
})

describe("requests per record", () => {
  it("reads a paid invoice and everything it needs in one request per record; a refund in three", async () => {
    const [paid] = invoiceOf(t.seed.customers.mx, "paid")
    const payment = t.sim.admin.list("invoice_payment").find((p) => p.invoice === paid!.id)!
    const products = paid!.lines.data.map((l) => l.pricing!.price_details!.product)
    const sent = async (kind: Kind, id: string) => {
      const before = t.sim.stats.requests().length
      expect(Option.isSome(await read(kind, id))).toBe(true)
      return t.sim.stats.requests().length - before
    }
    const counts = [await sent("contact", t.seed.customers.mx)]
    for (const p of products) counts.push(await sent("item", p))
    counts.push(await sent("invoice", paid!.id), await sent("payment", payment.id))
    expect(counts).toEqual([1, 1, 1, 1, 1])
    const note = t.sim.admin.list("credit_note")[0]!
    expect(await sent("credit-note", note.id)).toBe(1)
    const refund = t.sim.admin.refund({ payment_intent: payment.payment.payment_intent as string, amount: 100 })
    expect(await sent("credit-note", refund.id)).toBe(3)
  })
})

describe("ids and listing", () => {
  it("refuses ids Stripe never issues and kinds it does not sync, before sending anything", async () => {
    const before = t.sim.stats.requests().length
    expect(t.connector.isValidId("invoice", "in_1Abc")).toBe(true)
    expect(t.connector.isValidId("invoice", "../v1/customers")).toBe(false)
    expect(t.connector.isValidId("credit-note", "re_1Abc")).toBe(true)
    expect(t.connector.isValidId("bill", "in_1Abc")).toBe(false)
    expect((await failureOf(t.connector.read("invoice", "cus_123/../x"))).message).toMatch(/^not a Stripe invoice id/)
    expect((await failureOf(t.connector.read("bill", "x"))).message).toBe("the Stripe connector does not sync bill records")
    expect(t.sim.stats.requests().length).toBe(before)
  })

  it("lists every record of a kind page by page, resuming from a page's cursor", async () => {
    const volume = await start()
    seedAccount(volume, presets.volume)
    const c = await connect(volume)
    try {
      const pages = [...await run(Stream.runCollect(c.connector.list("contact")))]
      expect(pages.map((p) => p.records.length)).toEqual([100, 55])
      expect(new Set(pages.flatMap((p) => p.records.map((r) => r.record.id))).size).toBe(155)
      const resumed = [...await run(Stream.runCollect(c.connector.list("contact", pages[0]!.next)))]
      expect(resumed.flatMap((p) => p.records.map((r) => r.record.id))).toEqual(pages[1]!.records.map((r) => r.record.id))
      const invoicePages = [...await run(Stream.runCollect(c.connector.list("invoice")))]
      expect(invoicePages.flatMap((p) => p.records).length).toBe(volume.admin.count("invoice"))
      const paid = volume.admin.list("invoice_payment").filter((p) => p.status === "paid").length
      expect((await run(Stream.runCollect(c.connector.list("payment")))).pipe((ch) => [...ch].flatMap((p) => p.records).length)).toBe(paid)
      for (const p of pages) expect(p.readAt).toBeGreaterThan(0)
    } finally {
      await c.close()
      await volume.close()
    }
  })
})
