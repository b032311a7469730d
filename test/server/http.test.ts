/**
 * The daemon's HTTP server in-process, on a real port and a real SQLite file, with a
 * test Alegra connector whose health the test sets (the real one is exercised by the
 * e2e tests): /health follows the connector and the store, /metrics shows every
 * registered Effect metric.
 */
import Database from "better-sqlite3"
import { Effect, Metric, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { ConnectorHealth } from "../../src/ports/connector.js"
import { type RunningServer, startServer, testHub } from "./support.js"

const token = "s3cr3t-alegra-token-for-health"

let health: ConnectorHealth = { state: "ok", lastSuccessAt: null, lastFailure: null, pausedUntil: null }

/** A connector that is never called here except for its health and usage. */
const testAlegra = testHub({
  usage: Effect.succeed({ requests: 7, rateLimited: 1, retries: 0, busiestMinute: 7 }),
  health: Effect.sync(() => health)
})

describe("the HTTP server", () => {
  let server: RunningServer | undefined
  let base: string
  let storePath: string
  let webhookToken: string

  beforeAll(async () => {
    server = await startServer({ alegra: testAlegra, alegraToken: token })
    ;({ base, storePath } = server)
    webhookToken = Redacted.value(server.config.server.webhookToken)
  })
  afterAll(() => server?.runtime.dispose())

  const getHealth = async () => {
    const response = await fetch(`${base}/health`)
    const text = await response.text()
    return { status: response.status, text, body: JSON.parse(text) }
  }

  it("says ok with the connector's state and the inbox depth", async () => {
    health = { state: "ok", lastSuccessAt: Date.UTC(2026, 0, 2, 3, 4, 5), lastFailure: null, pausedUntil: null }
    const { body, status } = await getHealth()
    expect(status).toBe(200)
    expect(body).toEqual({
      status: "ok",
      alegra: { state: "ok", lastSuccessAt: "2026-01-02T03:04:05.000Z", lastFailure: null, pausedUntil: null },
      store: "ok",
      inbox: { pending: 0, due: 0, dead: 0, oldestDueMs: 0 }
    })
  })

  it("answers 503 while Alegra rejects the credentials, saying why, without any secret", async () => {
    const at = Date.UTC(2026, 0, 2, 3, 5, 0)
    health = {
      state: "auth-failing",
      lastSuccessAt: null,
      lastFailure: { at, reason: "auth", message: "401 El token no es válido" },
      pausedUntil: null
    }
    const { body, status, text } = await getHealth()
    expect(status).toBe(503)
    expect(body.status).toBe("failing")
    expect(body.alegra).toEqual({
      state: "auth-failing",
      lastSuccessAt: null,
      lastFailure: { at: "2026-01-02T03:05:00.000Z", reason: "auth", message: "401 El token no es válido" },
      pausedUntil: null
    })
    expect(text).not.toContain(token)
    expect(text).not.toContain(webhookToken)
  })

  it("stays 200 but degraded while rate-limited, with the end of the pause", async () => {
    health = { state: "rate-limited", lastSuccessAt: null, lastFailure: null, pausedUntil: Date.UTC(2026, 0, 2, 3, 6, 0) }
    const { body, status } = await getHealth()
    expect(status).toBe(200)
    expect(body.status).toBe("degraded")
    expect(body.alegra.pausedUntil).toBe("2026-01-02T03:06:00.000Z")
  })

  it("shows every registered Effect metric with its tags, and the store's figures", async () => {
    const deliveries = Metric.counter("surface_test_deliveries_total", { description: "deliveries seen by the test" })
    await Effect.runPromise(Metric.incrementBy(Metric.tagged(deliveries, "kind", "invoice"), 3))
    await Effect.runPromise(Metric.increment(Metric.tagged(deliveries, "kind", "item")))
    const response = await fetch(`${base}/metrics`)
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    expect(text).toContain(
      [
        "# HELP surface_test_deliveries_total deliveries seen by the test",
        "# TYPE surface_test_deliveries_total counter",
        'surface_test_deliveries_total{kind="invoice"} 3',
        'surface_test_deliveries_total{kind="item"} 1'
      ].join("\n")
    )
    expect(text).toMatch(/^alegra_sync_inbox_pending 0$/m)
    expect(text).toMatch(/^alegra_sync_mirror_records\{kind="contact"\} 0$/m)
    expect(text).toMatch(/^alegra_sync_alegra_requests_total 7$/m)
    expect(text).not.toContain(token)
  })

  it("answers 503 when the store cannot be read", async () => {
    health = { state: "ok", lastSuccessAt: null, lastFailure: null, pausedUntil: null }
    // Damage the store behind the daemon's back: its inbox is gone.
    const db = new Database(storePath)
    db.exec("DROP TABLE inbox")
    db.close()
    const { body, status } = await getHealth()
    expect(status).toBe(503)
    expect(body).toMatchObject({ status: "failing", store: "unavailable", inbox: null })
  })
})
