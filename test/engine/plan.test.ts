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
  const stored = Option.some({ hash: contentHash(contact().record) })

  it("ignores an echo: same content as stored", () => {
    expect(planAlegraChange(stored, Option.some(contact()))._tag).toBe("Unchanged")
  })
  it("upserts changed content", () => {
    const plan = planAlegraChange(stored, Option.some(contact({ phone: "+57 1 555 0101" })))
    expect(plan).toMatchObject({ _tag: "Upsert", created: false })
  })
  it("creates what the mirror does not have", () => {
    expect(planAlegraChange(Option.none(), Option.some(contact()))).toMatchObject({ _tag: "Upsert", created: true })
  })
  it("deletes on a 404 only what the mirror has", () => {
    expect(planAlegraChange(stored, Option.none())._tag).toBe("Delete")
    expect(planAlegraChange(Option.none(), Option.none())._tag).toBe("Absent")
  })
})
