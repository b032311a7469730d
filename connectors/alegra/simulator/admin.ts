/**
 * Changes "made by a user in the Alegra web app": the same validation and state rules as the API,
 * synchronous, and they fire webhooks like real edits do unless { silent: true }.
 * Errors are thrown as AlegraSimulatorError (status, code, message), as the API would answer.
 */
import type { Engine, EngineOptions } from "./engine.js"
import type { SimKind } from "./records.js"
import type { JsonObject } from "./util.js"
import type { SubscriptionView, Webhooks } from "./webhooks.js"

export interface AdminOptions extends EngineOptions {
  /** No webhook for this change. */
  readonly silent?: boolean
  /**
   * The record predates a format change: an estimate gets a numeric id instead of a UUIDv7,
   * a single-role contact answers `type` as a bare string.
   */
  readonly legacy?: boolean
  /** created_at / updated_at to record (seeding history); defaults to the simulator's clock. */
  readonly createdAt?: Date
}

/** A record exactly as GET /{resource}/{id} returns it. */
export type WireRecord = JsonObject

export interface AlegraSimulatorAdmin {
  create(kind: SimKind, body: unknown, options?: AdminOptions): WireRecord
  /** Top-level merge; arrays are replaced wholesale (as PUT). */
  update(kind: SimKind, id: string, patch: unknown, options?: AdminOptions): WireRecord
  remove(kind: SimKind, id: string, options?: AdminOptions): void
  get(kind: SimKind, id: string): WireRecord | undefined
  /** Every record of the kind, once each, oldest first, as GET /{resource}/{id} returns them. */
  list(kind: SimKind): ReadonlyArray<WireRecord>
  count(kind: SimKind): number
  ids(kind: SimKind): ReadonlyArray<string>
  voidInvoice(id: string, options?: AdminOptions): WireRecord
  /** Opens a draft or voided invoice; with stamp: true also stamps it (electronic numbering only). */
  openInvoice(id: string, options?: AdminOptions & { readonly stamp?: boolean }): WireRecord
  stampInvoice(id: string, options?: AdminOptions): WireRecord
  voidPayment(id: string, options?: AdminOptions): WireRecord
  openPayment(id: string, options?: AdminOptions): WireRecord
  /** Web-app-only actions (no API endpoint in the notes). */
  voidBill(id: string, options?: AdminOptions): WireRecord
  voidCreditNote(id: string, options?: AdminOptions): WireRecord
  subscriptions(): ReadonlyArray<SubscriptionView>
  /** Deletes a subscription as Alegra does on its own (e.g. after failures). */
  removeSubscription(id: string): boolean
  /** The user regenerates the API token: from now on only the new one is accepted. */
  setToken(token: string): void
}

export const makeAdmin = (engine: Engine, webhooks: Webhooks, setToken: (token: string) => void): AlegraSimulatorAdmin => ({
  create: (kind, body, options = {}) => engine.create(kind, body, options),
  update: (kind, id, patch, options = {}) => engine.update(kind, id, patch, options),
  remove: (kind, id, options = {}) => {
    engine.remove(kind, id, options)
  },
  get: (kind, id) => engine.find(kind, id),
  list: (kind) => engine.all(kind),
  count: (kind) => engine.count(kind),
  ids: (kind) => engine.ids(kind),
  voidInvoice: (id, options = {}) => engine.action("invoice", id, "void", {}, options),
  openInvoice: (id, options = {}) =>
    engine.action("invoice", id, "open", options.stamp === true ? { stamp: { generateStamp: true } } : {}, options),
  stampInvoice: (id, options = {}) => engine.action("invoice", id, "open", { stamp: { generateStamp: true } }, options),
  voidPayment: (id, options = {}) => engine.action("payment", id, "void", {}, options),
  openPayment: (id, options = {}) => engine.action("payment", id, "open", {}, options),
  voidBill: (id, options = {}) => engine.action("bill", id, "void", {}, options),
  voidCreditNote: (id, options = {}) => engine.action("credit-note", id, "void", {}, options),
  subscriptions: () => webhooks.list(),
  removeSubscription: (id) => webhooks.remove(id),
  setToken: (token) => {
    if (token === "") throw new Error("setToken: the token must not be empty")
    setToken(token)
  }
})
