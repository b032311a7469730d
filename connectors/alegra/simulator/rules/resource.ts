/** The contract every kind's rule module fulfils; the engine (engine.ts) drives them. */
import type { Obj } from "../input.js"
import type { BaseRec, SimKind } from "../records.js"
import type { Store } from "../state.js"
import type { JsonObject } from "../util.js"

export interface MutationOptions {
  /** Predates a format change: estimates get a numeric id, single-role contacts answer `type` as a string. */
  readonly legacy?: boolean
  /** Overrides created_at / updated_at (seeding history). */
  readonly createdAt?: Date
}

export interface Ctx {
  readonly store: Store
  readonly opts: MutationOptions
}

/** A validated change: nothing is touched until the engine stores `record` and runs `apply`. */
export interface Prepared<R> {
  readonly record: R
  readonly apply?: () => void
}

export type Filter<R> = (rec: R, value: string, store: Store) => boolean

export interface ActionResult {
  /** Runs the state change (validation already passed). */
  readonly apply: () => void
  /** Whether the change is an edit of a webhook kind (fires edit-*). */
  readonly notify: boolean
}

export type Action<R> = (rec: R, body: Obj, ctx: Ctx) => ActionResult

export type WebhookKey = "invoice" | "bill" | "client" | "item"

export interface Resource<R extends BaseRec> {
  readonly kind: SimKind
  /** Path segment under /api/v1. */
  readonly path: string
  /** Spanish noun with article, for messages ("la factura"). */
  readonly label: string
  readonly canUpdate: boolean
  readonly canRemove: boolean
  readonly webhook: WebhookKey | null
  create(body: Obj, ctx: Ctx): Prepared<R>
  update(current: R, patch: Obj, ctx: Ctx): Prepared<R>
  /** Validates a delete; returns the clean-up to run once the record is gone. */
  remove(current: R, ctx: Ctx): (() => void) | undefined
  render(rec: R, store: Store): JsonObject
  /** How many times the record appears in a list (the payments-per-category-line quirk); default 1. */
  readonly listRows?: (rec: R) => number
  readonly filters: Readonly<Record<string, Filter<R>>>
  readonly order: Readonly<Record<string, (rec: R, store: Store) => string | number>>
  /** Actions; those named in httpActions are exposed as POST /{path}/{id}/{action}, the rest only to admin. */
  readonly actions: Readonly<Record<string, Action<R>>>
  readonly httpActions: ReadonlyArray<string>
  /** Applied to every list before the query filters (e.g. inactive bank accounts are hidden by default). */
  readonly baseFilter?: (rec: R, query: URLSearchParams) => boolean
}

export const cannot = (): never => {
  throw new Error("operation not supported by this resource")
}
