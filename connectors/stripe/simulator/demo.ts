/**
 * The Stripe simulator as `alegra-sync demo` uses it (src/main.ts imports this lazily): an account
 * with tax rates and a webhook endpoint pointing at the daemon, and live sales on demand — new
 * customers with tax ids buying products by card, invoices sent to be paid by transfer, refunds.
 * Structurally matches the StripeDemo interface of src/cli/demo.ts (connectors never import the
 * engine). Dashboard changes go through `admin`, so they carry the events real ones would.
 */
import { nitCheckDigit } from "./resources/tax-id-rules.js"
import { startStripeSimulator } from "./simulator.js"
import type { Objects } from "./state.js"

export interface StripeDemoOptions {
  /** Where the daemon receives Stripe's webhooks. */
  readonly webhookUrl: string
  /** Alegra tax ids for the account's rates: IVA 16% (Mexico) and IVA 19% (Colombia). */
  readonly alegraTaxes: { readonly mx16: string; readonly co19: string }
}

export interface StripeDemoSale {
  readonly description: string
  /** The Stripe invoice, and whether it waits for a payment recorded elsewhere (Alegra). */
  readonly invoice: string
  readonly awaitsPayment: boolean
  /** The refund, when the step refunds part of an earlier sale. */
  readonly refund?: string
}

export interface StripeDemoHandle {
  readonly url: string
  readonly apiKey: string
  readonly webhookSecret: string
  /** Stripe tax rate id → Alegra tax id, for the config's `stripe.taxRates`. */
  readonly taxRates: Readonly<Record<string, string>>
  readonly counts: () => Readonly<Record<string, number>>
  /** The next sale of the demo's script (one per call, cycling). */
  readonly nextSale: () => StripeDemoSale
  readonly invoiceStatus: (id: string) => string | undefined
  readonly close: () => Promise<void>
}

interface Buyer {
  readonly name: string
  readonly email: string
  readonly country: "MX" | "CO"
  readonly taxId: { readonly type: "mx_rfc" | "co_nit"; readonly value: string }
}

const buyers: ReadonlyArray<Buyer> = [
  { name: "Tienda Azul S.A. de C.V.", email: "pagos@tienda-azul.mx", country: "MX", taxId: { type: "mx_rfc", value: "TAZ0803157M2" } },
  { name: "Café de Altura S.A.S.", email: "cuentas@cafedealtura.co", country: "CO", taxId: { type: "co_nit", value: `901.234.567-${nitCheckDigit("901234567")}` } },
  { name: "Jorge Ramírez Salas", email: "jorge.ramirez@correo.mx", country: "MX", taxId: { type: "mx_rfc", value: "RASJ7907226H1" } },
  { name: "Distribuidora Pacífico S.A. de C.V.", email: "cxp@dpacifico.mx", country: "MX", taxId: { type: "mx_rfc", value: "DPA1105205K9" } }
]

export const startStripeDemo = async (options: StripeDemoOptions): Promise<StripeDemoHandle> => {
  const sim = await startStripeSimulator({ opsPerSecond: 25, searchLagMs: 1_000 })
  const admin = sim.admin
  const mx16 = admin.createTaxRate({ display_name: "IVA", percentage: 16, inclusive: false, country: "MX", description: "IVA México 16%" })
  const co19 = admin.createTaxRate({ display_name: "IVA", percentage: 19, inclusive: false, country: "CO", description: "IVA Colombia 19%" })
  const endpoint = admin.request("POST", "/v1/webhook_endpoints", { url: options.webhookUrl, enabled_events: ["*"] }) as { id: string }
  const catalog = {
    MX: {
      currency: "mxn",
      rate: mx16.id,
      products: [
        admin.createProduct({ name: "Suscripción mensual Pro", metadata: { sku: "SUB-PRO-M" }, default_price_data: { currency: "mxn", unit_amount: 1_499_00 } }),
        admin.createProduct({ name: "Implementación (hora)", metadata: { sku: "IMP-HORA" }, default_price_data: { currency: "mxn", unit_amount: 850_00 } })
      ]
    },
    CO: {
      currency: "cop",
      rate: co19.id,
      products: [
        admin.createProduct({ name: "Plan anual Empresas", metadata: { sku: "PLAN-EMP-A" }, default_price_data: { currency: "cop", unit_amount: 2_400_000_00 } }),
        admin.createProduct({ name: "Capacitación virtual", metadata: { sku: "CAP-VIRT" }, default_price_data: { currency: "cop", unit_amount: 180_000_00 } })
      ]
    }
  } as const
  const customers = new Map<string, Objects["customer"]>()
  const customerOf = (buyer: Buyer) => {
    const known = customers.get(buyer.email)
    if (known !== undefined) return known
    const created = admin.createCustomer({ name: buyer.name, email: buyer.email, address: { country: buyer.country }, tax_id_data: [buyer.taxId] })
    customers.set(buyer.email, created)
    return created
  }
  const cardPaid: Array<Objects["invoice"]> = []
  let step = 0

  const nextSale = (): StripeDemoSale => {
    const n = step++
    // Every fourth step refunds part of an earlier card sale: a credit note in Alegra.
    const refundable = cardPaid.at(-1)
    if (n % 4 === 3 && refundable !== undefined) {
      cardPaid.pop()
      const amount = Math.round(refundable.total / 4)
      const refund = admin.refund({ payment_intent: paymentIntentOf(refundable.id), amount })
      return {
        description: `refund of ${money(amount, refundable.currency)} on ${refundable.number} (${refundable.customer_name})`,
        invoice: refundable.id,
        awaitsPayment: false,
        refund: refund.id
      }
    }
    const buyer = buyers[n % buyers.length]!
    const customer = customerOf(buyer)
    const { currency, rate, products } = catalog[buyer.country]
    const byTransfer = n % 2 === 1
    const invoice = admin.createInvoice({
      customer: customer.id,
      currency,
      default_tax_rates: [rate],
      ...(byTransfer ? { collection_method: "send_invoice" as const, days_until_due: 15 } : {}),
      lines: products.map((p, i) => ({ pricing: { price: p.default_price as string }, quantity: i + 1 })),
      finalize: true
    })
    if (byTransfer) {
      return {
        description: `invoice ${invoice.number} to ${buyer.name} for ${money(invoice.total, currency)}, sent to be paid by transfer`,
        invoice: invoice.id,
        awaitsPayment: true
      }
    }
    const paid = admin.payInvoice(invoice.id, { paymentMethod: buyer.country === "MX" ? "pm_card_mx" : "pm_card_visa" })
    cardPaid.push(paid)
    return { description: `${buyer.name} paid ${paid.number} by card: ${money(paid.total, currency)}`, invoice: paid.id, awaitsPayment: false }
  }

  const paymentIntentOf = (invoice: string): string => {
    const payment = admin.list("invoice_payment").find((p) => p.invoice === invoice && p.status === "paid")
    return (payment?.payment as { payment_intent: string }).payment_intent
  }

  return {
    url: sim.url,
    apiKey: sim.apiKey,
    webhookSecret: admin.webhookSecret(endpoint.id)!,
    taxRates: { [mx16.id]: options.alegraTaxes.mx16, [co19.id]: options.alegraTaxes.co19 },
    counts: () => ({ customer: admin.count("customer"), invoice: admin.count("invoice"), refund: admin.count("refund") }),
    nextSale,
    invoiceStatus: (id) => admin.get("invoice", id)?.status ?? undefined,
    close: () => sim.close()
  }
}

const money = (minor: number, currency: string) =>
  `${(minor / 100).toLocaleString("es-MX", { minimumFractionDigits: 2 })} ${currency.toUpperCase()}`
