import { isDeepStrictEqual } from "node:util"
import { Either } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { decodeRecord } from "../../connectors/alegra/mapping.js"
import { type AlegraSimulator, presets, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import type { Kind } from "../../schema/index.js"
import { type CliProcess, runCli, runCliToEnd, type TestConfig, waitFor, writeConfig } from "../support/process.js"
import { count, mirrorRecord, mirrorRows } from "../support/store.js"

const email = "tesoreria@empresa-demo.co"
const token = "sim-token-daemon-5b1e0f"

describe("the daemon (alegra-sync run) against the simulator", () => {
  let sim: AlegraSimulator
  let config: TestConfig
  let daemon: CliProcess

  const canonical = (kind: Kind, id: string) => Either.getOrThrow(decodeRecord(kind, sim.admin.get(kind, id))).record
  const webhookUrl = () => {
    const subscription = sim.admin.subscriptions()[0]
    if (subscription === undefined) throw new Error("no subscription")
    return subscription.url.startsWith("http") ? subscription.url : `http://${subscription.url}`
  }
  const inboxRows = (system: string, kind: string, id: string) =>
    count(config.storePath, "SELECT count(*) AS n FROM inbox WHERE system = ? AND kind = ? AND record_id = ?", system, kind, id)
  const health = () => fetch(`http://127.0.0.1:${config.port}/health`).then((r) => r.ok).catch(() => false)

  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 6000 })
    seedAccount(sim, presets.small)
    config = await writeConfig({
      alegraUrl: sim.url,
      email,
      token,
      polling: { paymentsSeconds: 1, paymentsRecent: 30, creditNotesSeconds: 1 }
    })
    daemon = runCli(["run", "--config", config.file], config.env)
    await waitFor("the daemon to be healthy and backfilled", async () =>
      (await health()) && mirrorRows(config.storePath).length > 0 &&
      count(config.storePath, "SELECT count(*) AS n FROM cursors WHERE name = 'backfill' AND value LIKE '%completedAt\":1%'") === 1)
  })
  afterAll(async () => {
    await daemon?.stop("SIGKILL")
    await sim?.close()
  })

  it("registers Alegra's 12 webhooks, pointing at itself with a secret token", () => {
    const subscriptions = sim.admin.subscriptions()
    expect(subscriptions.map((s) => s.event).sort()).toEqual([
      "delete-bill", "delete-client", "delete-invoice", "delete-item",
      "edit-bill", "edit-client", "edit-invoice", "edit-item",
      "new-bill", "new-client", "new-invoice", "new-item"
    ])
    expect(new Set(subscriptions.map((s) => s.url)).size).toBe(1)
    expect(webhookUrl()).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${config.port}/webhooks/alegra/[A-Za-z0-9_-]{32}$`))
  })

  it("applies a create, a change and a delete that arrive by webhook", async () => {
    const created = sim.admin.create("contact", {
      name: "Distribuciones La Montaña SAS",
      identification: { type: "NIT", number: "901555123", dv: "4" },
      email: "pagos@lamontana.co",
      type: ["client"]
    }) as { id: string }
    await waitFor("the new contact in the mirror", () => mirrorRecord(config.storePath, "contact", created.id))
    expect(mirrorRecord(config.storePath, "contact", created.id)).toEqual(canonical("contact", created.id))
    expect(inboxRows("alegra", "contact", created.id)).toBeGreaterThanOrEqual(1)

    const invoice = sim.admin.list("invoice").find((i: any) => i.status === "draft") as { id: string }
    sim.admin.update("invoice", invoice.id, { observations: "Entregar en bodega 3" })
    await waitFor("the edited invoice in the mirror", () =>
      (mirrorRecord(config.storePath, "invoice", invoice.id) as { observations?: string })?.observations === "Entregar en bodega 3")
    expect(mirrorRecord(config.storePath, "invoice", invoice.id)).toEqual(canonical("invoice", invoice.id))

    const item = sim.admin.create("item", { name: "Tornillo 3/8", reference: "TOR-38", price: 1200 }) as { id: string }
    await waitFor("the new item", () => mirrorRecord(config.storePath, "item", item.id))
    sim.admin.remove("item", item.id)
    await waitFor("the item deleted from the mirror", () => mirrorRecord(config.storePath, "item", item.id) === undefined)
  })

  it("keeps a webhook delivered twice as one inbox row", async () => {
    const contact = sim.admin.list("contact")[3] as { id: string }
    const before = inboxRows("alegra", "contact", contact.id)
    sim.faults.duplicateWebhooks(1)
    sim.admin.update("contact", contact.id, { phonePrimary: "+57 604 555 0199" })
    await waitFor("both deliveries to arrive", () =>
      sim.stats.deliveries().filter((d) => d.subject === "edit-client" && d.ok).length >= 2)
    await sim.waitForDeliveries()
    await waitFor("the change in the mirror", () =>
      (mirrorRecord(config.storePath, "contact", contact.id) as { phone?: string })?.phone === "+57 604 555 0199")
    expect(inboxRows("alegra", "contact", contact.id)).toBe(before + 1)
  })

  it("answers 404 to a wrong token and 200 to the handshake, recording nothing for them", async () => {
    const url = webhookUrl()
    const rows = () => count(config.storePath, "SELECT count(*) AS n FROM inbox")
    const before = rows()
    const wrong = url.replace(/[^/]+$/, "not-the-token-0000000000000000000")
    const body = JSON.stringify({ subject: "edit-item", message: { item: { id: "1" } } })
    expect((await fetch(wrong, { method: "POST", body, headers: { "content-type": "application/json" } })).status).toBe(404)
    expect((await fetch(url, { method: "POST", body: "" })).status).toBe(200)
    expect(rows()).toBe(before)
  })

  it("picks up a payment and a credit note through polling, and the balances they change", async () => {
    const invoice = sim.admin.list("invoice").find((i: any) => i.status === "open" && Number(i.balance) > 10) as {
      id: string
      balance: string | number
    }
    const bankAccount = sim.admin.list("bank-account")[0] as { id: string }
    const payment = sim.admin.create("payment", {
      type: "in",
      date: "2026-11-20",
      bankAccount: { id: bankAccount.id },
      paymentMethod: "transfer",
      invoices: [{ id: invoice.id, amount: 5 }]
    }) as { id: string }
    await waitFor("the payment in the mirror", () => mirrorRecord(config.storePath, "payment", payment.id))
    expect(mirrorRecord(config.storePath, "payment", payment.id)).toEqual(canonical("payment", payment.id))
    await waitFor("the invoice balance re-read", () =>
      isDeepStrictEqual(mirrorRecord(config.storePath, "invoice", invoice.id), canonical("invoice", invoice.id)))

    sim.admin.voidPayment(payment.id)
    await waitFor("the voided payment", () =>
      (mirrorRecord(config.storePath, "payment", payment.id) as { status?: string })?.status === "void")

    const client = (sim.admin.get("invoice", invoice.id) as { client: { id: string } }).client
    const item = sim.admin.list("item")[0] as { id: string }
    const creditNote = sim.admin.create("credit-note", {
      date: new Date().toISOString().slice(0, 10),
      client: { id: client.id },
      items: [{ id: item.id, price: 3, quantity: 1 }],
      invoices: [{ id: invoice.id, amount: 3 }]
    }) as { id: string }
    await waitFor("the credit note in the mirror", () => mirrorRecord(config.storePath, "credit-note", creditNote.id))
    expect(mirrorRecord(config.storePath, "credit-note", creditNote.id)).toEqual(canonical("credit-note", creditNote.id))
    await waitFor("the invoice balance after the credit note", () =>
      isDeepStrictEqual(mirrorRecord(config.storePath, "invoice", invoice.id), canonical("invoice", invoice.id)))
  })

  it("lets a backfill run beside it on the same store", async () => {
    const result = await runCliToEnd(["backfill", "--restart", "--json", "--config", config.file], config.env)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(await health()).toBe(true)
    const contact = sim.admin.create("contact", { name: "Tienda Después del Backfill", type: "client" }) as { id: string }
    await waitFor("a webhook applied after the backfill", () => mirrorRecord(config.storePath, "contact", contact.id))
    expect(daemon.output().stderr).not.toMatch(/SQLITE_BUSY|database is locked/)
  })

  it("stops on SIGTERM, and on restart keeps the same 12 webhooks", async () => {
    const ids = sim.admin.subscriptions().map((s) => s.id).sort()
    expect(await daemon.stop("SIGTERM")).toBe(0)
    daemon = runCli(["run", "--config", config.file], config.env)
    await waitFor("the restarted daemon", health)
    await waitFor("subscriptions checked", () => daemon.output().stderr.includes("following changes"))
    expect(sim.admin.subscriptions().map((s) => s.id).sort()).toEqual(ids)
  })
})
