import { describe, expect, it } from "vitest"
import { retryDelay } from "../../src/engine/worker.js"

describe("retryDelay", () => {
  it("doubles from 2 s with ±20 % jitter and is capped at 10 minutes", () => {
    expect(retryDelay(1, 0.5)).toBe(2_000)
    expect(retryDelay(2, 0.5)).toBe(4_000)
    expect(retryDelay(3, 0)).toBe(6_400)
    expect(retryDelay(3, 1)).toBe(9_600)
    expect(retryDelay(30, 0.5)).toBe(600_000)
  })
})
