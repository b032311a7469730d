/** The demo and volume presets, the dashboard (admin) API, and the stand-alone entry point as a real process. */
import { spawn } from "node:child_process"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { presets, seedAccount, type StripeSimulator, StripeSimError } from "../../connectors/stripe/simulator/index.js"
import { repoRoot } from "../support/process.js"
import { client, start, Stripe, waitFor } from "./support.js"

describe("the demo preset", () => {
  let sim: StripeSimulator
  let stripe: Stripe
  let summary: ReturnType<typeof seedAccount>
  beforeAll(async () => {
    sim = await start()
    stripe = client(sim)
    summary = seedAccount(sim, presets.demo)
  })
  afterAll(() => sim.close())

  it("has customers with tax ids in MX, CO, CL and the US", async () => {
    const countries = new Map<string, string>()
    for (const id of Object.values(summary.customers)) {
      const c = (await stripe.customers.retrieve(id, { expand: ["tax_ids"] })) as Stripe.Customer
      for (const t of c.tax_ids!.data) countries.set(t.type, t.country!)
    }
    expect(Object.fromEntries(countries)).toEqual({ mx_rfc: "MX", co_nit: "CO", cl_tin: "CL", us_ein: "US" })
  })

  it("has prices in MXN, COP, CLP and USD, and invoices paid (card and out of band), open, draft, void, refunded and credited", async () => {
    const prices = await stripe.prices.list({ limit: 100 })
    expect(new Set(prices.data.map((p) => p.currency))).toEqual(new Set(["mxn", "cop", "clp", "usd"]))
    const invoices = await stripe.invoices.list({ limit: 100 })
    expect(new Set(invoices.data.map((i) => i.status))).toEqual(new Set(["paid", "open", "draft", "void"]))
    expect(new Set(invoices.data.map((i) => i.currency))).toEqual(new Set(["mxn", "cop", "clp", "usd"]))
    const payments = await stripe.invoicePayments.list({ limit: 100 })
    const paidByCard = new Set(payments.data.map((p) => p.invoice as string))
    const paid = invoices.data.filter((i) => i.status === "paid")
    expect(paid.some((i) => paidByCard.has(i.id))).toBe(true)
    expect(paid.some((i) => !paidByCard.has(i.id))).toBe(true)
    expect((await stripe.refunds.list()).data).toHaveLength(1)
    expect(new Set((await stripe.creditNotes.list()).data.map((n) => n.type))).toEqual(new Set(["pre_payment", "post_payment"]))
    for (const i of invoices.data) expect(i.amount_remaining).toBeLessThanOrEqual(i.amount_due)
  })

  it("left the history in the events list, made through the dashboard", async () => {
    const events = await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 })
    expect(events.length).toBe(summary.counts["event"])
    expect(events.every((e) => e.request?.idempotency_key === null && /^req_/.test(e.request?.id ?? ""))).toBe(true)
  })

  it("refuses through admin what the API refuses, with the API's error", () => {
    let caught: unknown
    try {
      sim.admin.createCustomer({ email: "no-es-un-correo" })
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(StripeSimError)
    expect((caught as StripeSimError).body).toMatchObject({ type: "invalid_request_error", code: "email_invalid", param: "email" })
  })
})

describe("the volume preset", () => {
  it("adds generated customers and invoices quickly", async () => {
    const sim = await start()
    try {
      const summary = seedAccount(sim, presets.volume)
      expect(summary.counts["customer"]).toBe(155)
      expect(summary.counts["invoice"]).toBe(9 + 300)
      expect(summary.elapsedMs).toBeLessThan(10_000)
    } finally {
      await sim.close()
    }
  })
})

describe("main.ts", () => {
  it("runs on its own, answers the SDK, and stops on SIGTERM", async () => {
    const tsx = path.join(repoRoot, "node_modules/.bin/tsx")
    const child = spawn(tsx, [path.join(repoRoot, "connectors/stripe/simulator/main.ts"), "--port", "0", "--seed", "demo", "--key", "sk_test_cli"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()))
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      const port = Number(await waitFor("the simulator to listen", () => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1], { timeoutMs: 30_000 }))
      const stripe = new Stripe("sk_test_cli", { host: "127.0.0.1", port, protocol: "http", maxNetworkRetries: 0 })
      expect((await stripe.customers.list({ limit: 100 })).data).toHaveLength(5)
      expect(out).toContain("seeded (demo)")
    } finally {
      child.kill("SIGTERM")
    }
    expect(await exited).toBe(0)
  })
})
