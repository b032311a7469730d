import { Schema } from "effect"
import { Id, Status } from "./common.js"

export const ContactRole = Schema.Literal("client", "provider")
export type ContactRole = typeof ContactRole.Type

export const Identification = Schema.Struct({
  /** Country-specific type: NIT, CC, RFC, RUC, DNI… null when the source does not say. */
  type: Schema.NullOr(Schema.String),
  number: Schema.String,
  /** Check digit (Colombia's DV). */
  dv: Schema.NullOr(Schema.String)
})
export type Identification = typeof Identification.Type

export const Address = Schema.Struct({
  street: Schema.NullOr(Schema.String),
  city: Schema.NullOr(Schema.String),
  region: Schema.NullOr(Schema.String),
  country: Schema.NullOr(Schema.String),
  postalCode: Schema.NullOr(Schema.String)
})
export type Address = typeof Address.Type

/** A customer and/or supplier. One contact can hold both roles. */
export const Contact = Schema.Struct({
  id: Id,
  name: Schema.String,
  identification: Schema.NullOr(Identification),
  email: Schema.NullOr(Schema.String),
  phone: Schema.NullOr(Schema.String),
  mobile: Schema.NullOr(Schema.String),
  /** Sorted, without duplicates; may be empty. */
  roles: Schema.Array(ContactRole),
  status: Status,
  address: Schema.NullOr(Address)
})
export type Contact = typeof Contact.Type
