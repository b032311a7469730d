/**
 * The webhook route in front of the Effect router, in-process on a real port and a real
 * SQLite file, with a test Alegra connector (the real one and the built CLI are exercised
 * by test/e2e/cli-ingest.test.ts): a delivery is answered once its row is committed,
 * deliveries arriving together share one transaction, bodies are capped, and a delivery
 * that cannot be recorded is never answered 2xx.
 */
import { connect, type Socket } from "node:net"
import Database from "better-sqlite3"
import { Effect, Option, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { ResolvedConfig } from "../../src/config/index.js"
import type { Received } from "../../src/ports/connector.js"
import { readStore } from "../support/store.js"
import { type RunningServer, startServer, testHub } from "./support.js"

const maxBodyBytes = 2_048

/**
 * The hub's route: the token the config holds; an empty body is the handshake; `{"id": "<digits>"}`
 * an edit of that item; anything else unreadable; `{"boom": true}` throws, as a broken parser would.
 */
const receive = (body: string): Received => {
  if (body.trim() === "") return { _tag: "Handshake" }
  let value: { id?: unknown; boom?: unknown }
  try {
    value = JSON.parse(body)
  } catch {
    return { _tag: "Accepted", changes: [], unreadable: { kinds: ["item"], reason: "not JSON" } }
  }
  if (value.boom === true) throw new Error("the parser broke")
  return typeof value.id === "string" && /^\d+$/.test(value.id)
    ? { _tag: "Accepted", changes: [{ kind: "item", id: value.id, action: "updated", eventKey: `edit-item:${value.id}` }], unreadable: null }
    : { _tag: "Accepted", changes: [], unreadable: { kinds: ["item"], reason: "no id" } }
}

const testAlegra = (config: ResolvedConfig) =>
  testHub({
    // Every record is gone in this account: the worker completes the rows without writing anything.
    read: () => Effect.sync(() => ({ readAt: Date.now(), record: Option.none() })),
    capture: {
      routes: [{
        path: "/webhooks/alegra/:token",
        accepts: (token) => token === Redacted.value(config.server.webhookToken),
        receive: ({ body }) => receive(body)
      }],
      pollers: []
    }
  })

/** One raw HTTP/1.1 exchange per call on a kept-open socket: what Alegra's sender does with keep-alive. */
const openConnection = (port: number) =>
  new Promise<{ readonly send: (request: string) => Promise<string>; readonly socket: Socket }>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1")
    let buffer = ""
    let waiting: ((answer: string) => void) | undefined
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => {
      buffer += chunk
      const headEnd = buffer.indexOf("\r\n\r\n")
      if (headEnd === -1 || waiting === undefined) return
      const length = Number(/content-length: (\d+)/i.exec(buffer.slice(0, headEnd))?.[1] ?? "0")
      if (buffer.length < headEnd + 4 + length) return
      const answer = buffer.slice(0, headEnd + 4 + length)
      buffer = buffer.slice(answer.length)
      const done = waiting
      waiting = undefined
      done(answer)
    })
    socket.on("error", reject)
    socket.on("connect", () =>
      resolve({
        socket,
        send: (request) =>
          new Promise((answered) => {
            waiting = answered
            socket.write(request)
          })
      })
    )
  })

const post = (pathname: string, body: string) =>
  `POST ${pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

const statusOf = (answer: string) => Number(answer.slice(9, 12))
const bodyOf = (answer: string) => answer.slice(answer.indexOf("\r\n\r\n") + 4)

describe("the webhook route", () => {
  let server: RunningServer | undefined
  let port: number
  let storePath: string
  let webhookPath: string

  beforeAll(async () => {
    server = await startServer({ alegra: testAlegra, alegraToken: "alegra-api-token", maxBodyBytes })
    ;({ storePath } = server)
    port = Number(new URL(server.base).port)
    webhookPath = `/webhooks/alegra/${Redacted.value(server.config.server.webhookToken)}`
  })
  afterAll(() => server?.runtime.dispose())

  const rowsFor = (ids: ReadonlyArray<string>): number =>
    readStore(storePath, (db) =>
      db.prepare(`SELECT count(DISTINCT record_id) AS n FROM inbox WHERE kind = 'item' AND record_id IN (${ids.map(() => "?").join(",")})`)
        .get(...ids) as { n: number }).n
  const inboxRows = () => readStore(storePath, (db) => (db.prepare("SELECT count(*) AS n FROM inbox").get() as { n: number }).n)
  const counter = async (name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    return Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? "0")
  }

  it("answers deliveries that arrive together once their rows are committed, in one shared transaction", async () => {
    const connections = await Promise.all(Array.from({ length: 50 }, () => openConnection(port)))
    // A first round, so that every connection is accepted and read before the measured one.
    const warmIds = connections.map((_, i) => String(1_000 + i))
    const warm = await Promise.all(connections.map((c, i) => c.send(post(webhookPath, JSON.stringify({ id: warmIds[i] })))))
    expect(warm.map(statusOf)).toEqual(warm.map(() => 200))
    const commitsBefore = await counter("alegra_sync_ingest_commits_total")
    const deliveriesBefore = await counter("alegra_sync_ingest_deliveries_total")

    // 50 deliveries written in one go: they reach the server in the same round of I/O.
    const ids = connections.map((_, i) => String(2_000 + i))
    const answers = await Promise.all(connections.map((c, i) => c.send(post(webhookPath, JSON.stringify({ id: ids[i] })))))
    for (const c of connections) c.socket.destroy()

    expect(answers.map(statusOf)).toEqual(answers.map(() => 200))
    expect(answers.map(bodyOf)).toEqual(answers.map(() => `{"status":"ok","recorded":1}`))
    expect(rowsFor(ids)).toBe(50)
    expect(rowsFor(warmIds)).toBe(50)
    expect((await counter("alegra_sync_ingest_deliveries_total")) - deliveriesBefore).toBe(50)
    // One transaction per delivery would be 50; together they take one or two.
    expect((await counter("alegra_sync_ingest_commits_total")) - commitsBefore).toBeLessThanOrEqual(3)
  })

  it("answers the subscription handshake (an empty POST) 200 and records nothing", async () => {
    const before = inboxRows()
    const response = await fetch(`http://127.0.0.1:${port}${webhookPath}`, { method: "POST", body: "" })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: "ok" })
    expect(inboxRows()).toBe(before)
  })

  it("reads the token from the path without its query, and answers a wrong one like a route that does not exist", async () => {
    const withQuery = await fetch(`http://127.0.0.1:${port}${webhookPath}?attempt=2`, { method: "POST", body: JSON.stringify({ id: "3001" }) })
    expect(withQuery.status).toBe(200)
    expect(rowsFor(["3001"])).toBe(1)
    const answer = async (pathname: string, method = "POST") => {
      const response = await fetch(`http://127.0.0.1:${port}${pathname}`, { method, body: JSON.stringify({ id: "3002" }) })
      return { status: response.status, type: response.headers.get("content-type"), body: await response.text() }
    }
    const notFound = { status: 404, type: "application/json", body: `{"error":"not found"}` }
    expect(await answer(`${webhookPath}x`)).toEqual(notFound)
    expect(await answer(`${webhookPath}/`)).toEqual(notFound)
    expect(await answer("/webhooks/alegra/")).toEqual(notFound)
    expect(await answer(webhookPath, "PUT")).toEqual(notFound)
    expect(rowsFor(["3002"])).toBe(0)
  })

  it("answers 413 to a body over the limit, declared or streamed, and records nothing", async () => {
    const before = inboxRows()
    const big = JSON.stringify({ id: "4001", padding: "x".repeat(maxBodyBytes) })
    const declared = await fetch(`http://127.0.0.1:${port}${webhookPath}`, { method: "POST", body: big })
    expect(declared.status).toBe(413)
    expect(await declared.json()).toEqual({ error: "body too large" })

    // Chunked, without a length: the limit is found while reading.
    const streamed = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write(`POST ${webhookPath} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`)
        const chunk = big.slice(0, 1_000)
        for (let i = 0; i < 4; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)
      })
      let answer = ""
      socket.setEncoding("utf8")
      socket.on("data", (data: string) => (answer += data))
      socket.on("close", () => resolve(answer))
      socket.on("error", reject)
    })
    expect(statusOf(streamed)).toBe(413)
    expect(streamed).toMatch(/\r\nconnection: close\r\n/i)
    expect(bodyOf(streamed)).toBe(`{"error":"body too large"}`)

    // Just under the limit is read.
    const fits = JSON.stringify({ id: "4002", padding: "x".repeat(maxBodyBytes - 40) })
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(maxBodyBytes)
    expect((await fetch(`http://127.0.0.1:${port}${webhookPath}`, { method: "POST", body: fits })).status).toBe(200)
    expect(inboxRows()).toBe(before + 1)
  })

  it("keeps a delivery it cannot read, answers it 2xx and asks for a sweep of its kinds", async () => {
    const kept = () => readStore(storePath, (db) => (db.prepare("SELECT count(*) AS n FROM unreadable_deliveries").get() as { n: number }).n)
    const before = kept()
    for (const body of ["{not json", JSON.stringify({ id: "../1" }), JSON.stringify({ hello: "world" })]) {
      const response = await fetch(`http://127.0.0.1:${port}${webhookPath}`, { method: "POST", body })
      expect(response.status, body).toBe(200)
    }
    expect(kept()).toBe(before + 3)
    const requested = readStore(storePath, (db) => db.prepare("SELECT value FROM cursors WHERE name = 'requested:alegra'").get()) as
      | { value: string }
      | undefined
    expect(JSON.parse(requested?.value ?? "{}")).toEqual({ kinds: ["item"] })
  })

  it("answers 500 when its handler throws, and keeps serving", async () => {
    const broken = await fetch(`http://127.0.0.1:${port}${webhookPath}`, { method: "POST", body: JSON.stringify({ boom: true }) })
    expect(broken.status).toBe(500)
    expect(await broken.json()).toEqual({ error: "could not record the delivery" })
    const next = await fetch(`http://127.0.0.1:${port}${webhookPath}`, { method: "POST", body: JSON.stringify({ id: "5001" }) })
    expect(next.status).toBe(200)
    expect(rowsFor(["5001"])).toBe(1)
  })

  // Last: it breaks the store.
  it("never answers 2xx when the rows cannot be committed", async () => {
    const db = new Database(storePath)
    db.exec("DROP TABLE inbox")
    db.close()
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) =>
      fetch(`http://127.0.0.1:${port}${webhookPath}`, { method: "POST", body: JSON.stringify({ id: String(6_000 + i) }) })
    ))
    expect(answers.map((r) => r.status)).toEqual([500, 500, 500, 500, 500])
    expect(await answers[0]!.json()).toEqual({ error: "could not record the delivery" })
  })
})
