/**
 * The simulated account: one map per object kind holding wire objects (insertion order is creation
 * order, so "newest first" is the reverse), tombstones of deleted customers (Stripe still answers
 * them as `{deleted: true}`), and a hook the search index uses to see every write.
 */
import type Stripe from "stripe"
import type { Clock } from "./clock.js"
import { kindOfId } from "./ids.js"
import type { StoredObject, Wire } from "./wire.js"

/** An event as stored: the SDK's event shape, with `data.object` a plain snapshot. */
export type EventObject = Omit<Wire<Stripe.EventBase>, "type" | "data"> & {
  type: string
  data: { object: StoredObject & Record<string, unknown>; previous_attributes?: Record<string, unknown> }
}

export interface Objects {
  customer: Wire<Stripe.Customer>
  tax_id: Wire<Stripe.TaxId>
  product: Wire<Stripe.Product>
  price: Wire<Stripe.Price>
  tax_rate: Wire<Stripe.TaxRate>
  invoiceitem: Wire<Stripe.InvoiceItem>
  invoice: Wire<Stripe.Invoice>
  invoice_payment: Wire<Stripe.InvoicePayment>
  payment_intent: Wire<Stripe.PaymentIntent>
  charge: Wire<Stripe.Charge>
  refund: Wire<Stripe.Refund>
  credit_note: Wire<Stripe.CreditNote>
  event: EventObject
  webhook_endpoint: Wire<Stripe.WebhookEndpoint>
}
export type Kind = keyof Objects

export const KINDS: ReadonlyArray<Kind> = [
  "customer",
  "tax_id",
  "product",
  "price",
  "tax_rate",
  "invoiceitem",
  "invoice",
  "invoice_payment",
  "payment_intent",
  "charge",
  "refund",
  "credit_note",
  "event",
  "webhook_endpoint"
]

export const isKind = (value: string): value is Kind => (KINDS as ReadonlyArray<string>).includes(value)

/** Called after every write: the object as stored now, or null once deleted. */
export type WriteListener = (kind: Kind, id: string, object: StoredObject | null, atMs: number) => void

export class Store {
  private readonly maps = Object.fromEntries(KINDS.map((k) => [k, new Map()])) as { [K in Kind]: Map<string, Objects[K]> }
  /** Creation rank of every stored object (list cursors compare ranks). */
  private readonly ranks = new Map<string, number>()
  private nextRank = 0
  readonly deletedCustomers = new Set<string>()
  /** Objects that exist but are never listed or searched (inline prices). */
  readonly hidden = new Set<string>()
  private readonly listeners: Array<WriteListener> = []

  constructor(readonly clock: Clock) {}

  onWrite(listener: WriteListener): void {
    this.listeners.push(listener)
  }

  get<K extends Kind>(kind: K, id: string): Objects[K] | undefined {
    return this.maps[kind].get(id)
  }

  put<K extends Kind>(kind: K, object: Objects[K]): Objects[K] {
    this.maps[kind].set(object.id, object)
    if (!this.ranks.has(object.id)) this.ranks.set(object.id, this.nextRank++)
    const at = this.clock.nowMs()
    for (const l of this.listeners) l(kind, object.id, object, at)
    return object
  }

  remove(kind: Kind, id: string): void {
    if (!this.maps[kind].delete(id)) return
    this.ranks.delete(id)
    if (kind === "customer") this.deletedCustomers.add(id)
    const at = this.clock.nowMs()
    for (const l of this.listeners) l(kind, id, null, at)
  }

  /** Oldest first. */
  all<K extends Kind>(kind: K): Array<Objects[K]> {
    return [...this.maps[kind].values()]
  }

  count(kind: Kind): number {
    return this.maps[kind].size
  }

  /** Creation rank (larger is newer), for list cursors; undefined when the id is not (or no longer) stored as `kind`. */
  rankOf(kind: Kind, id: string): number | undefined {
    return this.maps[kind].has(id) ? this.ranks.get(id) : undefined
  }

  /** Any stored object by its id's prefix (for expansion). */
  byId(id: string): { kind: Kind; object: StoredObject } | undefined {
    const idKind = kindOfId(id)
    if (idKind === undefined || !isKind(idKind)) return undefined
    const object = this.maps[idKind].get(id)
    return object === undefined ? undefined : { kind: idKind, object }
  }
}
