/**
 * The Alegra client over real HTTP: against the project's Alegra simulator, and against a
 * node:http server in the test for exact control of headers, timing and failures.
 */
import { Cause, Effect, Either, Exit, Logger, Option, Redacted, Schema } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "vitest"
import { decodeRecord, pacingFor, resources, webhookEvents } from "../../connectors/alegra/index.js"
import { presets, seedAccount } from "../../connectors/alegra/simulator/index.js"
import type { AlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { kinds } from "../../schema/index.js"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import { ConnectorError } from "../../src/ports/connector.js"
import type { AlegraApi, Page } from "../../connectors/alegra/index.js"
import type { Arrival } from "./support.js"
import { BASIC, EMAIL, expectPaced, harness, json, options, TOKEN, withAlegra } from "./support.js"

const { serve, simulator } = harness()

const contact = (id: number | string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Contact ${id}`,
  type: ["client"],
  status: "active",
  ...extra
})

/** Rows [from, from+count) of an endless contact list, as a bare array. */
const contactPage = (arrival: Arrival, total = 1000) => {
  const start = Number(arrival.url.searchParams.get("start") ?? 0)
  const limit = Number(arrival.url.searchParams.get("limit") ?? 30)
  const rows = []
  for (let i = start; i < Math.min(total, start + limit); i++) rows.push(contact(String(i + 1)))
  return rows
}

describe("Alegra client: requests", () => {
  it("sends Basic auth, JSON headers and the list query (limit 30, ordered by id, date window)", async () => {
    const server = await serve((_a, res) => json(res, 200, []))
    await withAlegra(options(server.url), (alegra) =>
      Effect.all([
        alegra.listPage("contact", { start: 60 }),
        alegra.listPage("invoice", { start: 0, order: "desc", dateFrom: "2024-01-01" as never, dateTo: "2024-01-31" as never })
      ]))
    const [list, invoices] = server.arrivals
    expect(list!.url.pathname).toBe("/api/v1/contacts")
    expect(list!.headers.authorization).toBe(`Basic ${BASIC}`)
    expect(list!.headers.accept).toBe("application/json")
    expect(list!.headers["content-type"]).toBe("application/json")
    expect(Object.fromEntries(list!.url.searchParams)).toEqual({
      start: "60",
      limit: "30",
      order_field: "id",
      order_direction: "ASC"
    })
    expect(invoices!.url.pathname).toBe("/api/v1/invoices")
    expect(Object.fromEntries(invoices!.url.searchParams)).toEqual({
      start: "0",
      limit: "30",
      order_field: "id",
      order_direction: "DESC",
      date_afterOrNow: "2024-01-01",
      date_beforeOrNow: "2024-01-31"
    })
  })

  it("reads bare arrays, {metadata, data} and {total, results}; dedupes by id; next only after a full page", async () => {
    const server = await serve((a, res) => {
      const start = Number(a.url.searchParams.get("start"))
      const path = a.url.pathname
      if (path.endsWith("/contacts")) return json(res, 200, contactPage(a, 45))
      if (path.endsWith("/items")) {
        return json(res, 200, {
          metadata: { total: 2 },
          data: [{ id: 1, name: "A", price: 10 }, { id: "2", name: "B", price: [{ idPriceList: 1, price: "5.50" }] }]
        })
      }
      if (path.endsWith("/payments")) {
        // 30 rows, the same payment twice (once per category line): a full page of 29 payments.
        const rows = Array.from({ length: 30 }, (_, i) => ({
          id: String(start + Math.min(i, 28) + 1),
          date: "2024-02-01",
          amount: "100.00",
          type: "in",
          client: { id: "7" },
          invoices: [{ id: "3", amount: 100 }]
        }))
        return json(res, 200, { total: "59", results: rows })
      }
      json(res, 404, { code: 404, message: "no" })
    })
    await withAlegra(options(server.url), (alegra) =>
      Effect.gen(function*() {
        const first = yield* alegra.listPage("contact", { start: 0 })
        expect(first.records).toHaveLength(30)
        expect(first.next).toBe(30)
        const second = yield* alegra.listPage("contact", { start: 30 })
        expect(second.records.map((r) => r.record.id)).toEqual(Array.from({ length: 15 }, (_, i) => String(31 + i)))
        expect(second.next).toBeNull()

        const items = yield* alegra.listPage("item", { start: 0 })
        expect(items.records.map((r) => [r.kind, r.record.id, (r.record as { price: string }).price])).toEqual([
          ["item", "1", "10"],
          ["item", "2", "5.5"]
        ])
        expect(items.next).toBeNull()

        const payments = yield* alegra.listPage("payment", { start: 0 })
        expect(payments.records).toHaveLength(29)
        expect(new Set(payments.records.map((r) => r.record.id)).size).toBe(29)
        expect(payments.next).toBe(30)
      }))
    expect(server.arrivals.every((a) => Number(a.url.searchParams.get("limit")) <= 30)).toBe(true)
  })

  it("get: maps the record, and 404 is none", async () => {
    const server = await serve((a, res) =>
      a.url.pathname.endsWith("/contacts/5")
        ? json(res, 200, contact(5, { type: "client,provider" }))
        : json(res, 404, { code: 404, message: "El contacto no existe" })
    )
    await withAlegra(options(server.url), (alegra) =>
      Effect.gen(function*() {
        const found = yield* alegra.read("contact", "5")
        expect(Option.getOrThrow(found.record)).toMatchObject({ kind: "contact", record: { id: "5", roles: ["client", "provider"] } })
        expect((yield* alegra.read("contact", "6")).record).toEqual(Option.none())
      }))
    expect(server.arrivals).toHaveLength(2)
  })

  it("a record that does not decode fails with reason decode naming the field", async () => {
    const server = await serve((_a, res) =>
      json(res, 200, [{ id: "9", date: "2024-01-01", status: "open", client: { id: "1" }, total: "abc" }])
    )
    const error = await withAlegra(options(server.url), (alegra) => Effect.flip(alegra.listPage("invoice", { start: 0 })))
    expect(error.reason).toBe("decode")
    expect(error.message).toContain("invoice id 9")
    expect(error.message).toContain("total")
    expect(error.message).toContain("\"abc\"")
  })
})

describe("Alegra client: read times", () => {
  it("readAt is when the request was sent, after the wait for the budget, not when it was asked for", async () => {
    const server = await serve((a, res) => json(res, 200, contact(a.url.pathname.split("/").at(-1)!)))
    // One request per 2 s window.
    const opts = options(server.url, { requestsPerMinute: 30, rateLimitWindowSeconds: 2 })
    const asked = Date.now()
    const [first, second] = await withAlegra(opts, (alegra) =>
      Effect.all([alegra.read("contact", "1"), alegra.read("contact", "2")], { concurrency: "unbounded" }))
    const [early, late] = [first, second].sort((a, b) => a.readAt - b.readAt)
    expect(late!.readAt - asked).toBeGreaterThanOrEqual(2000)
    expect(late!.readAt - early!.readAt).toBeGreaterThanOrEqual(2000 + pacingFor(30, 2).marginMs)
    const arrivedAt = (id: string) => server.arrivals.find((a) => a.url.pathname.endsWith(`/${id}`))!.at
    for (const observed of [first!, second!]) {
      const id = Option.getOrThrow(observed.record).record.id
      expect(observed.readAt).toBeLessThanOrEqual(arrivedAt(id))
    }
  })

  it("readAt is when the attempt that succeeded was sent, after retries", async () => {
    const server = await serve((a, res) => a.index === 0 ? json(res, 503, { message: "Mantenimiento" }) : json(res, 200, contactPage(a, 2)))
    const page = await withAlegra(options(server.url), (alegra) => alegra.listPage("contact", { start: 0 }))
    const [failed, succeeded] = server.arrivals
    expect(page.readAt).toBeGreaterThan(failed!.at)
    expect(page.readAt).toBeLessThanOrEqual(succeeded!.at)
  })

  it("a 404 (the record is gone) is an observation too, read when its attempt was sent", async () => {
    const server = await serve((a, res) =>
      a.index === 0
        ? json(res, 429, { message: "over" }, { "x-rate-limit-reset": "1" })
        : json(res, 404, { code: 404, message: "No existe" })
    )
    const { observed, health } = await withAlegra(
      options(server.url),
      (alegra) => Effect.all({ observed: alegra.read("invoice", "77"), health: alegra.health })
    )
    expect(observed.record).toEqual(Option.none())
    const [limited, missing] = server.arrivals
    expect(observed.readAt).toBeGreaterThanOrEqual(limited!.at + 1000)
    expect(observed.readAt).toBeLessThanOrEqual(missing!.at)
    // Not found is an answer, not a failure of the connection.
    expect(health.lastFailure?.reason).toBe("rate-limit")
  })
})

describe("Alegra client: errors", () => {
  it("a 400 fails at once with Alegra's code and message, without retry", async () => {
    const server = await serve((_a, res) => json(res, 400, { code: 1012, message: "El parámetro start debe ser un número" }))
    const { error, usage } = await withAlegra(options(server.url), (alegra) =>
      Effect.all({ error: Effect.flip(alegra.listPage("contact", { start: 0 })), usage: alegra.usage }))
    expect(error).toBeInstanceOf(ConnectorError)
    expect(error).toMatchObject({
      reason: "validation",
      status: 400,
      system: "alegra",
      code: "1012",
      message: "El parámetro start debe ser un número",
      method: "GET"
    })
    expect(error.path).toBe("/contacts?start=0&limit=30&order_field=id&order_direction=ASC")
    expect(error.transient).toBe(false)
    expect(server.arrivals).toHaveLength(1)
    expect(usage).toEqual({ requests: 1, rateLimited: 0, retries: 0, busiestMinute: 1 })
  })

  it("reads the {error: {code, message}} form too", async () => {
    const server = await serve((_a, res) => json(res, 422, { error: { code: "3001", message: "Nombre requerido" } }))
    const error = await withAlegra(options(server.url), (alegra) => Effect.flip(alegra.read("item", "1")))
    expect(error).toMatchObject({ reason: "validation", status: 422, code: "3001", message: "Nombre requerido" })
    expect(server.arrivals).toHaveLength(1)
  })

  it("401 is an auth error that carries neither the token nor the encoded credentials", async () => {
    // A hostile server echoes the Authorization header and the token in its message.
    const server = await serve((a, res) =>
      json(res, 401, { code: 401, message: `Credenciales inválidas: ${a.headers.authorization} (${TOKEN})` })
    )
    const logs: Array<string> = []
    const logger = Logger.make(({ message, cause }) => {
      logs.push(`${String(message)} ${Cause.pretty(cause)}`)
    })
    const exit = await withAlegra(options(server.url), (alegra) =>
      Effect.exit(
        alegra.listPage("contact", { start: 0 }).pipe(
          Effect.tapErrorCause((cause) => Effect.logError("alegra failed", cause)),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger))
        )
      ))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause).pipe(Option.getOrThrow) : undefined
    expect(error).toMatchObject({ reason: "auth", status: 401, code: "401" })
    expect(server.arrivals).toHaveLength(1)
    const renderings = [
      error!.message,
      String(error),
      JSON.stringify(error),
      JSON.stringify(Schema.encodeSync(ConnectorError)(error!)),
      Cause.pretty(Exit.isFailure(exit) ? exit.cause : Cause.empty),
      ...logs
    ]
    expect(logs.length).toBeGreaterThan(0)
    for (const text of renderings) {
      expect(text).not.toContain(TOKEN)
      expect(text).not.toContain(BASIC)
      expect(text.toLowerCase()).not.toContain("authorization")
    }
    expect(error!.message).toContain("Credenciales inválidas")
  })

  it("402 and 403 are auth errors too", async () => {
    const server = await serve((a, res) => json(res, a.index === 0 ? 402 : 403, { message: "Plan" }))
    const errors = await withAlegra(options(server.url), (alegra) =>
      Effect.all([Effect.flip(alegra.read("item", "1")), Effect.flip(alegra.read("item", "2"))]))
    expect(errors.map((e) => [e.reason, e.status])).toEqual([["auth", 402], ["auth", 403]])
  })
})

describe("Alegra client: retries", () => {
  it("5xx are retried with backoff and succeed", async () => {
    const server = await serve((a, res) =>
      a.index < 2 ? json(res, a.index === 0 ? 503 : 500, { message: "Mantenimiento" }) : json(res, 200, contactPage(a, 3))
    )
    const { page, usage } = await withAlegra(options(server.url, { retryBaseDelayMs: 100 }), (alegra) =>
      Effect.all({ page: alegra.listPage("contact", { start: 0 }), usage: alegra.usage }))
    expect(page.records).toHaveLength(3)
    expect(server.arrivals).toHaveLength(3)
    expect(usage).toEqual({ requests: 3, rateLimited: 0, retries: 2, busiestMinute: 3 })
    // Exponential backoff with ±20 % jitter: about 100 ms, then about 200 ms.
    const [a0, a1, a2] = server.arrivals.map((a) => a.at)
    expect(a1! - a0!).toBeGreaterThanOrEqual(75)
    expect(a2! - a1!).toBeGreaterThanOrEqual(155)
  })

  it("5xx that persist give up after maxRetries with reason server", async () => {
    const server = await serve((_a, res) => json(res, 503, { message: "Mantenimiento" }))
    const error = await withAlegra(
      options(server.url, { maxRetries: 3 }),
      (alegra) => Effect.flip(alegra.listPage("contact", { start: 0 }))
    )
    expect(error).toMatchObject({ reason: "server", status: 503 })
    expect(error.message).toContain("gave up after 4 attempts")
    expect(server.arrivals).toHaveLength(4)
  })

  it("connection resets (before the response and in the middle of a body) are retried", async () => {
    const server = await serve((a, res) => {
      if (a.index === 0) return res.socket?.destroy()
      if (a.index === 1) {
        // Headers and half a body, then the connection drops.
        res.writeHead(200, { "content-type": "application/json", "content-length": "400" })
        res.write("[{\"id\":\"1\",\"name\":\"Half")
        setImmediate(() => res.socket?.destroy())
        return
      }
      json(res, 200, contactPage(a, 2))
    })
    const { page, usage } = await withAlegra(options(server.url), (alegra) =>
      Effect.all({ page: alegra.listPage("contact", { start: 0 }), usage: alegra.usage }))
    expect(page.records.map((r) => r.record.id)).toEqual(["1", "2"])
    expect(usage).toEqual({ requests: 3, rateLimited: 0, retries: 2, busiestMinute: 3 })
  })

  it("a request that gets no response within the timeout is retried", async () => {
    const server = await serve((a, res) => {
      if (a.index === 0) return // never answers
      json(res, 200, contactPage(a, 1))
    })
    const page = await withAlegra(
      options(server.url, { requestTimeoutMs: 300 }),
      (alegra) => alegra.listPage("contact", { start: 0 })
    )
    expect(page.records).toHaveLength(1)
    expect(server.arrivals).toHaveLength(2)
    expect(server.arrivals[1]!.at - server.arrivals[0]!.at).toBeGreaterThanOrEqual(290)
  })

  it("a timeout that persists fails with reason transport", async () => {
    const server = await serve(() => {})
    const error = await withAlegra(
      options(server.url, { requestTimeoutMs: 100, maxRetries: 1 }),
      (alegra) => Effect.flip(alegra.read("contact", "1"))
    )
    expect(error).toMatchObject({ reason: "transport", status: null })
    expect(error.message).toContain("100 ms")
    expect(server.arrivals).toHaveLength(2)
  })

  it("a connection refused fails with reason transport after retries", async () => {
    const server = await serve(() => {})
    const url = server.url
    await server.close()
    const error = await withAlegra(options(url, { maxRetries: 2 }), (alegra) => Effect.flip(alegra.read("contact", "1")))
    expect(error.reason).toBe("transport")
    expect(error.message).toContain("ECONNREFUSED")
    expect(error.message).not.toContain(TOKEN)
  })
})

describe("Alegra client: webhook subscriptions", () => {
  it("lists, creates (URL without scheme; {subscription} or a top-level id) and removes", async () => {
    const server = await serve((a, res) => {
      if (a.method === "GET") {
        return json(res, 200, { subscriptions: [{ id: 1, event: "new-invoice", url: "hooks.example.com/a", status: "active" }] })
      }
      if (a.method === "POST") {
        const body = JSON.parse(a.body) as { event: string; url: string }
        return body.event === "new-bill"
          ? json(res, 201, { subscription: { id: "22", event: body.event, url: body.url } })
          : json(res, 200, { id: 23, event: body.event, url: body.url })
      }
      if (a.method === "DELETE") return a.url.pathname.endsWith("/22") ? json(res, 200, {}) : json(res, 404, { message: "No existe" })
    })
    await withAlegra(options(server.url), (alegra) =>
      Effect.gen(function*() {
        expect(yield* alegra.subscriptions.list).toEqual([{ id: "1", event: "new-invoice", url: "hooks.example.com/a" }])
        expect(yield* alegra.subscriptions.create("new-bill", "https://hooks.example.com/webhooks/alegra/t0k"))
          .toEqual({ id: "22", event: "new-bill", url: "hooks.example.com/webhooks/alegra/t0k" })
        expect(yield* alegra.subscriptions.create("edit-item", "https://hooks.example.com/x"))
          .toEqual({ id: "23", event: "edit-item", url: "hooks.example.com/x" })
        yield* alegra.subscriptions.remove("22")
        yield* alegra.subscriptions.remove("99") // already gone: fine
      }))
    const posts = server.arrivals.filter((a) => a.method === "POST")
    expect(posts.map((a) => JSON.parse(a.body))).toEqual([
      { event: "new-bill", url: "hooks.example.com/webhooks/alegra/t0k" },
      { event: "edit-item", url: "hooks.example.com/x" }
    ])
    expect(posts[0]!.url.pathname).toBe("/api/v1/webhooks/subscriptions")
    expect(server.arrivals.filter((a) => a.method === "DELETE").map((a) => a.url.pathname)).toEqual([
      "/api/v1/webhooks/subscriptions/22",
      "/api/v1/webhooks/subscriptions/99"
    ])
  })

  it("a create refused as a duplicate returns the existing subscription", async () => {
    const server = await serve((a, res) =>
      a.method === "POST"
        ? json(res, 400, { code: 2001, message: "Ya existe una suscripción para este evento" })
        : json(res, 200, { subscriptions: [{ id: "5", event: "new-item", url: "hooks.example.com/h" }] })
    )
    const created = await withAlegra(options(server.url), (alegra) => alegra.subscriptions.create("new-item", "https://hooks.example.com/h"))
    expect(created).toEqual({ id: "5", event: "new-item", url: "hooks.example.com/h" })
    const other = await withAlegra(
      options(server.url),
      (alegra) => Effect.either(alegra.subscriptions.create("new-bill", "https://hooks.example.com/h"))
    )
    expect(Either.isLeft(other) && other.left.message).toBe("Ya existe una suscripción para este evento")
  })
})

// ---------------------------------------------------------------------------------------
// Against the Alegra simulator

/** Every record of a kind, page after page, deduplicated across pages too; and when each page was sent. */
const listAll = (alegra: AlegraApi, kind: Kind, sent: Map<string, number>) =>
  Effect.gen(function*() {
    const byId = new Map<string, CanonicalRecord>()
    let start: number | null = 0
    while (start !== null) {
      const page: Page = yield* alegra.listPage(kind, { start })
      sent.set(`${resources[kind].path}?${start}`, page.readAt)
      for (const r of page.records) if (!byId.has(r.record.id)) byId.set(r.record.id, r)
      start = page.next
    }
    return byId
  })

/** The key `listAll` and the gets below file a request under, from its path at the simulator. */
const sentKey = (path: string): string => {
  const url = new URL(path, "http://x")
  const local = url.pathname.replace(/^\/api\/v1/, "")
  const start = url.searchParams.get("start")
  return start === null ? local : `${local}?${start}`
}

/** What the simulator holds, mapped with the same decoder. */
const held = (sim: AlegraSimulator, kind: Kind) =>
  new Map(sim.admin.list(kind).map((wire) => {
    const decoded = decodeRecord(kind, wire)
    if (Either.isLeft(decoded)) throw new Error(`${kind}: ${decoded.left}`)
    return [decoded.right.record.id, decoded.right] as const
  }))

describe("Alegra client against the simulator", () => {
  it("streams every kind in pages of at most 30, maps what the server holds, and never exceeds 20 requests per 2 s", async () => {
    const sim = await simulator(600, 2) // 20 per 2 s window
    seedAccount(sim, presets.small)
    sim.stats.reset()
    const opts = options(sim.url, { requestsPerMinute: 600, rateLimitWindowSeconds: 2 })
    const sent = new Map<string, number>()
    const { listed, fetched, usage } = await withAlegra(opts, (alegra) =>
      Effect.gen(function*() {
        const listed = yield* Effect.forEach(kinds, (kind) => Effect.map(listAll(alegra, kind, sent), (all) => [kind, all] as const), {
          concurrency: "unbounded"
        })
        // Then single reads: 3 of each kind.
        const targets = kinds.flatMap((kind) => sim.admin.ids(kind).slice(0, 3).map((id) => [kind, id] as const))
        const fetched = yield* Effect.forEach(targets, ([kind, id]) =>
          Effect.tap(alegra.read(kind, id), (found) => sent.set(`${resources[kind].path}/${id}`, found.readAt)), {
          concurrency: "unbounded"
        })
        return { listed, fetched, usage: yield* alegra.usage }
      }))
    for (const [kind, all] of listed) {
      const expected = held(sim, kind)
      expect(expected.size, kind).toBeGreaterThan(0)
      expect([...all.keys()].sort(), kind).toEqual([...expected.keys()].sort())
      for (const [id, record] of expected) expect(all.get(id), `${kind} ${id}`).toEqual(record)
    }
    for (const found of fetched) {
      const record = Option.getOrThrow(found.record)
      expect(record).toEqual(held(sim, record.kind).get(record.record.id))
    }
    const requests = sim.stats.requests()
    expect(requests.length).toBeGreaterThan(40)
    for (const r of requests) {
      const limit = new URL(r.path, "http://x").searchParams.get("limit")
      if (limit !== null) expect(Number(limit)).toBeLessThanOrEqual(30)
    }
    const pacing = pacingFor(opts.requestsPerMinute, opts.rateLimitWindowSeconds)
    const { jitterMs } = expectPaced(requests.map((r) => ({ sentAt: sent.get(sentKey(r.path))!, arrivedAt: r.at })), pacing)
    // Within the margin the client promises, the server never refuses a request.
    if (jitterMs <= pacing.marginMs) {
      expect(requests.every((r) => r.status === 200)).toBe(true)
      expect(usage).toEqual({ requests: requests.length, rateLimited: 0, retries: 0, busiestMinute: requests.length })
    }
  })

  it("waits out 429s (both forms), retries 5xx and connection resets, and recovers", async () => {
    const sim = await simulator(6000, 1)
    sim.admin.create("contact", { name: "Ana", type: ["client"] }, { silent: true })
    sim.faults.rateLimit(1)
    sim.faults.rateLimit(1, { disguised: true })
    sim.faults.serverError(1, 503)
    sim.faults.serverError(1, 500)
    sim.faults.resetConnections(2)
    sim.stats.reset()
    const { page, usage } = await withAlegra(options(sim.url, { requestsPerMinute: 6000, rateLimitWindowSeconds: 1 }), (alegra) =>
      Effect.all({ page: alegra.listPage("contact", { start: 0 }), usage: alegra.usage }))
    expect(page.records.map((r) => r.record)).toMatchObject([{ name: "Ana", roles: ["client"] }])
    expect(sim.faults.pending().responses).toBe(0)
    expect(usage).toEqual({ requests: 7, rateLimited: 2, retries: 6, busiestMinute: 7 })
    const requests = sim.stats.requests()
    expect(requests.map((r) => r.fault ?? r.status)).toEqual([
      "rate-limit",
      "rate-limit-disguised",
      "server-error",
      "server-error",
      "reset",
      "reset",
      200
    ])
    // After each rate-limited answer the client waited for X-Rate-Limit-Reset (>= 1 s here).
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(950)
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(950)
  })

  it("auth, validation and not-found errors", async () => {
    const sim = await simulator(6000, 1)
    const contact = sim.admin.create("contact", { name: "Ana" }, { silent: true })
    // Wrong token: auth, and nothing of the credentials in the error.
    const denied = await withAlegra(
      { ...options(sim.url), token: Redacted.make("wrong-token-123456") },
      (alegra) => Effect.flip(alegra.read("contact", String(contact["id"])))
    )
    expect(denied).toMatchObject({ reason: "auth", status: 401 })
    for (const text of [denied.message, JSON.stringify(denied), String(denied)]) {
      expect(text).not.toContain("wrong-token-123456")
      expect(text).not.toContain(Buffer.from(`${EMAIL}:wrong-token-123456`).toString("base64"))
    }
    sim.stats.reset()
    const { found, missing, invalid, usage } = await withAlegra(options(sim.url), (alegra) =>
      Effect.all({
        found: alegra.read("contact", String(contact["id"])),
        missing: alegra.read("contact", "99999"),
        invalid: Effect.flip(alegra.subscriptions.create("new-payment", "https://hooks.example.com/x")),
        usage: alegra.usage
      }))
    expect(Option.getOrThrow(found.record).record).toMatchObject({ id: String(contact["id"]), name: "Ana" })
    expect(missing.record).toEqual(Option.none())
    expect(invalid).toMatchObject({ reason: "validation", status: 400 })
    expect(invalid.message.length).toBeGreaterThan(0)
    expect(invalid.code).not.toBeNull()
    // One POST only (no retry), then the lookup of existing subscriptions.
    expect(sim.stats.requests().filter((r) => r.method === "POST")).toHaveLength(1)
    expect(usage.retries).toBe(0)
  })

  it("registers webhook subscriptions without the scheme, lists and removes them", async () => {
    const sim = await simulator(6000, 1)
    const receiver = createServer((_req, res) => res.writeHead(200).end())
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/alegra/secret-token`
    try {
      const fast = options(sim.url, { requestsPerMinute: 6000, rateLimitWindowSeconds: 1 })
      const { created, listed, after } = await withAlegra(fast, (alegra) =>
        Effect.gen(function*() {
          const created = yield* Effect.forEach(alegra.webhookEvents, (event) => alegra.subscriptions.create(event, hook))
          // Registering again is not an error: the existing subscription comes back.
          const again = yield* alegra.subscriptions.create("new-invoice", hook)
          expect(again.id).toBe(created[0]!.id)
          const listed = yield* alegra.subscriptions.list
          yield* Effect.forEach(created, (s) => alegra.subscriptions.remove(s.id))
          return { created, listed, after: yield* alegra.subscriptions.list }
        }))
      expect(created.map((s) => s.event)).toEqual([...webhookEvents])
      expect(new Set(created.map((s) => s.id)).size).toBe(12)
      expect(listed.map((s) => s.id).sort()).toEqual(created.map((s) => s.id).sort())
      expect(after).toEqual([])
      expect(sim.stats.handshakes().length).toBeGreaterThanOrEqual(12)
      const posts = sim.stats.requests().filter((r) => r.method === "POST")
      expect(posts.length).toBe(13)
    } finally {
      receiver.closeAllConnections()
      await new Promise<void>((resolve) => receiver.close(() => resolve()))
    }
  })
})
