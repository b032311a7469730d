/**
 * Even pacing at the server's fixed windows, on a virtual clock: callers (three in flight,
 * as the client allows) ask the budget, wait as told (their timers firing late by up to
 * 15 ms, as on a busy event loop), send, and ask again when the answer comes. Whatever
 * the phase of the server's fixed windows, each full one gets ≥ 0.95 of the limit and
 * none more than the limit, even with each request arriving up to the margin late.
 * (The same goal over real HTTP against the simulator is in rate-limits.test.ts.)
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { pacingFor } from "../../connectors/alegra/pacing.js"
import type { Pacing } from "../../connectors/alegra/pacing.js"
import { memoryRateBudget } from "../../connectors/alegra/rate-budget.js"
import { maxInAnyWindow } from "../../connectors/alegra/simulator/stats.js"

const lcg = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}

interface Run {
  /** When each request left. */
  readonly starts: ReadonlyArray<number>
  /** When each arrived at the server: up to the margin later. */
  readonly arrivals: ReadonlyArray<number>
}

const T = 1_700_000_000_000

/** Callers working through the budget on a virtual clock for `durationMs`. */
const simulate = (pacing: Pacing, options: { readonly durationMs: number; readonly maxLatenessMs: number; readonly seed: number }): Run => {
  const random = lcg(options.seed)
  const budget = memoryRateBudget()
  const asks: Array<number> = [T, T, T] // three in flight at most
  const starts: Array<number> = []
  const arrivals: Array<number> = []
  while (true) {
    asks.sort((a, b) => a - b)
    const now = asks.shift()!
    if (now > T + options.durationMs) break
    const wait = Effect.runSync(budget.take({ key: "account", ...pacing, background: false, now }))
    if (wait === 0) {
      starts.push(now)
      arrivals.push(now + Math.floor(random() * pacing.marginMs))
      asks.push(now + 2 + Math.floor(random() * 40)) // the answer takes 2–40 ms
    } else {
      asks.push(now + wait + Math.floor(random() * (options.maxLatenessMs + 1)))
    }
  }
  return { starts, arrivals }
}

/** Requests per fixed window of the server's, windows starting at `phase` + k·windowMs, whole ones only. */
const fixedWindows = (times: ReadonlyArray<number>, windowMs: number, phase: number): Array<number> => {
  const first = Math.min(...times)
  const last = Math.max(...times)
  const counts: Array<number> = []
  for (let start = phase + Math.ceil((first - phase) / windowMs) * windowMs; start + windowMs <= last; start += windowMs) {
    counts.push(times.filter((t) => t >= start && t < start + windowMs).length)
  }
  return counts
}

describe("even pacing at the server's fixed windows (virtual clock)", () => {
  for (const [name, rpm, windowSeconds, windows] of [
    ["150 per 6 s (the goal)", 1500, 6, 8],
    ["Alegra's real 150 per 60 s", 150, 60, 5]
  ] as const) {
    it(`${name}: every full window gets ≥ 0.95 of the limit and none more, wherever its edges fall`, () => {
      const pacing = pacingFor(rpm, windowSeconds)
      for (const maxLatenessMs of [0, 15]) {
        const run = simulate(pacing, { durationMs: windows * pacing.windowMs, maxLatenessMs, seed: 7 + maxLatenessMs })
        // The budget is used: as many starts as the log allows, to within one cycle.
        expect(run.starts.length).toBeGreaterThanOrEqual(Math.floor((windows * pacing.windowMs) / (pacing.windowMs + pacing.marginMs)) * pacing.limit)
        expect(maxInAnyWindow(run.arrivals, pacing.windowMs)).toBeLessThanOrEqual(pacing.limit)
        for (let phase = 0; phase < pacing.windowMs; phase += Math.round(pacing.windowMs / 97)) {
          const counts = fixedWindows(run.arrivals, pacing.windowMs, phase)
          expect(counts.length).toBeGreaterThanOrEqual(windows - 2)
          expect(Math.min(...counts) / pacing.limit, `lateness ${maxLatenessMs}, phase ${phase}`).toBeGreaterThanOrEqual(0.95)
          expect(Math.max(...counts)).toBeLessThanOrEqual(pacing.limit)
        }
      }
    })
  }

  it("at Alegra's real limit, a few changes at once on an idle budget are not held back", () => {
    const run = simulate(pacingFor(150, 60), { durationMs: 5000, maxLatenessMs: 15, seed: 5 })
    // A burst of webhook deliveries: 25 requests within 5 s, where an even share (400 ms) would send 12.
    expect(run.starts.filter((t) => t < T + 5000).length).toBeGreaterThanOrEqual(25)
  })

  it("at Alegra's real limit the busiest minute is exactly the limit: the backfill stays at the ceiling", () => {
    const pacing = pacingFor(150, 60)
    const run = simulate(pacing, { durationMs: 5 * 60_000, maxLatenessMs: 15, seed: 3 })
    expect(maxInAnyWindow(run.starts, 60_000)).toBe(150)
  })
})
