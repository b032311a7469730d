/**
 * Failures through the connector: a refused key, Stripe's 400s with their message and code, 404s,
 * 5xx and lost connections, the simulator's 429s (pacing under the limit, waiting out a 429,
 * giving up), lost responses of writes, and health following all of it. Never a secret in an error.
 */
import { createServer as createHttpServer } from "node:http"
import { createServer } from "node:net"
import { Option, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { StripeSimulator } from "../../connectors/stripe/simulator/index.js"
import type { ConnectorPort } from "../../src/ports/connector.js"
import { connect, type Connected, failureOf, run, WEBHOOK_SECRET } from "./connector-support.js"
import { start } from "./support.js"

let sim: StripeSimulator
let connected: Connected
let connector: ConnectorPort
let customer: string

beforeAll(async () => {
  sim = await start({ apiKey: "sk_test_errorsSuiteSecretKey0123456789" })
  connected = await connect(sim)
  connector = connected.connector
  customer = sim.admin.createCustomer({ name: "Cliente", email: "cliente@ejemplo.mx" }).id
})
afterAll(async () => {
  await connected?.close()
  await sim?.close()
})

/** A port nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })

const secretsIn = (text: string) => [sim.apiKey, "sk_test_wrongKeyForThisAccount000000", WEBHOOK_SECRET].filter((s) => text.includes(s))

describe("errors", () => {
  it("a refused key is an auth failure (401), health says so until a request succeeds, and no secret shows", async () => {
    const wrong = await connect(sim, { apiKey: Redacted.make("sk_test_wrongKeyForThisAccount000000") })
    try {
      const error = await failureOf(wrong.connector.read("contact", customer))
      expect(error).toMatchObject({ _tag: "ConnectorError", system: "stripe", reason: "auth", status: 401, method: "GET", path: `/v1/customers/${customer}` })
      expect(error.transient).toBe(false)
      expect(secretsIn(JSON.stringify(error) + error.message)).toEqual([])
      const health = await run(wrong.connector.health)
      expect(health).toMatchObject({ state: "auth-failing", lastSuccessAt: null, lastFailure: { reason: "auth" } })
      expect(secretsIn(JSON.stringify(health))).toEqual([])
    } finally {
      await wrong.close()
    }
  })

  it("a 400 carries Stripe's message and code and changes nothing; a missing object written to is a 404", async () => {
    const contact = Option.getOrThrow((await run(connector.read("contact", customer))).record)
    const bad = { ...contact.record, email: "not-an-email" }
    const error = await failureOf(connector.write({ _tag: "Update", record: { kind: "contact", record: bad } as typeof contact, fields: ["email"], idempotencyKey: "bad-email" }))
    expect(error).toMatchObject({ reason: "validation", status: 400, code: "email_invalid", message: "Invalid email address: not-an-email", path: `/v1/customers/${customer}` })
    expect(sim.admin.get("customer", customer)!.email).toBe("cliente@ejemplo.mx")
    const missing = await failureOf(connector.write({ _tag: "Tag", kind: "contact", id: "cus_DoesNotExist01", alegraId: "1", idempotencyKey: "missing" }))
    expect(missing).toMatchObject({ reason: "validation", status: 404, code: "resource_missing" })
    expect(missing.message).toContain("cus_DoesNotExist01")
    expect((await run(connector.health)).state).toBe("ok")
  })

  it("retries a 500 (the SDK's retries) and fails as a server error when they are spent; an unreachable Stripe is a transport failure", async () => {
    // A 500 Stripe did not store: the SDK retries it (a stored one says Stripe-Should-Retry: false).
    sim.faults.serverError(1, { method: "GET", stored: false })
    expect(Option.isSome((await run(connector.read("contact", customer))).record)).toBe(true)
    sim.faults.serverError(3, { method: "GET", stored: false })
    const error = await failureOf(connector.read("contact", customer))
    expect(error).toMatchObject({ reason: "server", status: 500 })
    expect(error.transient).toBe(true)
    sim.faults.clear()
    const nowhere = await connect(sim, { baseUrl: `http://127.0.0.1:${await closedPort()}`, requestTimeoutMs: 2_000 })
    try {
      const down = await failureOf(nowhere.connector.read("contact", customer))
      expect(down).toMatchObject({ reason: "transport", status: null })
      expect((await run(nowhere.connector.health)).state).toBe("unreachable")
    } finally {
      await nowhere.close()
    }
  })

  it("a 404 that is not Stripe's 'no such object' (a wrong base URL, a proxy) fails instead of reading as deleted", async () => {
    const server = createHttpServer((_, res) => {
      res.writeHead(404, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: { type: "invalid_request_error", message: "Unrecognized request URL (GET: /v1/customers/x)." } }))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const elsewhere = await connect(sim, { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}` })
    try {
      expect(await failureOf(elsewhere.connector.read("contact", customer))).toMatchObject({ reason: "validation", status: 404, code: null })
    } finally {
      await elsewhere.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it("a write whose response was lost is retried with its key: Stripe answers the first result, one change", async () => {
    const invoice = sim.admin.createInvoice({ customer, currency: "mxn", lines: [{ amount: 40_000 }], finalize: true })
    sim.faults.dropResponses(1, { method: "POST", path: `/v1/invoices/${invoice.id}/pay` })
    const paid = await run(connector.write({ _tag: "Act", kind: "invoice", id: invoice.id, action: { _tag: "paid-out-of-band" }, idempotencyKey: "lost-response" }))
    expect(Option.getOrThrow(paid.record).record).toMatchObject({ status: "closed" })
    const sent = sim.stats.requests().filter((r) => r.path === `/v1/invoices/${invoice.id}/pay`)
    expect(sent.map((r) => [r.idempotencyKey, r.replayed ?? false])).toEqual([["alegra-sync-lost-response", false], ["alegra-sync-lost-response", true]])
    expect(sim.admin.list("event").filter((e) => e.type === "invoice.paid" && (e.data.object as { id: string }).id === invoice.id)).toHaveLength(1)
  })
})

describe("rate limits", () => {
  it("paces itself under the configured limit: no 429 however many reads are asked at once", async () => {
    sim.rateLimit.opsPerSecond = 4
    const paced = await connect(sim, { opsPerSecond: 4 })
    try {
      const before = sim.stats.requests().length
      const started = Date.now()
      const reads = await Promise.all(Array.from({ length: 10 }, () => run(paced.connector.read("contact", customer))))
      const elapsed = Date.now() - started
      expect(reads.every((r) => Option.isSome(r.record))).toBe(true)
      const sent = sim.stats.requests().slice(before)
      expect(sent.filter((r) => r.status === 429)).toEqual([])
      // 10 starts, 4 per 1.1 s span: the 9th cannot start before 2.2 s.
      expect(elapsed).toBeGreaterThanOrEqual(2_200)
      const at = sent.map((r) => r.at).sort((a, b) => a - b)
      for (let i = 0; i + 4 < at.length; i++) expect(at[i + 4]! - at[i]!).toBeGreaterThanOrEqual(1_000)
    } finally {
      await paced.close()
      sim.rateLimit.opsPerSecond = Number.POSITIVE_INFINITY
    }
  })

  it("waits out Stripe's 429s when it asks faster than Stripe allows, and every read succeeds", async () => {
    sim.rateLimit.opsPerSecond = 4
    const eager = await connect(sim, { opsPerSecond: 100 })
    try {
      const before = sim.stats.requests().length
      const reads = await Promise.all(Array.from({ length: 7 }, () => run(eager.connector.read("contact", customer))))
      expect(reads.every((r) => Option.isSome(r.record))).toBe(true)
      expect(sim.stats.requests().slice(before).filter((r) => r.status === 429).length).toBeGreaterThan(0)
      expect((await run(eager.connector.health)).state).toBe("ok")
    } finally {
      await eager.close()
      sim.rateLimit.opsPerSecond = Number.POSITIVE_INFINITY
    }
  })

  it("shows the pause in health while waiting, and fails as rate-limited once it waited long enough", async () => {
    const patient = await connect(sim, { maxRateLimitWaitMs: 1_500 })
    try {
      sim.faults.rateLimit(1)
      const reading = run(patient.connector.read("contact", customer))
      await new Promise((r) => setTimeout(r, 100))
      const paused = await run(patient.connector.health)
      expect(paused.state).toBe("rate-limited")
      expect(paused.pausedUntil).toBeGreaterThan(Date.now())
      expect(Option.isSome((await reading).record)).toBe(true)
      sim.faults.rateLimit(50)
      const started = Date.now()
      const error = await failureOf(patient.connector.read("contact", customer))
      expect(error).toMatchObject({ reason: "rate-limit", status: 429, code: "rate_limit" })
      expect(error.message).toMatch(/^still rate limited after waiting \d+ ms/)
      expect(error.transient).toBe(true)
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_500)
      expect((await run(patient.connector.health)).lastFailure).toMatchObject({ reason: "rate-limit" })
    } finally {
      sim.faults.clear()
      await patient.close()
    }
  })

  it("keeps searches under Stripe's 20 per second of their own", async () => {
    sim.rateLimit.searchOpsPerSecond = 20
    try {
      const before = sim.stats.requests().length
      const found = await Promise.all(Array.from({ length: 30 }, (_, i) => run(connector.find("contact", { _tag: "name", value: `Nadie ${i}` }))))
      expect(found.every(Option.isNone)).toBe(true)
      const searches = sim.stats.requests().slice(before).filter((r) => r.route === "/v1/customers/search")
      expect(searches).toHaveLength(30)
      expect(searches.filter((r) => r.status === 429)).toEqual([])
    } finally {
      sim.rateLimit.searchOpsPerSecond = Number.POSITIVE_INFINITY
    }
  })

  it("lets the SDK retry a lock_timeout 429 (Stripe-Should-Retry: true)", async () => {
    sim.faults.lockTimeout(1)
    expect(Option.isSome((await run(connector.read("contact", customer))).record)).toBe(true)
    expect(sim.stats.requests().filter((r) => r.fault === "lock-timeout")).toHaveLength(1)
  })
})
