/**
 * seedAccount: a deterministic sample account built through the dashboard (admin), so it carries
 * the same events real history would. The `demo` preset: customers with tax ids in Mexico,
 * Colombia and Chile (and one in the US), tax rates, products with prices in MXN, COP, CLP and
 * USD, and invoices paid by card, paid out of band, open, refunded and credited. `volume` adds
 * generated customers and invoices on top (for paging and the benchmark).
 */
import { nitCheckDigit, rutCheckDigit } from "./resources/tax-id-rules.js"
import type { StripeSimulator } from "./simulator.js"
import type { Objects } from "./state.js"

export interface SeedSizes {
  /** Generated customers beyond the fixed demo ones. */
  readonly extraCustomers: number
  /** Generated invoices (one line each) beyond the fixed demo ones. */
  readonly extraInvoices: number
}

export const presets: { readonly demo: SeedSizes; readonly volume: SeedSizes } = {
  demo: { extraCustomers: 0, extraInvoices: 0 },
  volume: { extraCustomers: 150, extraInvoices: 300 }
}

export interface SeedSummary {
  readonly counts: Readonly<Record<string, number>>
  readonly customers: Readonly<Record<"mx" | "mxPerson" | "co" | "cl" | "us", string>>
  readonly elapsedMs: number
}

/** mulberry32: deterministic choices for generated records. */
const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const nit = (digits: string): string => `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6)}-${nitCheckDigit(digits)}`
const rut = (digits: string): string => `${digits.slice(0, 2)}.${digits.slice(2, 5)}.${digits.slice(5)}-${rutCheckDigit(digits)}`

export const seedAccount = (sim: StripeSimulator, sizes: SeedSizes = presets.demo): SeedSummary => {
  const started = Date.now()
  const admin = sim.admin
  const ivaMx = admin.createTaxRate({ display_name: "IVA", percentage: 16, inclusive: false, country: "MX", tax_type: "vat", description: "IVA México 16%" })
  const ivaCo = admin.createTaxRate({ display_name: "IVA", percentage: 19, inclusive: false, country: "CO", tax_type: "vat", description: "IVA Colombia 19%" })
  const ivaCl = admin.createTaxRate({ display_name: "IVA", percentage: 19, inclusive: true, country: "CL", tax_type: "vat", description: "IVA Chile 19% (incluido)" })

  const mx = admin.createCustomer({
    name: "Comercializadora del Bajío S.A. de C.V.",
    email: "compras@bajio-comercial.mx",
    phone: "+52 442 123 4567",
    address: { line1: "Av. Constituyentes 120", city: "Querétaro", state: "QRO", postal_code: "76000", country: "MX" },
    tax_id_data: [{ type: "mx_rfc", value: "CBA0102031X5" }],
    preferred_locales: ["es-MX"]
  })
  const mxPerson = admin.createCustomer({
    name: "María Fernanda López Ortiz",
    email: "mf.lopez@correo.mx",
    address: { line1: "Calle Reforma 45", city: "Guadalajara", state: "JAL", postal_code: "44100", country: "MX" },
    tax_id_data: [{ type: "mx_rfc", value: "LOOM850412KJ3" }]
  })
  const co = admin.createCustomer({
    name: "Ferretería Andina S.A.S.",
    email: "contabilidad@ferreteria-andina.co",
    phone: "+57 601 555 0101",
    address: { line1: "Carrera 7 # 71-21", city: "Bogotá", postal_code: "110231", country: "CO" },
    tax_id_data: [{ type: "co_nit", value: nit("900123456") }]
  })
  const cl = admin.createCustomer({
    name: "Importadora Austral SpA",
    email: "finanzas@austral.cl",
    address: { line1: "Av. Providencia 1208", city: "Santiago", postal_code: "7500000", country: "CL" },
    tax_id_data: [{ type: "cl_tin", value: rut("76543210") }]
  })
  const us = admin.createCustomer({
    name: "Northwind Traders LLC",
    email: "ap@northwind.example",
    address: { line1: "500 Market St", city: "San Francisco", state: "CA", postal_code: "94105", country: "US" },
    tax_id_data: [{ type: "us_ein", value: "12-3456789" }]
  })

  const product = (name: string, currency: string, unitAmount: number, sku: string): Objects["product"] =>
    admin.createProduct({ name, metadata: { sku }, default_price_data: { currency, unit_amount: unitAmount } })
  const consulting = product("Consultoría contable (hora)", "mxn", 150_000, "SRV-CONT-H")
  const license = product("Licencia anual de software", "mxn", 1_200_000, "LIC-ANUAL")
  const support = product("Soporte técnico mensual", "cop", 25_000_000, "SOP-MES")
  const training = product("Capacitación presencial", "clp", 180_000, "CAP-PRES")
  const hosting = product("Hosting mensual", "usd", 4_900, "HOST-MES")
  const price = (p: Objects["product"]): string => p.default_price as string

  // Mexico: paid by card (IVA 16%), open with a pre-payment credit note, paid and partly refunded.
  const mxPaid = admin.createInvoice({
    customer: mx.id,
    currency: "mxn",
    default_tax_rates: [ivaMx.id],
    lines: [{ pricing: { price: price(consulting) }, quantity: 6 }, { pricing: { price: price(license) }, quantity: 1 }],
    finalize: true
  })
  admin.payInvoice(mxPaid.id, { paymentMethod: "pm_card_mx" })
  const mxOpen = admin.createInvoice({
    customer: mxPerson.id,
    currency: "mxn",
    collection_method: "send_invoice",
    days_until_due: 30,
    default_tax_rates: [ivaMx.id],
    lines: [{ pricing: { price: price(consulting) }, quantity: 2 }],
    finalize: true
  })
  admin.createCreditNote({ invoice: mxOpen.id, lines: [{ type: "invoice_line_item", invoice_line_item: mxOpen.lines.data[0]!.id, quantity: 1 }], reason: "order_change" })
  const mxRefunded = admin.createInvoice({
    customer: mx.id,
    currency: "mxn",
    default_tax_rates: [ivaMx.id],
    lines: [{ pricing: { price: price(consulting) }, quantity: 3 }],
    finalize: true
  })
  admin.payInvoice(mxRefunded.id)
  admin.createCreditNote({ invoice: mxRefunded.id, lines: [{ type: "invoice_line_item", invoice_line_item: mxRefunded.lines.data[0]!.id, quantity: 1 }], refund_amount: 174_000 })

  // Colombia: paid out of band (a bank transfer recorded by hand), and an open one.
  const coPaid = admin.createInvoice({ customer: co.id, currency: "cop", default_tax_rates: [ivaCo.id], lines: [{ pricing: { price: price(support) }, quantity: 2 }], finalize: true })
  admin.payInvoiceOutOfBand(coPaid.id)
  admin.createInvoice({
    customer: co.id,
    currency: "cop",
    collection_method: "send_invoice",
    days_until_due: 15,
    default_tax_rates: [ivaCo.id],
    lines: [{ pricing: { price: price(support) }, quantity: 1 }],
    finalize: true
  })

  // Chile (zero-decimal CLP, IVA included in the price): paid by card; a draft.
  const clPaid = admin.createInvoice({ customer: cl.id, currency: "clp", default_tax_rates: [ivaCl.id], lines: [{ pricing: { price: price(training) }, quantity: 3 }], finalize: true })
  admin.payInvoice(clPaid.id)
  admin.createInvoice({ customer: cl.id, currency: "clp", lines: [{ price_data: { currency: "clp", product: training.id, unit_amount: 95_000 }, quantity: 1, tax_rates: [ivaCl.id] }] })

  // United States: paid by card, then a voided one.
  const usPaid = admin.createInvoice({ customer: us.id, currency: "usd", lines: [{ pricing: { price: price(hosting) }, quantity: 12 }], finalize: true })
  admin.payInvoice(usPaid.id, { paymentMethod: "pm_card_mastercard" })
  const usVoid = admin.createInvoice({ customer: us.id, currency: "usd", lines: [{ amount: 2_500, description: "Setup fee" }], finalize: true })
  admin.voidInvoice(usVoid.id)

  // Generated volume: simple customers and one-line invoices in the four currencies.
  const random = prng(0x5713)
  const generated: Array<Objects["customer"]> = []
  for (let i = 0; i < sizes.extraCustomers; i++) {
    const n = String(i + 1).padStart(4, "0")
    generated.push(admin.createCustomer({ name: `Cliente Generado ${n}`, email: `cliente${n}@ejemplo.com`, metadata: { seed: "volume" } }))
  }
  const catalog = [
    { p: consulting, currency: "mxn", rate: ivaMx.id },
    { p: support, currency: "cop", rate: ivaCo.id },
    { p: training, currency: "clp", rate: ivaCl.id },
    { p: hosting, currency: "usd", rate: undefined }
  ] as const
  const pool = generated.length > 0 ? generated : [mx, co, cl, us]
  for (let i = 0; i < sizes.extraInvoices; i++) {
    const customer = pool[Math.floor(random() * pool.length)]!
    const item = catalog[Math.floor(random() * catalog.length)]!
    const invoice = admin.createInvoice({
      customer: customer.id,
      currency: item.currency,
      ...(item.rate === undefined ? {} : { default_tax_rates: [item.rate] }),
      lines: [{ pricing: { price: price(item.p) }, quantity: 1 + Math.floor(random() * 5) }],
      finalize: random() < 0.85
    })
    if (invoice.status === "open" && random() < 0.6) admin.payInvoice(invoice.id)
  }

  const kinds = ["customer", "tax_id", "product", "price", "tax_rate", "invoice", "invoiceitem", "payment_intent", "charge", "refund", "credit_note", "event"] as const
  return {
    counts: Object.fromEntries(kinds.map((k) => [k, admin.count(k)])),
    customers: { mx: mx.id, mxPerson: mxPerson.id, co: co.id, cl: cl.id, us: us.id },
    elapsedMs: Date.now() - started
  }
}
