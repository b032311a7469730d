/** The sliding-window log on its own: no window of the configured length ever holds more than the budget. */
import { describe, expect, it } from "vitest"
import { resetDelayMs, SlidingWindowLog } from "../../connectors/alegra/rate-limiter.js"
import { maxInAnyWindow } from "./support.js"

describe("SlidingWindowLog", () => {
  it("admits bursts up to the budget, then spaces starts one window apart", () => {
    const log = new SlidingWindowLog(3, 1000, 0)
    const starts: Array<number> = []
    let now = 0
    for (let i = 0; i < 10; i++) {
      const wait = log.waitAt(now)
      now += wait
      log.record(now)
      starts.push(now)
    }
    expect(starts).toEqual([0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000, 3000])
  })

  it("never lets more than the budget into any window, whatever the arrival pattern (randomised)", () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let round = 0; round < 50; round++) {
      const budget = 1 + Math.floor(random() * 20)
      const windowMs = 100 + Math.floor(random() * 2000)
      const log = new SlidingWindowLog(budget, windowMs, 0)
      const starts: Array<number> = []
      let now = 0
      for (let i = 0; i < 300; i++) {
        // Callers arrive at random times and each waits as told.
        now += random() < 0.5 ? 0 : Math.floor(random() * windowMs / 3)
        const wait = log.waitAt(now)
        expect(wait).toBeGreaterThanOrEqual(0)
        const at = now + wait
        expect(log.waitAt(at)).toBe(0)
        log.record(at)
        starts.push(at)
        now = at
      }
      expect(maxInAnyWindow(starts, windowMs)).toBeLessThanOrEqual(budget)
    }
  })

  it("counts the margin as part of the window", () => {
    const log = new SlidingWindowLog(1, 1000, 50)
    log.record(0)
    expect(log.waitAt(500)).toBe(550)
    expect(log.waitAt(1050)).toBe(0)
  })
})

describe("resetDelayMs", () => {
  it("reads seconds left, epoch seconds, and falls back to the window", () => {
    expect(resetDelayMs("1", 60_000, 0)).toBe(1000)
    expect(resetDelayMs(" 2.5 ", 60_000, 0)).toBe(2500)
    expect(resetDelayMs(undefined, 60_000, 0)).toBe(60_000)
    expect(resetDelayMs("soon", 2000, 0)).toBe(2000)
    expect(resetDelayMs("1700000030", 60_000, 1_700_000_000_000)).toBe(30_000)
    // A header never parks the client for more than two windows (or two minutes).
    expect(resetDelayMs("100000", 60_000, 0)).toBe(120_000)
  })
})
