/**
 * The contract of `RateBudgetPort` (src/ports/rate-budget.ts) as reusable test cases: run
 * them against every implementation (the in-process one here, the store's over SQLite):
 *
 *   rateBudgetConformance("sqlite", () => openTwoHandlesOnOneFile())
 *
 * `make` opens the budget twice: `budget` and `other` are two handles on the same shared
 * state (for SQLite, two connections to one file), so sharing between processes is
 * checked too. Times are given explicitly (`now`), so the cases never race a clock.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import { describe, expect, it } from "vitest"
import { maxInAnyWindow } from "../../connectors/alegra/simulator/stats.js"
import type { RateBudgetPort, TakeRequest } from "../../src/ports/rate-budget.js"

export interface SharedBudget {
  readonly budget: RateBudgetPort
  /** Another handle on the same budget (another connection, as another process would hold). */
  readonly other: RateBudgetPort
}

const T = 1_700_000_000_000

let keys = 0
/** A fresh account key per case: never a secret, just unique. */
const freshKey = () => `conformance-${process.pid}-${Date.now()}-${++keys}`

const ask = (key: string, over: Partial<TakeRequest> = {}): TakeRequest => ({
  key,
  limit: 3,
  windowMs: 1000,
  marginMs: 50,
  spacingMs: 0,
  background: false,
  backgroundLimit: 1,
  now: T,
  ...over
})

/** A small deterministic generator, so a failing round can be replayed. */
const lcg = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}

export const rateBudgetConformance = (
  name: string,
  make: () => Effect.Effect<SharedBudget, unknown, Scope.Scope>
): void => {
  const run = <A>(f: (shared: SharedBudget) => Effect.Effect<A, unknown>): Promise<A> =>
    Effect.runPromise(Effect.scoped(Effect.flatMap(make(), f)))

  describe(`RateBudgetPort conformance: ${name}`, () => {
    it("admits `limit` starts, then says how long until the oldest leaves the window plus margin", () =>
      run(({ budget }) =>
        Effect.gen(function*() {
          const key = freshKey()
          expect(yield* budget.take(ask(key, { now: T }))).toBe(0)
          expect(yield* budget.take(ask(key, { now: T + 10 }))).toBe(0)
          expect(yield* budget.take(ask(key, { now: T + 20 }))).toBe(0)
          expect(yield* budget.take(ask(key, { now: T + 30 }))).toBe(1020)
          expect(yield* budget.take(ask(key, { now: T + 1049 }))).toBe(1)
          expect(yield* budget.take(ask(key, { now: T + 1050 }))).toBe(0)
          // The span now holds T+10, T+20 and T+1050: the next slot opens when T+10 leaves.
          expect(yield* budget.take(ask(key, { now: T + 1051 }))).toBe(9)
        })
      ))

    it("records nothing when it refuses", () =>
      run(({ budget }) =>
        Effect.gen(function*() {
          const key = freshKey()
          const one = { limit: 1 }
          expect(yield* budget.take(ask(key, { ...one, now: T }))).toBe(0)
          // Refused twice: had either been recorded, T+1050 would be refused too.
          expect(yield* budget.take(ask(key, { ...one, now: T + 500 }))).toBe(550)
          expect(yield* budget.take(ask(key, { ...one, now: T + 900 }))).toBe(150)
          expect(yield* budget.take(ask(key, { ...one, now: T + 1050 }))).toBe(0)
          expect(yield* budget.take(ask(key, { ...one, now: T + 1060 }))).toBe(1040)
        })
      ))

    it("answers whole milliseconds, at least 1, when it refuses", () =>
      run(({ budget }) =>
        Effect.gen(function*() {
          const key = freshKey()
          expect(yield* budget.take(ask(key, { limit: 1, spacingMs: 10, now: T }))).toBe(0)
          for (const now of [T + 1, T + 500, T + 1049]) {
            const wait = yield* budget.take(ask(key, { limit: 1, spacingMs: 10, now }))
            expect(Number.isInteger(wait)).toBe(true)
            expect(wait).toBeGreaterThanOrEqual(1)
          }
        })
      ))

    it("keeps the least spacing between two starts", () =>
      run(({ budget }) =>
        Effect.gen(function*() {
          const key = freshKey()
          const spaced = { limit: 10, spacingMs: 100 }
          expect(yield* budget.take(ask(key, { ...spaced, now: T }))).toBe(0)
          expect(yield* budget.take(ask(key, { ...spaced, now: T + 30 }))).toBe(70)
          expect(yield* budget.take(ask(key, { ...spaced, now: T + 100 }))).toBe(0)
          expect(yield* budget.take(ask(key, { ...spaced, now: T + 150 }))).toBe(50)
          expect(yield* budget.take(ask(key, { ...spaced, now: T + 200 }))).toBe(0)
        })
      ))

    it("limits background reads to their share, and counts them in the whole", () =>
      run(({ budget }) =>
        Effect.gen(function*() {
          const key = freshKey()
          const shares = { limit: 4, backgroundLimit: 2 }
          const background = { ...shares, background: true }
          expect(yield* budget.take(ask(key, { ...background, now: T }))).toBe(0)
          expect(yield* budget.take(ask(key, { ...background, now: T + 1 }))).toBe(0)
          expect(yield* budget.take(ask(key, { ...background, now: T + 2 }))).toBe(1048)
          // Foreground work still has the rest of the window.
          expect(yield* budget.take(ask(key, { ...shares, now: T + 3 }))).toBe(0)
          expect(yield* budget.take(ask(key, { ...shares, now: T + 4 }))).toBe(0)
          expect(yield* budget.take(ask(key, { ...shares, now: T + 5 }))).toBe(1045)
          // Background starts left the span first: the share is free again.
          expect(yield* budget.take(ask(key, { ...background, now: T + 1051 }))).toBe(0)
        })
      ))

    it("holds every request while paused; the later end wins and pauses never add up", () =>
      run(({ budget }) =>
        Effect.gen(function*() {
          const key = freshKey()
          yield* budget.pauseUntil(key, T + 500)
          expect(yield* budget.take(ask(key, { now: T }))).toBe(500)
          expect(yield* budget.take(ask(key, { background: true, now: T }))).toBe(500)
          yield* budget.pauseUntil(key, T + 300) // an earlier end does not shorten it
          expect(yield* budget.take(ask(key, { now: T + 100 }))).toBe(400)
          yield* budget.pauseUntil(key, T + 800)
          yield* budget.pauseUntil(key, T + 800) // the same end twice is one pause, not two
          expect(yield* budget.take(ask(key, { now: T + 100 }))).toBe(700)
          expect(yield* budget.take(ask(key, { now: T + 800 }))).toBe(0)
          // A pause that has ended holds nothing.
          yield* budget.pauseUntil(key, T + 600)
          expect(yield* budget.take(ask(key, { now: T + 810 }))).toBe(0)
        })
      ))

    it("keeps accounts apart", () =>
      run(({ budget }) =>
        Effect.gen(function*() {
          const a = freshKey()
          const b = freshKey()
          expect(yield* budget.take(ask(a, { limit: 1, now: T }))).toBe(0)
          yield* budget.pauseUntil(a, T + 5000)
          expect(yield* budget.take(ask(b, { limit: 1, now: T }))).toBe(0)
          expect(yield* budget.take(ask(b, { limit: 1, now: T + 1 }))).toBe(1049)
          expect(yield* budget.take(ask(a, { limit: 1, now: T + 1 }))).toBe(4999)
        })
      ))

    it("is one budget through every handle: starts and pauses are seen by the other", () =>
      run(({ budget, other }) =>
        Effect.gen(function*() {
          const key = freshKey()
          expect(yield* budget.take(ask(key, { limit: 2, now: T }))).toBe(0)
          expect(yield* other.take(ask(key, { limit: 2, now: T + 10 }))).toBe(0)
          expect(yield* budget.take(ask(key, { limit: 2, now: T + 20 }))).toBe(1030)
          expect(yield* other.take(ask(key, { limit: 2, now: T + 20 }))).toBe(1030)
          yield* other.pauseUntil(key, T + 3000)
          expect(yield* budget.take(ask(key, { limit: 2, now: T + 2000 }))).toBe(1000)
        })
      ))

    it("never gives one slot twice to concurrent callers", () =>
      run(({ budget, other }) =>
        Effect.gen(function*() {
          const key = freshKey()
          const waits = yield* Effect.all(
            Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? budget : other).take(ask(key, { limit: 5, now: T }))),
            { concurrency: "unbounded" }
          )
          expect(waits.filter((w) => w === 0)).toHaveLength(5)
          expect(waits.filter((w) => w !== 0).every((w) => w === 1050)).toBe(true)
        })
      ))

    it("callers that wait as told never exceed the limit in any window plus margin, nor the spacing, nor the background share (randomised)", () =>
      run(({ budget, other }) =>
        Effect.gen(function*() {
          const random = lcg(42)
          for (let round = 0; round < 30; round++) {
            const key = freshKey()
            const limit = 1 + Math.floor(random() * 20)
            const windowMs = 100 + Math.floor(random() * 2000)
            const marginMs = Math.floor(random() * 50)
            const spacingMs = random() < 0.5 ? 0 : Math.floor((random() * windowMs) / limit)
            const backgroundLimit = Math.max(1, Math.floor(limit / 2))
            const shape = { limit, windowMs, marginMs, spacingMs, backgroundLimit }
            // Callers arrive at random times; each asks again when told, through either handle.
            const pending: Array<{ at: number; background: boolean }> = []
            let at = T
            for (let i = 0; i < 80; i++) {
              at += random() < 0.5 ? 0 : Math.floor((random() * windowMs) / 4)
              pending.push({ at, background: random() < 0.4 })
            }
            const starts: Array<number> = []
            const backgroundStarts: Array<number> = []
            while (pending.length > 0) {
              pending.sort((x, y) => x.at - y.at)
              const next = pending.shift()!
              const handle = random() < 0.5 ? budget : other
              const wait = yield* handle.take(ask(key, { ...shape, background: next.background, now: next.at }))
              if (wait === 0) {
                starts.push(next.at)
                if (next.background) backgroundStarts.push(next.at)
              } else {
                expect(wait).toBeGreaterThanOrEqual(1)
                pending.push({ at: next.at + wait, background: next.background })
              }
            }
            expect(starts).toHaveLength(80)
            expect(maxInAnyWindow(starts, windowMs + marginMs)).toBeLessThanOrEqual(limit)
            expect(maxInAnyWindow(backgroundStarts, windowMs + marginMs)).toBeLessThanOrEqual(backgroundLimit)
            const sorted = [...starts].sort((x, y) => x - y)
            for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(spacingMs)
          }
        })
      ))
  })
}
