/**
 * Writes into Alegra through the connector, over real HTTP against the simulator: every kind
 * created and read back as asked, the marker where `find` reads it, field updates that touch
 * nothing else, roles, void, stamping only when asked, the refusals (a stamped document before
 * any request; Alegra's own messages), deletes.
 */
import { Effect, Option, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { MARKER_FIELD } from "../../connectors/alegra/index.js"
import { ConnectorError } from "../../src/ports/connector.js"
import type { WriteRequest } from "../../src/ports/connector.js"
import { account, recordOf } from "./connector-support.js"
import { asWritten, contactRecord, creditNoteRecord, invoiceRecord, itemRecord, line, paymentRecord } from "./records.js"

const a = account()

let sequence = 0
const marker = (kind: string) => `alegra-sync:stripe:${kind}:ext_${++sequence}`
const create = (record: Parameters<typeof createRequest>[0], mark = marker(record.kind)) => a.run((alegra) => alegra.write(createRequest(record, mark)))
const createRequest = (record: Extract<WriteRequest, { _tag: "Create" }>["record"], mark: string): WriteRequest =>
  ({ _tag: "Create", record, marker: mark, idempotencyKey: `key-${mark}` })
const write = (request: WriteRequest) => a.run((alegra) => alegra.write(request))
const refused = (request: WriteRequest) => a.fail((alegra) => alegra.write(request))
const key = { idempotencyKey: "k" }

/** A contact, an item and an open invoice for them, created through the connector. */
const documents = async () => {
  const contact = recordOf(await create(contactRecord({ name: `Cliente ${++sequence}`, identification: null, email: null })))
  const item = recordOf(await create(itemRecord({ reference: `REF-${++sequence}` })))
  const invoice = recordOf(await create(invoiceRecord(contact.record.id, [line(item.record.id)])))
  return { contact, item, invoice }
}

describe("creates", () => {
  it("a contact: read back as asked (identification as {type, number, dv}, roles, address), the marker in its observations", async () => {
    const asked = contactRecord()
    const mark = marker("contact")
    const observed = await create(asked, mark)
    const created = recordOf(observed)
    expect(created.record.id).not.toBe("")
    expect({ ...created.record, id: "" }).toEqual(asked.record)
    expect(observed.readAt).toBeLessThanOrEqual(Date.now())
    const raw = a.sim.admin.get("contact", created.record.id)!
    expect(raw["identificationObject"]).toEqual({ type: "NIT", number: "901234567", dv: "3" })
    expect(raw[MARKER_FIELD.contact!]).toBe(mark)
    expect(a.held("contact", created.record.id)).toEqual(created)
    // Read again through the port: the same record.
    expect(recordOf(await a.run((alegra) => alegra.read("contact", created.record.id)))).toEqual(created)
  })

  it("an item: its price on the main list; without a reference of its own it carries the marker there", async () => {
    const withReference = recordOf(await create(itemRecord()))
    expect({ ...withReference.record, id: "", type: null }).toEqual(itemRecord().record)
    expect(a.sim.admin.get("item", withReference.record.id)!["price"]).toEqual([expect.objectContaining({ idPriceList: 1 })])

    const mark = marker("item")
    const without = recordOf(await create(itemRecord({ reference: null, name: "Servicio de instalación" }), mark))
    expect(without.kind === "item" && without.record.reference).toBe(mark)
  })

  it("an invoice: open, lines as asked with Alegra's totals, never stamped, the marker in its anotation", async () => {
    const contact = recordOf(await create(contactRecord({ name: "Cliente de facturas", identification: null })))
    const item = recordOf(await create(itemRecord({ reference: "FAC-1" })))
    const mark = marker("invoice")
    const lines = [line(item.record.id), line(item.record.id, { description: null, quantity: "2.5" as never, discount: "0" as never, taxIds: [] })]
    const created = recordOf(await create(invoiceRecord(contact.record.id, lines), mark))
    if (created.kind !== "invoice") throw new Error("not an invoice")
    expect(created.record).toMatchObject({ status: "open", stamped: false, contactId: contact.record.id, currency: "COP", date: "2026-11-20", dueDate: "2026-12-20" })
    // A line without a description reads back with its item's name (as Alegra's lines are read).
    expect(created.record.lines.map(asWritten)).toEqual([lines[0], { ...lines[1], description: "Tornillo hexagonal 3/8" }])
    // 3 × 1500.5 less 10 %, plus 19 % (769.7565 → 769.76); and 2.5 × 1500.5 untaxed.
    expect(created.record.total).toBe("8572.36")
    expect(created.record.number).not.toBeNull()
    const raw = a.sim.admin.get("invoice", created.record.id)!
    expect(raw[MARKER_FIELD.invoice!]).toBe(mark)
    expect(raw["stamp"]).toBeUndefined()
  })

  it("a payment applied to the invoice, into the bank account, with its method; the invoice's balance follows", async () => {
    const { contact, invoice } = await documents()
    const mark = marker("payment")
    const asked = paymentRecord(contact.record.id, a.bankAccount(), invoice.record.id, "1000")
    const created = recordOf(await create(asked, mark))
    expect({ ...created.record, id: "", number: null }).toEqual(asked.record)
    expect(a.sim.admin.get("payment", created.record.id)![MARKER_FIELD.payment!]).toBe(mark)
    const after = a.held("invoice", invoice.record.id)!
    expect(after.kind === "invoice" && after.record.balance).toBe("3821.11")
  })

  it("a credit note against the invoice", async () => {
    const { contact, item, invoice } = await documents()
    const mark = marker("credit-note")
    const lines = [line(item.record.id, { quantity: "1" as never, discount: "0" as never, taxIds: [] })]
    const created = recordOf(await create(creditNoteRecord(contact.record.id, invoice.record.id, lines, "1500.5"), mark))
    if (created.kind !== "credit-note") throw new Error("not a credit note")
    expect(created.record).toMatchObject({ total: "1500.5", stamped: false, applications: [{ documentKind: "invoice", documentId: invoice.record.id, amount: "1500.5" }] })
    expect(created.record.lines.map(asWritten)).toEqual(lines)
    expect(a.sim.admin.get("credit-note", created.record.id)![MARKER_FIELD["credit-note"]!]).toBe(mark)
  })

  it("is never sent twice: a create that failed on the way is not retried (the intent journal decides)", async () => {
    const before = a.requestCount()
    a.sim.faults.serverError(1, 503)
    const error = await a.fail((alegra) => alegra.write(createRequest(contactRecord({ name: "Nunca dos veces" }), marker("contact"))))
    expect(error).toMatchObject({ _tag: "ConnectorError", system: "alegra", reason: "server", status: 503 })
    expect(a.requestsSince(before).filter((r) => r.method === "POST")).toHaveLength(1)
  })

  it("refuses what Alegra refuses with Alegra's message, and nothing is created", async () => {
    const before = a.sim.admin.count("contact")
    const error = await refused(createRequest(contactRecord({ email: "no-es-un-correo" }), marker("contact")))
    expect(error).toBeInstanceOf(ConnectorError)
    expect(error).toMatchObject({ reason: "validation", status: 400, code: "1003", method: "POST", path: "/contacts" })
    expect(error.message).toContain("no es un correo electrónico válido")
    expect(a.sim.admin.count("contact")).toBe(before)
    // A line without an item cannot be written: refused before any request.
    const requests = a.requestCount()
    const { contact } = await documents()
    const sent = a.requestCount()
    const noItem = await refused(createRequest(invoiceRecord(contact.record.id, [line("1", { itemId: null })]), marker("invoice")))
    expect(noItem).toMatchObject({ reason: "validation", status: null })
    expect(noItem.message).toContain("lines.0: a line without an item")
    expect(a.requestCount()).toBe(sent)
    expect(sent).toBeGreaterThan(requests)
  })
})

describe("updates", () => {
  it("change only the fields named, and nothing else", async () => {
    const created = recordOf(await create(contactRecord({ name: "Cliente que cambia de correo", identification: null })))
    if (created.kind !== "contact") throw new Error("not a contact")
    const raw = a.sim.admin.get("contact", created.record.id)!
    const asked = { ...created, record: { ...created.record, email: "nuevo@cliente.co", phone: "+57 300 000 0000" } }
    // The phone differs too, but only the email is named.
    const updated = recordOf(await write({ _tag: "Update", record: asked, fields: ["email"], ...key }))
    expect(updated.record).toEqual({ ...created.record, email: "nuevo@cliente.co" })
    expect({ ...a.sim.admin.get("contact", created.record.id)!, updated_at: null }).toEqual({ ...raw, email: "nuevo@cliente.co", updated_at: null })
  })

  it("of an item's price keep the prices of its other lists", async () => {
    const created = recordOf(await create(itemRecord({ reference: "PRE-1" })))
    a.sim.admin.update("item", created.record.id, { price: [{ idPriceList: 1, price: 1500.5 }, { idPriceList: 2, price: 1200 }] })
    const asked = { ...created, record: { ...created.record, price: "1700" } } as typeof created
    const updated = recordOf(await write({ _tag: "Update", record: asked, fields: ["price"], ...key }))
    expect(updated.kind === "item" && updated.record.price).toBe("1700")
    expect(a.sim.admin.get("item", created.record.id)!["price"]).toEqual([
      expect.objectContaining({ idPriceList: 1, price: expect.anything() }),
      expect.objectContaining({ idPriceList: 2 })
    ])
    expect((a.sim.admin.get("item", created.record.id)!["price"] as Array<{ price: unknown }>).map((p) => Number(p.price))).toEqual([1700, 1200])
  })

  it("of an invoice's lines replace them, and Alegra computes the total again", async () => {
    const { invoice, item } = await documents()
    if (invoice.kind !== "invoice") throw new Error("not an invoice")
    const lines = [line(item.record.id, { quantity: "1" as never, discount: "0" as never, taxIds: [] })]
    const updated = recordOf(await write({
      _tag: "Update",
      record: { ...invoice, record: { ...invoice.record, lines, total: "1" as never } },
      fields: ["lines", "total"],
      ...key
    }))
    expect(updated.kind === "invoice" && updated.record.lines.map(asWritten)).toEqual(lines)
    expect(updated.kind === "invoice" && updated.record.total).toBe("1500.5")
  })

  it("refuse a field that is not written, before any request", async () => {
    const { contact } = await documents()
    const before = a.requestCount()
    const error = await refused({ _tag: "Update", record: contact, fields: ["favouriteColour"], ...key })
    expect(error).toMatchObject({ reason: "validation" })
    expect(error.message).toContain("favouriteColour: not a field of contact records")
    expect(a.requestCount()).toBe(before)
  })
})

describe("actions", () => {
  it("add and remove roles: one contact, both roles", async () => {
    const created = recordOf(await create(contactRecord({ name: "Cliente y proveedor", identification: null })))
    const id = created.record.id
    const act = (action: Extract<WriteRequest, { _tag: "Act" }>["action"]) => write({ _tag: "Act", kind: "contact", id, action, ...key })
    expect(recordOf(await act({ _tag: "add-role", role: "provider" })).record).toMatchObject({ roles: ["client", "provider"] })
    // Already there: read, not written.
    const before = a.requestCount()
    expect(recordOf(await act({ _tag: "add-role", role: "provider" })).record).toMatchObject({ roles: ["client", "provider"] })
    expect(a.requestsSince(before).map((r) => r.method)).toEqual(["GET"])
    expect(recordOf(await act({ _tag: "remove-role", role: "client" })).record).toMatchObject({ roles: ["provider"] })
    expect(a.sim.admin.get("contact", id)!["type"]).toEqual(["provider"])
    expect(a.sim.admin.count("contact")).toBeGreaterThan(0)
  })

  it("void an invoice and a payment", async () => {
    const { contact, invoice } = await documents()
    const payment = recordOf(await create(paymentRecord(contact.record.id, a.bankAccount(), invoice.record.id, "100")))
    const voidIt = (kind: "invoice" | "payment", id: string) => write({ _tag: "Act", kind, id, action: { _tag: "void" }, ...key })
    expect(recordOf(await voidIt("payment", payment.record.id)).record).toMatchObject({ status: "void" })
    expect(recordOf(await voidIt("invoice", invoice.record.id)).record).toMatchObject({ status: "void" })
    // Voiding again is Alegra's state rule: a conflict.
    expect(await refused({ _tag: "Act", kind: "invoice", id: invoice.record.id, action: { _tag: "void" }, ...key })).toMatchObject({
      reason: "conflict",
      code: "2005"
    })
    expect(await refused({ _tag: "Act", kind: "contact", id: contact.record.id, action: { _tag: "void" }, ...key })).toMatchObject({
      reason: "validation"
    })
  })

  it("stamp an invoice only when asked, with the fiscal fields; a second stamp and any update are refused", async () => {
    const { invoice } = await documents()
    expect(invoice.kind === "invoice" && invoice.record.stamped).toBe(false)
    const fiscal = { numberTemplate: "1", paymentForm: "CASH", paymentMethod: "transfer", cfdiUse: "G03", regime: "601" }
    const stamp = { _tag: "Act", kind: "invoice", id: invoice.record.id, action: { _tag: "stamp", fiscal }, ...key } as const
    const stamped = recordOf(await write(stamp))
    expect(stamped.kind === "invoice" && stamped.record.stamped).toBe(true)
    const raw = a.sim.admin.get("invoice", invoice.record.id)!
    expect(raw).toMatchObject({ paymentForm: "CASH", paymentMethod: "transfer", cfdiUse: "G03", regime: "601" })
    expect((raw["stamp"] as { uuid: string }).uuid).toMatch(/^[0-9A-F-]{36}$/)
    expect(await refused(stamp)).toMatchObject({ reason: "conflict", code: "2005" })
    // Never updated: refused before any request.
    const before = a.requestCount()
    const error = await refused({ _tag: "Update", record: stamped, fields: ["date"], ...key })
    expect(error).toMatchObject({ reason: "conflict", status: null })
    expect(a.requestCount()).toBe(before)
    // Stamped without the record saying so: Alegra's own refusal is a conflict too.
    const stale = { ...stamped, record: { ...stamped.record, stamped: false } } as typeof stamped
    expect(await refused({ _tag: "Update", record: stale, fields: ["date"], ...key })).toMatchObject({ reason: "conflict", code: "2001" })
    expect(await refused({ _tag: "Act", kind: "invoice", id: invoice.record.id, action: { _tag: "void" }, ...key })).toMatchObject({
      reason: "conflict"
    })
  })

  it("stamp a credit note; refuse unknown fiscal fields and kinds that are never stamped", async () => {
    const { contact, item, invoice } = await documents()
    const note = recordOf(await create(creditNoteRecord(contact.record.id, invoice.record.id, [line(item.record.id, { taxIds: [] })], "10")))
    const stamped = recordOf(await write({ _tag: "Act", kind: "credit-note", id: note.record.id, action: { _tag: "stamp", fiscal: { numberTemplate: "3" } }, ...key }))
    expect(stamped.kind === "credit-note" && stamped.record.stamped).toBe(true)
    expect(await refused({ _tag: "Update", record: stamped, fields: ["date"], ...key })).toMatchObject({ reason: "conflict" })
    expect(await refused({ _tag: "Act", kind: "invoice", id: invoice.record.id, action: { _tag: "stamp", fiscal: { colour: "red" } }, ...key }))
      .toMatchObject({ reason: "validation", message: expect.stringContaining("unknown fiscal fields colour") })
    expect(await refused({ _tag: "Act", kind: "payment", id: "1", action: { _tag: "stamp", fiscal: {} }, ...key })).toMatchObject({ reason: "validation" })
  })

  it("refuse paid-out-of-band (not an Alegra action) before any request; Tag answers the record", async () => {
    const { invoice } = await documents()
    const before = a.requestCount()
    const error = await refused({ _tag: "Act", kind: "invoice", id: invoice.record.id, action: { _tag: "paid-out-of-band" }, ...key })
    expect(error).toMatchObject({ reason: "validation", message: expect.stringContaining("not an Alegra action") })
    expect(a.requestCount()).toBe(before)
    expect(recordOf(await write({ _tag: "Tag", kind: "invoice", id: invoice.record.id, alegraId: invoice.record.id, ...key }))).toEqual(
      a.held("invoice", invoice.record.id)
    )
  })
})

describe("deletes", () => {
  it("delete a record, and a record already gone is fine; an id Alegra never issues is refused unsent", async () => {
    const item = recordOf(await create(itemRecord({ reference: "DEL-1" })))
    const removed = await write({ _tag: "Delete", kind: "item", id: item.record.id, ...key })
    expect(removed.record).toEqual(Option.none())
    expect(a.sim.admin.get("item", item.record.id)).toBeUndefined()
    expect((await write({ _tag: "Delete", kind: "item", id: item.record.id, ...key })).record).toEqual(Option.none())
    const before = a.requestCount()
    expect(await refused({ _tag: "Delete", kind: "item", id: "..", ...key })).toMatchObject({ reason: "validation" })
    expect(a.requestCount()).toBe(before)
  })

  it("a stamped invoice is never deleted: Alegra's refusal is a conflict", async () => {
    const { invoice } = await documents()
    await write({ _tag: "Act", kind: "invoice", id: invoice.record.id, action: { _tag: "stamp", fiscal: { numberTemplate: "1" } }, ...key })
    expect(await refused({ _tag: "Delete", kind: "invoice", id: invoice.record.id, ...key })).toMatchObject({ reason: "conflict", code: "2001" })
    expect(a.sim.admin.get("invoice", invoice.record.id)).toBeDefined()
  })
})

describe("list", () => {
  it("pages a kind by 30 with the next offset as text, and resumes from it", async () => {
    for (let i = 0; i < 35; i++) a.sim.admin.create("contact", { name: `Listado ${i}`, type: ["client"] }, { silent: true })
    const pages = await a.run((alegra) => Stream.runCollect(alegra.list("contact")).pipe(Effect.map((c) => [...c])))
    expect(pages.map((p) => p.records.length).slice(0, 1)).toEqual([30])
    expect(pages[0]!.next).toBe("30")
    expect(pages.at(-1)!.next).toBeNull()
    const all = pages.flatMap((p) => p.records.map((r) => r.record.id))
    expect(all.length).toBe(a.sim.admin.count("contact"))
    const resumed = await a.run((alegra) => Stream.runCollect(alegra.list("contact", "30")).pipe(Effect.map((c) => [...c])))
    expect(resumed.flatMap((p) => p.records.map((r) => r.record.id))).toEqual(all.slice(30))
    expect(await a.fail((alegra) => Stream.runCollect(alegra.list("contact", "../1")))).toMatchObject({ reason: "validation" })
  })
})
