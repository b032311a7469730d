/**
 * Events (`/v1/events`): newest first, the last 30 days only, filtered by `type` (a `*` matches
 * one or more dot-separated words: `invoice.*`, `*.created`) or `types[]` (up to 20, not both),
 * `created` and `delivery_success`.
 */
import type Stripe from "stripe"
import { type Account, type Call, paramsOf, type Route } from "../api.js"
import { invalidParams, noSuch } from "../errors.js"
import { inRange, readPage, readRange } from "../listing.js"
import type { EventObject } from "../state.js"
import { pageOf } from "./common.js"

const typeMatcher = (pattern: string): ((type: string) => boolean) => {
  if (!pattern.includes("*")) return (t) => t === pattern
  const re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[a-z_.]+")}$`)
  return (t) => re.test(t)
}

const list = (account: Account, call: Call): Stripe.ApiList<EventObject> => {
  const p = paramsOf<Stripe.EventListParams>(call)
  const page = readPage(p)
  const created = readRange(p, "created")
  const type = p.string("type")
  const types = p.strings("types", { max: 20 })
  const delivered = p.boolean("delivery_success")
  p.done()
  if (typeof type === "string" && types !== undefined) throw invalidParams("You may only specify one of these parameters: type, types.", "types", "parameters_exclusive")
  const wanted = typeof type === "string" ? [typeMatcher(type)] : types === undefined || types === null ? undefined : types.map(typeMatcher)
  return pageOf(
    account,
    call,
    "event",
    page,
    (e) =>
      account.events.live(e) &&
      inRange(e.created, created) &&
      (wanted === undefined || wanted.some((m) => m(e.type))) &&
      (delivered === undefined || (account.webhooks.deliverySuccess(e.id) ?? true) === delivered)
  )
}

const retrieve = (account: Account, call: Call): EventObject => {
  paramsOf<Stripe.EventRetrieveParams>(call).done()
  const event = account.store.get("event", call.path["id"]!)
  if (event === undefined || !account.events.live(event)) throw noSuch("event", call.path["id"]!)
  return account.renderer.view("event", event)
}

export const eventRoutes: ReadonlyArray<Route> = [
  { method: "GET", pattern: "/v1/events", handler: list },
  { method: "GET", pattern: "/v1/events/:id", handler: retrieve }
]
