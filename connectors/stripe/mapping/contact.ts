/** A Stripe customer → a canonical contact (client role). */
import type Stripe from "stripe"
import type { Address, Contact } from "../../../schema/index.js"
import { text } from "./common.js"
import { chooseTaxId, identificationOf } from "./tax-ids.js"

/** Stripe's two address lines are one street in Alegra. */
export const addressOf = (address: Stripe.Address | null | undefined): Address | null => {
  if (address === null || address === undefined) return null
  const street = [text(address.line1), text(address.line2)].filter((l) => l !== null).join(", ")
  const mapped: Address = {
    street: street === "" ? null : street,
    city: text(address.city),
    region: text(address.state),
    country: text(address.country),
    postalCode: text(address.postal_code)
  }
  return Object.values(mapped).every((v) => v === null) ? null : mapped
}

/**
 * The customer with its tax ids (all of them: the caller pages `tax_ids` when Stripe says there
 * are more). A customer without a name is named by its email, else its id: Alegra needs a name.
 */
export const contactFrom = (customer: Stripe.Customer, taxIds: ReadonlyArray<Stripe.TaxId>): Contact => {
  const chosen = chooseTaxId(taxIds, customer.address?.country ?? null)
  return {
    id: customer.id,
    name: text(customer.name) ?? text(customer.email) ?? customer.id,
    identification: chosen === undefined ? null : identificationOf(chosen),
    email: text(customer.email),
    phone: text(customer.phone),
    mobile: null,
    roles: ["client"],
    status: "active",
    address: addressOf(customer.address)
  }
}

/**
 * The canonical fields a customer update writes, as Stripe's parameters. A null email or phone is
 * left as Stripe has it (the SDK cannot unset them); a null address unsets Stripe's ("").
 */
export const customerParams = (contact: Contact, fields: ReadonlyArray<string>): Stripe.CustomerUpdateParams => {
  const params: Stripe.CustomerUpdateParams = {}
  if (fields.includes("name")) params.name = contact.name
  if (fields.includes("email") && contact.email !== null) params.email = contact.email
  if (fields.includes("phone") && contact.phone !== null) params.phone = contact.phone
  if (fields.includes("address")) {
    const a = contact.address
    params.address = a === null
      ? ""
      : { line1: a.street ?? "", line2: "", city: a.city ?? "", state: a.region ?? "", country: a.country ?? "", postal_code: a.postalCode ?? "" }
  }
  return params
}

/** The contact fields a Stripe customer update can write. */
export const WRITABLE_CONTACT_FIELDS: ReadonlyArray<string> = ["name", "email", "phone", "address"]
