import { describe, expect, it } from "vitest"
import { defaultOwners, syncedFields } from "../../schema/index.js"
import { normaliseIdentification, naturalKeys } from "../../src/engine/sync/natural-keys.js"
import { type Direction, planSync } from "../../src/engine/sync/plan.js"

const fields = syncedFields.contact
const both: Record<string, Direction> = Object.fromEntries(fields.map((f) => [f, "both"]))
const contact = (patch: Record<string, unknown> = {}) => ({
  name: "Ferretería El Tornillo", email: "compras@tornillo.co", phone: "+57 1 555 0101",
  identification: { type: "NIT", number: "900123456", dv: "7" }, address: null, ...patch
})
const plan = (base: { external: object; alegra: object } | null, external: object, alegra: object, directions = both) =>
  planSync({ base, external: external as never, alegra: alegra as never, fields, owners: defaultOwners.contact, directions })

describe("planSync", () => {
  it("nothing changed: nothing to do (an echo)", () => {
    expect(plan({ external: contact(), alegra: contact() }, contact(), contact())).toEqual({ toAlegra: {}, toSystem: {}, conflicts: [] })
  })

  it("a field changed on one side flows to the other", () => {
    const base = { external: contact(), alegra: contact() }
    expect(plan(base, contact({ email: "nuevo@tornillo.co" }), contact())).toEqual({
      toAlegra: { email: "nuevo@tornillo.co" }, toSystem: {}, conflicts: []
    })
    expect(plan(base, contact(), contact({ phone: "+57 1 555 0202" }))).toEqual({
      toAlegra: {}, toSystem: { phone: "+57 1 555 0202" }, conflicts: []
    })
  })

  it("different fields changed on each side: both flow, no conflict", () => {
    const base = { external: contact(), alegra: contact() }
    expect(plan(base, contact({ email: "nuevo@tornillo.co" }), contact({ phone: "+57 1 555 0202" }))).toEqual({
      toAlegra: { email: "nuevo@tornillo.co" }, toSystem: { phone: "+57 1 555 0202" }, conflicts: []
    })
  })

  it("the same field changed on both sides: the owner wins, and the conflict is recorded with both values", () => {
    const base = { external: contact(), alegra: contact() }
    const result = plan(base, contact({ email: "a@stripe.co", identification: { type: "NIT", number: "111", dv: null } }),
      contact({ email: "b@alegra.co", identification: { type: "NIT", number: "222", dv: null } }))
    expect(result.toAlegra).toEqual({ email: "a@stripe.co" })
    expect(result.toSystem).toEqual({ identification: { type: "NIT", number: "222", dv: null } })
    expect(result.conflicts).toEqual([
      { field: "email", alegra: "b@alegra.co", external: "a@stripe.co", base: "compras@tornillo.co", winner: "system", applied: true },
      {
        field: "identification", alegra: { type: "NIT", number: "222", dv: null }, external: { type: "NIT", number: "111", dv: null },
        base: { type: "NIT", number: "900123456", dv: "7" }, winner: "alegra", applied: true
      }
    ])
  })

  it("the same value reached on both sides is no conflict", () => {
    const base = { external: contact(), alegra: contact() }
    expect(plan(base, contact({ email: "x@y.co" }), contact({ email: "x@y.co" }))).toEqual({ toAlegra: {}, toSystem: {}, conflicts: [] })
  })

  it("a field that cannot flow that way is not written; a divergence already known is left alone", () => {
    const oneWay: Record<string, Direction> = { ...both, identification: "to-alegra", phone: "none" }
    const base = { external: contact(), alegra: contact() }
    expect(plan(base, contact(), contact({ identification: { type: "NIT", number: "9", dv: null } }), oneWay)).toEqual({
      toAlegra: {}, toSystem: {}, conflicts: []
    })
    // Known at the last sync: neither side changed since.
    const diverged = { external: contact({ phone: "1" }), alegra: contact({ phone: "2" }) }
    expect(plan(diverged, contact({ phone: "1" }), contact({ phone: "2" }), oneWay)).toEqual({ toAlegra: {}, toSystem: {}, conflicts: [] })
  })

  it("a pair never synced (matched by natural key): a field one side lacks is filled, every other difference is a conflict the owner decides", () => {
    const address = { street: "Cra 7", city: "Bogotá", region: null, country: "CO", postalCode: null }
    const result = plan(null, contact({ phone: "+52 55 1234", name: "Azteca" }), contact({ address, name: "AZTECA SA", phone: null }))
    expect(result.toAlegra).toEqual({ phone: "+52 55 1234", name: "Azteca" })
    expect(result.toSystem).toEqual({ address })
    expect(result.conflicts.map((c) => [c.field, c.winner])).toEqual([["name", "system"]])
  })
})

describe("natural keys", () => {
  it("compare identifications without case, spaces, dots, dashes and the check digit", () => {
    expect(normaliseIdentification("900.123.456-7")).toBe("900123456")
    expect(normaliseIdentification(" 900 123 456 ")).toBe("900123456")
    expect(normaliseIdentification("12.345.678-k")).toBe("12345678")
    expect(normaliseIdentification("gode561231gr8")).toBe("GODE561231GR8")
    expect(normaliseIdentification("GODE-561231-GR8")).toBe("GODE561231GR8")
  })
  it("look a contact up by our marker, then identification, email and exact name; an item by SKU; a document by marker only", () => {
    const record = { id: "cus_1", name: "  Ana   Pérez ", identification: { type: "RFC", number: "PEAA-800101-AB1", dv: null }, email: " Ana@Mail.COM ", phone: null, mobile: null, roles: ["client"], status: "active", address: null }
    expect(naturalKeys("stripe", { kind: "contact", record } as never, "cus_1")).toEqual([
      { _tag: "marker", value: "alegra-sync:stripe:contact:cus_1" },
      { _tag: "identification", value: "PEAA800101AB1" },
      { _tag: "email", value: "ana@mail.com" },
      { _tag: "name", value: "Ana Pérez" }
    ])
    expect(naturalKeys("stripe", { kind: "invoice", record: {} } as never, "in_1")).toEqual([{ _tag: "marker", value: "alegra-sync:stripe:invoice:in_1" }])
  })
})
