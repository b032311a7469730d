/** Wire → canonical mapping of every kind, over the quirks of the reference notes. */
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { decodeRecord } from "../../connectors/alegra/index.js"
import type { Kind } from "../../schema/index.js"

const ok = (kind: Kind, raw: unknown) => {
  const decoded = decodeRecord(kind, raw)
  if (Either.isLeft(decoded)) throw new Error(decoded.left)
  expect(decoded.right.kind).toBe(kind)
  return decoded.right.record as Record<string, unknown>
}
const fail = (kind: Kind, raw: unknown) => {
  const decoded = decodeRecord(kind, raw)
  if (Either.isRight(decoded)) throw new Error(`expected a failure, got ${JSON.stringify(decoded.right)}`)
  return decoded.left
}

describe("contact", () => {
  it("reads the full Colombian shape", () => {
    expect(ok("contact", {
      id: "12",
      name: "Acme SAS",
      identification: "901123456",
      identificationObject: { type: "NIT", number: "901123456", dv: "7" },
      email: "billing@acme.co",
      phonePrimary: "6011234567",
      mobile: 3001234567,
      type: ["provider", "client", "client"],
      status: "active",
      address: { address: "Cra 7 # 12-34", city: "Bogotá", department: "Cundinamarca", country: "Colombia", zipCode: 110111 },
      seller: null,
      created_at: "2024-01-01 10:00:00"
    })).toEqual({
      id: "12",
      name: "Acme SAS",
      identification: { type: "NIT", number: "901123456", dv: "7" },
      email: "billing@acme.co",
      phone: "6011234567",
      mobile: "3001234567",
      roles: ["client", "provider"],
      status: "active",
      address: { street: "Cra 7 # 12-34", city: "Bogotá", region: "Cundinamarca", country: "Colombia", postalCode: "110111" }
    })
  })

  it("tolerates numeric ids, name objects, identification objects, bare string types and nulls", () => {
    const contact = ok("contact", {
      id: 7,
      name: { firstName: "Ana", secondName: null, lastName: "Pérez", secondLastName: "Gómez" },
      identification: { type: "CC", number: 1020304050 },
      email: "",
      phonePrimary: null,
      type: "client,provider",
      status: null,
      address: null
    })
    expect(contact).toEqual({
      id: "7",
      name: "Ana Pérez Gómez",
      identification: { type: "CC", number: "1020304050", dv: null },
      email: null,
      phone: null,
      mobile: null,
      roles: ["client", "provider"],
      status: "active",
      address: null
    })
  })

  it("maps a bare 'provider', an empty or invalid type, an inactive status and a Mexican address", () => {
    expect(ok("contact", { id: "1", name: "P", type: "provider" }).roles).toEqual(["provider"])
    expect(ok("contact", { id: "1", name: "P", type: [] }).roles).toEqual([])
    expect(ok("contact", { id: "1", name: "P", type: ["seller", null] }).roles).toEqual([])
    expect(ok("contact", { id: "1", name: "P", status: "inactive" }).status).toBe("inactive")
    expect(ok("contact", {
      id: "1",
      name: "P",
      identification: "XAXX010101000",
      address: { street: "Reforma", exteriorNumber: 222, colony: "Juárez", state: "CDMX", country: "México", zipCode: "06600" }
    })).toMatchObject({
      identification: { type: null, number: "XAXX010101000", dv: null },
      address: { street: "Reforma 222 Juárez", city: null, region: "CDMX", country: "México", postalCode: "06600" }
    })
    expect(ok("contact", { id: "1", name: "", nameObject: { firstName: "Luz", lastName: "Díaz" } }).name).toBe("Luz Díaz")
  })

  it("fails naming the field", () => {
    expect(fail("contact", { name: "No id" })).toContain("id")
    expect(fail("contact", { id: "1", name: "x", email: 5 })).toContain("email")
  })
})

describe("item", () => {
  it("reads a price list array (main list first), taxes and references", () => {
    expect(ok("item", {
      id: "3",
      name: "Servicio de soporte",
      description: "Mensual",
      reference: "SUP-01",
      status: "active",
      price: [{ idPriceList: "1", name: "General", price: "150000.00" }, { idPriceList: 2, price: 120000 }],
      tax: [{ id: "1", name: "IVA", percentage: "19.00" }],
      type: "simple",
      productKey: 81112100,
      inventory: { unit: "service" }
    })).toEqual({
      id: "3",
      name: "Servicio de soporte",
      description: "Mensual",
      reference: "SUP-01",
      status: "active",
      price: "150000",
      taxIds: ["1"],
      type: "simple",
      productKey: "81112100"
    })
  })

  it("reads a bare number price, a missing price, an object reference, a single tax object", () => {
    expect(ok("item", { id: 1, name: "A", price: 9.5 }).price).toBe("9.5")
    expect(ok("item", { id: 1, name: "A", price: "12.30" }).price).toBe("12.3")
    expect(ok("item", { id: 1, name: "A", price: null }).price).toBe("0")
    expect(ok("item", { id: 1, name: "A", price: [] }).price).toBe("0")
    expect(ok("item", { id: 1, name: "A", reference: { reference: "R-1" }, tax: { id: 2 } })).toMatchObject({
      reference: "R-1",
      taxIds: ["2"]
    })
    expect(fail("item", { id: 1, name: "A", price: [{ idPriceList: 1, price: "n/a" }] })).toContain("price")
  })
})

const line = { id: "3", name: "Soporte", description: null, price: "100.00", quantity: "2", discount: "0", tax: [{ id: 1 }], total: "238.00" }

describe("invoice", () => {
  it("reads numberTemplate as an object, amounts as strings, and a stamp with a CUFE", () => {
    expect(ok("invoice", {
      id: "100",
      date: "2024-03-01",
      dueDate: "2024-03-31",
      datetime: "2024-03-01 09:15:00",
      status: "open",
      client: { id: "12", name: "Acme" },
      numberTemplate: { id: "1", prefix: "FE", number: "1001", fullNumber: "FE1001" },
      currency: { code: "COP", symbol: "$" },
      items: [line],
      total: "238.00",
      totalPaid: "38",
      balance: "200.00",
      stamp: { cufe: "ab12cd", legalStatus: "STAMPED_AND_ACCEPTED" },
      observations: "Gracias"
    })).toEqual({
      id: "100",
      number: "FE1001",
      date: "2024-03-01",
      dueDate: "2024-03-31",
      status: "open",
      contactId: "12",
      currency: "COP",
      lines: [{
        itemId: "3",
        accountId: null,
        description: "Soporte",
        quantity: "2",
        price: "100",
        discount: "0",
        taxIds: ["1"],
        total: "238"
      }],
      total: "238",
      balance: "200",
      stamped: true,
      observations: "Gracias"
    })
  })

  it("reads numberTemplate as an array (prefix + number), a bare client id, missing balance, no stamp", () => {
    const invoice = ok("invoice", {
      id: 101,
      date: "2024-03-02",
      dueDate: null,
      status: "Draft",
      client: 12,
      numberTemplate: [{ prefix: "FV", number: 7 }],
      items: [{ id: 3, price: 10, quantity: 1.5, discount: "" }],
      total: 15,
      totalPaid: "5.25",
      stamp: null
    })
    expect(invoice).toMatchObject({
      id: "101",
      number: "FV7",
      dueDate: null,
      status: "draft",
      contactId: "12",
      currency: null,
      total: "15",
      balance: "9.75",
      stamped: false,
      observations: null
    })
    expect(invoice.lines).toEqual([{
      itemId: "3",
      accountId: null,
      description: null,
      quantity: "1.5",
      price: "10",
      discount: "0",
      taxIds: [],
      total: null
    }])
    expect(ok("invoice", { id: 1, date: "2024-01-01", status: "open", client: { id: 1 }, total: 1, stamp: { uuid: "" } }).stamped)
      .toBe(false)
    expect(ok("invoice", { id: 1, date: "2024-01-01", status: "open", client: { id: 1 }, total: 1, stamp: { UUID: "f0e1" } }).stamped)
      .toBe(true)
  })

  it("fails naming the field: a bad line price, an unknown status, no client", () => {
    const base = { id: "1", date: "2024-01-01", status: "open", client: { id: "1" }, total: "1" }
    expect(fail("invoice", { ...base, items: [{ id: 1, price: "x", quantity: 1 }] })).toMatch(/items\.0\.price/)
    expect(fail("invoice", { ...base, status: "paid" })).toMatch(/status.*draft\|open\|closed\|void/)
    expect(fail("invoice", { ...base, client: { id: null } })).toMatch(/client/)
    expect(fail("invoice", { ...base, date: "01/02/2024" })).toMatch(/date/)
  })
})

describe("bill", () => {
  it("reads purchases items and expense accounts, and the provider", () => {
    expect(ok("bill", {
      id: "8",
      date: "2024-02-10",
      dueDate: "2024-03-10",
      status: "open",
      provider: { id: "4", name: "Proveedor" },
      numberTemplate: { number: "B-77" },
      currency: "COP",
      purchases: {
        items: [{ id: "3", price: 50, quantity: 2, total: 100 }],
        categories: [{ id: "5107", name: "Arriendo", price: "300", quantity: 1 }]
      },
      total: "400",
      balance: 400
    })).toEqual({
      id: "8",
      number: "B-77",
      date: "2024-02-10",
      dueDate: "2024-03-10",
      status: "open",
      contactId: "4",
      currency: "COP",
      lines: [
        { itemId: "3", accountId: null, description: null, quantity: "2", price: "50", discount: "0", taxIds: [], total: "100" },
        { itemId: null, accountId: "5107", description: "Arriendo", quantity: "1", price: "300", discount: "0", taxIds: [], total: null }
      ],
      total: "400",
      balance: "400"
    })
  })
})

describe("payment", () => {
  it("reads an 'in' payment applied to invoices, with a method string", () => {
    expect(ok("payment", {
      id: "55",
      number: "12",
      date: "2024-03-05",
      amount: "238.00",
      type: "in",
      status: "open",
      paymentMethod: "transfer",
      bankAccount: { id: "1", name: "Bancolombia" },
      client: { id: "12" },
      currency: { code: "COP" },
      invoices: [{ id: "100", number: "FE1001", total: "238", totalPaid: "238", balance: "0", amount: "238.00" }],
      categories: []
    })).toEqual({
      id: "55",
      number: "12",
      date: "2024-03-05",
      direction: "in",
      status: "open",
      amount: "238",
      contactId: "12",
      bankAccountId: "1",
      method: "transfer",
      currency: "COP",
      applications: [{ documentKind: "invoice", documentId: "100", amount: "238" }]
    })
  })

  it("reads an 'out' payment against bills, a method object, a void status, a missing amount", () => {
    expect(ok("payment", {
      id: 56,
      date: "2024-03-06",
      type: "out",
      status: "void",
      paymentMethod: { name: "Efectivo" },
      provider: { id: 4 },
      bills: [{ id: 8, amount: 150.25 }, { id: "9", amount: "49.75" }]
    })).toEqual({
      id: "56",
      number: null,
      date: "2024-03-06",
      direction: "out",
      status: "void",
      amount: "200",
      contactId: "4",
      bankAccountId: null,
      method: "cash",
      currency: null,
      applications: [
        { documentKind: "bill", documentId: "8", amount: "150.25" },
        { documentKind: "bill", documentId: "9", amount: "49.75" }
      ]
    })
    expect(ok("payment", { id: 1, date: "2024-01-01", amount: 5, bills: [{ id: 1, amount: 5 }] }).direction).toBe("out")
    expect(fail("payment", { id: 1, date: "2024-01-01", type: "sideways", amount: 1 })).toContain("type")
  })
})

describe("credit note, estimate, category, bank account", () => {
  it("credit note: stamped with a CUDE, applications to invoices, balance from totalApplied", () => {
    expect(ok("credit-note", {
      id: "3",
      date: "2024-03-10",
      status: "closed",
      client: { id: "12" },
      numberTemplate: { number: "4", prefix: "NCE", documentType: "creditNote" },
      items: [line],
      total: "238",
      totalApplied: "238",
      stamp: { cude: "77aa" },
      invoices: [{ id: "100", prefix: "FE", number: "1001", amount: "238" }]
    })).toEqual({
      id: "3",
      number: "NCE4",
      date: "2024-03-10",
      status: "closed",
      contactId: "12",
      currency: null,
      lines: [{ itemId: "3", accountId: null, description: "Soporte", quantity: "2", price: "100", discount: "0", taxIds: ["1"], total: "238" }],
      total: "238",
      balance: "0",
      stamped: true,
      applications: [{ documentKind: "invoice", documentId: "100", amount: "238" }]
    })
  })

  it("estimate with a UUIDv7 id", () => {
    expect(ok("estimate", {
      id: "0191e2f0-7c1a-7d2b-8e3f-a1b2c3d4e5f6",
      number: "15",
      date: "2024-03-01",
      dueDate: "2024-03-15",
      status: "unbilled",
      client: { id: "12" },
      items: [],
      total: "0.00"
    })).toEqual({
      id: "0191e2f0-7c1a-7d2b-8e3f-a1b2c3d4e5f6",
      number: "15",
      date: "2024-03-01",
      dueDate: "2024-03-15",
      status: "unbilled",
      contactId: "12",
      currency: null,
      lines: [],
      total: "0"
    })
  })

  it("category and bank account", () => {
    expect(ok("category", { id: 5001, idParent: null, name: "Ingresos", code: 4135, type: "income", status: "active", children: [] }))
      .toEqual({ id: "5001", parentId: null, name: "Ingresos", code: "4135", type: "income", status: "active" })
    expect(ok("category", { id: "5002", idParent: 5001, name: "Ventas" }))
      .toEqual({ id: "5002", parentId: "5001", name: "Ventas", code: null, type: null, status: null })
    expect(ok("category", { id: "5003", idParent: "", name: "Raíz" }).parentId).toBeNull()
    expect(ok("bank-account", { id: 1, name: "Caja general", number: null, type: "cash", status: "active", balance: "10.00" }))
      .toEqual({ id: "1", name: "Caja general", number: null, type: "cash", status: "active" })
  })
})

describe("messages", () => {
  it("name every problem of a record by its path, with what was expected and what came", () => {
    const message = fail("invoice", {
      id: " ",
      date: "01/02/2024",
      status: "paid",
      client: null,
      total: "abc",
      currency: 7,
      numberTemplate: [{ prefix: "FV" }, 5],
      items: [{ id: 3, price: "1" }, { id: 4, price: 2, quantity: 1, tax: [{ id: "" }] }]
    })
    expect(message.split("; ")).toEqual([
      "id: expected a non-empty id (a string or a number), got \" \"",
      "numberTemplate.1: expected {prefix, number, fullNumber}, got 5",
      "date: expected a yyyy-MM-dd date, got \"01/02/2024\"",
      "currency: expected a currency code or {code}, got 7",
      "total: expected a number or a numeric string, got \"abc\"",
      "status: expected one of draft|open|closed|void, got \"paid\"",
      "client: expected an id or {id}, got null",
      "items.0.quantity: is missing",
      "items.1.tax.0.id: expected a non-empty id (a string or a number), got \"\""
    ])
  })

  it("say what a value that is not a record at all is, and cut long values", () => {
    expect(fail("contact", [1, 2])).toBe("(root): expected a contact object, got [1,2]")
    expect(fail("item", { id: 1, name: "x".repeat(200) + 5, price: "y".repeat(200) })).toMatch(/^price: expected a number or a numeric string, got "y{60,}\.\.\.$/)
  })
})
