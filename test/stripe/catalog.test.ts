/** Products, prices and tax rates through the official SDK. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { StripeSimulator } from "../../connectors/stripe/simulator/index.js"
import { client, failure, raw, start, Stripe } from "./support.js"

let sim: StripeSimulator
let stripe: Stripe

beforeAll(async () => {
  sim = await start()
  stripe = client(sim)
})
afterAll(() => sim.close())

describe("products", () => {
  it("creates with a default price, takes a caller-chosen id once, and searches by name", async () => {
    const p = await stripe.products.create({ id: "SKU-CONT-H", name: "Consultoría contable", default_price_data: { currency: "mxn", unit_amount: 150_000 } })
    expect(p).toMatchObject({ id: "SKU-CONT-H", object: "product", active: true, livemode: false })
    const price = await stripe.prices.retrieve(p.default_price as string)
    expect(price).toMatchObject({ product: "SKU-CONT-H", currency: "mxn", unit_amount: 150_000, type: "one_time", active: true })
    expect(price.unit_amount_decimal?.toString()).toBe("150000")
    expect((await failure(stripe.products.create({ id: "SKU-CONT-H", name: "Otra" }))).code).toBe("resource_already_exists")
    const found = await stripe.products.search({ query: "name~'contable' AND active:'true'" })
    expect(found.data.map((x) => x.id)).toEqual(["SKU-CONT-H"])
    const expanded = await stripe.products.retrieve("SKU-CONT-H", { expand: ["default_price"] })
    expect((expanded.default_price as Stripe.Price).unit_amount).toBe(150_000)
  })

  it("takes only an active price of its own as default_price, bumps `updated`, and refuses deleting a product with prices", async () => {
    const a = await stripe.products.create({ name: "Licencia" })
    const b = await stripe.products.create({ name: "Soporte" })
    const other = await stripe.prices.create({ product: b.id, currency: "cop", unit_amount: 25_000_000 })
    expect((await failure(stripe.products.update(a.id, { default_price: other.id }))).param).toBe("default_price")
    const own = await stripe.prices.create({ product: a.id, currency: "usd", unit_amount: 4_900 })
    sim.clock.advance(5_000)
    const updated = await stripe.products.update(a.id, { default_price: own.id })
    expect(updated.default_price).toBe(own.id)
    expect(updated.updated).toBeGreaterThan(a.updated)
    await stripe.prices.update(own.id, { active: false })
    expect((await failure(stripe.products.update(b.id, { default_price: own.id }))).statusCode).toBe(400)
    expect((await failure(stripe.products.del(a.id))).message).toContain("prices")
    const bare = await stripe.products.create({ name: "Sin precio" })
    expect(await stripe.products.del(bare.id)).toEqual({ id: bare.id, object: "product", deleted: true })
    expect((await failure(stripe.products.retrieve(bare.id))).statusCode).toBe(404)
  })
})

describe("prices", () => {
  it("keeps amounts immutable: an update carrying unit_amount is an unknown parameter", async () => {
    const p = await stripe.products.create({ name: "Hosting" })
    const price = await stripe.prices.create({ product: p.id, currency: "usd", unit_amount: 4_900, lookup_key: "hosting-monthly" })
    const e = await failure(stripe.prices.update(price.id, { unit_amount: 5_900 } as Stripe.PriceUpdateParams))
    expect(e.code).toBe("parameter_unknown")
    expect(e.param).toBe("unit_amount")
    expect((await stripe.prices.retrieve(price.id)).unit_amount).toBe(4_900)
    const renamed = await stripe.prices.update(price.id, { nickname: "Mensual", metadata: { plan: "basic" } })
    expect(renamed).toMatchObject({ nickname: "Mensual", unit_amount: 4_900, metadata: { plan: "basic" } })
  })

  it("takes unit_amount_decimal as a decimal string (sub-unit precision) and answers it as one", async () => {
    const p = await stripe.products.create({ name: "Kilowatt-hora" })
    const price = await stripe.prices.create({ product: p.id, currency: "clp", unit_amount_decimal: Stripe.Decimal.from("118.3333") })
    expect(price.unit_amount).toBeNull()
    expect(price.unit_amount_decimal?.toString()).toBe("118.3333")
    const wire = await raw(sim, "GET", `/v1/prices/${price.id}`)
    expect(wire.body.unit_amount_decimal).toBe("118.3333")
    const both = await failure(stripe.prices.create({ product: p.id, currency: "usd", unit_amount: 1, unit_amount_decimal: Stripe.Decimal.from("1") }))
    expect(both.code).toBe("parameters_exclusive")
    expect((await failure(stripe.prices.create({ product: p.id, currency: "usd" }))).code).toBe("parameter_missing")
    expect((await failure(stripe.prices.create({ product: p.id, currency: "mxm", unit_amount: 1 }))).param).toBe("currency")
    expect((await failure(stripe.prices.create({ product: p.id, currency: "usd", unit_amount: -1 }))).param).toBe("unit_amount")
  })

  it("sets tax_behavior once, keeps lookup keys unique (or transfers them), and filters lists", async () => {
    const p = await stripe.products.create({ name: "Capacitación" })
    const a = await stripe.prices.create({ product: p.id, currency: "clp", unit_amount: 180_000, lookup_key: "cap" })
    expect((await stripe.prices.update(a.id, { tax_behavior: "inclusive" })).tax_behavior).toBe("inclusive")
    expect((await failure(stripe.prices.update(a.id, { tax_behavior: "exclusive" }))).param).toBe("tax_behavior")
    expect((await failure(stripe.prices.create({ product: p.id, currency: "clp", unit_amount: 1, lookup_key: "cap" }))).code).toBe("resource_already_exists")
    const b = await stripe.prices.create({ product: p.id, currency: "clp", unit_amount: 200_000, lookup_key: "cap", transfer_lookup_key: true })
    expect((await stripe.prices.retrieve(a.id)).lookup_key).toBeNull()
    expect((await stripe.prices.list({ lookup_keys: ["cap"] })).data.map((x) => x.id)).toEqual([b.id])
    expect((await stripe.prices.list({ product: p.id })).data.map((x) => x.id)).toEqual([b.id, a.id])
    expect((await stripe.prices.list({ product: p.id, currency: "usd" })).data).toEqual([])
  })
})

describe("tax rates", () => {
  it("creates inclusive and exclusive rates with up to 4 decimals, immutable percentage", async () => {
    const iva = await stripe.taxRates.create({ display_name: "IVA", percentage: 16, inclusive: false, country: "MX" })
    expect(iva).toMatchObject({ object: "tax_rate", percentage: 16, inclusive: false, active: true, country: "MX" })
    expect(iva.id).toMatch(/^txr_/)
    const odd = await stripe.taxRates.create({ display_name: "ICA", percentage: 0.9664, inclusive: true })
    expect(odd.percentage).toBe(0.9664)
    expect((await failure(stripe.taxRates.create({ display_name: "x", percentage: 1.23456, inclusive: false }))).param).toBe("percentage")
    expect((await failure(stripe.taxRates.create({ display_name: "x", percentage: 101, inclusive: false }))).param).toBe("percentage")
    expect((await failure(stripe.taxRates.update(iva.id, { percentage: 8 } as Stripe.TaxRateUpdateParams))).code).toBe("parameter_unknown")
    const off = await stripe.taxRates.update(iva.id, { active: false })
    expect(off.active).toBe(false)
    expect((await stripe.taxRates.list({ active: true })).data.map((t) => t.id)).toEqual([odd.id])
    expect((await stripe.taxRates.list({ inclusive: false })).data.map((t) => t.id)).toEqual([iva.id])
  })
})
