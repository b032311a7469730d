/**
 * One Alegra account has one request budget, however many processes use it: the
 * daemon and a `backfill` beside it share it through the store (issue 8, item 3).
 * And a 429 pauses until the server's window resets, never longer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { type AlegraSimulator, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { type CliProcess, runCli, runCliToEnd, type TestConfig, waitFor, writeConfig } from "../support/process.js"

const email = "tesoreria@presupuesto-compartido.co"
const token = "sim-token-budget-5c2e9a"
// 30 requests per 3 s window at the simulator (600 per minute).
const windowSeconds = 3
const limit = 30

const sizes = { categories: 24, bankAccounts: 4, contacts: 400, items: 300, invoices: 400, bills: 100, payments: 100, creditNotes: 20, estimates: 40 }

const running: Array<CliProcess> = []
afterEach(async () => {
  for (const cli of running.splice(0)) await cli.stop("SIGKILL")
})

/** Requests per aligned window of the simulator, over the windows that saw any. */
const perWindow = (sim: AlegraSimulator, since: number) => {
  const windows = new Map<number, number>()
  for (const r of sim.stats.requests()) {
    if (r.at < since) continue
    const w = Math.floor(r.at / (windowSeconds * 1000))
    windows.set(w, (windows.get(w) ?? 0) + 1)
  }
  return windows
}

/** Keeps editing records, so the daemon keeps re-reading them while the backfill runs. */
const activity = (sim: AlegraSimulator) => {
  const items = sim.admin.list("item") as Array<{ id: string }>
  let n = 0
  const timer = setInterval(() => {
    const item = items[n++ % items.length]!
    sim.admin.update("item", item.id, { description: `edit ${n}` })
  }, 250)
  return () => clearInterval(timer)
}

describe("one budget per Alegra account", () => {
  let sim: AlegraSimulator
  let config: TestConfig
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 600, rateLimitWindowSeconds: windowSeconds })
    seedAccount(sim, sizes)
    config = await writeConfig({
      alegraUrl: sim.url,
      email,
      token,
      requestsPerMinute: 600,
      rateLimitWindowSeconds: windowSeconds,
      polling: { paymentsSeconds: 1, paymentsRecent: 30, creditNotesSeconds: 2 }
    })
  })
  afterAll(() => sim?.close())

  it("the daemon and a backfill beside it never exceed the account's limit together, and get no 429", async () => {
    const daemon = runCli(["run", "--config", config.file], config.env)
    running.push(daemon)
    await waitFor("the daemon following changes", () => daemon.output().stderr.includes("following changes"), { timeoutMs: 90_000 })
    const since = Date.now()
    const stop = activity(sim)
    const backfill = await runCliToEnd(["backfill", "--restart", "--json", "--config", config.file], config.env, 120_000)
    stop()
    expect(backfill.code).toBe(0)
    const windows = perWindow(sim, since)
    expect(windows.size).toBeGreaterThan(3)
    expect(Math.max(...windows.values())).toBeLessThanOrEqual(limit)
    expect(sim.stats.requests().filter((r) => r.at >= since && r.status === 429)).toEqual([])
    expect(JSON.parse(backfill.stdout).rateLimited).toBe(0)
  })

  it("with the limit set too high for the account, its headers still hold both processes, and a 429 pauses until the reset, not longer", async () => {
    const wrong = await writeConfig({
      alegraUrl: sim.url,
      email,
      token,
      // The config claims five times what the account allows.
      requestsPerMinute: 3000,
      rateLimitWindowSeconds: windowSeconds,
      polling: { paymentsSeconds: 1, paymentsRecent: 30, creditNotesSeconds: 2 }
    })
    const daemon = runCli(["run", "--config", wrong.file], wrong.env)
    running.push(daemon)
    await waitFor("the daemon following changes", () => daemon.output().stderr.includes("following changes"), { timeoutMs: 90_000 })
    const since = Date.now()
    const stop = activity(sim)
    const backfill = runCliToEnd(["backfill", "--restart", "--json", "--config", wrong.file], wrong.env, 120_000)
    // Alegra answers a 429, and one disguised as a 400 carrying code 429, in the middle of it.
    await waitFor("the backfill under way", () => sim.stats.requests().filter((r) => r.at >= since).length > 10)
    sim.faults.rateLimit(1)
    sim.faults.rateLimit(1, { disguised: true })
    const result = await backfill
    stop()
    expect(result.code).toBe(0)
    const requests = sim.stats.requests().filter((r) => r.at >= since)
    const limited = requests.filter((r) => r.status === 429 || r.fault === "rate-limit-disguised")
    expect(limited.length).toBeGreaterThanOrEqual(2)
    // X-Rate-Limit-Remaining stopped them at the account's real limit, whatever the config says
    // (give or take what was in flight when it ran out: 3 requests per process at most).
    expect(Math.max(...perWindow(sim, since).values())).toBeLessThanOrEqual(limit + 6)
    // After every rate-limit answer, nothing more goes out until the server's window has reset —
    // but what was already in flight (3 requests per process at most) — and then requests start
    // again within a second of it (Reset counts whole seconds), never minutes later.
    const windowMs = windowSeconds * 1000
    for (const r of limited) {
      const resetAt = (Math.floor(r.at / windowMs) + 1) * windowMs
      const early = requests.filter((later) => later.at > r.at && later.at < resetAt)
      expect(early.length, "requests already in flight when the 429 came").toBeLessThanOrEqual(6)
      const next = requests.find((later) => later.at >= resetAt)
      expect(next, "a request after the pause").toBeDefined()
      expect(next!.at - resetAt).toBeLessThan(1_500)
    }
    const gaps = requests.slice(1).map((r, i) => r.at - requests[i]!.at)
    expect(Math.max(...gaps)).toBeLessThan(2 * windowMs)
  })
})
