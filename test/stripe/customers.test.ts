/** Customers and tax ids through the official SDK; the wire's auth, error shape and parameter rules. */
import { describe, expect, it } from "vitest"
import { failure, harness, raw, Stripe } from "./support.js"

const t = harness()

describe("the wire", () => {
  it("answers 401 to a missing or wrong key, with Stripe's error body and a Request-Id", async () => {
    const none = await raw(t.sim, "GET", "/v1/customers", { key: null })
    expect(none.status).toBe(401)
    expect(none.body.error).toMatchObject({ type: "invalid_request_error", message: expect.stringContaining("API key") })
    expect(none.headers.get("request-id")).toMatch(/^req_[A-Za-z0-9]{14}$/)
    const wrong = await failure(new Stripe("sk_test_wrong_key_1234", { ...t.sim.clientOptions(), maxNetworkRetries: 0 }).customers.list())
    expect(wrong).toBeInstanceOf(Stripe.errors.StripeAuthenticationError)
    expect(wrong.statusCode).toBe(401)
    expect(wrong.message).toContain("sk_test_")
    expect(wrong.message).not.toContain("wrong_key_1234")
    expect((await raw(t.sim, "GET", "/v1/customers", { headers: { authorization: `Basic ${Buffer.from(`${t.sim.apiKey}:`).toString("base64")}` }, key: null })).status).toBe(200)
  })

  it("puts Request-Id and Stripe-Version on every answer and refuses another API version", async () => {
    const ok = await raw(t.sim, "GET", "/v1/customers")
    expect(ok.headers.get("request-id")).toMatch(/^req_/)
    expect(ok.headers.get("stripe-version")).toBe(Stripe.API_VERSION)
    const other = await raw(t.sim, "GET", "/v1/customers", { headers: { "stripe-version": "2020-08-27" } })
    expect(other.status).toBe(400)
    expect(other.body.error.message).toContain(Stripe.API_VERSION)
  })

  it("refuses unknown parameters, empty required values, JSON bodies and unknown paths", async () => {
    const unknown = await failure(t.stripe.customers.create({ nmae: "typo" } as Stripe.CustomerCreateParams))
    expect(unknown).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(unknown.code).toBe("parameter_unknown")
    expect(unknown.param).toBe("nmae")
    const nested = await failure(t.stripe.customers.create({ address: { city: "Lima", planet: "Earth" } as Stripe.AddressParam }))
    expect(nested.param).toBe("address[planet]")
    const json = await raw(t.sim, "POST", "/v1/customers", { form: '{"name":"x"}', headers: { "content-type": "application/json" } })
    expect(json.status).toBe(400)
    const nowhere = await raw(t.sim, "GET", "/v1/nothing")
    expect(nowhere.status).toBe(404)
    expect(nowhere.body.error.message).toContain("Unrecognized request URL")
    expect(await t.stripe.customers.list({ limit: 1 })).toMatchObject({ object: "list" })
  })
})

describe("customers", () => {
  it("creates, retrieves, updates (merging metadata) and lists with the email filter", async () => {
    const created = await t.stripe.customers.create({
      name: "Ferretería Andina S.A.S.",
      email: "contabilidad@ferreteria-andina.co",
      address: { line1: "Carrera 7 # 71-21", city: "Bogotá", country: "CO" },
      metadata: { alegra_id: "42", region: "andina" }
    })
    expect(created).toMatchObject({ object: "customer", livemode: false, balance: 0, metadata: { alegra_id: "42" } })
    expect(created.id).toMatch(/^cus_[A-Za-z0-9]{14}$/)
    expect(created.created).toBeGreaterThan(1_600_000_000)
    expect(created.created).toBeLessThan(Date.now() / 1000 + 5)
    expect(created.tax_ids).toBeUndefined()
    const updated = await t.stripe.customers.update(created.id, { phone: "+57 601 555 0101", metadata: { region: "", plan: "pro" } })
    expect(updated.metadata).toEqual({ alegra_id: "42", plan: "pro" })
    expect(updated.phone).toBe("+57 601 555 0101")
    const cleared = await t.stripe.customers.update(created.id, { metadata: "" })
    expect(cleared.metadata).toEqual({})
    const listed = await t.stripe.customers.list({ email: "contabilidad@ferreteria-andina.co" })
    expect(listed.data.map((c) => c.id)).toEqual([created.id])
    expect(listed.url).toBe("/v1/customers")
    expect((await t.stripe.customers.list({ email: "CONTABILIDAD@ferreteria-andina.co" })).data).toEqual([])
  })

  it("enforces Stripe's metadata limits and validates emails", async () => {
    const tooLong = await failure(t.stripe.customers.create({ metadata: { k: "x".repeat(501) } }))
    expect(tooLong.param).toBe("metadata[k]")
    const longKey = await failure(t.stripe.customers.create({ metadata: { ["k".repeat(41)]: "v" } }))
    expect(longKey.statusCode).toBe(400)
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]))
    expect((await failure(t.stripe.customers.create({ metadata: many }))).param).toBe("metadata")
    const email = await failure(t.stripe.customers.create({ email: "no-es-un-correo" }))
    expect(email.code).toBe("email_invalid")
    expect(email.param).toBe("email")
  })

  it("answers a deleted customer as {deleted: true}, and 404 resource_missing for an unknown one", async () => {
    const c = await t.stripe.customers.create({ name: "Temporal" })
    expect(await t.stripe.customers.del(c.id)).toEqual({ id: c.id, object: "customer", deleted: true })
    expect(await t.stripe.customers.retrieve(c.id)).toMatchObject({ id: c.id, deleted: true })
    expect((await failure(t.stripe.customers.update(c.id, { name: "x" }))).statusCode).toBe(404)
    const missing = await failure(t.stripe.customers.retrieve("cus_DoesNotExist01"))
    expect(missing.statusCode).toBe(404)
    expect(missing.code).toBe("resource_missing")
    expect(missing.message).toBe("No such customer: 'cus_DoesNotExist01'")
    expect((await t.stripe.customers.list({ limit: 100 })).data.map((x) => x.id)).not.toContain(c.id)
  })
})

describe("tax ids", () => {
  const valid: Array<[Stripe.CustomerCreateTaxIdParams.Type, string, string]> = [
    ["mx_rfc", "CBA0102031X5", "MX"],
    ["mx_rfc", "LOOM850412KJ3", "MX"],
    ["co_nit", "890.900.608-9", "CO"],
    ["co_nit", "900123456-8", "CO"],
    ["cl_tin", "12.345.678-5", "CL"],
    ["cl_tin", "76543210-3", "CL"],
    ["do_rcn", "123-4567890-1", "DO"],
    ["us_ein", "12-3456789", "US"],
    ["eu_vat", "DE123456789", "DE"],
    ["eu_vat", "EL123456789", "GR"]
  ]
  const invalid: Array<[Stripe.CustomerCreateTaxIdParams.Type, string]> = [
    ["mx_rfc", "CBA0113031X5"], // month 13
    ["mx_rfc", "cba0102031x5"],
    ["co_nit", "890.900.608-1"], // wrong check digit
    ["co_nit", "123.456.789-0"], // Stripe's doc example: its check digit is 6
    ["cl_tin", "12.345.678-K"], // Stripe's doc example: its check digit is 5
    ["do_rcn", "12-345"],
    ["us_ein", "123456789"],
    ["eu_vat", "DE12345"],
    ["eu_vat", "XX123456789"]
  ]

  it("accepts well-formed values with correct check digits and derives the country", async () => {
    for (const [type, value, country] of valid) {
      const c = await t.stripe.customers.create({ name: `${type} ${value}` })
      const taxId = await t.stripe.customers.createTaxId(c.id, { type, value })
      expect(taxId, `${type} ${value}`).toMatchObject({ object: "tax_id", type, value, country, customer: c.id, livemode: false })
      expect(taxId.id).toMatch(/^txi_/)
    }
  })

  it("refuses malformed values and wrong check digits with tax_id_invalid, changing nothing", async () => {
    const c = await t.stripe.customers.create({ name: "Con RFC inválido" })
    for (const [type, value] of invalid) {
      const e = await failure(t.stripe.customers.createTaxId(c.id, { type, value }))
      expect(e.code, `${type} ${value}`).toBe("tax_id_invalid")
      expect(e.param).toBe("value")
    }
    expect((await t.stripe.customers.listTaxIds(c.id)).data).toEqual([])
    const atCreation = await failure(t.stripe.customers.create({ name: "x", tax_id_data: [{ type: "co_nit", value: "890.900.608-1" }] }))
    expect(atCreation.param).toBe("tax_id_data[0][value]")
    expect((await failure(t.stripe.customers.createTaxId(c.id, { type: "xx_nope" as Stripe.CustomerCreateTaxIdParams.Type, value: "1" }))).param).toBe("type")
  })

  it("lists, expands on the customer, refuses duplicates and a sixth id, and deletes", async () => {
    const c = await t.stripe.customers.create({ name: "Importadora Austral", tax_id_data: [{ type: "cl_tin", value: "76.543.210-3" }] })
    const plain = await t.stripe.customers.retrieve(c.id)
    expect((plain as Stripe.Customer).tax_ids).toBeUndefined()
    const expanded = (await t.stripe.customers.retrieve(c.id, { expand: ["tax_ids"] })) as Stripe.Customer
    expect(expanded.tax_ids?.data.map((t) => t.value)).toEqual(["76.543.210-3"])
    expect(expanded.tax_ids?.url).toBe(`/v1/customers/${c.id}/tax_ids`)
    const dup = await failure(t.stripe.customers.createTaxId(c.id, { type: "cl_tin", value: "76.543.210-3" }))
    expect(dup.code).toBe("resource_already_exists")
    for (const v of ["12.345.678-5", "76543210-3", "11111111-1", "22222222-2"]) await t.stripe.customers.createTaxId(c.id, { type: "cl_tin", value: v })
    expect((await failure(t.stripe.customers.createTaxId(c.id, { type: "us_ein", value: "12-3456789" }))).statusCode).toBe(400)
    const ids = await t.stripe.customers.listTaxIds(c.id)
    expect(ids.data).toHaveLength(5)
    const gone = await t.stripe.customers.deleteTaxId(c.id, ids.data[0]!.id)
    expect(gone).toEqual({ id: ids.data[0]!.id, object: "tax_id", deleted: true })
    expect((await t.stripe.customers.listTaxIds(c.id)).data).toHaveLength(4)
  })
})
