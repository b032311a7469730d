/**
 * Alegra's capture, moved into the connector (`capture` of the port): its webhook route, the
 * payment and credit-note pollers, the sweep and the webhook subscriptions, against the
 * simulator over real HTTP, with a poll context kept in memory as the engine keeps it in the
 * store (the daemon's own runs are test/e2e/daemon, sweep and hardening).
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Either, Option, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AlegraCaptureOptions } from "../../connectors/alegra/index.js"
import { decodeRecord } from "../../connectors/alegra/index.js"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import { kinds } from "../../schema/index.js"
import { contentHash } from "../../src/engine/hash.js"
import type { AlegraPort } from "../../src/ports/alegra.js"
import type { Change, Delivery, OwnedSubscriptions, PollContext, Poller, PollResult, Received } from "../../src/ports/connector.js"
import { account } from "./connector-support.js"

const webhookToken = "tok-4f1d8a2b9c0e7f65a3b1c2d3e4f5a6b7"
let receiver: Server
let publicUrl = ""

const options = (): AlegraCaptureOptions => ({
  webhookToken: Redacted.make(webhookToken),
  publicUrl,
  registerWebhooks: true,
  paymentsSeconds: 60,
  paymentsRecent: 5,
  creditNotesSeconds: 300,
  creditNotesWindowDays: 30,
  sweepMinutes: 60
})

// Alegra's handshake must reach a server that answers 2xx before a subscription exists.
beforeAll(async () => {
  receiver = createServer((_req, res) => res.end("{}"))
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  publicUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())))

const a = account(options)

/** What the engine keeps for a poller: the store's copy of Alegra, the cursors, requests, subscriptions. */
class Engine {
  readonly mirror = new Map<Kind, Map<string, { hash: string; date: string | null }>>()
  readonly cursors = new Map<string, unknown>()
  readonly subscriptions = new Map<string, { event: string; url: string }>()
  requested: ReadonlyArray<Kind> = []
  lastFullRead: number | null = null

  /** What the store would hold after the worker applied changes: their payloads, or a re-read. */
  apply(changes: ReadonlyArray<Change>, sim: typeof a.sim) {
    for (const change of changes) {
      const raw = sim.admin.get(change.kind, change.id)
      const rows = this.rows(change.kind)
      if (raw === undefined) rows.delete(change.id)
      else this.put(Either.getOrThrow(decodeRecord(change.kind, raw)))
    }
  }

  put(record: CanonicalRecord) {
    this.rows(record.kind).set(record.record.id, { hash: contentHash(record.record), date: "date" in record.record ? record.record.date : null })
  }

  rows(kind: Kind) {
    let rows = this.mirror.get(kind)
    if (rows === undefined) this.mirror.set(kind, rows = new Map())
    return rows
  }

  readonly owned: OwnedSubscriptions = {
    list: Effect.sync(() => [...this.subscriptions].map(([id, s]) => ({ id, event: s.event }))),
    record: (id, event, url) => Effect.sync(() => void this.subscriptions.set(id, { event, url })),
    remove: (id) => Effect.sync(() => void this.subscriptions.delete(id))
  }

  context(poller: Poller): PollContext {
    return {
      cursor: Option.fromNullable(this.cursors.get(poller.name)),
      known: (kind) => Effect.sync(() => new Map([...this.rows(kind)].map(([id, row]) => [id, row.hash]))),
      knownFrom: (kind, from) =>
        Effect.sync(() => [...this.rows(kind)].filter(([, r]) => r.date !== null && r.date >= from).map(([id, r]) => ({ id, hash: r.hash, date: r.date! }))),
      hash: (record) => contentHash(record.record),
      requested: poller.servesRequests ? this.requested : [],
      lastFullRead: this.lastFullRead,
      subscriptions: this.owned
    }
  }

  /** One poll as the engine runs it: its changes applied, its cursor and served kinds recorded. */
  async poll(alegra: AlegraPort, name: string): Promise<PollResult> {
    const poller = alegra.capture.pollers.find((p) => p.name === name)!
    const result = await Effect.runPromise(poller.poll(this.context(poller)))
    this.apply(result.changes, a.sim)
    if (result.cursor !== undefined) this.cursors.set(poller.name, result.cursor)
    this.requested = this.requested.filter((kind) => !(result.served ?? []).includes(kind))
    return result
  }
}

const hub = () => a.run((alegra) => Effect.succeed(alegra))
const ids = (changes: ReadonlyArray<Change>) => changes.map((c) => `${c.kind}:${c.id}`).sort()

const seedPayments = (count: number) => {
  const contact = a.sim.admin.create("contact", { name: `Pagador ${Math.random()}`, type: ["client"] }, { silent: true })["id"] as string
  const item = a.sim.admin.create("item", { name: "Pagable", price: 1000 }, { silent: true })["id"] as string
  const invoice = a.sim.admin.create("invoice", {
    date: "2026-11-01",
    dueDate: "2026-11-30",
    client: { id: contact },
    status: "open",
    items: [{ id: item, price: 1000, quantity: 100 }]
  }, { silent: true })["id"] as string
  const created: Array<string> = []
  for (let i = 0; i < count; i++) {
    created.push(a.sim.admin.create("payment", {
      type: "in",
      date: "2026-11-02",
      bankAccount: { id: a.bankAccount() },
      invoices: [{ id: invoice, amount: 10 }]
    }, { silent: true })["id"] as string)
  }
  return { contact, item, invoice, payments: created }
}

describe("the webhook route", () => {
  const deliver = async (body: string): Promise<Received> => {
    const route = (await hub()).capture.routes[0]!
    const delivery: Delivery = { method: "POST", url: `/webhooks/alegra/${webhookToken}`, params: { token: webhookToken }, headers: {}, body }
    return route.receive(delivery)
  }

  it("is /webhooks/alegra/:token and accepts only the configured token", async () => {
    const route = (await hub()).capture.routes[0]!
    expect(route.path).toBe("/webhooks/alegra/:token")
    expect(route.accepts!(webhookToken)).toBe(true)
    for (const wrong of ["", "x", webhookToken.slice(0, -1), `${webhookToken}0`, webhookToken.toUpperCase()]) {
      expect(route.accepts!(wrong), wrong).toBe(false)
    }
  })

  it("answers the handshake, and reads a delivery's records as changes keyed by the body (a delivery sent twice is one change)", async () => {
    expect(await deliver("")).toEqual({ _tag: "Handshake" })
    const body = JSON.stringify({ subject: "edit-invoice", message: { invoice: { id: "12" } } })
    const received = await deliver(body)
    expect(received).toEqual({
      _tag: "Accepted",
      changes: [{ kind: "invoice", id: "12", action: "updated", eventKey: expect.stringMatching(/^edit-invoice:12:[0-9a-f]{32}$/) }],
      unreadable: null
    })
    expect(await deliver(body)).toEqual(received)
    const other = await deliver(JSON.stringify({ subject: "edit-invoice", message: { invoice: { id: "12", total: 1 } } }))
    expect(other._tag === "Accepted" && other.changes[0]!.eventKey).not.toBe(received._tag === "Accepted" && received.changes[0]!.eventKey)
  })

  it("accepts what it cannot read, naming the kinds to re-read; ids Alegra never issues are never changes", async () => {
    expect(await deliver("{not json")).toEqual({
      _tag: "Accepted",
      changes: [],
      unreadable: { kinds: ["invoice", "bill", "contact", "item"], reason: "the body is not JSON" }
    })
    for (const id of [".", "..", "1/../../contacts", "9".repeat(100_000)]) {
      const received = await deliver(JSON.stringify({ subject: "edit-item", message: { item: { id } } }))
      expect(received).toMatchObject({ _tag: "Accepted", changes: [], unreadable: { kinds: ["item"] } })
    }
    const mixed = await deliver(JSON.stringify([
      { subject: "edit-item", message: { item: { id: "4" } } },
      { subject: "edit-client", message: { client: { id: "." } } }
    ]))
    expect(mixed).toMatchObject({ _tag: "Accepted", changes: [{ kind: "item", id: "4" }], unreadable: { kinds: ["contact"] } })
  })
})

describe("the payments poller", () => {
  it("reads the newest down to its high-water mark (and at least `paymentsRecent`), and starts the mark at what the store holds", async () => {
    const engine = new Engine()
    const { payments } = seedPayments(8)
    const alegra = await hub()
    const poller = alegra.capture.pollers.find((p) => p.name === "payments")!
    expect(poller.everyMs).toBe(60_000)
    // First poll, nothing stored: at least the 5 newest (paymentsRecent), a page of them, their payloads read now.
    const before = Date.now()
    const first = await engine.poll(alegra, "payments")
    expect(ids(first.changes)).toEqual(payments.map((id) => `payment:${id}`).sort())
    for (const change of first.changes) {
      expect(change.payload).toEqual(Either.getOrThrow(decodeRecord("payment", a.sim.admin.get("payment", change.id)!)))
      expect(change.readAt).toBeGreaterThanOrEqual(before)
    }
    expect(first.cursor).toEqual({ highWater: payments.at(-1) })
    // Nothing new: nothing to say, the cursor kept.
    expect(await engine.poll(alegra, "payments")).toEqual({ changes: [] })
    // A payment voided (same id) and a new one.
    a.sim.admin.voidPayment(payments.at(-2)!, { silent: true })
    const { payments: [added] } = seedPayments(1)
    const next = await engine.poll(alegra, "payments")
    expect(ids(next.changes)).toEqual([`payment:${added}`, `payment:${payments.at(-2)}`].sort())
    expect(next.cursor).toEqual({ highWater: added })
    // A stored payment gone from Alegra's list: a change without payload (re-read by id, deleted on a 404).
    a.sim.admin.remove("payment", payments.at(-3)!)
    const gone = await engine.poll(alegra, "payments")
    expect(gone.changes).toEqual([{ kind: "payment", id: payments.at(-3), action: "changed", eventKey: expect.stringMatching(/:missing:\d+$/) }])
  })

  it("without a cursor, after a backfill, starts its mark at the highest payment stored: payments made while down are read", async () => {
    const engine = new Engine()
    const { payments } = seedPayments(7)
    for (const raw of a.sim.admin.list("payment")) engine.put(Either.getOrThrow(decodeRecord("payment", raw)))
    const { payments: whileDown } = seedPayments(7)
    expect(whileDown[0]! > payments.at(-1)! || whileDown[0]!.length > payments.at(-1)!.length).toBe(true)
    const alegra = await hub()
    const result = await engine.poll(alegra, "payments")
    expect(ids(result.changes)).toEqual(whileDown.map((id) => `payment:${id}`).sort())
    expect(result.cursor).toEqual({ highWater: whileDown.at(-1) })
  })
})

describe("the credit-notes poller", () => {
  it("reads a trailing window of dates, reaching back over a downtime longer than it", async () => {
    const engine = new Engine()
    const { contact, item, invoice } = seedPayments(0)
    const note = (date: string) =>
      a.sim.admin.create("credit-note", { date, client: { id: contact }, items: [{ id: item, price: 1, quantity: 1 }], invoices: [{ id: invoice, amount: 1 }] }, {
        silent: true
      })["id"] as string
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
    const recent = note(day(-2))
    const old = note(day(-60))
    const alegra = await hub()
    const first = await engine.poll(alegra, "credit-notes")
    expect(ids(first.changes)).toContain(`credit-note:${recent}`)
    expect(ids(first.changes)).not.toContain(`credit-note:${old}`)
    expect(first.cursor).toMatchObject({ windowFrom: day(-30) })
    // Down for 40 days: the window reaches back to the last poll.
    engine.cursors.set("credit-notes", { windowFrom: day(-70), polledAt: Date.now() - 40 * 86_400_000 })
    const after = await engine.poll(alegra, "credit-notes")
    expect(ids(after.changes)).toContain(`credit-note:${old}`)
    expect(after.cursor).toMatchObject({ windowFrom: day(-70) })
  })
})

describe("the sweep", () => {
  it("waits while the last full read is recent, then reads every kind, reports differences and deletes, and keeps the webhooks registered", async () => {
    const engine = new Engine()
    const alegra = await hub()
    const sweep = alegra.capture.pollers.find((p) => p.name === "sweep")!
    expect(sweep).toMatchObject({ servesRequests: true, everyMs: 60_000 })
    engine.lastFullRead = Date.now()
    const before = a.requestCount()
    expect(await engine.poll(alegra, "sweep")).toEqual({ changes: [] })
    expect(a.requestCount()).toBe(before)

    // The last full read eleven hours ago: every kind is read (in the background lane).
    engine.lastFullRead = Date.now() - 11 * 3_600_000
    const since = a.requestCount()
    const full = await engine.poll(alegra, "sweep")
    const listed = new Set(a.requestsSince(since).filter((r) => r.method === "GET").map((r) => r.path.split("?")[0]))
    for (const kind of ["categories", "bank-accounts", "contacts", "items", "invoices", "bills", "payments", "credit-notes", "estimates"]) {
      expect(listed).toContain(`/api/v1/${kind}`)
    }
    const total = kinds.reduce((n, kind) => n + a.sim.admin.count(kind), 0)
    expect(full.changes).toHaveLength(total)
    expect(full.cursor).toMatchObject({ read: total, offered: total, finishedAt: expect.any(Number) })
    // The 12 webhooks, registered for this install.
    expect(a.sim.admin.subscriptions()).toHaveLength(12)
    expect(engine.subscriptions.size).toBe(12)

    // In step: the next full read finds nothing; what changed and what went are found.
    const contact = a.sim.admin.list("contact")[0]!["id"] as string
    const item = a.sim.admin.create("item", { name: "Borrable", price: 1 }, { silent: true })["id"] as string
    engine.put(Either.getOrThrow(decodeRecord("item", a.sim.admin.get("item", item)!)))
    a.sim.admin.update("contact", contact, { phonePrimary: "+57 601 555 0000" }, { silent: true })
    a.sim.admin.remove("item", item, { silent: true })
    engine.cursors.set("sweep", { finishedAt: Date.now() - 2 * 3_600_000 })
    const again = await engine.poll(alegra, "sweep")
    expect(ids(again.changes)).toEqual([`contact:${contact}`, `item:${item}`].sort())
    const missing = again.changes.find((c) => c.kind === "item")!
    expect(missing.payload).toBeUndefined()
    expect(missing.eventKey).toMatch(/:missing:/)
  })

  it("re-reads only the requested kinds between full sweeps, and says it served them", async () => {
    const engine = new Engine()
    const alegra = await hub()
    engine.lastFullRead = Date.now()
    engine.requested = ["item"]
    const since = a.requestCount()
    const result = await engine.poll(alegra, "sweep")
    expect(result.served).toEqual(["item"])
    expect(result.cursor).toBeUndefined()
    expect(new Set(a.requestsSince(since).map((r) => r.path.split("?")[0]))).toEqual(new Set(["/api/v1/items"]))
    expect(engine.requested).toEqual([])
  })
})

describe("start", () => {
  it("registers the 12 webhooks at this install's URL once, and never touches another install's", async () => {
    const engine = new Engine()
    const alegra = await hub()
    for (const s of a.sim.admin.subscriptions()) a.sim.admin.removeSubscription(s.id)
    // Another install on the same account.
    const registered = await fetch(`${a.sim.url}/webhooks/subscriptions`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${a.sim.email}:${a.sim.token}`).toString("base64")}`, "content-type": "application/json" },
      body: JSON.stringify({ event: "new-invoice", url: `${publicUrl}/webhooks/alegra/another-install-token` })
    })
    expect(registered.status).toBe(201)
    const theirs = a.sim.admin.subscriptions()[0]!.id
    await Effect.runPromise(alegra.capture.start!(engine.owned))
    const ours = a.sim.admin.subscriptions().filter((s) => s.id !== theirs)
    expect(ours.map((s) => s.event).sort()).toEqual([...new Set(ours.map((s) => s.event))].sort())
    expect(ours).toHaveLength(12)
    expect(new Set(ours.map((s) => s.url))).toEqual(new Set([`${publicUrl.replace("http://", "")}/webhooks/alegra/${webhookToken}`]))
    expect(engine.subscriptions.size).toBe(12)
    const ids12 = ours.map((s) => s.id).sort()
    await Effect.runPromise(alegra.capture.start!(engine.owned))
    expect(a.sim.admin.subscriptions().filter((s) => s.id !== theirs).map((s) => s.id).sort()).toEqual(ids12)
    expect(a.sim.admin.subscriptions().some((s) => s.id === theirs)).toBe(true)
  })
})
