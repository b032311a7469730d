/**
 * Canonical JSON: the same content gives the same bytes, whatever the order its keys
 * were written in. Values whose keys are already sorted take JSON.stringify directly;
 * the others take the sorting writer: both must give identical bytes.
 */
import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import { prng } from "../../connectors/alegra/simulator/util.js"
import { canonicalize, contentHash } from "../../src/engine/hash.js"
import { canonicalJson } from "../../src/store/json.js"


const KEYS = ["id", "name", "b", "a", "Z", "_x", "10", "9", "0", "", "é", "total", "toString", "lines", "ñandú", "a b", "\"q\""]
const LEAVES: ReadonlyArray<unknown> = [null, true, false, 0, -0, 1.5, -1e-7, 1e21, Number.NaN, "", "x", "línea\n\"2\"", "\u2028", undefined,
  // Boxed values are objects to the writer: the fast path must not unbox them as JSON.stringify does.
  Object(5), Object("ab")]

const randomValue = (random: () => number, depth: number): unknown => {
  const roll = random()
  if (depth > 3 || roll < 0.45) return LEAVES[Math.floor(random() * LEAVES.length)]
  if (roll < 0.65) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1))
  const out: Record<string, unknown> = {}
  for (let n = Math.floor(random() * 6); n > 0; n--) out[KEYS[Math.floor(random() * KEYS.length)]!] = randomValue(random, depth + 1)
  return out
}

/** A copy with every object's keys inserted in the given order. */
const reordered = (value: unknown, order: (keys: Array<string>) => Array<string>): unknown => {
  if (Array.isArray(value)) return value.map((item) => reordered(item, order))
  if (value === null || typeof value !== "object") return value
  const source = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const key of order(Object.keys(source))) out[key] = reordered(source[key], order)
  return out
}

/** What canonical JSON means, written the slow and obvious way. */
const reference = (value: unknown): string => {
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined || typeof item === "function" ? "null" : reference(item))).join(",")}]`
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  const source = value as Record<string, unknown>
  const keys = Object.keys(source).filter((key) => source[key] !== undefined).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${keys.map((key) => `${JSON.stringify(key)}:${reference(source[key])}`).join(",")}}`
}

describe("canonicalJson", () => {
  it("gives the same bytes for the same content, whatever the key order (sorted, reversed, shuffled)", () => {
    const random = prng(99)
    for (let n = 0; n < 3000; n++) {
      const value = randomValue(random, 0)
      const expected = reference(value)
      expect(canonicalJson(value)).toBe(expected)
      expect(canonicalJson(reordered(value, (keys) => keys.sort()))).toBe(expected)
      expect(canonicalJson(reordered(value, (keys) => keys.sort().reverse()))).toBe(expected)
      expect(canonicalJson(reordered(value, (keys) => keys.sort(() => random() - 0.5)))).toBe(expected)
    }
  })

  it("sorts integer-like keys as text, as the writer always did (\"10\" before \"9\")", () => {
    expect(canonicalJson({ 9: "a", 10: "b", x: 1 })).toBe("{\"10\":\"b\",\"9\":\"a\",\"x\":1}")
    expect(canonicalJson({ a: { 2: 0, 1: 0 } })).toBe("{\"a\":{\"1\":0,\"2\":0}}")
  })

  it("honours toJSON and class instances the same way whichever path a value takes", () => {
    const when = new Date("2024-01-02T03:04:05.000Z")
    expect(canonicalJson({ a: when, b: [when] })).toBe("{\"a\":\"2024-01-02T03:04:05.000Z\",\"b\":[\"2024-01-02T03:04:05.000Z\"]}")
    const custom = { toJSON: () => ({ z: 1, a: 2 }) }
    expect(canonicalJson({ a: custom })).toBe("{\"a\":{\"a\":2,\"z\":1}}")
    const hidden = Object.defineProperty({ a: 1 }, "toJSON", { value: () => ({ y: 1, b: 2 }), enumerable: false })
    expect(canonicalJson(hidden)).toBe("{\"b\":2,\"y\":1}")
    class Point {
      constructor(readonly y: number, readonly x: number) {}
    }
    expect(canonicalJson([new Point(2, 1)])).toBe("[{\"x\":1,\"y\":2}]")
    expect(canonicalJson(undefined)).toBe("null")
    expect(canonicalJson(() => 1)).toBe("null")
  })
})

describe("contentHash", () => {
  it("is the sha256 (hex) of the canonical JSON, whichever way the key order came", () => {
    const expected = createHash("sha256").update("{\"a\":[1,\"línea\"],\"b\":{\"c\":null}}").digest("hex")
    expect(contentHash({ b: { c: null }, a: [1, "línea"] })).toBe(expected)
    expect(contentHash({ a: [1, "línea"], b: { c: null } })).toBe(expected)
    expect(canonicalize({ b: { c: null }, a: [1, "línea"] })).toEqual({ json: "{\"a\":[1,\"línea\"],\"b\":{\"c\":null}}", hash: expected })
  })
})
