/** Seeding presets, live activity and the stand-alone entry point of the Alegra simulator. */
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { KINDS, presets, seedAccount, startActivity } from "../../connectors/alegra/simulator/index.js"
import { api, num, start, startReceiver, waitFor } from "./simulator-support.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const total = (sim: AlegraSimulator) => KINDS.reduce((n, k) => n + sim.admin.count(k), 0)

describe("seedAccount", () => {
  let large: AlegraSimulator
  beforeAll(async () => {
    large = await start()
  })
  afterAll(() => large.close())

  it("builds the large preset (~5,000 records) quickly and silently", () => {
    // CPU time, not wall time: other processes on a busy machine must not fail this.
    const cpu = process.cpuUsage()
    seedAccount(large, presets.large)
    const used = process.cpuUsage(cpu)
    expect((used.user + used.system) / 1000).toBeLessThan(2000)
    expect(total(large)).toBeGreaterThan(4500)
    expect(total(large)).toBeLessThan(5500)
    for (const kind of KINDS) expect(large.admin.count(kind), kind).toBeGreaterThan(0)
    expect(large.stats.deliveries()).toEqual([])
  })

  it("holds the variety the connector must cope with", () => {
    const invoices = large.admin.list("invoice")
    expect(new Set(invoices.map((i) => i["status"]))).toEqual(new Set(["draft", "open", "closed", "void"]))
    expect(invoices.some((i) => i["stamp"] !== undefined)).toBe(true)
    expect(invoices.some((i) => Array.isArray(i["numberTemplate"]))).toBe(true)
    for (const i of invoices) {
      expect(num(i["balance"])).toBeGreaterThanOrEqual(0)
      expect(num(i["balance"])).toBeLessThanOrEqual(num(i["total"]))
    }
    const contacts = large.admin.list("contact")
    expect(contacts.some((c) => JSON.stringify(c["type"]) === '["client","provider"]')).toBe(true)
    expect(contacts.some((c) => typeof c["type"] === "string")).toBe(true)
    expect(contacts.some((c) => /^[A-Z&Ñ]{3,4}\d{6}[A-Z0-9]{3}$/.test(String(c["identification"])))).toBe(true) // RFC
    expect(contacts.some((c) => (c["identificationObject"] as { dv?: string } | null)?.dv !== undefined)).toBe(true) // NIT + DV
    const payments = large.admin.list("payment")
    expect(new Set(payments.map((p) => p["status"]))).toEqual(new Set(["open", "void"]))
    expect(new Set(payments.map((p) => p["type"]))).toEqual(new Set(["in", "out"]))
    expect(payments.some((p) => (p["categories"] as ReadonlyArray<unknown>).length > 1)).toBe(true)
    const estimates = large.admin.list("estimate").map((e) => String(e["id"]))
    expect(estimates.some((id) => /^\d+$/.test(id))).toBe(true)
    expect(estimates.some((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7/.test(id))).toBe(true)
    expect(large.admin.list("credit-note").some((c) => (c["invoices"] as ReadonlyArray<unknown>).length > 0)).toBe(true)
    expect(large.admin.list("bill").some((b) => b["status"] === "closed")).toBe(true)
  })

  it("is deterministic for a seed, and the small preset is about 300 records", async () => {
    const a = await start()
    const b = await start()
    try {
      seedAccount(a, presets.small, 7)
      seedAccount(b, presets.small, 7)
      expect(total(a)).toBeGreaterThan(250)
      expect(total(a)).toBeLessThan(350)
      for (const kind of ["contact", "invoice", "payment"] as const) {
        const strip = (r: Record<string, unknown>) => ({ ...r, created_at: null, updated_at: null, datetime: null, stamp: null })
        expect(a.admin.list(kind).map(strip)).toEqual(b.admin.list(kind).map(strip))
      }
    } finally {
      await a.close()
      await b.close()
    }
  })
})

describe("startActivity", () => {
  it("makes live changes through admin that fire webhooks", async () => {
    const sim = await start()
    const receiver = await startReceiver()
    try {
      seedAccount(sim, presets.small)
      for (const event of ["new-invoice", "edit-invoice", "edit-client", "new-client", "new-item", "edit-item", "delete-item", "new-bill"]) {
        expect((await api(sim).post("/webhooks/subscriptions", { event, url: receiver.bare })).status).toBe(201)
      }
      const seen: Array<string> = []
      const activity = startActivity(sim, { everyMs: 10, seed: 3, onChange: (d) => seen.push(d) })
      await waitFor("a dozen changes", () => seen.length >= 12)
      activity.stop()
      await sim.waitForDeliveries()
      expect(activity.changes()).toBe(seen.length)
      expect(receiver.deliveries().length).toBeGreaterThan(0)
      expect(sim.stats.deliveries().every((d) => d.ok)).toBe(true)
    } finally {
      await receiver.close()
      await sim.close()
    }
  })
})

describe("main.ts", () => {
  it("runs on its own, prints the base URL and credentials, serves them, and stops on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "connectors/alegra/simulator/main.ts", "--port", "0", "--email", "a@b.co", "--token", "t0k", "--seed", "small", "--rpm", "600"],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] }
    )
    let out = ""
    child.stdout.on("data", (c: Buffer) => (out += c.toString()))
    child.stderr.on("data", (c: Buffer) => (out += c.toString()))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      await waitFor("the whole banner", () => out.includes("try: curl"), 20_000)
      const url = /(http:\/\/127\.0\.0\.1:\d+\/api\/v1)/.exec(out)?.[1]
      expect(out).toContain("a@b.co")
      expect(out).toContain("t0k")
      const r = await fetch(`${url}/contacts?limit=2`, { headers: { authorization: `Basic ${Buffer.from("a@b.co:t0k").toString("base64")}` } })
      expect(r.status).toBe(200)
      expect(r.headers.get("x-rate-limit-limit")).toBe("600")
      expect(await r.json()).toHaveLength(2)
    } finally {
      child.kill("SIGTERM")
    }
    expect(await exited).toBe(0)
  })
})
