/**
 * Finding Alegra records by natural key through the connector, over real HTTP against the
 * simulator, whose filters match loosely (substrings, case and accents aside): every candidate
 * is checked, normalised as the engine normalises keys.
 */
import { Option } from "effect"
import { describe, expect, it } from "vitest"
import { MARKER_PAGES } from "../../connectors/alegra/index.js"
import { normaliseEmail, normaliseIdentification, normaliseName } from "../../connectors/alegra/find.js"
import * as engine from "../../src/engine/sync/natural-keys.js"
import { markerOf } from "../../src/engine/sync/natural-keys.js"
import type { Kind } from "../../schema/index.js"
import type { NaturalKey, WriteRequest } from "../../src/ports/connector.js"
import { account, recordOf } from "./connector-support.js"
import { contactRecord, creditNoteRecord, invoiceRecord, itemRecord, line, paymentRecord } from "./records.js"

const a = account()

const find = (kind: Kind, key: NaturalKey) => a.run((alegra) => alegra.find(kind, key))
const found = async (kind: Kind, key: NaturalKey) => Option.map(await find(kind, key), (r) => r.record.id)
const contact = (body: Record<string, unknown>) => a.sim.admin.create("contact", { type: ["client"], ...body }, { silent: true })["id"] as string
const create = async (record: Extract<WriteRequest, { _tag: "Create" }>["record"], marker: string) =>
  recordOf(await a.run((alegra) => alegra.write({ _tag: "Create", record, marker, idempotencyKey: marker })))

describe("find by the engine's keys", () => {
  it("normalises keys exactly as the engine does", () => {
    for (const id of ["900.123.456-7", " 900123456 ", "12.345.678-K", "xaxx-010101-000", "1-31-12345-6", "001 1234567 8"]) {
      expect(normaliseIdentification(id), id).toBe(engine.normaliseIdentification(id))
    }
    for (const email of [" Pagos@Empresa.CO ", "a@b.co"]) expect(normaliseEmail(email)).toBe(engine.normaliseEmail(email))
    for (const name of ["  Tienda   La  Esquina ", "Álvaro Pérez"]) expect(normaliseName(name)).toBe(engine.normaliseName(name))
  })

  it("a contact whose identification was written with dots and a dash, or plain, by the normalised number", async () => {
    // Another contact's number contains the wanted one: a filter hit (and the first by id), not a match.
    contact({ name: "Contiene el número", identification: { type: "CC", number: "17009876541" } })
    const dotted = contact({ name: "Distribuidora Andina", identification: { type: "NIT", number: "900.123.456", dv: "7" } })
    const asText = contact({ name: "Comercial del Valle", identification: "800.555.111-2" })
    const plain = contact({ name: "Importadora Sur", identification: { type: "NIT", number: "700987654" } })
    expect(await found("contact", { _tag: "identification", value: engine.normaliseIdentification("900123456-7") })).toEqual(Option.some(dotted))
    expect(await found("contact", { _tag: "identification", value: engine.normaliseIdentification("800 555 111") })).toEqual(Option.some(asText))
    expect(await found("contact", { _tag: "identification", value: "700987654" })).toEqual(Option.some(plain))
    expect(await found("contact", { _tag: "identification", value: "123" })).toEqual(Option.none())
    // An RFC kept with dashes is found by its digits, then checked whole: a different RFC with the same digits is not it.
    contact({ name: "Mismos dígitos", identification: { type: "RFC", number: "XYZ-040404-GH4" } })
    const dashed = contact({ name: "Distribuidora Norte", identification: { type: "RFC", number: "DNO-040404-GH4" } })
    expect(await found("contact", { _tag: "identification", value: engine.normaliseIdentification("dno040404gh4") })).toEqual(Option.some(dashed))
    expect(await found("contact", { _tag: "identification", value: "ABC040404GH4" })).toEqual(Option.none())
  })

  it("a contact by email, whatever its case; by exact name (a longer name that contains it is not it); the first by id of several", async () => {
    const byEmail = contact({ name: "Papelería Central", email: "Compras@Papeleria-Central.CO" })
    contact({ name: "Otra Papelería", email: "compras@papeleria-central.com" })
    expect(await found("contact", { _tag: "email", value: "compras@papeleria-central.co" })).toEqual(Option.some(byEmail))
    expect(await found("contact", { _tag: "email", value: "ventas@papeleria-central.co" })).toEqual(Option.none())

    contact({ name: "Panadería La Espiga SAS" })
    const first = contact({ name: "Panadería La Espiga " })
    contact({ name: "Panadería La Espiga" })
    expect(await found("contact", { _tag: "name", value: "Panadería La Espiga" })).toEqual(Option.some(first))
    expect(await found("contact", { _tag: "name", value: "panadería la espiga" })).toEqual(Option.none())
  })

  it("an item by its reference, exactly (REF-1 is not REF-10)", async () => {
    const ten = a.sim.admin.create("item", { name: "Diez", reference: "REF-10", price: 10 }, { silent: true })["id"] as string
    expect(await found("item", { _tag: "reference", value: "REF-1" })).toEqual(Option.none())
    const one = a.sim.admin.create("item", { name: "Uno", reference: "REF-1", price: 1 }, { silent: true })["id"] as string
    expect(await found("item", { _tag: "reference", value: "REF-1" })).toEqual(Option.some(one))
    expect(await found("item", { _tag: "reference", value: "REF-10" })).toEqual(Option.some(ten))
  })

  it("pages through every candidate a filter lists", async () => {
    for (let i = 0; i < 40; i++) contact({ name: `Cliente Frecuente ${i}` })
    const last = contact({ name: "Cliente Frecuente" })
    const before = a.requestCount()
    expect(await found("contact", { _tag: "name", value: "Cliente Frecuente" })).toEqual(Option.some(last))
    expect(a.requestsSince(before).map((r) => r.path)).toEqual([
      expect.stringMatching(/^\/api\/v1\/contacts\?start=0&.*name=Cliente(\+|%20)Frecuente/),
      expect.stringMatching(/^\/api\/v1\/contacts\?start=30&/)
    ])
  })
})

describe("find by the marker a created record carries", () => {
  it("every kind alegra-sync creates, and only the exact marker", async () => {
    const contactMarker = markerOf("stripe", "contact", "cus_1")
    const created = await create(contactRecord({ name: "Cliente Marcado", identification: null, email: null }), contactMarker)
    expect(await found("contact", { _tag: "marker", value: contactMarker })).toEqual(Option.some(created.record.id))
    expect(await found("contact", { _tag: "marker", value: markerOf("stripe", "contact", "cus_") })).toEqual(Option.none())
    expect(await found("contact", { _tag: "marker", value: markerOf("stripe", "contact", "cus_12") })).toEqual(Option.none())

    const itemMarker = markerOf("stripe", "item", "prod_1")
    const item = await create(itemRecord({ reference: null }), itemMarker)
    expect(await found("item", { _tag: "marker", value: itemMarker })).toEqual(Option.some(item.record.id))

    const invoiceMarker = markerOf("stripe", "invoice", "in_1")
    const invoice = await create(invoiceRecord(created.record.id, [line(item.record.id)]), invoiceMarker)
    expect(await found("invoice", { _tag: "marker", value: invoiceMarker })).toEqual(Option.some(invoice.record.id))

    const bank = a.bankAccount()
    const paymentMarker = markerOf("stripe", "payment", "pi_1")
    const payment = await create(paymentRecord(created.record.id, bank, invoice.record.id, "10"), paymentMarker)
    expect(await found("payment", { _tag: "marker", value: paymentMarker })).toEqual(Option.some(payment.record.id))

    const noteMarker = markerOf("stripe", "credit-note", "cn_1")
    const note = await create(creditNoteRecord(created.record.id, invoice.record.id, [line(item.record.id, { taxIds: [] })], "5"), noteMarker)
    expect(await found("credit-note", { _tag: "marker", value: noteMarker })).toEqual(Option.some(note.record.id))
    expect(await found("credit-note", { _tag: "marker", value: invoiceMarker })).toEqual(Option.none())
  })

  it(`is looked for among the ${MARKER_PAGES * 30} newest records of the kind, newest first`, async () => {
    const marker = markerOf("stripe", "contact", "cus_old")
    const old = await create(contactRecord({ name: "Cliente antiguo", identification: null, email: null }), marker)
    for (let i = 0; i < MARKER_PAGES * 30 - 1; i++) contact({ name: `Después ${i}` })
    expect(await found("contact", { _tag: "marker", value: marker })).toEqual(Option.some(old.record.id))
    const before = a.requestCount()
    contact({ name: "Uno más" })
    expect(await found("contact", { _tag: "marker", value: marker })).toEqual(Option.none())
    expect(a.requestsSince(before).map((r) => r.path)).toEqual(
      Array.from({ length: MARKER_PAGES }, (_, i) => expect.stringMatching(new RegExp(`^/api/v1/contacts\\?start=${i * 30}&.*order_direction=DESC`)))
    )
  })
})
