/**
 * The simulator's responses against the published (hand-written, partly wrong) OpenAPI spec,
 * shared/reference/alegra-openapi.json. Where the spec contradicts the reference notes
 * (shared/reference/alegra-api.md), the spec is patched below, each patch with its reason.
 * Where the spec gives no response schema, one is added from the notes' field lists (§5).
 */
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Ajv } from "ajv"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { presets, seedAccount } from "../../connectors/alegra/simulator/index.js"
import { api, start } from "./simulator-support.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
/** shared/ sits beside the checkout; a worktree may be nested deeper: the nearest one up wins. */
const findSpec = (): string => {
  const wanted = "shared/reference/alegra-openapi.json"
  for (let dir = path.dirname(repoRoot); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, wanted)
    if (existsSync(candidate) || path.dirname(dir) === dir) return candidate
  }
}
const specPath = findSpec()

type Schema = Record<string, unknown>
/** The spec is plain JSON; patches address it loosely. */
type Loose = any

/** A number or a numeric string ("19928.00"): alegra-api.md §2, amounts arrive both ways. */
const amount: Schema = { anyOf: [{ type: "number" }, { type: "string", pattern: "^-?\\d+(\\.\\d+)?$" }] }
/** Ids are opaque strings since 2025-01-06 (alegra-api.md §2, DOC-ID); the spec types them as integers. */
const id: Schema = { type: "string", minLength: 1 }
/** "Some nested refs are still numbers" (alegra-api.md §2, CLI). */
const nestedRef: Schema = { anyOf: [{ type: "integer" }, { type: "string", minLength: 1 }] }
const nullableString: Schema = { type: "string", nullable: true }
/** OpenAPI 3.0's `nullable` needs a `type`; for unions, null is one more branch. */
const orNull = (schema: Schema): Schema => ({ anyOf: [schema, { type: "null" }] })
const date: Schema = { type: "string", format: "date" }
const ref: Schema = { type: "object", required: ["id"], properties: { id } }
const numberTemplateObject: Schema = {
  type: "object",
  properties: {
    // numberTemplate.id is a nested ref (a number); null for manual numbering.
    id: orNull(nestedRef),
    prefix: nullableString,
    // A draft with automatic numbering has no number yet.
    number: nullableString,
    fullNumber: nullableString
  }
}
const taxes: Schema = { type: "array", items: { type: "object", required: ["id"], properties: { id: nestedRef, percentage: amount } } }
const line: Schema = {
  type: "object",
  required: ["id", "price", "quantity"],
  properties: { id, name: { type: "string" }, description: nullableString, price: amount, quantity: amount, discount: amount, tax: taxes, total: amount }
}
const applications: Schema = { type: "array", items: { type: "object", required: ["id", "amount"], properties: { id, amount } } }

const patchSpec = (spec: Loose): void => {
  const s = spec.components.schemas
  // --- Invoice -----------------------------------------------------------------------------
  s.Invoice.properties.id = id // ids are strings (DOC-ID)
  s.Invoice.properties.client.properties.id = id // ids are strings (DOC-ID)
  for (const f of ["total", "totalPaid", "balance"]) s.Invoice.properties[f] = amount // numbers or numeric strings (§2)
  // numberTemplate is sometimes returned as an array (§5 Invoice, CLI).
  s.Invoice.properties.numberTemplate = { anyOf: [numberTemplateObject, { type: "array", items: numberTemplateObject }] }
  s.Invoice.required = ["id", "date", "dueDate", "status", "client", "items", "total", "balance"] // what the notes list as always there
  s.InvoiceItem.properties.id = id // ids are strings (DOC-ID)
  s.InvoiceItem.properties.description = nullableString // empty fields come back as null (LOD fixtures)
  for (const f of ["price", "quantity", "discount"]) s.InvoiceItem.properties[f] = amount // numbers or numeric strings (§2)
  // --- Item ----------------------------------------------------------------------------------
  s.Item.properties.id = id // ids are strings (DOC-ID)
  s.Item.properties.description = nullableString // null when empty (LOD items.json fixture)
  s.Item.properties.reference = nullableString // null when empty (LOD items.json fixture)
  s.Item.properties.type = { type: "string", enum: ["simple", "kit", "variant", "product", "service"] } // §5: simple|kit|variant; JEN: product|service|kit
  s.Item.properties.price.items.properties.price = amount // numbers or numeric strings (§2)
  s.Item.properties.inventory.nullable = true // present only for items tracked in stock (§5)
  s.Item.properties.tax = taxes
  s.Item.required = ["id", "name", "price"]
  // --- Contact -------------------------------------------------------------------------------
  s.Contact.properties.id = id // ids are strings (DOC-ID)
  // identification is read back as a string (or null) plus identificationObject (§5 Contact, CLI "verified live").
  s.Contact.properties.identification = nullableString
  s.Contact.properties.identificationObject = {
    type: "object",
    nullable: true,
    required: ["number"],
    properties: { type: nullableString, number: { type: "string" }, dv: { type: "string" } }
  }
  // type is an array, but some (older / simple-mode) contacts return a bare string (§5 Contact, LOD, CLI).
  s.Contact.properties.type = { anyOf: [s.Contact.properties.type, { type: "string", enum: ["client", "provider"] }] }
  for (const f of ["email", "phonePrimary"]) s.Contact.properties[f] = nullableString // null when empty (LOD post.contacts.json)
  s.Contact.properties.address.properties.address = nullableString // null when empty (LOD post.contacts.json)
  s.Contact.properties.address.properties.city = nullableString
  s.Contact.required = ["id", "name", "type"]

  // --- Operations the spec leaves without a response schema: schemas from the notes (§5) --------
  const content = (schema: Schema) => ({ "application/json": { schema } })
  const list = (schema: Schema) => content({ type: "array", items: schema })
  const Payment: Schema = {
    type: "object",
    required: ["id", "date", "amount", "type", "status", "bankAccount"],
    properties: {
      id,
      number: nullableString,
      date,
      amount,
      type: { type: "string", enum: ["in", "out"] },
      status: { type: "string", enum: ["open", "void"] },
      // a string or an object with a name (§5 Payment)
      paymentMethod: { anyOf: [{ type: "string" }, { type: "object", properties: { name: { type: "string" } } }] },
      bankAccount: ref,
      client: { ...ref, nullable: true },
      invoices: applications,
      bills: applications,
      categories: { type: "array", items: { type: "object", required: ["id"], properties: { id, price: amount, quantity: amount } } }
    }
  }
  const CreditNote: Schema = {
    type: "object",
    required: ["id", "date", "status", "client", "items", "total", "balance"],
    properties: {
      id,
      date,
      status: { type: "string", enum: ["open", "closed", "void"] },
      client: ref,
      items: { type: "array", items: line },
      total: amount,
      balance: amount,
      totalApplied: amount,
      numberTemplate: { anyOf: [numberTemplateObject, { type: "array", items: numberTemplateObject }] },
      invoices: applications
    }
  }
  const Estimate: Schema = {
    type: "object",
    required: ["id", "date", "client", "items", "total", "status"],
    properties: {
      id,
      number: nullableString,
      date,
      dueDate: { ...date, nullable: true },
      client: ref,
      items: { type: "array", items: line },
      total: amount,
      status: { type: "string", enum: ["billed", "unbilled"] }
    }
  }
  const BankAccount: Schema = {
    type: "object",
    required: ["id", "name", "type", "status", "initialBalance"],
    properties: {
      id,
      name: { type: "string" },
      number: nullableString,
      type: { type: "string", enum: ["bank", "credit-card", "cash"] },
      status: { type: "string", enum: ["active", "inactive"] },
      initialBalance: amount,
      balance: amount
    }
  }
  const Category: Schema = {
    type: "object",
    required: ["id", "idParent", "name", "type", "status"],
    properties: {
      id,
      // "" for root accounts (LOD live fixture get.categories.json)
      idParent: orNull({ anyOf: [id, { type: "string", maxLength: 0 }] }),
      name: { type: "string" },
      code: nullableString,
      type: { type: "string", enum: ["asset", "liability", "equity", "income", "expense", "cost"] },
      status: { type: "string", enum: ["active", "inactive"] }
    }
  }
  const p = spec.paths
  p["/payments"].get.responses["200"].content = list(Payment)
  p["/payments/{id}"].get.responses["200"].content = content(Payment)
  p["/credit-notes"].get.responses["200"].content = list(CreditNote)
  p["/estimates"].get.responses["200"].content = list(Estimate)
  p["/estimates/{id}"].get.responses["200"].content = content(Estimate)
  p["/bank-accounts"].get.responses["200"].content = list(BankAccount)
  p["/categories"].get.responses["200"].content = list(Category)
  p["/items/{id}"].get.responses["200"].content = content({ $ref: "#/components/schemas/Item" })
  p["/contacts/{id}"].get.responses["200"].content = content({ $ref: "#/components/schemas/Contact" })
}

const pointer = (pathKey: string) =>
  `alegra#/paths/${encodeURIComponent(pathKey.replace(/~/g, "~0").replace(/\//g, "~1"))}/get/responses/200/content/application~1json/schema`

let sim: AlegraSimulator
let ajv: Ajv

beforeAll(async () => {
  sim = await start()
  seedAccount(sim, presets.small)
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as Loose
  patchSpec(spec)
  ajv = new Ajv({ strict: false, allErrors: true })
  ajv.addFormat("date", /^\d{4}-\d{2}-\d{2}$/)
  ajv.addFormat("email", /^[^\s@]+@[^\s@]+\.[^\s@]+$/)
  ajv.addSchema(spec, "alegra")
})
afterAll(() => sim.close())

/** Every row of a list, page by page. */
const allPages = async (resource: string): Promise<Array<Loose>> => {
  const rows: Array<Loose> = []
  for (let start = 0; ; start += 30) {
    const r = await api(sim).get(`/${resource}?start=${start}&limit=30`)
    expect(r.status).toBe(200)
    rows.push(...r.body)
    if (r.body.length < 30) return rows
  }
}

const validate = (pathKey: string, body: unknown) => {
  const check = ajv.getSchema(pointer(pathKey)) ?? ajv.compile({ $ref: pointer(pathKey) })
  const valid = check(body)
  expect(valid, `${pathKey}: ${ajv.errorsText(check.errors, { separator: "\n" })}`).toBe(true)
}

describe("responses match the (patched) OpenAPI spec", () => {
  it("loads the spec it checks against", () => {
    const raw = JSON.parse(readFileSync(specPath, "utf8")) as Loose
    expect(raw.openapi).toBe("3.0.3")
    // Unpatched, the spec rejects what Alegra really sends (string ids, here).
    const strictAjv = new Ajv({ strict: false })
    strictAjv.addFormat("date", /^\d{4}-\d{2}-\d{2}$/)
    strictAjv.addSchema(raw, "alegra")
    expect(strictAjv.validate({ $ref: pointer("/invoices") }, sim.admin.list("invoice").slice(0, 5))).toBe(false)
  })

  for (const [resource, pathKey] of [
    ["invoices", "/invoices"],
    ["items", "/items"],
    ["contacts", "/contacts"],
    ["payments", "/payments"],
    ["estimates", "/estimates"],
    ["credit-notes", "/credit-notes"],
    ["bank-accounts", "/bank-accounts"],
    ["categories", "/categories"]
  ] as const) {
    it(`GET ${pathKey} (every page)`, async () => {
      const rows = await allPages(resource)
      expect(rows.length).toBeGreaterThan(0)
      validate(pathKey, rows)
    })
  }

  it("GET /invoices/{id}, /items/{id}, /contacts/{id}, /payments/{id}, /estimates/{id}", async () => {
    for (const [kind, resource] of [
      ["invoice", "invoices"],
      ["item", "items"],
      ["contact", "contacts"],
      ["payment", "payments"],
      ["estimate", "estimates"]
    ] as const) {
      for (const recordId of sim.admin.ids(kind).slice(0, 15)) {
        const r = await api(sim).get(`/${resource}/${recordId}`)
        expect(r.status).toBe(200)
        validate(`/${resource}/{id}`, r.body)
      }
    }
  })
})
