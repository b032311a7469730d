/** The Alegra simulator's API over real HTTP: auth, errors, lists, shapes and state rules. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { api, AUTH, call, EMAIL, fixtures, num, start } from "./simulator-support.js"

let sim: AlegraSimulator
let http: ReturnType<typeof api>
let fx: ReturnType<typeof fixtures>

beforeAll(async () => {
  sim = await start()
  http = api(sim)
  fx = fixtures(sim)
})
afterAll(() => sim.close())

const today = "2026-03-10"
const invoiceBody = (extra: Record<string, unknown> = {}) => ({
  date: today,
  dueDate: "2026-04-09",
  client: { id: fx.clientId },
  items: [{ id: fx.itemId, price: 10000, quantity: 2 }],
  ...extra
})

describe("auth and errors", () => {
  it("answers 401 with Alegra's error body to missing or wrong credentials, and 200 to the right ones", async () => {
    for (const headers of [{}, { authorization: `Basic ${Buffer.from(`${EMAIL}:wrong`).toString("base64")}` }, { authorization: "Bearer x" }]) {
      const r = await call(sim, "GET", "/contacts", undefined, headers)
      expect(r.status).toBe(401)
      expect(r.body).toEqual({ code: 401, message: expect.any(String) })
      expect(r.headers.get("x-rate-limit-limit")).not.toBeNull()
    }
    expect((await call(sim, "GET", "/contacts", undefined, { authorization: AUTH })).status).toBe(200)
  })

  it("answers 404 to unknown paths and ids, 405 to wrong methods, 400 to malformed JSON", async () => {
    expect((await http.get("/nothing-here")).status).toBe(404)
    expect((await call(sim, "GET", "/../contacts")).status).toBe(404)
    const missing = await http.get("/contacts/999999")
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({ code: 404, message: expect.stringContaining("999999") })
    expect((await http.put("/categories/1", { name: "x" })).status).toBe(405)
    expect((await http.del("/bank-accounts/1")).status).toBe(405)
    const patch = await call(sim, "PATCH", "/contacts/1", {})
    expect(patch.status).toBe(405)
    expect(patch.headers.get("allow")).toBe("GET, PUT, DELETE")
    const bad = await call(sim, "POST", "/contacts", "{not json")
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBeTypeOf("number")
    expect(bad.body.message).toMatch(/JSON/)
  })

  it("names the field in validation messages", async () => {
    const noName = await http.post("/contacts", { email: "a@b.co" })
    expect(noName.status).toBe(400)
    expect(noName.body.message).toContain("'name'")
    const badEmail = await http.post("/contacts", { name: "X", email: "no-es-un-correo" })
    expect(badEmail.status).toBe(400)
    expect(badEmail.body.message).toContain("'email'")
    const longObs = await http.post("/invoices", invoiceBody({ observations: "x".repeat(501) }))
    expect(longObs.status).toBe(400)
    expect(longObs.body.message).toContain("'observations'")
    expect((await http.post("/invoices", invoiceBody({ anotation: "y".repeat(500) }))).status).toBe(201)
  })
})

describe("lists", () => {
  let ids: Array<string>
  beforeAll(() => {
    ids = Array.from({ length: 65 }, (_, i) =>
      sim.admin.create("item", { name: `Tornillo ${String(i).padStart(2, "0")}`, reference: `TOR-${1000 + i}`, price: 100 + i }, { silent: true })[
        "id"
      ] as string)
  })

  it("pages with start and limit (max 30), as a bare array or with metadata", async () => {
    const all: Array<string> = []
    let total = 0
    for (let start = 0; ; start += 30) {
      const r = await http.get(`/items?start=${start}&limit=30&metadata=true&reference=TOR-`)
      expect(r.status).toBe(200)
      expect(Object.keys(r.body).sort()).toEqual(["data", "metadata"])
      total = r.body.metadata.total
      all.push(...r.body.data.map((x: { id: string }) => x.id))
      if (r.body.data.length < 30) break
    }
    expect(total).toBe(65)
    expect(all).toEqual(ids)
    const bare = await http.get("/items?reference=TOR-&start=60")
    expect(Array.isArray(bare.body)).toBe(true)
    expect(bare.body.map((x: { id: string }) => x.id)).toEqual(ids.slice(60))
    expect((await http.get("/items?reference=TOR-")).body).toHaveLength(30) // default limit 30
  })

  it("rejects limit above 30 and bad paging values with 400", async () => {
    const r = await http.get("/items?limit=31")
    expect(r.status).toBe(400)
    expect(r.body.message).toContain("limit")
    expect((await http.get("/items?limit=30")).status).toBe(200)
    expect((await http.get("/items?start=-1")).status).toBe(400)
    expect((await http.get("/items?order_direction=UP")).status).toBe(400)
    expect((await http.get("/items?order_field=price")).status).toBe(400)
  })

  it("orders by id (default ASC) or by name, DESC too, and ignores unknown parameters", async () => {
    const desc = await http.get("/items?reference=TOR-&order_direction=DESC&limit=5&whatever=1")
    expect(desc.body.map((x: { id: string }) => x.id)).toEqual([...ids].reverse().slice(0, 5))
    const byName = await http.get("/items?query=Tornillo&order_field=name&order_direction=DESC&limit=2")
    expect(byName.body.map((x: { name: string }) => x.name)).toEqual(["Tornillo 64", "Tornillo 63"])
  })

  it("filters contacts by identification, name, email and type (substring matches)", async () => {
    const r = await http.get("/contacts?identification=900123")
    expect(r.body.map((c: { id: string }) => c.id)).toEqual([fx.clientId])
    expect((await http.get("/contacts?name=progreso")).body).toHaveLength(1)
    expect((await http.get("/contacts?type=provider")).body.map((c: { id: string }) => c.id)).toContain(fx.providerId)
    expect((await http.get("/contacts?type=banana")).status).toBe(400)
  })

  it("filters invoices by status, client and date range, and rejects an unknown status", async () => {
    const a = sim.admin.create("invoice", invoiceBody({ date: "2025-01-05", dueDate: "2025-01-05", status: "open" }), { silent: true })
    const b = sim.admin.create("invoice", invoiceBody({ date: "2025-02-05", dueDate: "2025-02-05" }), { silent: true })
    const range = await http.get("/invoices?date_afterOrNow=2025-01-05&date_beforeOrNow=2025-02-05")
    expect(range.body.map((x: { id: string }) => x.id)).toEqual([a["id"], b["id"]])
    const open = await http.get("/invoices?status=open&date_beforeOrNow=2025-01-31")
    expect(open.body.map((x: { id: string }) => x.id)).toEqual([a["id"]])
    expect((await http.get(`/invoices?client_id=${fx.clientId}&limit=30`)).body.length).toBeGreaterThanOrEqual(2)
    expect((await http.get("/invoices?status=paid")).status).toBe(400)
  })
})

describe("lists are never stale", () => {
  it("see creations, deletions and changes made in place by actions, payments and admin", async () => {
    const client = sim.admin.create("contact", { name: "Listas Frescas S.A.S.", type: ["client"] }, { silent: true })
    const clientId = client["id"] as string
    const invoice = async () => (await http.post("/invoices", invoiceBody({ client: { id: clientId }, status: "open" }))).body.id as string
    const listed = async (filter: string) =>
      ((await http.get(`/invoices?client_id=${clientId}${filter}&limit=30`)).body as Array<{ id: string }>).map((r) => r.id)
    const a = await invoice()
    const b = await invoice()
    expect(await listed("&status=open")).toEqual([a, b])
    // Voiding changes the record in place: the filtered list must drop it.
    expect((await http.post(`/invoices/${a}/void`, {})).status).toBe(200)
    expect(await listed("&status=open")).toEqual([b])
    // A payment closes b, in place, through another kind's rule.
    const paid = await http.post("/payments", { date: today, bankAccount: { id: fx.bankId }, invoices: [{ id: b, amount: 23800 }] })
    expect(paid.status).toBe(201)
    expect(await listed("&status=open")).toEqual([])
    const c = await invoice()
    expect(await listed("&status=open")).toEqual([c])
    expect((await http.del(`/invoices/${a}`)).status).toBe(200)
    expect(await listed("")).toEqual([b, c])
    // Changes made in the web app (admin) too.
    sim.admin.voidInvoice(c)
    expect(await listed("&status=open")).toEqual([])
  })
})

describe("contacts", () => {
  it("takes identification as an object and returns a string plus identificationObject", async () => {
    const created = await http.post("/contacts", {
      name: "Distribuciones La Montaña SAS",
      identification: { type: "NIT", number: "901555123", dv: "4" },
      type: ["client"]
    })
    expect(created.status).toBe(201)
    expect(created.body.identification).toBe("901555123")
    expect(created.body.identificationObject).toEqual({ type: "NIT", number: "901555123", dv: "4" })
    expect(created.body.id).toMatch(/^\d+$/)
    const read = await http.get(`/contacts/${created.body.id}`)
    expect(read.body).toEqual(created.body)
    // A string is accepted too.
    const plain = await http.post("/contacts", { name: "Pedro Pérez", identification: "80123456" })
    expect(plain.body.identification).toBe("80123456")
    expect(plain.body.identificationObject).toEqual({ type: null, number: "80123456" })
  })

  it("returns type as an array, as a bare string for string-written or legacy contacts, and drops invalid values", async () => {
    const both = await http.post("/contacts", { name: "Ambos", type: ["client", "provider"] })
    expect(both.body.type).toEqual(["client", "provider"])
    const bare = await http.post("/contacts", { name: "Solo proveedor", type: "provider" })
    expect(bare.body.type).toBe("provider")
    const dropped = await http.post("/contacts", { name: "Raro", type: ["client", "partner"] })
    expect(dropped.body.type).toEqual(["client"])
    const none = await http.post("/contacts", { name: "Nada", type: "partner" })
    expect(none.body.type).toEqual([])
    const legacy = sim.admin.create("contact", { name: "Antiguo", type: ["client"] }, { legacy: true, silent: true })
    expect(legacy["type"]).toBe("client")
    // PUT replaces the array wholesale and merges the other fields.
    const put = await http.put(`/contacts/${both.body.id}`, { type: ["provider"], email: "ambos@empresa.co" })
    expect(put.status).toBe(200)
    expect(put.body.type).toEqual(["provider"])
    expect(put.body.name).toBe("Ambos")
    expect(put.body.email).toBe("ambos@empresa.co")
  })

  it("deletes (then 404), but refuses a contact used on documents", async () => {
    const c = await http.post("/contacts", { name: "Temporal" })
    const del = await http.del(`/contacts/${c.body.id}`)
    expect(del.status).toBe(200)
    expect((await http.get(`/contacts/${c.body.id}`)).status).toBe(404)
    expect((await http.del(`/contacts/${fx.clientId}`)).status).toBe(400)
  })
})

describe("items and amounts", () => {
  it("accepts price as a number or a price-list array and always returns an array", async () => {
    const a = await http.post("/items", { name: "Broca 1/4", reference: "BRO-14", price: 5600 })
    expect(a.status).toBe(201)
    expect(a.body.price).toHaveLength(1)
    expect(a.body.price[0].idPriceList).toBe(1)
    expect(num(a.body.price[0].price)).toBe(5600)
    const b = await http.post("/items", { name: "Broca 3/8", price: [{ idPriceList: 1, price: 7000 }, { idPriceList: 2, price: 6500 }] })
    expect(b.body.price.map((p: { price: unknown }) => num(p.price))).toEqual([7000, 6500])
    expect((await http.post("/items", { name: "Sin precio" })).body.message).toContain("'price'")
    expect((await http.post("/items", { name: "Sin lista general", price: [{ idPriceList: 2, price: 1 }] })).status).toBe(400)
  })

  it("sends amounts sometimes as numbers and sometimes as numeric strings, deterministically", async () => {
    const kinds = new Set<string>()
    for (let i = 0; i < 12; i++) {
      const inv = await http.post("/invoices", invoiceBody({ items: [{ id: fx.itemId, price: 1000 + i, quantity: 1 }] }))
      for (const field of ["total", "balance", "subtotal", "totalPaid"]) {
        kinds.add(typeof inv.body[field])
        if (typeof inv.body[field] === "string") expect(inv.body[field]).toMatch(/^\d+\.\d{2}$/)
      }
      expect(num(inv.body.total)).toBe(Math.round((1000 + i) * 1.19 * 100) / 100)
      expect(inv.body.decimalPrecision).toBe("2")
      expect((await http.get(`/invoices/${inv.body.id}`)).body).toEqual(inv.body)
    }
    expect(kinds).toEqual(new Set(["number", "string"]))
  })
})

describe("invoices, payments and credit notes", () => {
  it("goes draft → open → closed by payments; voiding/opening a payment restores/re-applies the balance", async () => {
    const draft = await http.post("/invoices", invoiceBody())
    expect(draft.status).toBe(201)
    expect(draft.body.status).toBe("draft")
    expect(draft.body.id).toMatch(/^\d+$/)
    const tmpl = Array.isArray(draft.body.numberTemplate) ? draft.body.numberTemplate[0] : draft.body.numberTemplate
    expect(tmpl.number).toBeNull()
    const id = draft.body.id as string
    expect(num(draft.body.total)).toBe(23800)

    // A draft cannot take payments.
    const early = await http.post("/payments", { date: today, bankAccount: { id: fx.bankId }, invoices: [{ id, amount: 100 }] })
    expect(early.status).toBe(400)

    const opened = await http.post(`/invoices/${id}/open`, {})
    expect(opened.body.status).toBe("open")
    const number = Array.isArray(opened.body.numberTemplate) ? opened.body.numberTemplate[0] : opened.body.numberTemplate
    expect(number.fullNumber).toMatch(/^FV\d+$/)

    const part = await http.post("/payments", {
      type: "in",
      date: today,
      bankAccount: { id: fx.bankId },
      paymentMethod: "transfer",
      invoices: [{ id, amount: 8000 }]
    })
    expect(part.status).toBe(201)
    expect(part.body.client.id).toBe(fx.clientId)
    expect(part.body.status).toBe("open")
    let inv = (await http.get(`/invoices/${id}`)).body
    expect([inv.status, num(inv.balance), num(inv.totalPaid)]).toEqual(["open", 15800, 8000])

    const tooMuch = await http.post("/payments", { date: today, bankAccount: { id: fx.bankId }, invoices: [{ id, amount: 15800.01 }] })
    expect(tooMuch.status).toBe(400)

    const rest = await http.post("/payments", { date: today, bankAccount: { id: fx.bankId }, invoices: [{ id, amount: "15800.00" }] })
    expect(rest.status).toBe(201)
    inv = (await http.get(`/invoices/${id}`)).body
    expect([inv.status, num(inv.balance)]).toEqual(["closed", 0])

    const voided = await http.post(`/payments/${rest.body.id}/void`, {})
    expect(voided.body.status).toBe("void")
    inv = (await http.get(`/invoices/${id}`)).body
    expect([inv.status, num(inv.balance)]).toEqual(["open", 15800])
    expect((await http.post(`/payments/${rest.body.id}/void`, {})).status).toBe(400)

    const reopened = await http.post(`/payments/${rest.body.id}/open`, {})
    expect(reopened.body.status).toBe("open")
    inv = (await http.get(`/invoices/${id}`)).body
    expect([inv.status, num(inv.balance)]).toEqual(["closed", 0])

    // An invoice with payments can be neither voided nor deleted.
    expect((await http.post(`/invoices/${id}/void`, {})).status).toBe(400)
    const del = await http.del(`/invoices/${id}`)
    expect(del.status).toBe(400)
    expect(del.body.message).toMatch(/pagos/)
  })

  it("voids and re-opens an invoice without payments", async () => {
    const inv = await http.post("/invoices", invoiceBody({ status: "open" }))
    const voided = await http.post(`/invoices/${inv.body.id}/void`, { cause: "Error de digitación" })
    expect(voided.body.status).toBe("void")
    expect((await http.put(`/invoices/${inv.body.id}`, { observations: "x" })).status).toBe(400)
    const reopened = await http.post(`/invoices/${inv.body.id}/open`, {})
    expect([reopened.body.status, num(reopened.body.balance)]).toEqual(["open", 23800])
    expect((await http.del(`/invoices/${inv.body.id}`)).status).toBe(200)
    expect((await http.get(`/invoices/${inv.body.id}`)).status).toBe(404)
  })

  it("makes stamped invoices immutable (explicit code and message)", async () => {
    const stamped = await http.post("/invoices", invoiceBody({ numberTemplate: { id: 1 }, stamp: { generateStamp: true } }))
    expect(stamped.status).toBe(201)
    expect(stamped.body.status).toBe("open")
    expect(stamped.body.stamp.cufe).toMatch(/^[0-9a-f]{96}$/)
    const put = await http.put(`/invoices/${stamped.body.id}`, { observations: "cambio" })
    expect(put.status).toBe(400)
    expect(put.body.code).toBe(2001)
    expect(put.body.message).toMatch(/timbrada/)
    expect((await http.del(`/invoices/${stamped.body.id}`)).body.code).toBe(2001)
    expect((await http.post(`/invoices/${stamped.body.id}/void`, {})).body.code).toBe(2001)
    // Stamping a draft through /open with stamp.
    const draft = await http.post("/invoices", invoiceBody({ numberTemplate: { id: 1 } }))
    const opened = await http.post(`/invoices/${draft.body.id}/open`, { stamp: { generateStamp: true } })
    expect(opened.body.status).toBe("open")
    expect(opened.body.stamp.uuid).toBeTypeOf("string")
    // Non-electronic numbering cannot be stamped.
    expect((await http.post("/invoices", invoiceBody({ numberTemplate: { id: 2 }, stamp: { generateStamp: true } }))).status).toBe(400)
  })

  it("merges PUT at the top level and replaces items wholesale", async () => {
    const inv = await http.post("/invoices", invoiceBody({ observations: "uno" }))
    const put = await http.put(`/invoices/${inv.body.id}`, { items: [{ id: fx.serviceId, price: 50000, quantity: 1 }] })
    expect(put.status).toBe(200)
    expect(put.body.items.map((l: { id: string }) => l.id)).toEqual([fx.serviceId])
    expect(num(put.body.total)).toBe(50000)
    expect(put.body.observations).toBe("uno")
    expect(put.body.date).toBe(today)
  })

  it("validates invoice references and dates", async () => {
    expect((await http.post("/invoices", invoiceBody({ client: { id: "999999" } }))).body.message).toContain("'client'")
    expect((await http.post("/invoices", invoiceBody({ items: [{ id: "999999", price: 1, quantity: 1 }] }))).status).toBe(400)
    expect((await http.post("/invoices", invoiceBody({ date: "10/03/2026" }))).body.message).toContain("'date'")
    const { dueDate: _dueDate, ...noDue } = invoiceBody()
    expect((await http.post("/invoices", noDue)).body.message).toContain("'dueDate'")
    expect((await http.post("/invoices", invoiceBody({ client: fx.clientId }))).status).toBe(201) // bare id accepted
  })

  it("rejects a payment applied to no document or category, and checks the bank account", async () => {
    const none = await http.post("/payments", { type: "in", date: today, bankAccount: { id: fx.bankId }, amount: 100 })
    expect(none.status).toBe(400)
    expect(none.body.code).toBe(2004)
    const inv = await http.post("/invoices", invoiceBody({ status: "open" }))
    const noBank = await http.post("/payments", { date: today, bankAccount: { id: "999" }, invoices: [{ id: inv.body.id, amount: 1 }] })
    expect(noBank.body.message).toContain("'bankAccount'")
    const missingBank = await http.post("/payments", { date: today, invoices: [{ id: inv.body.id, amount: 1 }] })
    expect(missingBank.body.message).toContain("'bankAccount'")
    const wrongType = await http.post("/payments", { type: "in", date: today, bankAccount: { id: fx.bankId }, bills: [{ id: "1", amount: 1 }] })
    expect(wrongType.status).toBe(400)
  })

  it("pays bills with payments out", async () => {
    const bill = await http.post("/bills", {
      date: today,
      dueDate: today,
      provider: { id: fx.providerId },
      purchases: { items: [{ id: fx.itemId, price: 5000, quantity: 2, tax: [] }], categories: [] }
    })
    expect(bill.status).toBe(201)
    expect([bill.body.status, num(bill.body.total)]).toEqual(["open", 10000])
    const pay = await http.post("/payments", { type: "out", date: today, bankAccount: { id: fx.bankId }, bills: [{ id: bill.body.id, amount: 10000 }] })
    expect(pay.status).toBe(201)
    const closed = (await http.get(`/bills/${bill.body.id}`)).body
    expect([closed.status, num(closed.balance)]).toEqual(["closed", 0])
    expect((await http.put(`/bills/${bill.body.id}`, { observations: "x" })).status).toBe(400) // editable only while open
    expect((await http.get("/bills?status=closed")).body.map((b: { id: string }) => b.id)).toContain(bill.body.id)
  })

  it("lists a payment once per category line (clients must dedupe by id)", async () => {
    const cat = sim.admin.create("category", { name: "Gastos bancarios", type: "expense" }, { silent: true })
    const pay = await http.post("/payments", {
      type: "out",
      date: "2020-01-01",
      bankAccount: { id: fx.bankId },
      categories: [
        { id: cat["id"], price: 1000, quantity: 1 },
        { id: cat["id"], price: 2000, quantity: 1 },
        { id: cat["id"], price: 3000, quantity: 1 }
      ]
    })
    expect(pay.status).toBe(201)
    expect(num(pay.body.amount)).toBe(6000)
    const rows = (await http.get(`/payments?type=out&metadata=true&limit=30`)).body
    expect(rows.data.filter((p: { id: string }) => p.id === pay.body.id)).toHaveLength(3)
    expect(rows.metadata.total).toBe(rows.data.length)
    expect(sim.admin.list("payment").filter((p) => p["id"] === pay.body.id)).toHaveLength(1)
  })

  it("applies credit notes to invoice balances; stamped ones are immutable", async () => {
    const inv = await http.post("/invoices", invoiceBody({ status: "open" }))
    const cn = await http.post("/credit-notes", {
      date: today,
      client: { id: fx.clientId },
      items: [{ id: fx.itemId, price: 2000, quantity: 1, tax: [] }],
      invoices: [{ id: inv.body.id, amount: 2000 }]
    })
    expect(cn.status).toBe(201)
    expect([cn.body.status, num(cn.body.balance), num(cn.body.totalApplied)]).toEqual(["closed", 0, 2000])
    expect(num((await http.get(`/invoices/${inv.body.id}`)).body.balance)).toBe(21800)
    expect((await http.get(`/credit-notes?status=closed&client_id=${fx.clientId}`)).body.map((c: { id: string }) => c.id)).toContain(cn.body.id)
    expect((await http.del(`/credit-notes/${cn.body.id}`)).status).toBe(200)
    expect(num((await http.get(`/invoices/${inv.body.id}`)).body.balance)).toBe(23800)
    const stamped = await http.post("/credit-notes", {
      date: today,
      client: { id: fx.clientId },
      items: [{ id: fx.itemId, price: 1000, quantity: 1 }],
      stamp: { generateStamp: true }
    })
    expect(stamped.body.stamp.cufe).toBeTypeOf("string")
    expect((await http.put(`/credit-notes/${stamped.body.id}`, { observations: "x" })).body.code).toBe(2001)
    // More than the invoice balance cannot be applied.
    const over = await http.post("/credit-notes", {
      date: today,
      client: { id: fx.clientId },
      items: [{ id: fx.serviceId, price: 90000, quantity: 1 }],
      invoices: [{ id: inv.body.id, amount: 23800.01 }]
    })
    expect(over.status).toBe(400)
  })
})

describe("more state rules", () => {
  it("creates an invoice with payments[] as open, with the payments recorded", async () => {
    const inv = await http.post("/invoices", invoiceBody({ payments: [{ date: today, account: { id: fx.bankId }, amount: 5000, paymentMethod: "cash" }] }))
    expect(inv.status).toBe(201)
    expect([inv.body.status, num(inv.body.totalPaid), num(inv.body.balance)]).toEqual(["open", 5000, 18800])
    expect(inv.body.payments).toHaveLength(1)
    const payment = (await http.get(`/payments/${inv.body.payments[0].id}`)).body
    expect(payment.invoices.map((a: { id: string; amount: unknown }) => [a.id, num(a.amount)])).toEqual([[inv.body.id, 5000]])
    expect((await http.post("/invoices", invoiceBody({ status: "draft", payments: [{ account: { id: fx.bankId }, amount: 1 }] }))).status).toBe(400)
  })

  it("re-applies a payment changed with PUT", async () => {
    const a = await http.post("/invoices", invoiceBody({ status: "open" }))
    const b = await http.post("/invoices", invoiceBody({ status: "open" }))
    const pay = await http.post("/payments", { date: today, bankAccount: { id: fx.bankId }, invoices: [{ id: a.body.id, amount: 23800 }] })
    expect((await http.get(`/invoices/${a.body.id}`)).body.status).toBe("closed")
    const put = await http.put(`/payments/${pay.body.id}`, { invoices: [{ id: b.body.id, amount: 1000 }] })
    expect(put.status).toBe(200)
    expect(num(put.body.amount)).toBe(1000)
    const [ra, rb] = [(await http.get(`/invoices/${a.body.id}`)).body, (await http.get(`/invoices/${b.body.id}`)).body]
    expect([ra.status, num(ra.balance), rb.status, num(rb.balance)]).toEqual(["open", 23800, "open", 22800])
    expect((await http.put(`/payments/${pay.body.id}`, { type: "out" })).status).toBe(400)
    expect((await http.del(`/payments/${pay.body.id}`)).status).toBe(200)
    expect(num((await http.get(`/invoices/${b.body.id}`)).body.balance)).toBe(23800)
  })

  it("throws the API's errors from admin too", () => {
    expect(() => sim.admin.update("category", "1", { name: "x" })).toThrow(expect.objectContaining({ status: 405 }))
    expect(() => sim.admin.create("contact", { email: "x@y.co" })).toThrow(expect.objectContaining({ status: 400, code: 1002 }))
    expect(() => sim.admin.voidPayment("999999")).toThrow(expect.objectContaining({ status: 404 }))
    expect(sim.admin.get("invoice", "999999")).toBeUndefined()
  })
})

describe("other resources", () => {
  it("gives new estimates UUIDv7 ids, legacy ones numeric ids", async () => {
    const est = await http.post("/estimates", { date: today, client: { id: fx.clientId }, items: [{ id: fx.itemId, price: 100, quantity: 1 }] })
    expect(est.status).toBe(201)
    expect(est.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect((await http.get(`/estimates/${est.body.id}`)).body).toEqual(est.body)
    const legacy = sim.admin.create("estimate", { date: today, client: fx.clientId, items: [{ id: fx.itemId, price: 1, quantity: 1 }] }, { legacy: true, silent: true })
    expect(legacy["id"]).toMatch(/^\d+$/)
  })

  it("creates bank accounts (opening balance required) and categories, flat and paged", async () => {
    expect((await http.post("/bank-accounts", { name: "Caja menor", type: "cash" })).body.message).toContain("'initialBalance'")
    expect((await http.post("/bank-accounts", { name: "Caja menor", type: "vault", initialBalance: 0 })).status).toBe(400)
    const bank = await http.post("/bank-accounts", { name: "Caja menor", type: "cash", initialBalance: 150000 })
    expect(bank.status).toBe(201)
    expect(num(bank.body.balance)).toBe(150000)
    const root = await http.post("/categories", { name: "Ingresos", type: "income" })
    const child = await http.post("/categories", { name: "Ventas", idParent: root.body.id, code: "4135" })
    expect(child.body).toMatchObject({ idParent: root.body.id, type: "income", name: "Ventas", code: "4135", status: "active" })
    expect(root.body.idParent).toBe("")
    const list = (await http.get("/categories?limit=30")).body
    expect(list.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([root.body.id, child.body.id]))
    expect((await http.post("/categories", { name: "Sin tipo" })).body.message).toContain("'type'")
  })
})
