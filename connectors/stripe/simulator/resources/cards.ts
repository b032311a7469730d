/**
 * Stripe's test payment methods, which stand for cards here: `pm_card_visa`, `pm_card_mastercard`,
 * `pm_card_amex`, `pm_card_mx` succeed; `pm_card_chargeDeclined`, `…InsufficientFunds`,
 * `…ExpiredCard`, `…ProcessingError` are declined (402 card_error). A token used once becomes a
 * `pm_1…` id, which can be used again (a retry after a decline, a customer's default).
 */
import { StripeSimError } from "../errors.js"
import { newId } from "../ids.js"

interface Decline {
  readonly code: string
  readonly declineCode?: string
  readonly message: string
}

export interface TestCard {
  readonly brand: string
  readonly last4: string
  readonly country: string
  readonly funding: string
  readonly decline?: Decline
}

export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  pm_card_visa: { brand: "visa", last4: "4242", country: "US", funding: "credit" },
  pm_card_mastercard: { brand: "mastercard", last4: "4444", country: "US", funding: "credit" },
  pm_card_amex: { brand: "amex", last4: "8431", country: "US", funding: "credit" },
  pm_card_mx: { brand: "visa", last4: "0007", country: "MX", funding: "credit" },
  pm_card_chargeDeclined: {
    brand: "visa", last4: "0002", country: "US", funding: "credit",
    decline: { code: "card_declined", declineCode: "generic_decline", message: "Your card was declined." }
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: "visa", last4: "9995", country: "US", funding: "credit",
    decline: { code: "card_declined", declineCode: "insufficient_funds", message: "Your card has insufficient funds." }
  },
  pm_card_chargeDeclinedExpiredCard: {
    brand: "visa", last4: "0069", country: "US", funding: "credit",
    decline: { code: "expired_card", message: "Your card has expired." }
  },
  pm_card_chargeDeclinedProcessingError: {
    brand: "visa", last4: "0119", country: "US", funding: "credit",
    decline: { code: "processing_error", message: "An error occurred while processing your card. Try again in a little bit." }
  }
}

/** Payment methods made from test tokens, so a `pm_1…` id seen in a response can be used again. */
export class Cards {
  private readonly byId = new Map<string, TestCard>()

  /** The payment method a token or id names (a token becomes a fresh `pm_1…` id, as on Stripe). */
  resolve(idOrToken: string, param: string): { readonly id: string; readonly card: TestCard } {
    const known = this.byId.get(idOrToken)
    if (known !== undefined) return { id: idOrToken, card: known }
    const card = TEST_CARDS[idOrToken]
    if (card === undefined) {
      throw new StripeSimError(400, { type: "invalid_request_error", code: "resource_missing", message: `No such PaymentMethod: '${idOrToken}'`, param }, true)
    }
    const id = newId("payment_method")
    this.byId.set(id, card)
    return { id, card }
  }
}

