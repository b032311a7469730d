/** Lists (cursors, limits, the auto-pager), expand, and search with its query language and lag. */
import { beforeAll, describe, expect, it } from "vitest"
import { failure, harness, openInvoice, raw, Stripe } from "./support.js"

const t = harness()
let ids: Array<string>

beforeAll(async () => {
  ids = []
  for (let i = 0; i < 130; i++) ids.push(t.sim.admin.createCustomer({ name: `Paginado ${String(i).padStart(3, "0")}`, metadata: { batch: "paging" } }).id)
})

describe("lists", () => {
  it("pages newest first with limit, starting_after and ending_before, and the auto-pager walks >100 records", async () => {
    const newestFirst = [...ids].reverse()
    const first = await t.stripe.customers.list({ limit: 100 })
    expect(first).toMatchObject({ object: "list", has_more: true, url: "/v1/customers" })
    expect(first.data.map((c) => c.id)).toEqual(newestFirst.slice(0, 100))
    const second = await t.stripe.customers.list({ limit: 100, starting_after: first.data[99]!.id })
    expect(second.has_more).toBe(false)
    expect(second.data.map((c) => c.id)).toEqual(newestFirst.slice(100))
    const back = await t.stripe.customers.list({ limit: 5, ending_before: newestFirst[20]! })
    expect(back.data.map((c) => c.id)).toEqual(newestFirst.slice(15, 20))
    expect(back.has_more).toBe(true)
    const all = await t.stripe.customers.list({ limit: 7 }).autoPagingToArray({ limit: 1000 })
    expect(all.map((c) => c.id)).toEqual(newestFirst)
    const reverse = await t.stripe.customers.list({ limit: 9, ending_before: newestFirst[129]! }).autoPagingToArray({ limit: 1000 })
    expect(reverse.map((c) => c.id)).toEqual(newestFirst.slice(0, 129).reverse())
    expect((await t.stripe.customers.list()).data).toHaveLength(10)
    const getCount = t.sim.stats.count("GET", "/v1/customers")
    expect(getCount).toBeGreaterThan(20)
  })

  it("refuses limit above 100 or below 1, unknown cursors and both cursors at once", async () => {
    const over = await failure(t.stripe.customers.list({ limit: 101 }))
    expect(over.param).toBe("limit")
    expect(over.message).toContain("100")
    expect((await failure(t.stripe.customers.list({ limit: 0 }))).param).toBe("limit")
    const cursor = await failure(t.stripe.customers.list({ starting_after: "cus_NoSuchCursor01" }))
    expect(cursor).toMatchObject({ code: "resource_missing", param: "starting_after" })
    expect((await failure(t.stripe.customers.list({ starting_after: ids[3]!, ending_before: ids[9]! }))).code).toBe("parameters_exclusive")
  })
})

describe("expand", () => {
  it("expands ids into objects on retrieve and lists (data.…), to four levels, and refuses the rest", async () => {
    const product = await t.stripe.products.create({ name: "Widget", default_price_data: { currency: "usd", unit_amount: 500 } })
    const customer = await t.stripe.customers.create({ name: "Expand" })
    const inv = await openInvoice(t.stripe, customer.id, product.default_price as string, 1, { currency: "usd" })
    const withCustomer = await t.stripe.invoices.retrieve(inv.id, { expand: ["customer", "lines.data.pricing.price_details.price"] })
    expect((withCustomer.customer as Stripe.Customer).name).toBe("Expand")
    const price = withCustomer.lines.data[0]!.pricing!.price_details!.price as Stripe.Price
    expect(price.unit_amount).toBe(500)
    const listed = await t.stripe.invoices.list({ customer: customer.id, expand: ["data.customer"] })
    expect((listed.data[0]!.customer as Stripe.Customer).id).toBe(customer.id)
    const deep = await t.stripe.prices.retrieve(product.default_price as string, { expand: ["product.default_price.product"] })
    expect(((deep.product as Stripe.Product).default_price as Stripe.Price).product).toMatchObject({ id: product.id })
    expect((await failure(t.stripe.customers.retrieve(customer.id, { expand: ["email"] }))).message).toContain("cannot be expanded (email)")
    expect((await failure(t.stripe.invoices.list({ expand: ["customer"] }))).statusCode).toBe(400)
    expect((await failure(t.stripe.prices.retrieve(product.default_price as string, { expand: ["product.default_price.product.default_price.product"] }))).message).toContain("levels")
    await t.stripe.customers.del(customer.id)
    const gone = await t.stripe.invoices.retrieve(inv.id, { expand: ["customer"] })
    expect(gone.customer).toEqual({ id: customer.id, object: "customer", deleted: true })
  })
})

describe("search", () => {
  it("supports field:'value', ~ substrings, metadata, numbers and AND/OR (not both), paging with next_page", async () => {
    const a = t.sim.admin.createCustomer({ name: "Tienda La Esquina", email: "compras@esquina.co", metadata: { alegra_id: "101" } })
    const b = t.sim.admin.createCustomer({ name: "Ferretería Esquina Norte", email: "pagos@norte.co", metadata: { alegra_id: "102" } })
    const hits = async (query: string): Promise<Array<string>> => (await t.stripe.customers.search({ query })).data.map((c) => c.id)
    expect(await hits("email:'compras@esquina.co'")).toEqual([a.id])
    expect(await hits("email:'COMPRAS@esquina.co'")).toEqual([a.id])
    expect(await hits("name~'esquina'")).toEqual([b.id, a.id])
    expect(await hits("metadata['alegra_id']:'102'")).toEqual([b.id])
    expect(await hits("name~'esquina' AND -metadata['alegra_id']:'102'")).toEqual([a.id])
    expect(await hits("metadata['alegra_id']:'101' OR metadata['alegra_id']:'102'")).toEqual([b.id, a.id])
    expect((await hits(`created>=${a.created}`)).length).toBeGreaterThanOrEqual(2)
    for (const bad of ["name:'a' AND email:'b' OR phone:'c'", "name:esquina", "nombre:'x'", "name~'ab'", "created>'5'", ""]) {
      const e = await failure(t.stripe.customers.search({ query: bad }))
      expect(e.param, bad).toBe("query")
    }
    const page = await t.stripe.customers.search({ query: "metadata['batch']:'paging'", limit: 50 })
    expect(page).toMatchObject({ object: "search_result", has_more: true, url: "/v1/customers/search" })
    expect(page.next_page).toEqual(expect.any(String))
    const everything = await t.stripe.customers.search({ query: "metadata['batch']:'paging'", limit: 50 }).autoPagingToArray({ limit: 1000 })
    expect(everything.map((c) => c.id)).toEqual([...ids].reverse())
    const wrongPage = await failure(t.stripe.customers.search({ query: "name~'esquina'", page: page.next_page! }))
    expect(wrongPage.param).toBe("page")
  })

  it("lags behind writes: a new customer, an edit and a deletion show only after the lag", async () => {
    t.sim.search.lagMs = 60_000
    try {
      const c = await t.stripe.customers.create({ name: "Recién Creado", email: "nuevo@lag.co" })
      expect((await t.stripe.customers.search({ query: "email:'nuevo@lag.co'" })).data).toEqual([])
      expect((await t.stripe.customers.list({ email: "nuevo@lag.co" })).data.map((x) => x.id)).toEqual([c.id])
      t.sim.clock.advance(60_000)
      expect((await t.stripe.customers.search({ query: "email:'nuevo@lag.co'" })).data.map((x) => x.id)).toEqual([c.id])
      await t.stripe.customers.update(c.id, { email: "cambiado@lag.co" })
      expect((await t.stripe.customers.search({ query: "email:'nuevo@lag.co'" })).data.map((x) => x.email)).toEqual(["nuevo@lag.co"])
      expect((await t.stripe.customers.search({ query: "email:'cambiado@lag.co'" })).data).toEqual([])
      t.sim.clock.advance(60_000)
      expect((await t.stripe.customers.search({ query: "email:'cambiado@lag.co'" })).data.map((x) => x.id)).toEqual([c.id])
      await t.stripe.customers.del(c.id)
      expect((await t.stripe.customers.search({ query: "email:'cambiado@lag.co'" })).data).toHaveLength(1)
      t.sim.clock.advance(60_000)
      expect((await t.stripe.customers.search({ query: "email:'cambiado@lag.co'" })).data).toEqual([])
    } finally {
      t.sim.search.lagMs = 0
    }
  })

  it("searches products, prices, invoices, payment intents and charges on their own fields", async () => {
    const p = await t.stripe.products.create({ name: "Buscable", default_price_data: { currency: "cop", unit_amount: 1_000_000 } })
    const c = await t.stripe.customers.create({ name: "Buscador" })
    const inv = await openInvoice(t.stripe, c.id, p.default_price as string, 1, { currency: "cop" })
    await t.stripe.invoices.pay(inv.id, { payment_method: "pm_card_visa" })
    expect((await t.stripe.prices.search({ query: `product:'${p.id}' AND currency:'cop'` })).data.map((x) => x.id)).toEqual([p.default_price])
    expect((await t.stripe.invoices.search({ query: `customer:'${c.id}' AND status:'paid' AND total>999999` })).data.map((x) => x.id)).toEqual([inv.id])
    expect((await t.stripe.paymentIntents.search({ query: `customer:'${c.id}' AND status:'succeeded'` })).data).toHaveLength(1)
    expect((await t.stripe.charges.search({ query: `customer:'${c.id}' AND amount:1000000` })).data).toHaveLength(1)
    expect((await failure(t.stripe.invoices.search({ query: "email:'x@y.co'" }))).message).toContain("unsupported search field")
    const wire = await raw(t.sim, "GET", "/v1/refunds/search?query=amount%3E1")
    expect(wire.status).toBeGreaterThanOrEqual(400)
    expect(wire.body.object).toBeUndefined()
  })
})
