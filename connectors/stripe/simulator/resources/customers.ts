/**
 * Customers and their tax ids (`/v1/customers`, `/v1/customers/:id/tax_ids`).
 * A deleted customer is still retrievable as `{id, object: "customer", deleted: true}`, as on
 * Stripe; `tax_ids` appears on the customer only with `expand[]=tax_ids`. At most 5 tax ids per
 * customer, and the same type + value twice is refused.
 */
import type Stripe from "stripe"
import { type Account, type Call, existing, paramsOf, type Route } from "../api.js"
import { invalidParams, invalidRequest, noSuch } from "../errors.js"
import type { Cause } from "../events.js"
import { newId, randomText } from "../ids.js"
import { readPage, readRange, inRange } from "../listing.js"
import { applyMetadata, type Params } from "../params.js"
import type { Objects } from "../state.js"
import { clone } from "../wire.js"
import { checkEmail, commitUpdate, pageOf, readAddress, searchHandler } from "./common.js"
import { checkTaxId } from "./tax-id-rules.js"

export const MAX_TAX_IDS = 5

type CustomerFields = Stripe.CustomerCreateParams & Stripe.CustomerUpdateParams
type Customer = Objects["customer"]

const checkPrefix = (account: Account, prefix: string, except?: string): string => {
  if (!/^[A-Z0-9]{3,12}$/.test(prefix)) throw invalidParams("Invalid invoice_prefix: use 3 to 12 upper-case letters or digits.", "invoice_prefix")
  if (account.store.all("customer").some((c) => c.invoice_prefix === prefix && c.id !== except)) {
    throw invalidParams(`The invoice prefix ${prefix} is already used by another customer.`, "invoice_prefix")
  }
  return prefix
}

/** Reads the fields create and update share, into a patch of the customer. */
const readFields = (p: Params<CustomerFields>, account: Account, current: Customer | undefined): Partial<Customer> => {
  const patch: Partial<Customer> = {}
  const email = p.string("email", { maxLength: 512 })
  if (typeof email === "string") patch.email = checkEmail(email, "email")
  const name = p.string("name", { maxLength: 256 })
  if (typeof name === "string") patch.name = name
  const phone = p.string("phone", { maxLength: 20 })
  if (typeof phone === "string") patch.phone = phone
  const description = p.string("description", { maxLength: 350 })
  if (typeof description === "string") patch.description = description
  const address = p.object("address", { unsettable: true })
  if (address === null) patch.address = null
  else if (address !== undefined) patch.address = readAddress(address)
  const balance = p.integer("balance", { min: -999_999_999_999, max: 999_999_999_999 })
  if (typeof balance === "number") patch.balance = balance
  const prefix = p.string("invoice_prefix")
  if (typeof prefix === "string") patch.invoice_prefix = checkPrefix(account, prefix, current?.id)
  const next = p.integer("next_invoice_sequence", { min: 1 })
  if (typeof next === "number") patch.next_invoice_sequence = next
  const locales = p.strings("preferred_locales", { max: 10 })
  if (Array.isArray(locales)) patch.preferred_locales = locales
  const exempt = p.oneOf("tax_exempt", ["none", "exempt", "reverse"], { unsettable: true })
  if (exempt !== undefined) patch.tax_exempt = exempt ?? "none"
  const settings = p.object("invoice_settings")
  if (settings !== undefined && settings !== null) {
    const footer = settings.string("footer", { maxLength: 5000 })
    patch.invoice_settings = {
      ...(current?.invoice_settings ?? { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null }),
      ...(typeof footer === "string" ? { footer } : {})
    }
  }
  const shipping = p.object("shipping", { unsettable: true })
  if (shipping === null) patch.shipping = null
  else if (shipping !== undefined) {
    const shipAddress = readAddress(shipping.object("address", { required: true })!)
    const shipName = shipping.string("name", { required: true })!
    const shipPhone = shipping.string("phone")
    patch.shipping = { address: shipAddress, name: shipName, phone: shipPhone ?? null }
  }
  const metadata = p.metadata("metadata")
  if (metadata !== undefined) patch.metadata = applyMetadata(current?.metadata ?? {}, metadata)
  return patch
}

interface TaxIdInput {
  readonly type: string
  readonly value: string
  readonly country: string
}

const readTaxId = (p: Params<{ type: string; value: string }>, prefix: string): TaxIdInput => {
  const type = p.string("type", { required: true })!
  const value = p.string("value", { required: true, maxLength: 64 })!
  return { type, value, ...checkTaxId(type, value, prefix) }
}

const addTaxId = (account: Account, customer: Customer, input: TaxIdInput, cause: Cause): Objects["tax_id"] => {
  const mine = account.store.all("tax_id").filter((t) => t.customer === customer.id)
  if (mine.length >= MAX_TAX_IDS) throw invalidRequest(`A customer can have at most ${MAX_TAX_IDS} tax ids.`, "tax_id_prohibited")
  if (mine.some((t) => t.type === input.type && t.value === input.value)) {
    throw invalidRequest(`This customer already has the ${input.type} tax id ${input.value}.`, "resource_already_exists", "value")
  }
  const taxId: Objects["tax_id"] = {
    id: newId("tax_id"),
    object: "tax_id",
    country: input.country,
    created: account.clock.nowSeconds(),
    customer: customer.id,
    customer_account: null,
    livemode: false,
    owner: { customer: customer.id, type: "customer", customer_account: null },
    type: input.type,
    value: input.value,
    verification: { status: "unavailable", verified_address: null, verified_name: null }
  }
  account.store.put("tax_id", taxId)
  account.events.emit("customer.tax_id.created", "tax_id", taxId, cause)
  return taxId
}

const create = (account: Account, call: Call): Customer => {
  const p = paramsOf<CustomerFields>(call)
  const patch = readFields(p, account, undefined)
  const taxIds = (p.objects("tax_id_data", { max: MAX_TAX_IDS }) ?? []).map((t, i) => readTaxId(t, `tax_id_data[${i}]`))
  p.done()
  if (new Set(taxIds.map((t) => `${t.type} ${t.value}`)).size < taxIds.length) throw invalidParams("tax_id_data names the same tax id twice.", "tax_id_data")
  let prefix = patch.invoice_prefix ?? undefined
  while (prefix === undefined || account.store.all("customer").some((c) => c.invoice_prefix === prefix)) prefix = randomText(8, "0123456789ABCDEF")
  const customer: Customer = {
    id: newId("customer"),
    object: "customer",
    address: null,
    balance: 0,
    created: account.clock.nowSeconds(),
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: null,
    invoice_prefix: prefix,
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: null,
    ...patch
  }
  account.store.put("customer", customer)
  account.events.emit("customer.created", "customer", customer, call.cause)
  for (const t of taxIds) addTaxId(account, customer, t, call.cause)
  return account.renderer.view("customer", customer)
}

/** A live customer, or the tombstone answer for a deleted one (GET only). */
const retrieve = (account: Account, call: Call): Customer | Stripe.DeletedCustomer => {
  paramsOf<Stripe.CustomerRetrieveParams>(call).done()
  const id = call.path["id"]!
  if (account.store.deletedCustomers.has(id)) return { id, object: "customer", deleted: true }
  return account.renderer.view("customer", existing(account, "customer", id))
}

const update = (account: Account, call: Call): Customer => {
  const customer = existing(account, "customer", call.path["id"]!)
  const p = paramsOf<CustomerFields>(call)
  const patch = readFields(p, account, customer)
  p.done()
  const before = clone(customer)
  Object.assign(customer, patch)
  return commitUpdate(account, call, "customer", before, customer, "customer.updated")
}

const remove = (account: Account, call: Call): Stripe.DeletedCustomer => {
  paramsOf<Stripe.CustomerDeleteParams>(call).done()
  const customer = existing(account, "customer", call.path["id"]!)
  for (const t of account.store.all("tax_id").filter((x) => x.customer === customer.id)) account.store.remove("tax_id", t.id)
  account.store.remove("customer", customer.id)
  account.events.emit("customer.deleted", "customer", customer, call.cause)
  return { id: customer.id, object: "customer", deleted: true }
}

const list = (account: Account, call: Call): Stripe.ApiList<Customer> => {
  const p = paramsOf<Stripe.CustomerListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const email = p.string("email", { maxLength: 512 })
  p.done()
  return pageOf(account, call, "customer", page, (c) => inRange(c.created, created) && (email === undefined || c.email === email))
}

const customerOf = (account: Account, call: Call): Customer => {
  const id = call.path["id"]!
  if (account.store.deletedCustomers.has(id)) throw noSuch("customer", id)
  return existing(account, "customer", id)
}

const createTaxId = (account: Account, call: Call): Objects["tax_id"] => {
  const customer = customerOf(account, call)
  const p = paramsOf<Stripe.CustomerCreateTaxIdParams>(call)
  const input = readTaxId(p, "")
  p.done()
  return account.renderer.view("tax_id", addTaxId(account, customer, input, call.cause))
}

const taxIdOf = (account: Account, call: Call): Objects["tax_id"] => {
  const customer = customerOf(account, call)
  const taxId = account.store.get("tax_id", call.path["tax_id"]!)
  if (taxId === undefined || taxId.customer !== customer.id) throw noSuch("tax_id", call.path["tax_id"]!)
  return taxId
}

const retrieveTaxId = (account: Account, call: Call): Objects["tax_id"] => {
  paramsOf<Stripe.CustomerRetrieveTaxIdParams>(call).done()
  return account.renderer.view("tax_id", taxIdOf(account, call))
}

const deleteTaxId = (account: Account, call: Call): Stripe.DeletedTaxId => {
  paramsOf<Stripe.CustomerDeleteTaxIdParams>(call).done()
  const taxId = taxIdOf(account, call)
  account.store.remove("tax_id", taxId.id)
  account.events.emit("customer.tax_id.deleted", "tax_id", taxId, call.cause)
  return { id: taxId.id, object: "tax_id", deleted: true }
}

const listTaxIds = (account: Account, call: Call): Stripe.ApiList<Objects["tax_id"]> => {
  const customer = customerOf(account, call)
  const p = paramsOf<Stripe.CustomerListTaxIdsParams>(call)
  const page = readPage(p)
  p.done()
  return pageOf(account, call, "tax_id", page, (t) => t.customer === customer.id)
}

export const customerRoutes: ReadonlyArray<Route> = [
  { method: "POST", pattern: "/v1/customers", handler: create },
  { method: "GET", pattern: "/v1/customers", handler: list },
  { method: "GET", pattern: "/v1/customers/search", handler: searchHandler("customer"), search: true },
  { method: "GET", pattern: "/v1/customers/:id", handler: retrieve },
  { method: "POST", pattern: "/v1/customers/:id", handler: update },
  { method: "DELETE", pattern: "/v1/customers/:id", handler: remove },
  { method: "POST", pattern: "/v1/customers/:id/tax_ids", handler: createTaxId },
  { method: "GET", pattern: "/v1/customers/:id/tax_ids", handler: listTaxIds },
  { method: "GET", pattern: "/v1/customers/:id/tax_ids/:tax_id", handler: retrieveTaxId },
  { method: "DELETE", pattern: "/v1/customers/:id/tax_ids/:tax_id", handler: deleteTaxId }
]
