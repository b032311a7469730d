/**
 * Stripe ↔ Alegra through the daemon process, the official SDK and both simulators
 * (issue 10, "Done means"): card payments become legal invoices in Alegra, and what
 * the accountant does in Alegra flows back to Stripe.
 */
import Stripe from "stripe"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { type AlegraSimulator, presets, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { startStripeSimulator, type StripeSimulator } from "../../connectors/stripe/simulator/index.js"
import { type CliProcess, freePort, runCli, runCliToEnd, type TestConfig, waitFor, writeConfig } from "../support/process.js"
import { count, readStore } from "../support/store.js"

const email = "contabilidad@tienda-en-linea.mx"
const token = "sim-token-stripe-e2e-3f9a21"

interface World {
  readonly alegra: AlegraSimulator
  readonly stripeSim: StripeSimulator
  readonly stripe: Stripe
  readonly config: TestConfig
  readonly taxRate: string
  readonly bankAccount: string
  /** Writes the config again, its stamping section changed (undefined: a field left out). */
  readonly rewrite: (stamping: Record<string, unknown>) => Promise<TestConfig>
}

const running: Array<CliProcess> = []
const startDaemon = (config: TestConfig) => {
  const cli = runCli(["run", "--config", config.file], config.env)
  running.push(cli)
  return cli
}
afterEach(async () => {
  for (const cli of running.splice(0)) await cli.stop("SIGKILL")
})
const following = (cli: CliProcess) => cli.output().stderr.includes("following changes")

/** Both simulators, a Stripe webhook endpoint pointing at the daemon, and its config. */
const makeWorld = async (options: { readonly stamping?: boolean } = {}): Promise<World> => {
  const alegra = await startAlegraSimulator({ email, token, requestsPerMinute: 6000 })
  seedAccount(alegra, presets.small)
  const stripeSim = await startStripeSimulator({ opsPerSecond: 100, searchLagMs: 500 })
  const stripe = new Stripe(stripeSim.apiKey, { ...stripeSim.clientOptions(), maxNetworkRetries: 2 })
  const port = await freePort()
  const endpoint = await stripe.webhookEndpoints.create({ url: `http://127.0.0.1:${port}/webhooks/stripe`, enabled_events: ["*"] })
  const taxRate = await stripe.taxRates.create({ display_name: "IVA", percentage: 16, inclusive: false, country: "MX" })
  const bankAccount = (alegra.admin.list("bank-account")[0] as { id: string }).id
  // Partial refunds credit the config's default item.
  const defaultItem = (alegra.admin.list("item")[0] as { id: string }).id
  const write = (stamping: Record<string, unknown>, dir?: string) =>
    writeConfig({
      alegraUrl: alegra.url,
      email,
      token,
      port,
      ...(dir === undefined ? {} : { dir }),
      polling: { paymentsSeconds: 1, paymentsRecent: 30, creditNotesSeconds: 1, sweepMinutes: 600 },
      sections: {
        stripe: {
          enabled: true,
          apiKey: { env: "STRIPE_API_KEY" },
          webhookSecret: { env: "STRIPE_WEBHOOK_SECRET" },
          baseUrl: stripeSim.url,
          requestsPerSecond: 50,
          bankAccount,
          taxRates: { [taxRate.id]: "3" },
          defaultItem,
          stamping
        }
      },
      env: { STRIPE_API_KEY: stripeSim.apiKey, STRIPE_WEBHOOK_SECRET: endpoint.secret! }
    })
  const stamping = { enabled: options.stamping ?? false, numberTemplate: "1", paymentForm: "CASH", paymentMethod: "PUE", cfdiUse: "G03", regime: "616" }
  const config = await write(stamping)
  return { alegra, stripeSim, stripe, config, taxRate: taxRate.id, bankAccount, rewrite: (patch) => write({ ...stamping, ...patch }, config.dir) }
}

/** A customer with an RFC, two products priced in `currency`, and a finalized invoice for them. */
const invoiceFor = async (w: World, currency: string, amounts: readonly [number, number], rfc = "TEL010101AB1") => {
  const customer = await w.stripe.customers.create({
    name: `Cliente ${currency} ${rfc}`,
    email: `${rfc.toLowerCase()}@cliente.mx`,
    tax_id_data: [{ type: "mx_rfc", value: rfc }]
  })
  const products = await Promise.all(amounts.map((amount, i) =>
    w.stripe.products.create({ name: `Plan ${currency} ${i}`, default_price_data: { currency, unit_amount: amount }, expand: ["default_price"] })
  ))
  const invoice = await w.stripe.invoices.create({ customer: customer.id, currency, auto_advance: false, collection_method: "send_invoice", days_until_due: 30 })
  for (const product of products) {
    await w.stripe.invoiceItems.create({
      customer: customer.id,
      invoice: invoice.id,
      pricing: { price: (product.default_price as Stripe.Price).id },
      quantity: 2,
      tax_rates: [w.taxRate]
    })
  }
  const finalized = await w.stripe.invoices.finalizeInvoice(invoice.id)
  return { customer, products, invoice: finalized }
}

/** The Alegra record linked to a Stripe record, from the daemon's store. */
const linked = (w: World, kind: string, externalId: string): string | undefined =>
  readStore(w.config.storePath, (db) =>
    (db.prepare("SELECT alegra_id FROM links WHERE system = 'stripe' AND kind = ? AND external_id = ?").get(kind, externalId) as
      | { alegra_id: string }
      | undefined)?.alegra_id)

/** How many of each kind the flow creates Alegra holds now. */
const alegraCounts = (w: World) => ({
  contact: w.alegra.admin.count("contact"),
  item: w.alegra.admin.count("item"),
  invoice: w.alegra.admin.count("invoice"),
  payment: w.alegra.admin.count("payment")
})
type AlegraCounts = ReturnType<typeof alegraCounts>

/** What Alegra gained since `before`, kind by kind. */
const addedSince = (w: World, before: AlegraCounts): AlegraCounts => {
  const now = alegraCounts(w)
  return { contact: now.contact - before.contact, item: now.item - before.item, invoice: now.invoice - before.invoice, payment: now.payment - before.payment }
}

/** Whether the Stripe invoice is in Alegra, stamped. */
const stampedInAlegra = (w: World, invoiceId: string) => {
  const id = linked(w, "invoice", invoiceId)
  return id !== undefined && (w.alegra.admin.get("invoice", id) as { stamp?: unknown }).stamp !== undefined
}

/** The payment that paid a Stripe invoice. */
const paymentOf = async (w: World, invoiceId: string) =>
  (await w.stripe.invoicePayments.list({ invoice: invoiceId })).data.find((p) => p.status === "paid")!

/** Both simulators and one daemon, for every test of a describe. */
const withDaemon = (options: { readonly stamping?: boolean } = {}) => {
  const state = {} as { w: World; daemon: CliProcess }
  beforeAll(async () => {
    state.w = await makeWorld(options)
    // Started here and kept across the tests: not one of the per-test processes.
    state.daemon = runCli(["run", "--config", state.w.config.file], state.w.config.env)
    await waitFor("the daemon following changes", () => following(state.daemon), { timeoutMs: 90_000 })
  })
  afterAll(async () => {
    await state.daemon?.stop("SIGKILL")
    await state.w?.alegra.close()
    await state.w?.stripeSim.close()
  })
  return state
}

const alegraTotal = (w: World, kind: "invoice" | "payment" | "credit-note", id: string) =>
  Number((w.alegra.admin.get(kind, id) as { total?: string | number; amount?: string | number }).total ??
    (w.alegra.admin.get(kind, id) as { amount: string | number }).amount)

/** Stripe's minor units as a decimal number in `currency`. */
const major = (amount: number, currency: string) => (["clp", "jpy", "krw"].includes(currency) ? amount : amount / 100)

describe("Stripe → Alegra", () => {
  const world = withDaemon()
  let w: World
  beforeAll(() => {
    w = world.w
  })

  for (const [currency, amounts] of [["mxn", [1_999_00, 350_50]], ["clp", [19_990, 4_590]]] as const) {
    it(`a paid ${currency.toUpperCase()} invoice for a new customer with new products: one contact, the items, one invoice, one payment, equal totals`, async () => {
      const before = alegraCounts(w)
      const alegraRequests = w.alegra.stats.requests().length
      const stripeRequests = w.stripeSim.stats.requests().length
      // The test's own Stripe calls, apart from the daemon's.
      let own = 0
      const counted = () => void own++
      w.stripe.on("response", counted)
      const { customer, invoice } = await invoiceFor(w, currency, amounts, currency === "mxn" ? "TEL010101AB1" : "CHI020202CD2")
      const paid = await w.stripe.invoices.pay(invoice.id, { payment_method: "pm_card_visa" })
      expect(paid.status).toBe("paid")
      const payment = await paymentOf(w, invoice.id)
      await waitFor("the payment in Alegra", () => linked(w, "payment", payment.id), { timeoutMs: 60_000 })
      expect(addedSince(w, before)).toEqual({ contact: 1, item: 2, invoice: 1, payment: 1 })
      const alegraInvoice = linked(w, "invoice", invoice.id)!
      expect(alegraTotal(w, "invoice", alegraInvoice)).toBe(major(invoice.total, currency))
      expect(alegraTotal(w, "payment", linked(w, "payment", payment.id)!)).toBe(major(invoice.total, currency))
      await waitFor("the invoice paid in Alegra", () => (w.alegra.admin.get("invoice", alegraInvoice) as { status: string }).status === "closed")
      expect((w.alegra.admin.get("contact", linked(w, "contact", customer.id)!) as { type: Array<string> }).type).toContain("client")
      // Requests per synced invoice, prerequisites counted (the closing note's figures). Alegra's
      // pollers (payments and credit notes every second here) are counted apart.
      w.stripe.off("response", counted)
      const byRoute = (list: ReadonlyArray<{ readonly method: string; readonly path: string }>) =>
        Object.entries(list.reduce<Record<string, number>>((acc, r) => {
          const route = `${r.method} ${r.path.replace(/\?.*$/, "").replace(/\/api\/v1/, "").replace(/\/\d+/g, "/:id")}`
          acc[route] = (acc[route] ?? 0) + 1
          return acc
        }, {})).map(([route, n]) => `${route} ${n}`).join(", ")
      const alegraSent = w.alegra.stats.requests().slice(alegraRequests)
      // On a first attempt nothing is looked up by marker: every list of payments or credit notes is a poll.
      const polls = alegraSent.filter((r) => r.method === "GET" && /\/(payments|credit-notes)\?/.test(r.path))
      const stripeSent = w.stripeSim.stats.requests().slice(stripeRequests)
      console.log(`requests for a paid ${currency} invoice, new customer and 2 new products: Alegra ${alegraSent.length - polls.length} (${byRoute(alegraSent.filter((r) => !polls.includes(r)))}; and ${polls.length} polls), Stripe ${stripeSent.length - own} by the daemon (${stripeSent.length} with the test's own: ${byRoute(stripeSent.map((r) => ({ ...r, path: r.path.replace(/\/(?!invoice_payments)[a-z]+_[A-Za-z0-9]+/g, "/:id") })))})`)
    })
  }

  it("a refund produces a credit note against the invoice", async () => {
    const { customer, invoice } = await invoiceFor(w, "mxn", [500_00, 100_00], "REF030303EF3")
    await w.stripe.invoices.pay(invoice.id, { payment_method: "pm_card_visa" })
    const paid = await paymentOf(w, invoice.id)
    const charge = await w.stripe.charges.list({ payment_intent: (paid.payment as { payment_intent: string }).payment_intent })
    const refund = await w.stripe.refunds.create({ charge: charge.data[0]!.id, amount: 200_00 })
    await waitFor("the credit note in Alegra", () => linked(w, "credit-note", refund.id), { timeoutMs: 60_000 })
    const note = w.alegra.admin.get("credit-note", linked(w, "credit-note", refund.id)!) as {
      total: string | number
      balance: string | number
      client: { id: string }
      invoices: Array<unknown>
      refunds: Array<{ amount: string | number; account: { id: string } }>
      items: Array<{ price: string | number; tax: Array<{ id: string | number }> }>
    }
    // 200 MXN back, IVA included: the IVA the invoice charged is credited back, and the money
    // leaves the Stripe bank account (the invoice is paid: nothing is left to apply it to).
    expect(Number(note.total)).toBe(200)
    expect(Number(note.balance)).toBe(0)
    expect(note.items.map((i) => [Number(i.price), i.tax.map((t) => String(t.id))])).toEqual([[172.41, ["3"]]])
    expect(note.refunds.map((r) => [Number(r.amount), r.account.id])).toEqual([[200, w.bankAccount]])
    expect(note.invoices).toEqual([])
    expect(note.client.id).toBe(linked(w, "contact", customer.id))
  })

  it("a customer whose tax id matches an Alegra provider gets the client role added, not a second contact", async () => {
    const provider = w.alegra.admin.create("contact", {
      name: "Distribuidora Norte SA de CV",
      identification: { type: "RFC", number: "DNO-040404-GH4" },
      type: ["provider"]
    }, { silent: true }) as { id: string }
    const contacts = w.alegra.admin.count("contact")
    // The tax id comes with the customer, as a checkout or an integration sends it.
    const customer = await w.stripe.customers.create({
      name: "Distribuidora del Norte",
      email: "compras@dnorte.mx",
      tax_id_data: [{ type: "mx_rfc", value: "DNO040404GH4" }]
    })
    await waitFor("the customer linked", () => linked(w, "contact", customer.id), { timeoutMs: 60_000 })
    expect(linked(w, "contact", customer.id)).toBe(provider.id)
    expect(w.alegra.admin.count("contact")).toBe(contacts)
    expect((w.alegra.admin.get("contact", provider.id) as { type: Array<string> }).type.sort()).toEqual(["client", "provider"])
    // The email Alegra lacked is filled; the RFC, the same number written with dashes, is left as the accountant wrote it.
    expect(w.alegra.admin.get("contact", provider.id)).toMatchObject({ email: "compras@dnorte.mx", identification: "DNO-040404-GH4" })
  })

  it("events delivered twice or out of order give the same result", async () => {
    w.stripeSim.faults.duplicateDeliveries(20)
    w.stripeSim.faults.reorderDeliveries(20)
    const before = alegraCounts(w)
    const { invoice } = await invoiceFor(w, "mxn", [250_00, 75_00], "DUP050505IJ5")
    await w.stripe.invoices.pay(invoice.id, { payment_method: "pm_card_visa" })
    const payment = await paymentOf(w, invoice.id)
    await waitFor("the payment in Alegra", () => linked(w, "payment", payment.id), { timeoutMs: 60_000 })
    await w.stripeSim.waitForDeliveries()
    // Let every duplicate be processed, then count.
    await waitFor("the inbox drained", () => count(w.config.storePath, "SELECT count(*) AS n FROM inbox WHERE status = 'pending'") === 0, { timeoutMs: 60_000 })
    // Each record once, however many times and in whatever order its events came.
    expect(addedSince(w, before)).toEqual({ contact: 1, item: 2, invoice: 1, payment: 1 })
  })

  it("our own write never comes back as a change: once settled, nothing more is written to either side", async () => {
    await waitFor("the inbox drained", () => count(w.config.storePath, "SELECT count(*) AS n FROM inbox WHERE status = 'pending'") === 0, { timeoutMs: 60_000 })
    const writes = () => ({
      alegra: w.alegra.stats.requests().filter((r) => r.method !== "GET").length,
      stripe: w.stripeSim.stats.requests().filter((r) => r.method !== "GET").length
    })
    const settled = writes()
    const links = readStore(w.config.storePath, (db) => db.prepare("SELECT COUNT(*) AS n FROM links WHERE system = 'stripe'").get() as { n: number }).n
    expect(links).toBeGreaterThan(5)
    // Every echo delivered (Alegra's webhooks of our writes, Stripe's events of ours) and processed,
    // each re-reading its record and syncing its pair again: no write anywhere.
    await Promise.all([w.alegra.waitForDeliveries(), w.stripeSim.waitForDeliveries()])
    await waitFor("the inbox drained", () => count(w.config.storePath, "SELECT count(*) AS n FROM inbox WHERE status = 'pending'") === 0, { timeoutMs: 60_000 })
    expect(writes()).toEqual(settled)
    // The only conflict is the provider's name, matched by its RFC (the test above), decided by its owner.
    expect(readStore(w.config.storePath, (db) => db.prepare("SELECT kind, fields, resolution FROM conflicts").all())).toEqual([
      { kind: "contact", fields: expect.stringContaining(`"field":"name"`), resolution: "system wins" }
    ])
  })

  it("a payment recorded in Alegra marks the Stripe invoice paid out of band; a void in Alegra voids the open one", async () => {
    const first = await invoiceFor(w, "mxn", [100_00, 20_00], "BAK060606KL6")
    const second = await invoiceFor(w, "mxn", [90_00, 10_00], "BAK070707MN7")
    await waitFor("both invoices in Alegra", () => linked(w, "invoice", first.invoice.id) && linked(w, "invoice", second.invoice.id), { timeoutMs: 60_000 })
    const alegraFirst = linked(w, "invoice", first.invoice.id)!
    const bankAccount = (w.alegra.admin.list("bank-account")[0] as { id: string }).id
    const balance = Number((w.alegra.admin.get("invoice", alegraFirst) as { balance: string | number }).balance)
    w.alegra.admin.create("payment", {
      type: "in", date: new Date().toISOString().slice(0, 10), bankAccount: { id: bankAccount }, paymentMethod: "transfer",
      invoices: [{ id: alegraFirst, amount: balance }]
    })
    w.alegra.admin.voidInvoice(linked(w, "invoice", second.invoice.id)!)
    await waitFor("the first Stripe invoice paid out of band", async () => (await w.stripe.invoices.retrieve(first.invoice.id)).status === "paid", { timeoutMs: 60_000 })
    expect((await w.stripe.invoices.retrieve(first.invoice.id)).status).toBe("paid")
    await waitFor("the second Stripe invoice voided", async () => (await w.stripe.invoices.retrieve(second.invoice.id)).status === "void", { timeoutMs: 60_000 })
  })
})

describe("Stripe → Alegra across downtime and crashes", () => {
  let w: World
  let endpoint: string
  beforeAll(async () => {
    w = await makeWorld()
    endpoint = (await w.stripe.webhookEndpoints.list()).data[0]!.id
  })
  afterAll(async () => {
    await w?.alegra.close()
    await w?.stripeSim.close()
  })

  /** A paid invoice for a new customer and two new products; the id of its payment. */
  const paidSale = async (rfc: string) => (await paidSaleOf(rfc)).id
  const paidSaleOf = async (rfc: string) => {
    const { invoice } = await invoiceFor(w, "mxn", [120_00, 30_00], rfc)
    await w.stripe.invoices.pay(invoice.id, { payment_method: "pm_card_visa" })
    return paymentOf(w, invoice.id)
  }

  it("a daemon down while events happen catches up from the events list, with no webhook to help", async () => {
    const first = startDaemon(w.config)
    await waitFor("the daemon following changes", () => following(first), { timeoutMs: 90_000 })
    await first.stop("SIGTERM")
    // Down, and the endpoint disabled: Stripe delivers none of these events, ever.
    await w.stripe.webhookEndpoints.update(endpoint, { disabled: true })
    const before = alegraCounts(w)
    const newest = (await w.stripe.events.list({ limit: 1 })).data[0]!.id
    const payment = await paidSale("CAT080808OP8")
    const missed = new Set((await w.stripe.events.list({ ending_before: newest, limit: 100 })).data.map((e) => e.id))
    expect(missed.size).toBeGreaterThan(10)
    await w.stripe.webhookEndpoints.update(endpoint, { disabled: false })
    const again = startDaemon(w.config)
    await waitFor("the payment in Alegra", () => linked(w, "payment", payment), { timeoutMs: 60_000 })
    // Only the events of the daemon's own writes since were delivered; every missed one came from the list.
    expect(w.stripeSim.stats.deliveries().filter((d) => missed.has(d.eventId))).toEqual([])
    expect(addedSince(w, before)).toEqual({ contact: 1, item: 2, invoice: 1, payment: 1 })
    await again.stop("SIGTERM")
  })

  // SIGKILL after Alegra made the record and before the daemon recorded it, at each create of the flow.
  for (const path of ["/contacts", "/items", "/invoices", "/payments"]) {
    it(`SIGKILL between the Alegra create and the local record (POST ${path}) leaves no duplicate after restart`, async () => {
      const daemon = startDaemon(w.config)
      await waitFor("the daemon following changes", () => following(daemon), { timeoutMs: 90_000 })
      const before = alegraCounts(w)
      w.alegra.faults.hold(1, (method, p) => method === "POST" && p.replace(/\?.*$/, "").endsWith(`/api/v1${path}`))
      const payment = await paidSale(`KI${({ "/contacts": "C", "/items": "I", "/invoices": "N", "/payments": "P" } as Record<string, string>)[path]}090101AB1`)
      await waitFor(`the create of ${path} made in Alegra, its answer held`, () => w.alegra.faults.held() === 1, { timeoutMs: 60_000 })
      await daemon.stop("SIGKILL")
      w.alegra.faults.releaseHeld()
      const restarted = startDaemon(w.config)
      await waitFor("the payment in Alegra", () => linked(w, "payment", payment), { timeoutMs: 60_000 })
      expect(addedSince(w, before)).toEqual({ contact: 1, item: 2, invoice: 1, payment: 1 })
      expect(count(w.config.storePath, "SELECT count(*) AS n FROM intents WHERE status = 'pending'")).toBe(0)
      await restarted.stop("SIGTERM")
    })
  }

  it("SIGKILL between the Alegra create and the local record (POST /credit-notes) leaves no duplicate after restart", async () => {
    const daemon = startDaemon(w.config)
    await waitFor("the daemon following changes", () => following(daemon), { timeoutMs: 90_000 })
    const payment = await paidSaleOf("KIR090101AB1")
    await waitFor("the payment in Alegra", () => linked(w, "payment", payment.id), { timeoutMs: 60_000 })
    const notes = w.alegra.admin.count("credit-note")
    w.alegra.faults.hold(1, (method, p) => method === "POST" && /\/api\/v1\/credit-notes(\?|$)/.test(p))
    const refund = await w.stripe.refunds.create({ payment_intent: (payment.payment as { payment_intent: string }).payment_intent, amount: 50_00 })
    await waitFor("the credit note made in Alegra, its answer held", () => w.alegra.faults.held() === 1, { timeoutMs: 60_000 })
    await daemon.stop("SIGKILL")
    w.alegra.faults.releaseHeld()
    const restarted = startDaemon(w.config)
    await waitFor("the credit note linked", () => linked(w, "credit-note", refund.id), { timeoutMs: 60_000 })
    expect(w.alegra.admin.count("credit-note")).toBe(notes + 1)
    await restarted.stop("SIGTERM")
  })
})

describe("Stripe → Alegra with stamping on", () => {
  const world = withDaemon({ stamping: true })
  let w: World
  beforeAll(() => {
    w = world.w
  })

  it("a stamped invoice is never modified: a later void in Stripe is a recorded conflict, not a retry", async () => {
    const { invoice } = await invoiceFor(w, "mxn", [800_00, 200_00], "STA090909QR9")
    await waitFor("the invoice in Alegra, stamped", () => stampedInAlegra(w, invoice.id), { timeoutMs: 60_000 })
    const alegraId = linked(w, "invoice", invoice.id)!
    const stamped = JSON.stringify(w.alegra.admin.get("invoice", alegraId))
    const since = Date.now()
    await w.stripe.invoices.voidInvoice(invoice.id)
    await waitFor("the conflict recorded", () =>
      count(w.config.storePath, `SELECT count(*) AS n FROM conflicts WHERE external_id = '${invoice.id}'`) > 0, { timeoutMs: 60_000 })
    await Promise.all([w.alegra.waitForDeliveries(), w.stripeSim.waitForDeliveries()])
    await waitFor("the inbox drained", () => count(w.config.storePath, "SELECT count(*) AS n FROM inbox WHERE status = 'pending'") === 0, { timeoutMs: 60_000 })
    expect(JSON.stringify(w.alegra.admin.get("invoice", alegraId))).toBe(stamped)
    // Not one write to it was even tried, and nothing waits to be retried.
    expect(w.alegra.stats.requests().filter((r) => r.at >= since && r.method !== "GET" && r.path.includes(`/invoices/${alegraId}`))).toEqual([])
    expect(count(w.config.storePath, "SELECT count(*) AS n FROM inbox WHERE status = 'dead'")).toBe(0)
    const [conflict] = readStore(w.config.storePath, (db) => db.prepare(`SELECT fields, resolution FROM conflicts WHERE external_id = '${invoice.id}'`).all()) as Array<{ fields: string; resolution: string }>
    expect(conflict!.resolution).toContain("alegra")
    expect(JSON.parse(conflict!.fields)).toEqual([expect.objectContaining({ field: "state", external: "void", winner: "alegra", applied: false })])
  })
})

describe("Stripe → Alegra, stamping: a refused stamp, a crash before the stamp", () => {
  let w: World
  beforeAll(async () => {
    w = await makeWorld({ stamping: true })
  })
  afterAll(async () => {
    await w?.alegra.close()
    await w?.stripeSim.close()
  })

  it("a dead letter with Alegra's message; once the config is fixed and the letter replayed, the invoice is stamped, never created twice", async () => {
    // No electronic numbering in the config: Alegra refuses to stamp on its ordinary one.
    const broken = await w.rewrite({ numberTemplate: undefined })
    const daemon = startDaemon(broken)
    const { invoice } = await invoiceFor(w, "mxn", [300_00, 50_00], "NUM101010ST1")
    await waitFor("the invoice in dead letters", () =>
      count(broken.storePath, `SELECT count(*) AS n FROM dead_letters WHERE record_id = '${invoice.id}'`) > 0, { timeoutMs: 60_000 })
    const listed = await runCliToEnd(["dead-letters", "--config", broken.file], {}, 30_000)
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toMatch(new RegExp(`stripe invoice ${invoice.id} .*numeración electrónica para timbrar`))
    const invoices = w.alegra.admin.count("invoice")
    await daemon.stop("SIGTERM")

    const fixed = await w.rewrite({})
    const restarted = startDaemon(fixed)
    const replayed = await runCliToEnd(["dead-letters", "--config", fixed.file, "--replay-all"], {}, 30_000)
    expect(replayed.code, replayed.stderr).toBe(0)
    await waitFor("the invoice linked and stamped", () => stampedInAlegra(w, invoice.id), { timeoutMs: 60_000 })
    expect(w.alegra.admin.count("invoice")).toBe(invoices)
    const again = await runCliToEnd(["dead-letters", "--config", fixed.file], {}, 30_000)
    expect(again.stdout.trim()).toBe("no dead letters")
    const unknown = await runCliToEnd(["dead-letters", "--config", fixed.file, "--replay", "999"], {}, 30_000)
    expect([unknown.code, unknown.stderr.trim()]).toEqual([2, "alegra-sync: no dead letter #999: `alegra-sync dead-letters` lists them"])
    await restarted.stop("SIGTERM")
  })

  it("SIGKILL between the Alegra create and its stamp: after restart the invoice is stamped, and there is one", async () => {
    const config = await w.rewrite({})
    const daemon = startDaemon(config)
    await waitFor("the daemon following changes", () => following(daemon), { timeoutMs: 90_000 })
    const invoices = w.alegra.admin.count("invoice")
    w.alegra.faults.hold(1, (method, p) => method === "POST" && /\/api\/v1\/invoices(\?|$)/.test(p))
    const { invoice } = await invoiceFor(w, "mxn", [410_00, 90_00], "KST111111UV1")
    await waitFor("the invoice made in Alegra, its answer held", () => w.alegra.faults.held() === 1, { timeoutMs: 60_000 })
    await daemon.stop("SIGKILL")
    w.alegra.faults.releaseHeld()
    const restarted = startDaemon(config)
    await waitFor("the invoice linked and stamped", () => stampedInAlegra(w, invoice.id), { timeoutMs: 60_000 })
    expect(w.alegra.admin.count("invoice")).toBe(invoices + 1)
    await restarted.stop("SIGTERM")
  })
})

describe("Stripe's history, imported on demand", () => {
  let w: World
  beforeAll(async () => {
    w = await makeWorld()
  })
  afterAll(async () => {
    await w?.alegra.close()
    await w?.stripeSim.close()
  })

  it("what happened before the first start is not synced until `backfill --system stripe --since` queues it; then once", async () => {
    // Before the endpoint existed (no delivery will ever come, not even a retry).
    const endpoint = (await w.stripe.webhookEndpoints.list()).data[0]!.id
    await w.stripe.webhookEndpoints.update(endpoint, { disabled: true })
    const { invoice } = await invoiceFor(w, "mxn", [640_00, 160_00], "HIS121212WX2")
    await w.stripe.invoices.pay(invoice.id, { payment_method: "pm_card_visa" })
    const payment = (await paymentOf(w, invoice.id)).id
    await w.stripe.webhookEndpoints.update(endpoint, { disabled: false })
    const daemon = startDaemon(w.config)
    await waitFor("the daemon following changes", () => following(daemon), { timeoutMs: 90_000 })
    await Promise.all([w.alegra.waitForDeliveries(), w.stripeSim.waitForDeliveries()])
    await waitFor("the inbox drained", () => count(w.config.storePath, "SELECT count(*) AS n FROM inbox WHERE status = 'pending'") === 0, { timeoutMs: 60_000 })
    expect(linked(w, "invoice", invoice.id)).toBeUndefined()

    const usage = await runCliToEnd(["backfill", "--config", w.config.file, "--system", "stripe"], w.config.env, 60_000)
    expect([usage.code, usage.stderr.trim()]).toEqual([
      2,
      "alegra-sync: backfill --system stripe needs --since YYYY-MM-DD: the stripe invoices, payments and refunds dated from that day on are written into Alegra"
    ])
    const today = new Date().toISOString().slice(0, 10)
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    const none = await runCliToEnd(["backfill", "--config", w.config.file, "--system", "stripe", "--since", tomorrow, "--json"], w.config.env, 60_000)
    expect(none.code, none.stderr).toBe(0)
    expect(JSON.parse(none.stdout).kinds.invoice.queued).toBe(0)

    const before = alegraCounts(w)
    const queued = await runCliToEnd(["backfill", "--config", w.config.file, "--system", "stripe", "--since", today], w.config.env, 60_000)
    expect(queued.code, queued.stderr).toBe(0)
    expect(queued.stdout).toMatch(/invoice\s+1 queued of 1 read/)
    await waitFor("the payment in Alegra", () => linked(w, "payment", payment), { timeoutMs: 60_000 })
    expect(addedSince(w, before)).toEqual({ contact: 1, item: 2, invoice: 1, payment: 1 })
    // Run again: every pair is in sync, nothing more is created.
    const again = await runCliToEnd(["backfill", "--config", w.config.file, "--system", "stripe", "--since", today], w.config.env, 60_000)
    expect(again.code, again.stderr).toBe(0)
    await waitFor("the inbox drained", () => count(w.config.storePath, "SELECT count(*) AS n FROM inbox WHERE status = 'pending'") === 0, { timeoutMs: 60_000 })
    expect(addedSince(w, before).invoice).toBe(1)
    await daemon.stop("SIGTERM")
  })
})
