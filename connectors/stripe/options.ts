/**
 * What the composition root gives the Stripe connector (plain values from the config), its
 * defaults, and the checks a config can run on them before anything starts.
 */
import type { Redacted } from "effect"

export interface StripeConnectorOptions {
  /** A secret or restricted key (sk_live_…, sk_test_…, rk_…). */
  readonly apiKey: Redacted.Redacted<string>
  /** The signing secret of the webhook endpoint (whsec_…). */
  readonly webhookSecret: Redacted.Redacted<string>
  /** "https://api.stripe.com", or a simulator's "http://127.0.0.1:PORT": scheme, host and port only. */
  readonly baseUrl: string
  /** Requests per second Stripe allows this account: 100 live, 25 in test mode. */
  readonly opsPerSecond: number
  /** Stripe payment method type (a charge's `payment_method_details.type`) → Alegra payment method. */
  readonly paymentMethods?: Readonly<Record<string, string>>
  /** POST path of the webhook route; default "/webhooks/stripe". */
  readonly webhookPath?: string
  /** Requests in flight at once; default 4. */
  readonly maxConcurrency?: number
  /** Per request, including the SDK's own retries of network failures; default 30 000. */
  readonly requestTimeoutMs?: number
  /** How long a request keeps waiting out 429s before it fails with reason "rate-limit"; default 30 000. */
  readonly maxRateLimitWaitMs?: number
  /** How often the events poller runs (it also runs at start-up); default 60 000. */
  readonly pollEveryMs?: number
}

/**
 * Stripe's payment method types, from the SDK's `Charge.PaymentMethodDetails`, that are money in
 * the bank for Alegra: cards as "credit-card"; bank debits, transfers and the customer's cash
 * balance as "transfer"; vouchers paid at a counter (OXXO, Konbini) as "cash". Any other type
 * (wallets, buy-now-pay-later…) maps to no method: the config may add it.
 */
export const DEFAULT_PAYMENT_METHODS: Readonly<Record<string, string>> = {
  card: "credit-card",
  card_present: "credit-card",
  customer_balance: "transfer",
  us_bank_account: "transfer",
  ach_credit_transfer: "transfer",
  ach_debit: "transfer",
  sepa_debit: "transfer",
  sepa_credit_transfer: "transfer",
  acss_debit: "transfer",
  bacs_debit: "transfer",
  au_becs_debit: "transfer",
  oxxo: "cash",
  konbini: "cash"
}

export const DEFAULT_WEBHOOK_PATH = "/webhooks/stripe"

export interface ResolvedOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly webhookSecret: Redacted.Redacted<string>
  readonly server: { readonly host: string; readonly port: number; readonly protocol: "http" | "https" }
  readonly baseUrl: string
  readonly opsPerSecond: number
  readonly paymentMethods: Readonly<Record<string, string>>
  readonly webhookPath: string
  readonly maxConcurrency: number
  readonly requestTimeoutMs: number
  readonly maxRateLimitWaitMs: number
  readonly pollEveryMs: number
}

/** The SDK's host, port and protocol for a base URL; a string saying what is wrong otherwise. */
export const serverOf = (baseUrl: string): ResolvedOptions["server"] | string => {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    return `baseUrl must be an absolute URL such as https://api.stripe.com, got ${JSON.stringify(baseUrl)}`
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `baseUrl must use http or https, got ${url.protocol}`
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    return `baseUrl must be a scheme, host and port only (the SDK adds /v1/…), got ${JSON.stringify(baseUrl)}`
  }
  const protocol = url.protocol === "http:" ? "http" : "https"
  const port = url.port === "" ? (protocol === "http" ? 80 : 443) : Number(url.port)
  // URL keeps IPv6 hosts in brackets; the SDK passes the host to node:http as is.
  return { host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port, protocol }
}

/** Every problem with the options, one line each (never a secret's value); empty when they are usable. */
export const checkOptions = (options: StripeConnectorOptions): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const server = serverOf(options.baseUrl)
  if (typeof server === "string") problems.push(server)
  if (!(options.opsPerSecond >= 1 && options.opsPerSecond <= 10_000)) problems.push(`opsPerSecond must be between 1 and 10000, got ${options.opsPerSecond}`)
  const path = options.webhookPath ?? DEFAULT_WEBHOOK_PATH
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(path)) problems.push(`webhookPath must be a path such as /webhooks/stripe, got ${JSON.stringify(path)}`)
  for (const [type, method] of Object.entries(options.paymentMethods ?? {})) {
    if (!/^[a-z_]+$/.test(type)) problems.push(`paymentMethods: ${JSON.stringify(type)} is not a Stripe payment method type (lower case and _)`)
    if (method.trim() === "") problems.push(`paymentMethods.${type} must name an Alegra payment method`)
  }
  for (const [name, value] of [["maxConcurrency", options.maxConcurrency], ["requestTimeoutMs", options.requestTimeoutMs], ["maxRateLimitWaitMs", options.maxRateLimitWaitMs], ["pollEveryMs", options.pollEveryMs]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) problems.push(`${name} must be a positive integer, got ${value}`)
  }
  return problems
}

/** The options with their defaults; throws naming every problem (the config checks them first). */
export const resolveOptions = (options: StripeConnectorOptions): ResolvedOptions => {
  const problems = checkOptions(options)
  const server = serverOf(options.baseUrl)
  if (problems.length > 0 || typeof server === "string") throw new Error(`invalid Stripe connector options: ${problems.join("; ")}`)
  return {
    apiKey: options.apiKey,
    webhookSecret: options.webhookSecret,
    server,
    baseUrl: options.baseUrl,
    opsPerSecond: options.opsPerSecond,
    paymentMethods: options.paymentMethods ?? DEFAULT_PAYMENT_METHODS,
    webhookPath: options.webhookPath ?? DEFAULT_WEBHOOK_PATH,
    maxConcurrency: options.maxConcurrency ?? 4,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? 30_000,
    pollEveryMs: options.pollEveryMs ?? 60_000
  }
}
