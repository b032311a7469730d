/** The in-process rate budget (the port's conformance cases), its start log, and the pacing figures. */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { accountKey, pacingFor, resetDelayMs } from "../../connectors/alegra/pacing.js"
import { memoryRateBudget, StartLog } from "../../connectors/alegra/rate-budget.js"
import { maxInAnyWindow } from "../../connectors/alegra/simulator/stats.js"
import { rateBudgetConformance } from "./rate-budget-conformance.js"

rateBudgetConformance("memoryRateBudget", () =>
  Effect.sync(() => {
    const budget = memoryRateBudget()
    return { budget, other: budget }
  }))

describe("StartLog", () => {
  it("never lets more than the limit into any span, whatever the arrival pattern (randomised)", () => {
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let round = 0; round < 50; round++) {
      const limit = 1 + Math.floor(random() * 20)
      const spanMs = 100 + Math.floor(random() * 2000)
      const log = new StartLog()
      const starts: Array<number> = []
      let now = 0
      for (let i = 0; i < 300; i++) {
        now += random() < 0.5 ? 0 : Math.floor((random() * spanMs) / 3)
        log.prune(now - spanMs)
        const at = now + log.waitFor(limit, spanMs, now)
        log.prune(at - spanMs)
        expect(log.waitFor(limit, spanMs, at)).toBe(0)
        log.record(at)
        starts.push(at)
        now = at
      }
      expect(maxInAnyWindow(starts, spanMs)).toBeLessThanOrEqual(limit)
    }
  })

  it("keeps itself sorted and small", () => {
    const log = new StartLog()
    log.record(10)
    log.record(5)
    log.record(20)
    expect(log.last).toBe(20)
    log.prune(5)
    expect(log.size).toBe(2)
    for (let i = 0; i < 5000; i++) {
      log.record(100 + i)
      log.prune(100 + i - 10)
    }
    expect(log.size).toBe(10)
  })
})

describe("pacing", () => {
  it("derives the budget, margin, even spacing and background share from the configured limit", () => {
    expect(pacingFor(150, 60)).toEqual({ limit: 150, windowMs: 60_000, marginMs: 500, spacingMs: 166, backgroundLimit: 75 })
    expect(pacingFor(1500, 6)).toEqual({ limit: 150, windowMs: 6000, marginMs: 100, spacingMs: 32, backgroundLimit: 75 })
    expect(pacingFor(600, 2)).toEqual({ limit: 20, windowMs: 2000, marginMs: 100, spacingMs: 80, backgroundLimit: 10 })
    // A tiny budget still allows one request per window.
    expect(pacingFor(1, 1)).toMatchObject({ limit: 1, backgroundLimit: 1 })
    // Far above what a timer can space: no spacing at all.
    expect(pacingFor(600_000, 60).spacingMs).toBe(0)
  })

  it("keys the budget by base URL and user, never by the token", () => {
    const key = accountKey("https://api.alegra.com/api/v1/", "Owner@Example.com ")
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(accountKey("https://api.alegra.com/api/v1", "owner@example.com")).toBe(key)
    expect(accountKey("https://api.alegra.com/api/v1", "other@example.com")).not.toBe(key)
    expect(accountKey("http://127.0.0.1:8181/api/v1", "owner@example.com")).not.toBe(key)
  })

  it("reads X-Rate-Limit-Reset as seconds left or an epoch, falls back to the window, and caps it", () => {
    expect(resetDelayMs("1", 60_000, 0)).toBe(1000)
    expect(resetDelayMs(" 2.5 ", 60_000, 0)).toBe(2500)
    expect(resetDelayMs(undefined, 60_000, 0)).toBe(60_000)
    expect(resetDelayMs("soon", 2000, 0)).toBe(2000)
    expect(resetDelayMs("1700000030", 60_000, 1_700_000_000_000)).toBe(30_000)
    // A header never parks the client for more than two windows (or two minutes).
    expect(resetDelayMs("100000", 60_000, 0)).toBe(120_000)
  })
})
