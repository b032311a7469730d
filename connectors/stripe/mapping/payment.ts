/** A Stripe invoice payment → a canonical payment received. */
import type Stripe from "stripe"
import type { Payment } from "../../../schema/index.js"
import { currencyCode, day, idOf, money, required } from "./common.js"

/**
 * The charge that moved the money: the payment intent's latest charge, or the charge itself
 * (each expanded by the caller when it can be).
 */
export const chargeOf = (payment: Stripe.InvoicePayment): Stripe.Charge | null => {
  const intent = payment.payment.payment_intent
  if (typeof intent === "object" && intent !== null && typeof intent.latest_charge === "object") return intent.latest_charge
  return typeof payment.payment.charge === "object" ? payment.payment.charge : null
}

/**
 * Whether the invoice payment is money that went through Stripe and arrived: a paid payment
 * intent or charge. An out-of-band payment (a payment record: recorded by hand, e.g. from
 * Alegra) and an attempt that has not succeeded are not synced.
 */
export const isSyncedPayment = (payment: Stripe.InvoicePayment): boolean =>
  payment.status === "paid" && (payment.payment.type === "payment_intent" || payment.payment.type === "charge")

/**
 * The payment (one the connector syncs) with its invoice expanded or its customer given. The
 * method is the charge's payment method type through `methods`; the bank account is the
 * engine's to fill from the config.
 */
export const paymentFrom = (
  payment: Stripe.InvoicePayment,
  customerId: string,
  methods: Readonly<Record<string, string>>
): Payment => {
  const amount = money(required(payment.amount_paid, `amount_paid on ${payment.id}`), payment.currency, "amount_paid")
  const type = chargeOf(payment)?.payment_method_details?.type
  return {
    id: payment.id,
    number: null,
    date: day(payment.status_transitions.paid_at ?? payment.created),
    direction: "in",
    status: "open",
    amount,
    contactId: customerId,
    bankAccountId: null,
    method: type === undefined ? null : methods[type] ?? null,
    currency: currencyCode(payment.currency),
    applications: [{ documentKind: "invoice", documentId: required(idOf(payment.invoice), `an invoice on ${payment.id}`), amount }]
  }
}
