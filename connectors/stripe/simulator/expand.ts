/**
 * What leaves the store: views and `expand[]`.
 *
 * A view is the object as the API answers it by default: an invoice or credit note embeds its first
 * 10 lines (`has_more` and `url` say where the rest is), and the "includable" fields Stripe leaves
 * out unless asked for (`customer.tax_ids`, `invoice.payments`, `charge.refunds`) are absent.
 *
 * Expansion follows Stripe's rules: a dotted path of fields, `data.` first on lists, at most four
 * levels, only fields Stripe documents as expandable (anything else is a 400 naming the path).
 * Objects the simulator does not store (balance transactions, payment methods) cannot be expanded,
 * and the error says so.
 */
import { invalidParams } from "./errors.js"
import { DEFAULT_LIMIT } from "./listing.js"
import type { Kind, Objects, Store } from "./state.js"
import { clone, isPlainObject, type StoredObject } from "./wire.js"

/** Expandable paths per `object` name (paths through plain sub-hashes are dotted). */
const EXPANDABLE: Readonly<Record<string, ReadonlyArray<string>>> = {
  customer: ["default_source", "invoice_settings.default_payment_method", "test_clock"],
  tax_id: ["customer", "owner.customer"],
  product: ["default_price", "tax_code"],
  price: ["product"],
  invoiceitem: ["customer", "invoice", "pricing.price_details.price"],
  invoice: ["customer", "default_payment_method", "default_source", "latest_revision", "on_behalf_of", "account_tax_ids"],
  line_item: ["pricing.price_details.price", "discounts"],
  invoice_payment: ["invoice", "payment.payment_intent", "payment.charge"],
  payment_intent: ["customer", "latest_charge", "payment_method", "review", "application", "on_behalf_of"],
  charge: ["customer", "payment_intent", "balance_transaction", "application", "review"],
  refund: ["charge", "payment_intent", "balance_transaction", "payment_method"],
  credit_note: ["customer", "invoice", "refunds.refund", "customer_balance_transaction"],
  credit_note_line_item: [],
  event: [],
  webhook_endpoint: []
}

/** Fields left out by default and built on request (`expand[]=tax_ids`). */
const INCLUDABLE: Readonly<Record<string, ReadonlyArray<string>>> = {
  customer: ["tax_ids"],
  invoice: ["payments"],
  charge: ["refunds"]
}

export const MAX_EXPAND_DEPTH = 4
const EMBEDDED_LINES = DEFAULT_LIMIT

const embedFirst = <T>(list: { data: Array<T>; has_more: boolean }): void => {
  if (list.data.length > EMBEDDED_LINES) {
    list.data = list.data.slice(0, EMBEDDED_LINES)
    list.has_more = true
  }
}

export class Renderer {
  constructor(private readonly store: Store) {}

  /** The default view of a stored object (a fresh copy). */
  view<K extends Kind>(kind: K, object: Objects[K]): Objects[K] {
    const out = clone(object)
    if (kind === "invoice") embedFirst((out as Objects["invoice"]).lines)
    if (kind === "credit_note") embedFirst((out as Objects["credit_note"]).lines)
    return out
  }

  /** A stored object by id, in its default view; deleted customers answer their tombstone. */
  viewById(id: string): StoredObject | undefined {
    const found = this.store.byId(id)
    if (found !== undefined) return this.view(found.kind, found.object as Objects[typeof found.kind]) as StoredObject
    if (this.store.deletedCustomers.has(id)) return { id, object: "customer", deleted: true } as StoredObject
    return undefined
  }

  private include(holder: Record<string, unknown>, field: string): unknown {
    const id = String(holder["id"])
    const list = <T extends { id: string }>(items: Array<T>, url: string) => ({
      object: "list",
      data: items.slice(-EMBEDDED_LINES).reverse(),
      has_more: items.length > EMBEDDED_LINES,
      url
    })
    if (holder["object"] === "customer" && field === "tax_ids") {
      return list(this.store.all("tax_id").filter((t) => t.customer === id).map(clone), `/v1/customers/${id}/tax_ids`)
    }
    if (holder["object"] === "invoice" && field === "payments") {
      return list(this.store.all("invoice_payment").filter((p) => p.invoice === id).map(clone), `/v1/invoice_payments?invoice=${id}`)
    }
    if (holder["object"] === "charge" && field === "refunds") {
      return list(this.store.all("refund").filter((r) => r.charge === id).map(clone), `/v1/charges/${id}/refunds`)
    }
    return undefined
  }

  /** Applies `expand[]` paths to a rendered object (in place) and returns it. */
  expand<T>(object: T, paths: ReadonlyArray<string>): T {
    for (const p of paths) {
      const segments = p.split(".")
      if (segments.some((s) => s === "")) throw invalidParams(`Invalid expand path: ${p}`, "expand")
      if (segments.filter((s) => s !== "data").length > MAX_EXPAND_DEPTH) {
        throw invalidParams(`You cannot expand more than ${MAX_EXPAND_DEPTH} levels of a property. Property: ${p}`, "expand")
      }
      this.walk(object, segments, p)
    }
    return object
  }

  private walk(node: unknown, segments: ReadonlyArray<string>, full: string): void {
    if (segments.length === 0 || node === null || node === undefined) return
    if (Array.isArray(node)) {
      for (const item of node) this.walk(item, segments, full)
      return
    }
    if (!isPlainObject(node)) throw invalidParams(`This property cannot be expanded (${full}).`, "expand")
    const name = node["object"]
    if (name === "list" || name === "search_result") {
      if (segments[0] !== "data" || segments.length === 1) throw invalidParams(`This property cannot be expanded (${full}). Expand list items with data.<field>.`, "expand")
      this.walk(node["data"], segments.slice(1), full)
      return
    }
    const objectName = typeof name === "string" ? name : ""
    const candidates = [...(EXPANDABLE[objectName] ?? []), ...(INCLUDABLE[objectName] ?? [])]
    for (const spec of candidates) {
      const specSegments = spec.split(".")
      if (specSegments.length > segments.length || specSegments.some((s, i) => s !== segments[i])) continue
      const rest = segments.slice(specSegments.length)
      for (const holder of this.holders(node, specSegments.slice(0, -1))) {
        const leaf = specSegments[specSegments.length - 1]!
        if ((INCLUDABLE[objectName] ?? []).includes(spec)) holder[leaf] = this.include(holder, leaf)
        else holder[leaf] = this.resolve(holder[leaf], full)
        this.walk(holder[leaf], rest, full)
      }
      return
    }
    // Not expandable itself: an embedded hash or list (invoice `lines`, `payment`) is walked through.
    const inner = node[segments[0]!]
    if (segments.length > 1 && (isPlainObject(inner) || Array.isArray(inner))) {
      this.walk(inner, segments.slice(1), full)
      return
    }
    throw invalidParams(`This property cannot be expanded (${full}).`, "expand")
  }

  /** The plain hashes reached by following `through` (arrays are followed element by element). */
  private holders(node: Record<string, unknown>, through: ReadonlyArray<string>): Array<Record<string, unknown>> {
    let current: Array<unknown> = [node]
    for (const key of through) {
      current = current.flatMap((n) => {
        const v = isPlainObject(n) ? n[key] : undefined
        return Array.isArray(v) ? v : [v]
      })
    }
    return current.filter(isPlainObject)
  }

  private resolve(value: unknown, full: string): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, full))
    if (typeof value !== "string") return value
    const found = this.viewById(value)
    if (found === undefined) {
      throw invalidParams(`The simulator does not store the object ${value}, so ${full} cannot be expanded.`, "expand")
    }
    return found
  }
}
