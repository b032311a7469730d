/**
 * The route table and one dispatch for the HTTP server and the admin API: find the route, read
 * `expand[]`, run the handler, expand its answer. Each handler refuses unknown parameters before
 * it changes anything (it calls `done()` first).
 */
import { type Account, type Call, type Method, paramsOf, type Route } from "./api.js"
import { unrecognizedUrl } from "./errors.js"
import type { Cause } from "./events.js"
import type { FormObject } from "./form.js"
import { creditNoteRoutes } from "./resources/credit-notes.js"
import { customerRoutes } from "./resources/customers.js"
import { eventRoutes } from "./resources/events.js"
import { invoiceActionRoutes } from "./resources/invoice-actions.js"
import { invoiceItemRoutes } from "./resources/invoice-items.js"
import { invoiceRoutes } from "./resources/invoices.js"
import { paymentRoutes } from "./resources/payments.js"
import { priceRoutes } from "./resources/prices.js"
import { productRoutes } from "./resources/products.js"
import { refundRoutes } from "./resources/refunds.js"
import { taxRateRoutes } from "./resources/tax-rates.js"
import { webhookEndpointRoutes } from "./resources/webhook-endpoints.js"

export const ROUTES: ReadonlyArray<Route> = [
  ...customerRoutes,
  ...productRoutes,
  ...priceRoutes,
  ...taxRateRoutes,
  ...invoiceItemRoutes,
  ...invoiceRoutes,
  ...invoiceActionRoutes,
  ...paymentRoutes,
  ...refundRoutes,
  ...creditNoteRoutes,
  ...eventRoutes,
  ...webhookEndpointRoutes
]

/** Stripe caps `expand[]` at 20 entries per request. */
export const MAX_EXPANDS = 20

export interface Matched {
  readonly route: Route
  readonly path: Readonly<Record<string, string>>
}

export const match = (method: string, pathname: string): Matched | undefined => {
  const segments = pathname.split("/").filter((s) => s !== "")
  for (const route of ROUTES) {
    if (route.method !== method) continue
    const pattern = route.pattern.split("/").filter((s) => s !== "")
    if (pattern.length !== segments.length) continue
    const path: Record<string, string> = {}
    let ok = true
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i]!
      let s: string
      try {
        s = decodeURIComponent(segments[i]!)
      } catch {
        ok = false
        break
      }
      if (p.startsWith(":")) path[p.slice(1)] = s
      else ok = p === s
    }
    if (ok) return { route, path }
  }
  return undefined
}

/** Takes `expand[]` out of the parameters (every endpoint accepts it). */
const takeExpand = (form: FormObject): Array<string> => {
  const p = paramsOf<{ expand?: Array<string> }>({ form, path: {}, cause: { requestId: null, idempotencyKey: null }, url: "" })
  const expand = p.strings("expand", { max: MAX_EXPANDS }) ?? []
  delete form["expand"]
  return expand
}

export const dispatch = (account: Account, method: Method, pathname: string, form: FormObject, cause: Cause): unknown => {
  const found = match(method, pathname)
  if (found === undefined) throw unrecognizedUrl(method, pathname)
  const expand = takeExpand(form)
  const call: Call = { form, path: found.path, cause, url: pathname }
  const body = found.route.handler(account, call)
  return account.renderer.expand(body, expand)
}
