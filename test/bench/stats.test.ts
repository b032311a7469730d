import { describe, expect, it } from "vitest"
import { makeFigure, summaryTable } from "./report.js"
import { latencySummary, median, minimumListRequests, percentile, windowUse } from "./stats.js"

describe("bench arithmetic", () => {
  it("takes nearest-rank percentiles, whatever the order of the values", () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1000 - i)
    expect(percentile(values, 0.5)).toBe(500)
    expect(latencySummary(values)).toEqual({ p50: 500, p99: 990, p999: 999, max: 1000 })
    expect(median([3, 1, 2])).toBe(2)
    expect(Number.isNaN(median([]))).toBe(true)
  })

  it("counts requests per aligned window; only windows the run spanned entirely are full", () => {
    const s = 1000
    const uses = windowUse([0.5 * s, 1 * s, 6.1 * s, 7 * s, 25 * s], 6 * s)
    expect(uses).toEqual([
      { index: 0, requests: 2, full: false },
      { index: 1, requests: 2, full: true },
      { index: 2, requests: 0, full: true },
      { index: 3, requests: 0, full: true },
      { index: 4, requests: 1, full: false }
    ])
    expect(windowUse([], 6 * s)).toEqual([])
  })

  it("needs one more read when the last page is full", () => {
    expect([0, 1, 29, 30, 31, 59, 60].map((n) => minimumListRequests(n))).toEqual([1, 1, 1, 2, 2, 2, 3])
  })

  it("judges a goal on the value or on the ratio, and never passes what could not be measured", () => {
    expect(makeFigure("1 s", "a", 30, "ms", { baseline: { name: "b", value: 10 }, goal: { on: "ratio", op: "<=", target: 5 } }).goal)
      .toMatchObject({ pass: true, text: "ratio ≤ 5" })
    expect(makeFigure("1 s", "a", 60, "ms", { baseline: { name: "b", value: 10 }, goal: { on: "ratio", op: "<=", target: 5 } }).goal?.pass)
      .toBe(false)
    expect(makeFigure("1 s", "a", 0, "rows", { goal: { on: "value", op: "=", target: 0 } }).goal?.pass).toBe(true)
    // No full window: Math.min() of nothing is Infinity, which must not pass "≥ 0.95".
    expect(makeFigure("6 r", "a", Math.min(), "", { goal: { on: "value", op: ">=", target: 0.95 } }).goal?.pass).toBe(false)
  })

  it("prints a summary in section order with the count of goals met", () => {
    const table = summaryTable([
      makeFigure("2 memory", "rss", 250, "MB", { goal: { on: "value", op: "<", target: 200 } }),
      makeFigure("1 start-up", "help", 100, "ms", { baseline: { name: "node", value: 40 }, goal: { on: "ratio", op: "<=", target: 5 } })
    ])
    const lines = table.split("\n")
    expect(lines[2]).toMatch(/^1 start-up\s+help\s+100 ms\s+40 ms\s+2\.50\s+ratio ≤ 5\s+PASS$/)
    expect(lines[3]).toMatch(/^2 memory\s+rss\s+250 MB\s+< 200 MB\s+FAIL$/)
    expect(lines.at(-1)).toBe("1 of 2 goals met")
  })
})
