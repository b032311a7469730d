/**
 * Tax rates (`/v1/tax_rates`): percentage (up to 4 decimal places, 0–100) and inclusive/exclusive
 * are fixed at creation (the update params have neither). Taxes are computed from them in
 * invoice-totals.ts.
 */
import type Stripe from "stripe"
import { type Account, type Call, existing, paramsOf, type Route } from "../api.js"
import { inRange, readPage, readRange } from "../listing.js"
import { applyMetadata, type Params } from "../params.js"
import type { Objects } from "../state.js"
import { clone } from "../wire.js"
import { checkCountry, commitUpdate, pageOf, retrieveHandler } from "./common.js"
import { newId } from "../ids.js"
import { invalidParams } from "../errors.js"

type TaxRate = Objects["tax_rate"]
type RateFields = Stripe.TaxRateCreateParams & Stripe.TaxRateUpdateParams

const TAX_TYPES = [
  "amusement_tax", "communications_tax", "gst", "hst", "igst", "jct", "lease_tax", "pst", "qst", "retail_delivery_fee", "rst",
  "sales_tax", "service_tax", "vat"
] as const

const readFields = (p: Params<RateFields>): Partial<TaxRate> => {
  const patch: Partial<TaxRate> = {}
  const displayName = p.string("display_name", { maxLength: 50 })
  if (typeof displayName === "string") patch.display_name = displayName
  const active = p.boolean("active")
  if (active !== undefined) patch.active = active
  const country = p.string("country")
  if (typeof country === "string") patch.country = checkCountry(country, "country")
  const description = p.string("description")
  if (typeof description === "string") patch.description = description
  const jurisdiction = p.string("jurisdiction", { maxLength: 50 })
  if (typeof jurisdiction === "string") patch.jurisdiction = jurisdiction
  const state = p.string("state", { maxLength: 2 })
  if (typeof state === "string") patch.state = state
  const taxType = p.oneOf("tax_type", TAX_TYPES)
  if (typeof taxType === "string") patch.tax_type = taxType
  return patch
}

const create = (account: Account, call: Call): TaxRate => {
  const p = paramsOf<RateFields>(call)
  const patch = readFields(p)
  if (patch.display_name === undefined) p.string("display_name", { required: true })
  const inclusive = p.boolean("inclusive", { required: true })!
  const percentage = p.decimal("percentage", { required: true, maxScale: 4, min: 0 })!
  const metadata = applyMetadata({}, p.metadata("metadata"))
  p.done()
  if (Number(percentage) > 100) throw invalidParams("This value must be less than or equal to 100.", "percentage")
  const rate: TaxRate = {
    id: newId("tax_rate"),
    object: "tax_rate",
    active: true,
    country: null,
    created: account.clock.nowSeconds(),
    description: null,
    display_name: "",
    effective_percentage: null,
    flat_amount: null,
    inclusive,
    jurisdiction: null,
    jurisdiction_level: null,
    livemode: false,
    metadata,
    percentage: Number(percentage),
    rate_type: "percentage",
    state: null,
    tax_type: null,
    ...patch
  }
  account.store.put("tax_rate", rate)
  account.events.emit("tax_rate.created", "tax_rate", rate, call.cause)
  return account.renderer.view("tax_rate", rate)
}

const update = (account: Account, call: Call): TaxRate => {
  const rate = existing(account, "tax_rate", call.path["id"]!)
  const p = paramsOf<RateFields>(call)
  const patch = readFields(p)
  const metadata = p.metadata("metadata")
  p.done()
  const before = clone(rate)
  Object.assign(rate, patch)
  rate.metadata = applyMetadata(rate.metadata ?? {}, metadata)
  return commitUpdate(account, call, "tax_rate", before, rate, "tax_rate.updated")
}

const list = (account: Account, call: Call): Stripe.ApiList<TaxRate> => {
  const p = paramsOf<Stripe.TaxRateListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const active = p.boolean("active")
  const inclusive = p.boolean("inclusive")
  p.done()
  return pageOf(
    account,
    call,
    "tax_rate",
    page,
    (x) => inRange(x.created, created) && (active === undefined || x.active === active) && (inclusive === undefined || x.inclusive === inclusive)
  )
}

export const taxRateRoutes: ReadonlyArray<Route> = [
  { method: "POST", pattern: "/v1/tax_rates", handler: create },
  { method: "GET", pattern: "/v1/tax_rates", handler: list },
  { method: "GET", pattern: "/v1/tax_rates/:id", handler: retrieveHandler("tax_rate") },
  { method: "POST", pattern: "/v1/tax_rates/:id", handler: update }
]
