import { Option } from "effect"
import { describe, expect, it } from "vitest"
import type { CanonicalRecord, Contact } from "../../schema/index.js"
import { canonicalJson, contentHash } from "../../src/engine/hash.js"
import { planAlegraChange } from "../../src/engine/plan.js"

const contact = (patch: Partial<Contact> = {}): CanonicalRecord => ({
  kind: "contact",
  record: {
    id: "7",
    name: "Ferretería El Tornillo SAS",
    identification: { type: "NIT", number: "900123456", dv: "7" },
    email: "compras@tornillo.co",
    phone: null,
    mobile: null,
    roles: ["client", "provider"],
    status: "active",
    address: null,
    ...patch
  }
})

describe("content hash", () => {
  it("does not depend on key order", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }))
    expect(contentHash({ b: 1, a: 2 })).toBe(contentHash({ a: 2, b: 1 }))
  })
  it("changes with content", () => {
    expect(contentHash(contact().record)).not.toBe(contentHash(contact({ email: "otro@tornillo.co" }).record))
  })
})

describe("planAlegraChange", () => {
  const state = (readAt: number, deleted = false) =>
    Option.some({ hash: contentHash(contact().record), content: contact().record, readAt, deleted })
  const stored = state(1_000)
  const read = (record: Option.Option<CanonicalRecord>, readAt = 2_000) => ({ readAt, record })

  it("ignores an echo: same content as stored", () => {
    expect(planAlegraChange(stored, read(Option.some(contact())))._tag).toBe("Unchanged")
  })
  it("upserts changed content", () => {
    const plan = planAlegraChange(stored, read(Option.some(contact({ phone: "+57 1 555 0101" }))))
    expect(plan).toMatchObject({ _tag: "Upsert", created: false })
  })
  it("creates what the mirror does not have, or holds as a tombstone", () => {
    expect(planAlegraChange(Option.none(), read(Option.some(contact())))).toMatchObject({ _tag: "Upsert", created: true })
    expect(planAlegraChange(state(1_000, true), read(Option.some(contact())))).toMatchObject({ _tag: "Upsert", created: true })
  })
  it("deletes on a 404 only what the mirror has live", () => {
    expect(planAlegraChange(stored, read(Option.none()))._tag).toBe("Delete")
    expect(planAlegraChange(Option.none(), read(Option.none()))._tag).toBe("Absent")
    expect(planAlegraChange(state(1_000, true), read(Option.none()))._tag).toBe("Absent")
  })
  it("never lets a read older than (or as old as) the copy held change anything", () => {
    const changed = Option.some(contact({ phone: "+57 1 555 0101" }))
    expect(planAlegraChange(stored, read(changed, 999))._tag).toBe("Stale")
    expect(planAlegraChange(stored, read(changed, 1_000))._tag).toBe("Stale")
    expect(planAlegraChange(stored, read(Option.none(), 500))._tag).toBe("Stale")
    expect(planAlegraChange(state(3_000, true), read(changed, 2_000))._tag).toBe("Stale")
  })
})

describe("canonicalJson", () => {
  // The serialisation before issue 9 (a sorting replacer): stored hashes must not change.
  const replacerJson = (value: unknown): string =>
    JSON.stringify(value, (_key, v: unknown) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v)
  const random = (depth: number, seed: { n: number }): unknown => {
    const next = () => (seed.n = (seed.n * 1103515245 + 12345) % 2147483648) / 2147483648
    const pick = next()
    if (depth > 3 || pick < 0.3) {
      const leaf = [null, 0, -1.5, 1e21, 3.14159, "", "ñandú \"quoted\" \u2028", true, false, undefined][Math.floor(next() * 10)]
      return leaf
    }
    if (pick < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => random(depth + 1, seed))
    return Object.fromEntries(
      Array.from({ length: Math.floor(next() * 5) }, (_, i) => [["b", "a", "é", "Z", "10", "9", "_"][i] ?? `k${i}`, random(depth + 1, seed)])
    )
  }
  it("serialises exactly like the replacer-based version did, on a thousand random values", () => {
    const seed = { n: 42 }
    for (let i = 0; i < 1_000; i++) {
      const value = { root: random(0, seed) }
      expect(canonicalJson(value)).toBe(replacerJson(value))
    }
  })
})
