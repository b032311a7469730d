/**
 * The engine: runs the rule modules against the store, for the HTTP API and for admin alike,
 * and announces changes of webhook kinds (invoice, bill, client, item).
 */
import { AlegraSimulatorError, Code, notFound } from "./errors.js"
import { asBody } from "./input.js"
import { Listing, type ListResult } from "./listing.js"
import type { BaseRec, SimKind } from "./records.js"
import { RESOURCES } from "./rules/index.js"
import type { MutationOptions, Resource } from "./rules/resource.js"
import type { Store } from "./state.js"
import type { JsonObject } from "./util.js"

export interface EngineOptions extends MutationOptions {
  /** No webhook for this change (a change that Alegra would not announce, or seeding). */
  readonly silent?: boolean
}

/** A webhook-worthy change: `{"subject":"edit-invoice","message":{"invoice":{…}}}`. */
export interface Change {
  readonly subject: string
  readonly message: JsonObject
}

const methodNotAllowed = (): AlegraSimulatorError =>
  new AlegraSimulatorError(405, Code.methodNotAllowed, "El método no está permitido para este recurso.")

const missing = (r: Resource<BaseRec>, id: string): AlegraSimulatorError =>
  notFound(`No se encontró ${r.label} con id ${id}.`)

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

export class Engine {
  private readonly listing: Listing

  constructor(
    readonly store: Store,
    private readonly announce: (change: Change) => void
  ) {
    this.listing = new Listing(() => store.version)
  }

  /** Runs a change; whatever happens, lists read before it are stale (rules change records in place). */
  private changing<A>(change: () => A): A {
    try {
      return change()
    } finally {
      this.store.touch()
    }
  }

  private records(kind: SimKind): Map<string, BaseRec> {
    return this.store.map(kind) as unknown as Map<string, BaseRec>
  }

  private existing(r: Resource<BaseRec>, id: string): BaseRec {
    const rec = this.records(r.kind).get(id)
    if (rec === undefined) throw missing(r, id)
    return rec
  }

  private emit(r: Resource<BaseRec>, action: "new" | "edit" | "delete", id: string, record: JsonObject | null, opts: EngineOptions): void {
    if (r.webhook === null || opts.silent === true) return
    this.announce({
      subject: `${action}-${r.webhook}`,
      message: record === null ? { id } : { [r.webhook]: record }
    })
  }

  render(kind: SimKind, rec: BaseRec): JsonObject {
    return RESOURCES[kind].render(rec, this.store)
  }

  find(kind: SimKind, id: string): JsonObject | undefined {
    const rec = this.records(kind).get(id)
    return rec === undefined ? undefined : this.render(kind, rec)
  }

  get(kind: SimKind, id: string): JsonObject {
    const r = RESOURCES[kind]
    return r.render(this.existing(r, id), this.store)
  }

  all(kind: SimKind): ReadonlyArray<JsonObject> {
    return [...this.records(kind).values()].map((rec) => this.render(kind, rec))
  }

  count(kind: SimKind): number {
    return this.records(kind).size
  }

  ids(kind: SimKind): ReadonlyArray<string> {
    return [...this.records(kind).keys()]
  }

  list(kind: SimKind, query: URLSearchParams): ListResult {
    return this.listing.page(RESOURCES[kind], this.records(kind), query, this.store)
  }

  create(kind: SimKind, body: unknown, opts: EngineOptions = {}): JsonObject {
    return this.changing(() => this.doCreate(kind, body, opts))
  }

  update(kind: SimKind, id: string, body: unknown, opts: EngineOptions = {}): JsonObject {
    return this.changing(() => this.doUpdate(kind, id, body, opts))
  }

  remove(kind: SimKind, id: string, opts: EngineOptions = {}): JsonObject {
    return this.changing(() => this.doRemove(kind, id, opts))
  }

  action(kind: SimKind, id: string, action: string, body: unknown, opts: EngineOptions = {}): JsonObject {
    return this.changing(() => this.doAction(kind, id, action, body, opts))
  }

  private doCreate(kind: SimKind, body: unknown, opts: EngineOptions): JsonObject {
    const r = RESOURCES[kind]
    const prepared = r.create(asBody(body), { store: this.store, opts })
    this.records(kind).set(prepared.record.id, prepared.record)
    prepared.apply?.()
    const out = r.render(prepared.record, this.store)
    this.emit(r, "new", prepared.record.id, out, opts)
    return out
  }

  private doUpdate(kind: SimKind, id: string, body: unknown, opts: EngineOptions): JsonObject {
    const r = RESOURCES[kind]
    if (!r.canUpdate) throw methodNotAllowed()
    const current = this.existing(r, id)
    const prepared = r.update(current, asBody(body), { store: this.store, opts })
    this.records(kind).set(id, prepared.record)
    prepared.apply?.()
    const out = r.render(prepared.record, this.store)
    this.emit(r, "edit", id, out, opts)
    return out
  }

  private doRemove(kind: SimKind, id: string, opts: EngineOptions): JsonObject {
    const r = RESOURCES[kind]
    if (!r.canRemove) throw methodNotAllowed()
    const current = this.existing(r, id)
    const cleanup = r.remove(current, { store: this.store, opts })
    this.records(kind).delete(id)
    cleanup?.()
    this.emit(r, "delete", id, null, opts)
    return { code: 200, message: `${capitalise(r.label)} fue eliminad${r.label.startsWith("la ") ? "a" : "o"} correctamente.` }
  }

  hasAction(kind: SimKind, action: string, viaHttp: boolean): boolean {
    const r = RESOURCES[kind]
    return Object.prototype.hasOwnProperty.call(r.actions, action) && (!viaHttp || r.httpActions.includes(action))
  }

  private doAction(kind: SimKind, id: string, action: string, body: unknown, opts: EngineOptions): JsonObject {
    const r = RESOURCES[kind]
    const fn = Object.prototype.hasOwnProperty.call(r.actions, action) ? r.actions[action] : undefined
    if (fn === undefined) throw notFound()
    const current = this.existing(r, id)
    const result = fn(current, body === undefined || body === null ? {} : asBody(body), { store: this.store, opts })
    result.apply()
    const out = r.render(current, this.store)
    if (result.notify) this.emit(r, "edit", id, out, opts)
    return out
  }
}
