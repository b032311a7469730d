/** Helpers for the Stripe simulator tests: a simulator and an SDK client, raw HTTP, a webhook receiver, polling. */
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import Stripe from "stripe"
import { afterAll, beforeAll } from "vitest"
import { startStripeSimulator, type StripeSimulator, type StripeSimulatorOptions } from "../../connectors/stripe/simulator/index.js"

export { Stripe }

/** A simulator without rate limits or search lag unless a test asks for them. */
export const start = (options: StripeSimulatorOptions = {}): Promise<StripeSimulator> =>
  startStripeSimulator({ opsPerSecond: Number.POSITIVE_INFINITY, searchOpsPerSecond: Number.POSITIVE_INFINITY, searchLagMs: 0, ...options })

/** The official SDK pointed at the simulator. */
export const client = (sim: StripeSimulator, config: Omit<Stripe.StripeConfig, "host" | "port" | "protocol"> = {}): Stripe =>
  new Stripe(sim.apiKey, { ...sim.clientOptions(), maxNetworkRetries: 0, telemetry: false, ...config })

export interface Reply {
  readonly status: number
  readonly headers: Headers
  // Tests read wire JSON loosely on purpose.
  readonly body: any
  readonly text: string
}

/** A raw request (for headers, exact wire bodies, and what the SDK would never send). */
export const raw = async (
  sim: StripeSimulator,
  method: string,
  path: string,
  options: { readonly form?: string; readonly headers?: Record<string, string>; readonly key?: string | null } = {}
): Promise<Reply> => {
  const headers: Record<string, string> = { ...(options.key === null ? {} : { authorization: `Bearer ${options.key ?? sim.apiKey}` }), ...options.headers }
  if (options.form !== undefined) headers["content-type"] ??= "application/x-www-form-urlencoded"
  const res = await fetch(`${sim.url}${path}`, { method, headers, ...(options.form === undefined ? {} : { body: options.form }) })
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, body, text }
}

export { waitFor } from "../support/process.js"

export interface Harness {
  readonly sim: StripeSimulator
  readonly stripe: Stripe
}

/** A simulator and an SDK client on it for the file's tests: started before them, closed after. */
export const harness = (options: StripeSimulatorOptions = {}): Harness => {
  let sim: StripeSimulator | undefined
  let stripe: Stripe | undefined
  beforeAll(async () => {
    sim = await start(options)
    stripe = client(sim)
  })
  afterAll(() => sim?.close())
  return {
    get sim() {
      return sim!
    },
    get stripe() {
      return stripe!
    }
  }
}

/** The SDK error a promise rejects with. */
export const failure = async (p: Promise<unknown>): Promise<Stripe.errors.StripeError> => {
  try {
    await p
  } catch (e) {
    if (e instanceof Stripe.errors.StripeError) return e
    throw e
  }
  throw new Error("expected the call to fail")
}

export interface Received {
  readonly at: number
  readonly headers: IncomingHttpHeaders
  /** The exact bytes received, as text. */
  readonly body: string
}

export interface Receiver {
  readonly url: string
  readonly received: Array<Received>
  /** Status answered (a function of the delivery's index when given one) and delay. */
  mode: { status: number | ((index: number) => number); delayMs: number }
  /** Event ids in arrival order. */
  eventIds(): Array<string>
  close(): Promise<void>
}

export const startReceiver = async (): Promise<Receiver> => {
  const received: Array<Received> = []
  const mode: Receiver["mode"] = { status: 200, delayMs: 0 }
  const server = createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (c: string) => (body += c))
    req.on("end", () => {
      const index = received.length
      received.push({ at: Date.now(), headers: req.headers, body })
      const status = typeof mode.status === "function" ? mode.status(index) : mode.status
      const answer = (): void => {
        if (res.destroyed) return
        res.writeHead(status, { "content-type": "text/plain" })
        res.end("ok")
      }
      if (mode.delayMs > 0) setTimeout(answer, mode.delayMs)
      else answer()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/stripe/webhooks`,
    received,
    mode,
    eventIds: () => received.map((r) => (JSON.parse(r.body) as { id: string }).id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** A customer, a 16% exclusive tax rate and a one-time MXN price, made through the SDK. */
export const basics = async (stripe: Stripe) => {
  const customer = await stripe.customers.create({ name: "Comercializadora del Bajío", email: "compras@bajio.mx" })
  const tax = await stripe.taxRates.create({ display_name: "IVA", percentage: 16, inclusive: false })
  const product = await stripe.products.create({ name: "Consultoría", default_price_data: { currency: "mxn", unit_amount: 150_000 } })
  return { customer, tax, product, price: product.default_price as string }
}

/** A finalized invoice of `quantity` × price for the customer (in MXN unless `extra` says otherwise). */
export const openInvoice = async (stripe: Stripe, customer: string, price: string, quantity = 1, extra: Stripe.InvoiceCreateParams = {}) => {
  const draft = await stripe.invoices.create({ customer, currency: "mxn", ...extra })
  await stripe.invoiceItems.create({ customer, invoice: draft.id, pricing: { price }, quantity })
  return stripe.invoices.finalizeInvoice(draft.id)
}
