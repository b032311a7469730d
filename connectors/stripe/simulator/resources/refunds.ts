/**
 * Refunds (`/v1/refunds`): against a charge or a payment intent (its latest successful charge),
 * full by default or partial, never above what is left unrefunded (400 amount_too_large; a fully
 * refunded charge answers charge_already_refunded). They succeed at once. The charge keeps
 * `amount_refunded` and `refunded`; the invoice it paid does not change (a credit note does that).
 */
import type Stripe from "stripe"
import { type Account, type Call, existing, paramsOf, type Route } from "../api.js"
import { invalidParams, invalidRequest } from "../errors.js"
import type { Cause } from "../events.js"
import { newId } from "../ids.js"
import { inRange, readPage, readRange } from "../listing.js"
import { checkChargeAmount, MAX_AMOUNT } from "../money.js"
import { applyMetadata, type MetadataChange } from "../params.js"
import type { Objects } from "../state.js"
import { clone } from "../wire.js"
import { commitUpdate, pageOf, retrieveHandler } from "./common.js"

type Refund = Objects["refund"]
type Charge = Objects["charge"]

export type RefundReason = "duplicate" | "fraudulent" | "requested_by_customer"

export const unrefunded = (charge: Charge): number => charge.amount_captured - charge.amount_refunded

/** Refunds `amount` of a charge (all that is left when undefined) and records refund.created and charge.refunded. */
export const refundCharge = (
  account: Account,
  charge: Charge,
  amount: number | undefined,
  options: { readonly reason?: RefundReason; readonly metadata?: MetadataChange; readonly param?: string },
  cause: Cause
): Refund => {
  const param = options.param ?? "amount"
  if (charge.status !== "succeeded") throw invalidRequest(`The charge ${charge.id} did not succeed: there is nothing to refund.`, "charge_not_refundable")
  const left = unrefunded(charge)
  if (left <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, "charge_already_refunded")
  const value = amount ?? left
  if (value > left) {
    throw invalidRequest(`Refund amount (${value}) is greater than unrefunded amount on charge (${left}).`, "amount_too_large", param)
  }
  checkChargeAmount(value, charge.currency, param)
  const refund: Refund = {
    id: newId("refund"),
    object: "refund",
    amount: value,
    balance_transaction: newId("balance_transaction"),
    charge: charge.id,
    created: account.clock.nowSeconds(),
    currency: charge.currency,
    customer: charge.customer,
    customer_account: null,
    destination_details: { card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" }, type: "card" },
    metadata: applyMetadata({}, options.metadata),
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    reason: options.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: "succeeded",
    transfer_reversal: null
  }
  account.store.put("refund", refund)
  const before = clone(charge)
  charge.amount_refunded += value
  charge.refunded = charge.amount_refunded === charge.amount_captured
  account.store.put("charge", charge)
  account.events.emit("refund.created", "refund", refund, cause)
  account.events.emitUpdate("charge.refunded", "charge", before, charge, cause)
  return refund
}

const create = (account: Account, call: Call): Refund => {
  const p = paramsOf<Stripe.RefundCreateParams>(call)
  const chargeId = p.string("charge")
  const piId = p.string("payment_intent")
  const amount = p.integer("amount", { min: 1, max: MAX_AMOUNT })
  const reason = p.oneOf("reason", ["duplicate", "fraudulent", "requested_by_customer"])
  const metadata = p.metadata("metadata")
  p.done()
  if (chargeId === undefined && piId === undefined) throw invalidParams("One of charge or payment_intent is required.", "charge", "parameter_missing")
  let charge: Charge
  if (typeof piId === "string") {
    const pi = existing(account, "payment_intent", piId, "payment_intent")
    if (pi.status !== "succeeded" || pi.latest_charge === null) {
      throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, "charge_not_refundable", "payment_intent")
    }
    charge = existing(account, "charge", pi.latest_charge as string)
    if (typeof chargeId === "string" && chargeId !== charge.id) throw invalidParams("charge and payment_intent name different payments.", "charge")
  } else charge = existing(account, "charge", chargeId!, "charge")
  const refund = refundCharge(account, charge, amount ?? undefined, { ...(typeof reason === "string" ? { reason } : {}), ...(metadata === undefined ? {} : { metadata }) }, call.cause)
  return account.renderer.view("refund", refund)
}

const update = (account: Account, call: Call): Refund => {
  const refund = existing(account, "refund", call.path["id"]!)
  const p = paramsOf<Stripe.RefundUpdateParams>(call)
  const metadata = p.metadata("metadata")
  p.done()
  const before = clone(refund)
  refund.metadata = applyMetadata(refund.metadata ?? {}, metadata)
  return commitUpdate(account, call, "refund", before, refund, "refund.updated")
}

const list = (account: Account, call: Call): Stripe.ApiList<Refund> => {
  const p = paramsOf<Stripe.RefundListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const charge = call.path["id"] ?? p.string("charge")
  const pi = p.string("payment_intent")
  p.done()
  if (call.path["id"] !== undefined) existing(account, "charge", call.path["id"])
  return pageOf(
    account,
    call,
    "refund",
    page,
    (x) => inRange(x.created, created) && (charge === undefined || x.charge === charge) && (pi === undefined || x.payment_intent === pi)
  )
}

export const refundRoutes: ReadonlyArray<Route> = [
  { method: "POST", pattern: "/v1/refunds", handler: create },
  { method: "GET", pattern: "/v1/refunds", handler: list },
  { method: "GET", pattern: "/v1/refunds/:id", handler: retrieveHandler("refund") },
  { method: "POST", pattern: "/v1/refunds/:id", handler: update },
  { method: "GET", pattern: "/v1/charges/:id/refunds", handler: list }
]
