import type { Directions } from "../../src/ports/connector.js"

/**
 * Which way each synced field flows between Stripe and Alegra (schema/sync.ts):
 * - customers: name, email, phone and address both ways (Stripe's customer is
 *   updatable); the tax ids only into Alegra, which owns the fiscal fields;
 * - products and prices, finalized invoices, payments and credit notes only into Alegra:
 *   Stripe's finalized documents do not change, prices are immutable;
 * - an invoice's life both ways: voided on either side voids the other; paid in Alegra
 *   marks it paid out of band in Stripe (paid in Stripe arrives as its payment);
 * - totals are compared, never written: each side computes its own.
 */
export const STRIPE_DIRECTIONS: Directions = {
  contact: { name: "both", email: "both", phone: "both", identification: "to-alegra", address: "both" },
  item: {
    name: "to-alegra",
    description: "to-alegra",
    reference: "to-alegra",
    price: "to-alegra",
    status: "to-alegra",
    productKey: "to-alegra"
  },
  invoice: {
    contactId: "to-alegra",
    date: "to-alegra",
    dueDate: "to-alegra",
    currency: "to-alegra",
    lines: "to-alegra",
    total: "none",
    state: "both"
  },
  payment: {
    contactId: "to-alegra",
    date: "to-alegra",
    amount: "to-alegra",
    currency: "to-alegra",
    method: "to-alegra",
    bankAccountId: "none",
    applications: "to-alegra",
    state: "to-alegra"
  },
  "credit-note": {
    contactId: "to-alegra",
    date: "to-alegra",
    currency: "to-alegra",
    lines: "to-alegra",
    total: "none",
    applications: "to-alegra",
    refunds: "to-alegra",
    state: "to-alegra"
  }
}
