import { Either } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { decodeRecord } from "../../connectors/alegra/mapping.js"
import { type AlegraSimulator, presets, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { kinds } from "../../schema/index.js"
import { runCli, runCliToEnd, waitFor, writeConfig } from "../support/process.js"
import { cursor, mirrorRows } from "../support/store.js"

const email = "contabilidad@empresa-demo.co"
const token = "sim-token-7f3a9c2e41d8b6"

/** What the mirror must hold: the simulator's records, mapped as the connector maps them. */
const expectedMirror = (sim: AlegraSimulator, kind: (typeof kinds)[number]) =>
  new Map(sim.admin.list(kind).map((raw) => {
    const record = Either.getOrThrow(decodeRecord(kind, raw)).record
    return [record.id, record] as const
  }))

const actualMirror = (storePath: string, kind: string) =>
  new Map(mirrorRows(storePath, kind).map((row) => [row.id, row.content] as const))

describe("backfill", () => {
  let sim: AlegraSimulator
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 6000 })
    seedAccount(sim, presets.large)
  })
  afterAll(() => sim.close())

  it("reads an account of several thousand records into the store, exactly, and exits on its own", async () => {
    const config = await writeConfig({ alegraUrl: sim.url, email, token, requestsPerMinute: 6000 })
    sim.stats.reset()
    const result = await runCliToEnd(["backfill", "--json", "--config", config.file], config.env)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)

    const summary = JSON.parse(result.stdout)
    const total = kinds.reduce((n, kind) => n + sim.admin.count(kind), 0)
    expect(total).toBeGreaterThan(3000)
    expect(summary.records).toBe(total)
    expect(summary.rateLimited).toBe(0)
    expect(summary.requests).toBe(sim.stats.requests().length)
    expect(summary.busiestMinute).toBe(sim.stats.maxInAnySlidingWindow(60_000))
    for (const kind of kinds) {
      expect(summary.kinds.find((k: { kind: string }) => k.kind === kind)).toMatchObject({ read: sim.admin.count(kind) })
      expect(actualMirror(config.storePath, kind), kind).toEqual(expectedMirror(sim, kind))
    }
    // Every list call asked for at most 30 rows.
    for (const request of sim.stats.requests()) expect(request.path).not.toMatch(/[?&]limit=(3[1-9]|[4-9]\d|\d{3,})/)
  })

  it("resumes after a crash without reading finished kinds again", async () => {
    // Slow enough to be killed half-way: 10 requests per second.
    const config = await writeConfig({ alegraUrl: sim.url, email, token, requestsPerMinute: 600, rateLimitWindowSeconds: 1 })
    const first = runCli(["backfill", "--config", config.file], config.env)
    const doneBeforeCrash = await waitFor("contacts read and items begun", () => {
      const state = cursor(config.storePath, "backfill") as { kinds?: Record<string, { done: boolean; after: string | null }> }
      return state?.kinds?.contact?.done === true && Number(state.kinds.item?.after ?? 0) > 0
        ? Object.entries(state.kinds).filter(([, k]) => k.done).map(([kind]) => kind)
        : undefined
    })
    first.child.kill("SIGKILL")
    expect(await first.exited).toBeNull()

    sim.stats.reset()
    const result = await runCliToEnd(["backfill", "--json", "--config", config.file], config.env)
    expect(result.code).toBe(0)
    const summary = JSON.parse(result.stdout)
    expect(summary.resumed).toBe(true)
    const paths = sim.stats.requests().map((r) => r.path)
    for (const kind of doneBeforeCrash) {
      expect(summary.kinds.find((k: { kind: string }) => k.kind === kind)).toMatchObject({ resumedDone: true, requests: 0 })
    }
    expect(paths.filter((p) => /\/(contacts|categories|bank-accounts)\?/.test(p))).toEqual([])
    // The interrupted kind went on from its checkpoint, not from the start.
    expect(paths.some((p) => /\/items\?.*start=0(&|$)/.test(p))).toBe(false)
    for (const kind of kinds) expect(actualMirror(config.storePath, kind), kind).toEqual(expectedMirror(sim, kind))
  })
})

describe("backfill under Alegra's rate limit", () => {
  let sim: AlegraSimulator
  // 20 requests per 2 s window at the simulator and in the client.
  const rpm = 600
  const windowSeconds = 2
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: rpm, rateLimitWindowSeconds: windowSeconds })
    // About 60 pages: three windows' worth of requests.
    seedAccount(sim, { ...presets.small, contacts: 400, invoices: 600, payments: 300, items: 200 })
  })
  afterAll(() => sim.close())

  it("never exceeds the limit in any window and recovers from 429s", async () => {
    const config = await writeConfig({ alegraUrl: sim.url, email, token, requestsPerMinute: rpm, rateLimitWindowSeconds: windowSeconds })
    sim.stats.reset()
    sim.faults.rateLimit(2)
    sim.faults.rateLimit(1, { disguised: true })
    sim.faults.serverError(2, 503)
    const result = await runCliToEnd(["backfill", "--json", "--config", config.file], config.env)
    expect(result.code, result.stderr).toBe(0)
    const summary = JSON.parse(result.stdout)
    expect(summary.rateLimited).toBe(3)
    expect(sim.stats.requests().length).toBeGreaterThan(50)
    expect(sim.stats.maxPerWindow(windowSeconds * 1000)).toBeLessThanOrEqual(20)
    expect(sim.stats.maxInAnySlidingWindow(windowSeconds * 1000)).toBeLessThanOrEqual(20)
    for (const kind of kinds) expect(actualMirror(config.storePath, kind), kind).toEqual(expectedMirror(sim, kind))
  })
})
