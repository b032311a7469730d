/**
 * The daemon's HTTP surface, through the built CLI against the Alegra simulator:
 * /health, /metrics, one answer for anything not there, and the limits that close
 * connections which never finish their request.
 */
import { connect } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AlegraSimulator, presets, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { serverLimits } from "../../src/server/http.js"
import { type CliProcess, runCli, type TestConfig, waitFor, writeConfig } from "../support/process.js"

const email = "http@empresa-demo.co"
const token = "sim-token-http-61c0aa"

describe("the daemon's HTTP server", () => {
  let sim: AlegraSimulator
  let config: TestConfig
  let daemon: CliProcess
  let base: string
  let webhookPath: string

  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 6000 })
    seedAccount(sim, presets.small)
    config = await writeConfig({ alegraUrl: sim.url, email, token })
    base = `http://127.0.0.1:${config.port}`
    daemon = runCli(["run", "--config", config.file], config.env)
    await waitFor("the daemon to follow changes", () => daemon.output().stderr.includes("following changes"))
    const subscription = sim.admin.subscriptions()[0]
    if (subscription === undefined) throw new Error("no webhook subscription")
    webhookPath = new URL(subscription.url.startsWith("http") ? subscription.url : `http://${subscription.url}`).pathname
  })
  afterAll(async () => {
    await daemon?.stop("SIGKILL")
    await sim?.close()
  })

  it("reports its health with the connector's state and the inbox, and no secret", async () => {
    const response = await fetch(`${base}/health`)
    const text = await response.text()
    expect(response.status).toBe(200)
    expect(JSON.parse(text)).toMatchObject({
      status: "ok",
      alegra: { state: expect.any(String), lastFailure: null, pausedUntil: null },
      store: "ok",
      inbox: { pending: expect.any(Number), due: expect.any(Number), dead: expect.any(Number) }
    })
    expect(text).not.toContain(token)
    expect(text).not.toContain(webhookPath.split("/").pop())
  })

  it("answers a wrong webhook token exactly like a route that does not exist", async () => {
    const answer = async (method: string, path: string, body?: string) => {
      const response = await fetch(`${base}${path}`, { method, ...(body === undefined ? {} : { body }) })
      return { status: response.status, type: response.headers.get("content-type"), body: await response.text() }
    }
    const wrongToken = await answer("POST", "/webhooks/alegra/not-the-token", JSON.stringify({ subject: "edit-item", id: 1 }))
    expect(wrongToken).toEqual({ status: 404, type: "application/json", body: `{"error":"not found"}` })
    expect(await answer("GET", "/no/such/route")).toEqual(wrongToken)
    expect(await answer("POST", "/webhooks/alegra")).toEqual(wrongToken)
    expect(await answer("GET", webhookPath)).toEqual(wrongToken)
    expect(await answer("DELETE", "/health")).toEqual(wrongToken)
  })

  it("serves /metrics in Prometheus text with the store's figures and the registry's metrics", async () => {
    const response = await fetch(`${base}/metrics`)
    expect(response.status).toBe(200)
    const text = await response.text()
    for (const line of text.trimEnd().split("\n")) {
      expect(line).toMatch(/^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+Inf]+)$/)
    }
    expect(text).toMatch(/^alegra_sync_inbox_pending \d+$/m)
    expect(text).toMatch(/^alegra_sync_mirror_records\{kind="invoice"\} [1-9]\d*$/m)
    expect(text).toMatch(/^alegra_sync_alegra_requests_total [1-9]\d*$/m)
    expect(text).not.toContain(token)
  })

  it("closes connections that do not finish their request within the limits", async () => {
    /** Opens a socket, writes `first`, then `drip` every 500 ms; resolves when the server closes it. */
    const dribble = (first: string, drip: string) =>
      new Promise<{ ms: number; answer: string }>((resolve, reject) => {
        const started = Date.now()
        let answer = ""
        const socket = connect(config.port, "127.0.0.1", () => {
          if (first !== "") socket.write(first)
        })
        const timer = setInterval(() => {
          if (drip !== "" && socket.writable) socket.write(drip)
        }, 500)
        socket.on("data", (chunk) => (answer += chunk.toString()))
        socket.on("error", () => {}) // a write racing the close
        socket.on("close", () => {
          clearInterval(timer)
          resolve({ ms: Date.now() - started, answer })
        })
        setTimeout(() => reject(new Error("the server kept the connection open")), 60_000).unref()
      })
    const [body, headers, silent] = await Promise.all([
      // A delivery to the right URL whose body never completes.
      dribble(`POST ${webhookPath} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`, " "),
      dribble(`POST ${webhookPath} HTTP/1.1\r\nHost: x\r\n`, "X-Slow: 1\r\n"),
      dribble("", "")
    ])
    // Node checks the timeouts every checkIntervalMs; allow that, and a loaded machine.
    const slack = serverLimits.checkIntervalMs + 3_000
    expect(body.answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(body.ms).toBeLessThanOrEqual(serverLimits.requestTimeoutMs + slack)
    expect(headers.answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(headers.ms).toBeLessThanOrEqual(serverLimits.headersTimeoutMs + slack)
    expect(silent.ms).toBeLessThanOrEqual(serverLimits.headersTimeoutMs + slack)
    // The daemon is still fine.
    expect((await fetch(`${base}/health`)).status).toBe(200)
  })
})
