/**
 * Running the daemon the way users will (issue 8): a backfill beside it, restarts,
 * a second instance, a second install, deliveries it cannot read. Real processes,
 * the real simulator, the real store file.
 */
import Database from "better-sqlite3"
import { isDeepStrictEqual } from "node:util"
import { Either } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { decodeRecord } from "../../connectors/alegra/mapping.js"
import { type AlegraSimulator, presets, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import type { Kind } from "../../schema/index.js"
import { type CliProcess, runCli, runCliToEnd, type TestConfig, waitFor, writeConfig } from "../support/process.js"
import { count, cursor, mirrorRecord, mirrorRows } from "../support/store.js"

const email = "operaciones@empresa-demo.co"
const token = "sim-token-hardening-77c1d2"

const running: Array<CliProcess> = []
const start = (config: TestConfig, args: ReadonlyArray<string> = []) => {
  const cli = runCli(["run", "--config", config.file, ...args], config.env)
  running.push(cli)
  return cli
}
afterEach(async () => {
  for (const cli of running.splice(0)) await cli.stop("SIGKILL")
})

const healthy = (config: TestConfig) =>
  fetch(`http://127.0.0.1:${config.port}/health`).then((r) => r.ok).catch(() => false)

const following = (cli: CliProcess) => cli.output().stderr.includes("following changes")

/** Every record of every kind the simulator holds, as the connector maps it, against the mirror. */
const differences = (sim: AlegraSimulator, storePath: string): Array<string> => {
  const found: Array<string> = []
  const kinds: ReadonlyArray<Kind> = ["contact", "item", "invoice", "bill", "payment", "credit-note", "estimate", "category", "bank-account"]
  for (const kind of kinds) {
    const mirror = new Map(mirrorRows(storePath, kind).map((row) => [row.id, row.content]))
    for (const wire of sim.admin.list(kind)) {
      const canonical = Either.getOrThrow(decodeRecord(kind, wire)).record
      if (!isDeepStrictEqual(mirror.get(canonical.id), canonical)) found.push(`${kind} ${canonical.id}`)
    }
  }
  return found
}

/** Writes into the store file as an operator would (the daemon is not running). */
const editStore = (file: string, statement: string) => {
  const db = new Database(file)
  try {
    db.pragma("busy_timeout = 5000")
    db.prepare(statement).run()
  } finally {
    db.close()
  }
}

describe("a backfill beside the daemon never rolls a record back", () => {
  let sim: AlegraSimulator
  let config: TestConfig
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 6000 })
    seedAccount(sim, presets.small)
    config = await writeConfig({ alegraUrl: sim.url, email, token })
  })
  afterAll(() => sim?.close())

  it("a page read before a webhook edit reaches the store after it: the edit stays (two real processes, a fixed interleaving)", async () => {
    const daemon = start(config)
    await waitFor("the daemon following changes", () => following(daemon), { timeoutMs: 60_000 })
    const contact = sim.admin.list("contact")[0] as { id: string }

    // 1. The backfill's first contacts page is answered from the state as it is now, and held.
    sim.faults.hold(1, (method, path) => method === "GET" && path.startsWith("/api/v1/contacts?"))
    const backfill = runCliToEnd(["backfill", "--restart", "--json", "--config", config.file], config.env)
    await waitFor("the backfill's contacts page read and held", () => sim.faults.held() === 1)

    // 2. Meanwhile the contact is edited in Alegra; its webhook reaches the daemon, which applies it.
    sim.admin.update("contact", contact.id, { email: "despues-del-backfill@cliente.co" })
    await waitFor("the daemon to apply the edit", () =>
      (mirrorRecord(config.storePath, "contact", contact.id) as { email?: string } | undefined)?.email ===
        "despues-del-backfill@cliente.co")

    // 3. The older page now reaches the backfill, which must not write it over the edit.
    sim.faults.releaseHeld()
    const result = await backfill
    expect(result.code).toBe(0)
    expect((mirrorRecord(config.storePath, "contact", contact.id) as { email?: string }).email).toBe(
      "despues-del-backfill@cliente.co"
    )
    // No record of the whole account is left older than the simulator.
    expect(differences(sim, config.storePath)).toEqual([])
  })
})

describe("one daemon per store; subscriptions belong to their install", () => {
  let sim: AlegraSimulator
  let config: TestConfig
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 6000 })
    seedAccount(sim, presets.small)
    config = await writeConfig({ alegraUrl: sim.url, email, token })
  })
  afterAll(() => sim?.close())

  it("a second `run` on the store exits 2 with one line naming the holder, and touches nothing", async () => {
    const first = start(config)
    await waitFor("the first daemon following changes", () => following(first), { timeoutMs: 60_000 })
    const subscriptions = sim.admin.subscriptions().map((s) => s.id).sort()
    expect(subscriptions).toHaveLength(12)

    const second = await runCliToEnd(["run", "--config", config.file], config.env)
    expect(second.code).toBe(2)
    const lines = second.stderr.trim().split("\n").filter((line) => line.startsWith("alegra-sync:"))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/already runs on the store .*pid \d+ on .*stop it first/)
    expect(second.stderr).not.toMatch(/\n\s+at /)
    expect(sim.admin.subscriptions().map((s) => s.id).sort()).toEqual(subscriptions)
    expect(await healthy(config)).toBe(true)
    // `status` says who holds the store.
    const status = await runCliToEnd(["status", "--config", config.file], config.env)
    expect(status.stdout).toMatch(new RegExp(`daemon: +running \\(pid ${first.child.pid} on `))
  })

  it("a daemon killed with SIGKILL does not keep the store: the next one starts at once, with the same 12 webhooks", async () => {
    const first = start(config)
    await waitFor("the daemon following changes", () => following(first), { timeoutMs: 60_000 })
    const subscriptions = sim.admin.subscriptions().map((s) => s.id).sort()
    await first.stop("SIGKILL")
    const started = Date.now()
    const next = start(config)
    await waitFor("the next daemon following changes", () => following(next), { timeoutMs: 60_000 })
    // Well inside the lease's 30 s: its holder was recognised as gone, not waited out.
    expect(Date.now() - started).toBeLessThan(25_000)
    expect(sim.admin.subscriptions().map((s) => s.id).sort()).toEqual(subscriptions)
  })

  it("a second install on the same Alegra account keeps its webhooks, and the first never removes them", async () => {
    const first = start(config)
    await waitFor("the first install following changes", () => following(first), { timeoutMs: 60_000 })
    const other = await writeConfig({ alegraUrl: sim.url, email, token })
    const second = start(other)
    await waitFor("the second install following changes", () => following(second), { timeoutMs: 60_000 })
    expect(sim.admin.subscriptions()).toHaveLength(24)
    const secondIds = sim.admin.subscriptions().filter((s) => s.url.includes(`:${other.port}/`)).map((s) => s.id).sort()
    expect(secondIds).toHaveLength(12)
    // Restarting the first install reconciles its own subscriptions only.
    await first.stop("SIGTERM")
    const again = start(config)
    await waitFor("the first install following changes again", () => following(again), { timeoutMs: 60_000 })
    expect(sim.admin.subscriptions()).toHaveLength(24)
    expect(sim.admin.subscriptions().filter((s) => s.url.includes(`:${other.port}/`)).map((s) => s.id).sort()).toEqual(secondIds)
  })
})

describe("catching up at start-up", () => {
  let sim: AlegraSimulator
  let config: TestConfig
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 6000 })
    seedAccount(sim, presets.small)
    // A sweep interval far longer than the test: only catching up can explain a sweep.
    config = await writeConfig({ alegraUrl: sim.url, email, token, polling: { sweepMinutes: 600 } })
    const backfill = await runCliToEnd(["backfill", "--config", config.file], config.env)
    expect(backfill.code).toBe(0)
  })
  afterAll(() => sim?.close())

  const listed = (resource: string, since: number) =>
    sim.stats.requests().filter((r) => r.at >= since && r.method === "GET" && r.path.startsWith(`/api/v1/${resource}?`)).length

  it("a recent full read: no sweep at start, but the pollers resume at once", async () => {
    const since = Date.now()
    const daemon = start(config)
    await waitFor("the daemon following changes", () => following(daemon), { timeoutMs: 60_000 })
    await waitFor("the payments poll", () => listed("payments", since) > 0 && listed("credit-notes", since) > 0)
    expect(listed("estimates", since)).toBe(0)
    await daemon.stop("SIGTERM")
  })

  it("the last full read older than the interval (the daemon was down): a sweep runs at once and finds what changed meanwhile", async () => {
    // Changes made while the daemon was down: no webhook can reach it (Alegra never re-sends one).
    const contact = sim.admin.list("contact")[2] as { id: string }
    sim.admin.update("contact", contact.id, { phonePrimary: "+57 601 555 0123" }, { silent: true })
    const estimate = sim.admin.list("estimate")[0] as { id: string }
    sim.admin.remove("estimate", estimate.id, { silent: true })
    // The last full read was eleven hours ago.
    editStore(config.storePath, `UPDATE cursors SET value = json_set(value, '$.completedAt', ${Date.now() - 11 * 3_600_000}) WHERE name = 'backfill'`)
    editStore(config.storePath, `DELETE FROM cursors WHERE name = 'poll:alegra:sweep'`)
    const since = Date.now()
    const daemon = start(config)
    await waitFor("the catch-up sweep to apply what changed while down", () =>
      (mirrorRecord(config.storePath, "contact", contact.id) as { phone?: string } | undefined)?.phone === "+57 601 555 0123" &&
      mirrorRecord(config.storePath, "estimate", estimate.id) === undefined, { timeoutMs: 60_000 })
    expect(listed("estimates", since)).toBeGreaterThan(0)
    expect((cursor(config.storePath, "poll:alegra:sweep") as { finishedAt: number }).finishedAt).toBeGreaterThan(since)
    expect(differences(sim, config.storePath)).toEqual([])
    await daemon.stop("SIGTERM")
  })
})

describe("webhook deliveries the daemon cannot read", () => {
  let sim: AlegraSimulator
  let config: TestConfig
  let url: string
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 6000 })
    seedAccount(sim, presets.small)
    config = await writeConfig({ alegraUrl: sim.url, email, token, polling: { sweepMinutes: 600 } })
  })
  afterAll(() => sim?.close())

  const post = (body: string) => fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } })
  const kept = () => count(config.storePath, "SELECT count(*) AS n FROM unreadable_deliveries")

  it("answers 2xx, keeps the body, never sends an id Alegra does not issue, and sweeps the kind so the change is not lost", async () => {
    const daemon = start(config)
    await waitFor("the daemon following changes", () => following(daemon), { timeoutMs: 60_000 })
    const subscription = sim.admin.subscriptions()[0]!
    url = subscription.url.startsWith("http") ? subscription.url : `http://${subscription.url}`
    const since = Date.now()
    const inboxBefore = count(config.storePath, "SELECT count(*) AS n FROM inbox")

    // An item changed in Alegra, and the only delivery about it is one the daemon cannot read.
    const item = sim.admin.list("item")[1] as { id: string }
    sim.admin.update("item", item.id, { description: "Cambiada sin webhook legible" }, { silent: true })
    const bodies = [
      "{not json",
      JSON.stringify({ hello: "world" }),
      JSON.stringify({ subject: "edit-item", message: { item: { id: "." } } }),
      JSON.stringify({ subject: "edit-item", message: { item: { id: ".." } } }),
      JSON.stringify({ subject: "edit-item", message: { item: { id: "1/../../contacts" } } }),
      JSON.stringify({ subject: "edit-item", message: { item: { id: "9".repeat(100_000) } } })
    ]
    for (const body of bodies) expect((await post(body)).status).toBe(200)
    expect(kept()).toBe(bodies.length)
    // Kept for diagnosis, size-capped.
    expect(count(config.storePath, "SELECT max(length(body)) AS n FROM unreadable_deliveries")).toBeLessThanOrEqual(8 * 1024)
    expect(count(config.storePath, "SELECT max(body_bytes) AS n FROM unreadable_deliveries")).toBeGreaterThan(100_000)
    // Nothing was queued for them, and no such id ever reached Alegra.
    expect(count(config.storePath, "SELECT count(*) AS n FROM inbox")).toBe(inboxBefore)
    await waitFor("the targeted sweep to catch the change", () =>
      (mirrorRecord(config.storePath, "item", item.id) as { description?: string } | undefined)?.description ===
        "Cambiada sin webhook legible", { timeoutMs: 30_000 })
    const paths = sim.stats.requests().filter((r) => r.at >= since).map((r) => r.path)
    expect(paths.filter((p) => /^\/api\/v1\/?(\?|$)|\/items\/(\.|%2e|9{100})|\/contacts\/?$/i.test(p))).toEqual([])
    expect(paths.some((p) => p.startsWith("/api/v1/items?"))).toBe(true)
    expect(count(config.storePath, "SELECT count(*) AS n FROM cursors WHERE name = 'requested:alegra'")).toBe(0)
  })

  it("reads a body that is an array of deliveries: one inbox row per record", async () => {
    const daemon = start(config)
    await waitFor("the daemon following changes", () => following(daemon), { timeoutMs: 60_000 })
    const [a, b] = sim.admin.list("item") as Array<{ id: string }>
    const contact = sim.admin.list("contact")[0] as { id: string }
    const body = JSON.stringify([
      { subject: "edit-item", message: { item: { id: a!.id } } },
      { subject: "edit-client", message: { client: { id: contact.id } } },
      { subject: "edit-item", message: { id: b!.id } }
    ])
    expect((await post(body)).status).toBe(200)
    for (const [kind, id] of [["item", a!.id], ["contact", contact.id], ["item", b!.id]] as const) {
      expect(count(config.storePath, "SELECT count(*) AS n FROM inbox WHERE kind = ? AND record_id = ? AND channel = 'webhook'", kind, id))
        .toBeGreaterThanOrEqual(1)
    }
  })
})

describe("/health follows the connection to Alegra", () => {
  let sim: AlegraSimulator
  let config: TestConfig
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 6000 })
    seedAccount(sim, presets.small)
    config = await writeConfig({ alegraUrl: sim.url, email, token, polling: { paymentsSeconds: 1, sweepMinutes: 600 } })
  })
  afterAll(() => sim?.close())

  const health = async () => {
    const response = await fetch(`http://127.0.0.1:${config.port}/health`)
    return { status: response.status, body: await response.json() as { status: string; alegra: { state: string } } }
  }

  it("answers 503 while Alegra refuses the token, and 200 again once it takes it", async () => {
    const daemon = start(config)
    await waitFor("the daemon following changes", () => following(daemon), { timeoutMs: 60_000 })
    expect(await health()).toMatchObject({ status: 200, body: { alegra: { state: "ok" } } })
    // The token is revoked in Alegra while the daemon runs: its next poll is refused.
    sim.admin.setToken("a-token-nobody-has")
    await waitFor("/health to say the credentials fail", async () => (await health()).status === 503)
    expect((await health()).body).toMatchObject({ status: "failing", alegra: { state: "auth-failing" } })
    expect(JSON.stringify((await health()).body)).not.toContain(token)
    sim.admin.setToken(token)
    await waitFor("/health to recover", async () => (await health()).status === 200, { timeoutMs: 30_000 })
    // One line per failure kind, no stack traces, however many polls failed meanwhile.
    expect(daemon.output().stderr).not.toMatch(/\n\s+at /)
  })
})
