/** Products, prices and tax rates through the official SDK. */
import { describe, expect, it } from "vitest"
import { failure, harness, raw, Stripe } from "./support.js"

const t = harness()

describe("products", () => {
  it("creates with a default price, takes a caller-chosen id once, and searches by name", async () => {
    const p = await t.stripe.products.create({ id: "SKU-CONT-H", name: "Consultoría contable", default_price_data: { currency: "mxn", unit_amount: 150_000 } })
    expect(p).toMatchObject({ id: "SKU-CONT-H", object: "product", active: true, livemode: false })
    const price = await t.stripe.prices.retrieve(p.default_price as string)
    expect(price).toMatchObject({ product: "SKU-CONT-H", currency: "mxn", unit_amount: 150_000, type: "one_time", active: true })
    expect(price.unit_amount_decimal?.toString()).toBe("150000")
    expect((await failure(t.stripe.products.create({ id: "SKU-CONT-H", name: "Otra" }))).code).toBe("resource_already_exists")
    const found = await t.stripe.products.search({ query: "name~'contable' AND active:'true'" })
    expect(found.data.map((x) => x.id)).toEqual(["SKU-CONT-H"])
    const expanded = await t.stripe.products.retrieve("SKU-CONT-H", { expand: ["default_price"] })
    expect((expanded.default_price as Stripe.Price).unit_amount).toBe(150_000)
  })

  it("takes only an active price of its own as default_price, bumps `updated`, and refuses deleting a product with prices", async () => {
    const a = await t.stripe.products.create({ name: "Licencia" })
    const b = await t.stripe.products.create({ name: "Soporte" })
    const other = await t.stripe.prices.create({ product: b.id, currency: "cop", unit_amount: 25_000_000 })
    expect((await failure(t.stripe.products.update(a.id, { default_price: other.id }))).param).toBe("default_price")
    const own = await t.stripe.prices.create({ product: a.id, currency: "usd", unit_amount: 4_900 })
    t.sim.clock.advance(5_000)
    const updated = await t.stripe.products.update(a.id, { default_price: own.id })
    expect(updated.default_price).toBe(own.id)
    expect(updated.updated).toBeGreaterThan(a.updated)
    await t.stripe.prices.update(own.id, { active: false })
    expect((await failure(t.stripe.products.update(b.id, { default_price: own.id }))).statusCode).toBe(400)
    expect((await failure(t.stripe.products.del(a.id))).message).toContain("prices")
    expect((await t.stripe.products.list({ ids: [a.id, b.id] })).data.map((x) => x.id)).toEqual([b.id, a.id])
    await t.stripe.products.update(b.id, { active: false })
    expect((await t.stripe.products.list({ ids: [a.id, b.id], active: true })).data.map((x) => x.id)).toEqual([a.id])
    const bare = await t.stripe.products.create({ name: "Sin precio" })
    expect(await t.stripe.products.del(bare.id)).toEqual({ id: bare.id, object: "product", deleted: true })
    expect((await failure(t.stripe.products.retrieve(bare.id))).statusCode).toBe(404)
  })
})

describe("prices", () => {
  it("keeps amounts immutable: an update carrying unit_amount is an unknown parameter", async () => {
    const p = await t.stripe.products.create({ name: "Hosting" })
    const price = await t.stripe.prices.create({ product: p.id, currency: "usd", unit_amount: 4_900, lookup_key: "hosting-monthly" })
    const e = await failure(t.stripe.prices.update(price.id, { unit_amount: 5_900 } as Stripe.PriceUpdateParams))
    expect(e.code).toBe("parameter_unknown")
    expect(e.param).toBe("unit_amount")
    expect((await t.stripe.prices.retrieve(price.id)).unit_amount).toBe(4_900)
    const renamed = await t.stripe.prices.update(price.id, { nickname: "Mensual", metadata: { plan: "basic" } })
    expect(renamed).toMatchObject({ nickname: "Mensual", unit_amount: 4_900, metadata: { plan: "basic" } })
  })

  it("takes unit_amount_decimal as a decimal string (sub-unit precision) and answers it as one", async () => {
    const p = await t.stripe.products.create({ name: "Kilowatt-hora" })
    const price = await t.stripe.prices.create({ product: p.id, currency: "clp", unit_amount_decimal: Stripe.Decimal.from("118.3333") })
    expect(price.unit_amount).toBeNull()
    expect(price.unit_amount_decimal?.toString()).toBe("118.3333")
    const wire = await raw(t.sim, "GET", `/v1/prices/${price.id}`)
    expect(wire.body.unit_amount_decimal).toBe("118.3333")
    const both = await failure(t.stripe.prices.create({ product: p.id, currency: "usd", unit_amount: 1, unit_amount_decimal: Stripe.Decimal.from("1") }))
    expect(both.code).toBe("parameters_exclusive")
    expect((await failure(t.stripe.prices.create({ product: p.id, currency: "usd" }))).code).toBe("parameter_missing")
    expect((await failure(t.stripe.prices.create({ product: p.id, currency: "mxm", unit_amount: 1 }))).param).toBe("currency")
    expect((await failure(t.stripe.prices.create({ product: p.id, currency: "usd", unit_amount: -1 }))).param).toBe("unit_amount")
  })

  it("sets tax_behavior once, keeps lookup keys unique (or transfers them), and filters lists", async () => {
    const p = await t.stripe.products.create({ name: "Capacitación" })
    const a = await t.stripe.prices.create({ product: p.id, currency: "clp", unit_amount: 180_000, lookup_key: "cap" })
    expect((await t.stripe.prices.update(a.id, { tax_behavior: "inclusive" })).tax_behavior).toBe("inclusive")
    expect((await failure(t.stripe.prices.update(a.id, { tax_behavior: "exclusive" }))).param).toBe("tax_behavior")
    expect((await failure(t.stripe.prices.create({ product: p.id, currency: "clp", unit_amount: 1, lookup_key: "cap" }))).code).toBe("resource_already_exists")
    const b = await t.stripe.prices.create({ product: p.id, currency: "clp", unit_amount: 200_000, lookup_key: "cap", transfer_lookup_key: true })
    expect((await t.stripe.prices.retrieve(a.id)).lookup_key).toBeNull()
    expect((await t.stripe.prices.list({ lookup_keys: ["cap"] })).data.map((x) => x.id)).toEqual([b.id])
    expect((await t.stripe.prices.list({ product: p.id })).data.map((x) => x.id)).toEqual([b.id, a.id])
    expect((await t.stripe.prices.list({ product: p.id, currency: "usd" })).data).toEqual([])
  })
})

describe("tax rates", () => {
  it("creates inclusive and exclusive rates with up to 4 decimals, immutable percentage", async () => {
    const iva = await t.stripe.taxRates.create({ display_name: "IVA", percentage: 16, inclusive: false, country: "MX" })
    expect(iva).toMatchObject({ object: "tax_rate", percentage: 16, inclusive: false, active: true, country: "MX" })
    expect(iva.id).toMatch(/^txr_/)
    const odd = await t.stripe.taxRates.create({ display_name: "ICA", percentage: 0.9664, inclusive: true })
    expect(odd.percentage).toBe(0.9664)
    expect((await failure(t.stripe.taxRates.create({ display_name: "x", percentage: 1.23456, inclusive: false }))).param).toBe("percentage")
    expect((await failure(t.stripe.taxRates.create({ display_name: "x", percentage: 101, inclusive: false }))).param).toBe("percentage")
    expect((await failure(t.stripe.taxRates.update(iva.id, { percentage: 8 } as Stripe.TaxRateUpdateParams))).code).toBe("parameter_unknown")
    expect(await t.stripe.taxRates.retrieve(iva.id)).toMatchObject({ id: iva.id, percentage: 16 })
    const off = await t.stripe.taxRates.update(iva.id, { active: false })
    expect(off.active).toBe(false)
    expect((await t.stripe.taxRates.list({ active: true })).data.map((t) => t.id)).toEqual([odd.id])
    expect((await t.stripe.taxRates.list({ inclusive: false })).data.map((t) => t.id)).toEqual([iva.id])
  })
})
