/**
 * Card payments: PaymentIntents (`pi_…`) and Charges (`ch_…`), made when an invoice is paid by card
 * (cards.ts lists the test cards), and the InvoicePayments (`inpay_…`) that tie them to invoices.
 * The endpoints here read and list; nothing creates a payment intent directly.
 */
import type Stripe from "stripe"
import { type Account, type Call, existing, paramsOf, type Route } from "../api.js"
import { invalidParams, StripeSimError } from "../errors.js"
import type { Cause } from "../events.js"
import { newId, randomText } from "../ids.js"
import type { TestCard } from "./cards.js"
import { inRange, readPage, readRange } from "../listing.js"
import type { Objects } from "../state.js"
import { clone } from "../wire.js"
import { pageOf, retrieveHandler, searchHandler } from "./common.js"

type PaymentIntent = Objects["payment_intent"]
type Charge = Objects["charge"]

export interface ChargeRequest {
  readonly customer: Objects["customer"]
  readonly amount: number
  readonly currency: string
  readonly description: string
  readonly paymentMethod: { readonly id: string; readonly card: TestCard }
}

const newPaymentIntent = (account: Account, req: ChargeRequest): PaymentIntent => {
  const id = newId("payment_intent")
  return {
    id,
    object: "payment_intent",
    allowed_payment_method_types: null,
    amount: req.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: "automatic_async",
    client_secret: `${id}_secret_${randomText(25)}`,
    confirmation_method: "automatic",
    created: account.clock.nowSeconds(),
    currency: req.currency,
    customer: req.customer.id,
    customer_account: null,
    description: req.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: {},
    next_action: null,
    on_behalf_of: null,
    payment_method: req.paymentMethod.id,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ["card"],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: "requires_payment_method",
    transfer_data: null,
    transfer_group: null
  }
}

const newCharge = (account: Account, req: ChargeRequest, pi: PaymentIntent): Charge => {
  const id = newId("charge")
  const card = req.paymentMethod.card
  const declined = card.decline !== undefined
  return {
    id,
    object: "charge",
    amount: req.amount,
    amount_captured: declined ? 0 : req.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: declined ? null : newId("balance_transaction"),
    billing_details: { address: req.customer.address ?? null, email: req.customer.email, name: req.customer.name ?? null, phone: req.customer.phone ?? null, tax_id: null },
    calculated_statement_descriptor: account.settings.name.toUpperCase().slice(0, 22),
    captured: !declined,
    created: account.clock.nowSeconds(),
    currency: req.currency,
    customer: req.customer.id,
    description: req.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: card.decline?.code ?? null,
    failure_message: card.decline?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: declined ? "declined_by_network" : "approved_by_network",
      reason: declined ? card.decline!.declineCode ?? card.decline!.code : null,
      risk_level: "normal",
      seller_message: declined ? "The bank did not return any further details with this decline." : "Payment complete.",
      type: declined ? "issuer_declined" : "authorized"
    },
    paid: !declined,
    payment_intent: pi.id,
    payment_method: req.paymentMethod.id,
    payment_method_details: {
      card: {
        amount_authorized: declined ? null : req.amount,
        authorization_code: declined ? null : randomText(6, "0123456789"),
        brand: card.brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
        country: card.country,
        electronic_commerce_indicator: null,
        exp_month: 12,
        exp_year: 2034,
        extended_authorization: { status: "disabled" },
        fingerprint: randomText(16),
        funding: card.funding,
        incremental_authorization: { status: "unavailable" },
        installments: null,
        last4: card.last4,
        mandate: null,
        multicapture: { status: "unavailable" },
        network: card.brand,
        network_token: { used: false },
        network_transaction_id: declined ? null : randomText(15, "0123456789"),
        overcapture: { maximum_amount_capturable: req.amount, status: "unavailable" },
        regulated_status: "unregulated",
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null
      },
      type: "card"
    },
    receipt_email: null,
    receipt_number: null,
    receipt_url: declined ? null : `https://pay.stripe.com/receipts/payment/${randomText(60)}`,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: declined ? "failed" : "succeeded",
    transfer_data: null,
    transfer_group: null
  }
}

export interface ChargeOutcome {
  readonly paymentIntent: PaymentIntent
  readonly charge: Charge
  /** Set when the card was declined: the 402 to answer (after the caller recorded its own effects). */
  readonly decline?: StripeSimError
}

/**
 * Confirms a payment intent with a card (a new intent unless `reuse` is given): one charge,
 * succeeded or failed, and their events. A decline leaves the intent in requires_payment_method.
 */
export const chargeCard = (account: Account, req: ChargeRequest, cause: Cause, reuse?: PaymentIntent): ChargeOutcome => {
  const pi = reuse ?? newPaymentIntent(account, req)
  const before = clone(pi)
  if (reuse === undefined) {
    account.store.put("payment_intent", pi)
    account.events.emit("payment_intent.created", "payment_intent", pi, cause)
  }
  const charge = newCharge(account, req, pi)
  account.store.put("charge", charge)
  pi.latest_charge = charge.id
  pi.payment_method = req.paymentMethod.id
  const decline = req.paymentMethod.card.decline
  if (decline === undefined) {
    pi.status = "succeeded"
    pi.amount_received = req.amount
    pi.last_payment_error = null
    account.store.put("payment_intent", pi)
    account.events.emit("charge.succeeded", "charge", charge, cause)
    account.events.emit("payment_intent.succeeded", "payment_intent", pi, cause, { status: before.status, amount_received: before.amount_received })
    return { paymentIntent: pi, charge }
  }
  pi.status = "requires_payment_method"
  pi.last_payment_error = {
    type: "card_error",
    code: decline.code,
    ...(decline.declineCode === undefined ? {} : { decline_code: decline.declineCode }),
    message: decline.message,
    charge: charge.id,
    doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, "-")}`
  }
  account.store.put("payment_intent", pi)
  account.events.emit("charge.failed", "charge", charge, cause)
  account.events.emit("payment_intent.payment_failed", "payment_intent", pi, cause)
  const error = new StripeSimError(
    402,
    {
      type: "card_error",
      code: decline.code,
      ...(decline.declineCode === undefined ? {} : { decline_code: decline.declineCode }),
      message: decline.message,
      charge: charge.id,
      doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, "-")}`,
      payment_intent: account.renderer.view("payment_intent", pi) as unknown as Record<string, unknown>
    },
    true
  )
  return { paymentIntent: pi, charge, decline: error }
}

const retrievePaymentIntent = (account: Account, call: Call): PaymentIntent => {
  const p = paramsOf<Stripe.PaymentIntentRetrieveParams>(call)
  const secret = p.string("client_secret")
  p.done()
  const pi = existing(account, "payment_intent", call.path["id"]!)
  if (typeof secret === "string" && secret !== pi.client_secret) throw invalidParams("The client_secret does not match this PaymentIntent.", "client_secret")
  return account.renderer.view("payment_intent", pi)
}

const listPaymentIntents = (account: Account, call: Call): Stripe.ApiList<PaymentIntent> => {
  const p = paramsOf<Stripe.PaymentIntentListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const customer = p.string("customer")
  p.done()
  return pageOf(account, call, "payment_intent", page, (x) => inRange(x.created, created) && (customer === undefined || x.customer === customer))
}

const listCharges = (account: Account, call: Call): Stripe.ApiList<Charge> => {
  const p = paramsOf<Stripe.ChargeListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const customer = p.string("customer")
  const paymentIntent = p.string("payment_intent")
  p.done()
  return pageOf(
    account,
    call,
    "charge",
    page,
    (x) => inRange(x.created, created) && (customer === undefined || x.customer === customer) && (paymentIntent === undefined || x.payment_intent === paymentIntent)
  )
}

const listInvoicePayments = (account: Account, call: Call): Stripe.ApiList<Objects["invoice_payment"]> => {
  const p = paramsOf<Stripe.InvoicePaymentListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const invoice = p.string("invoice")
  const status = p.oneOf("status", ["canceled", "open", "paid"])
  const payment = p.object("payment")
  const paymentType = payment?.oneOf("type", ["payment_intent", "payment_record"], { required: true })
  const paymentIntent = payment?.string("payment_intent")
  p.done()
  return pageOf(
    account,
    call,
    "invoice_payment",
    page,
    (x) =>
      inRange(x.created, created) &&
      (invoice === undefined || x.invoice === invoice) &&
      (status === undefined || status === null || x.status === status) &&
      (paymentType === undefined || paymentType === null || x.payment.type === paymentType) &&
      (paymentIntent === undefined || paymentIntent === null || x.payment.payment_intent === paymentIntent)
  )
}

export const paymentRoutes: ReadonlyArray<Route> = [
  { method: "GET", pattern: "/v1/payment_intents", handler: listPaymentIntents },
  { method: "GET", pattern: "/v1/payment_intents/search", handler: searchHandler("payment_intent"), search: true },
  { method: "GET", pattern: "/v1/payment_intents/:id", handler: retrievePaymentIntent },
  { method: "GET", pattern: "/v1/charges", handler: listCharges },
  { method: "GET", pattern: "/v1/charges/search", handler: searchHandler("charge"), search: true },
  { method: "GET", pattern: "/v1/charges/:id", handler: retrieveHandler("charge") },
  { method: "GET", pattern: "/v1/invoice_payments", handler: listInvoicePayments },
  { method: "GET", pattern: "/v1/invoice_payments/:id", handler: retrieveHandler("invoice_payment") }
]
