import { describe, expect, it } from "vitest"
import type { CanonicalRecord } from "../../schema/index.js"
import { compareIds, maxId, minId, takeUnseen } from "../../src/ports/alegra.js"

describe("ids", () => {
  it("orders numeric ids as numbers and others as text", () => {
    expect(compareIds("10", "9")).toBeGreaterThan(0)
    expect(compareIds("009", "9")).toBeGreaterThan(0) // longer numeric string is larger, as Alegra never pads
    expect(compareIds("0190a1b2-0000-7000-8000-000000000001", "0190a1b2-0000-7000-8000-000000000002")).toBeLessThan(0)
    expect(maxId(["9", "10", "2"])).toBe("10")
    expect(maxId(["9"], "12")).toBe("12")
    expect(maxId([], null)).toBeNull()
    expect(minId(["9", "10", "2"])).toBe("2")
  })

  it("takes each record once across pages", () => {
    const payment = (id: string) => ({ kind: "payment", record: { id } }) as unknown as CanonicalRecord
    const seen = new Set<string>()
    expect(takeUnseen(seen, [payment("1"), payment("2")]).map((r) => r.record.id)).toEqual(["1", "2"])
    expect(takeUnseen(seen, [payment("2"), payment("3")]).map((r) => r.record.id)).toEqual(["3"])
  })
})
