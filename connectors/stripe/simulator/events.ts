/**
 * Events: every state change records one (or several: paying an invoice records the payment
 * intent's, the charge's and the invoice's). `data.object` is the object as of the event (its
 * default view), `data.previous_attributes` the changed fields' old values on `*.updated`,
 * `request` the API request and idempotency key that caused it (null for automatic changes), and
 * `pending_webhooks` the endpoints still to receive it. Events older than 30 days (on the
 * simulator's clock) are neither listed nor retrievable, as on Stripe.
 */
import type { Clock } from "./clock.js"
import type { Renderer } from "./expand.js"
import { newId } from "./ids.js"
import type { EventObject, Kind, Objects, Store } from "./state.js"
import { isPlainObject } from "./wire.js"

export const EVENT_RETENTION_SECONDS = 30 * 24 * 3600

/** Who caused a change: the API request (id and Idempotency-Key), the dashboard, or Stripe itself. */
export interface Cause {
  readonly requestId: string | null
  readonly idempotencyKey: string | null
}

export const AUTOMATIC: Cause = { requestId: null, idempotencyKey: null }

/** Old values of what changed: nested hashes compare key by key, lists and scalars as a whole. */
export const previousAttributes = (before: unknown, after: unknown): Record<string, unknown> | undefined => {
  if (!isPlainObject(before) || !isPlainObject(after)) return undefined
  const out: Record<string, unknown> = {}
  const keys = new Set([...Object.keys(before), ...Object.keys(after)])
  for (const key of keys) {
    const b = before[key]
    const a = after[key]
    if (JSON.stringify(a) === JSON.stringify(b)) continue
    const nested = isPlainObject(b) && isPlainObject(a) && b["object"] !== "list" ? previousAttributes(b, a) : undefined
    out[key] = nested ?? (b === undefined ? null : b)
  }
  return Object.keys(out).length === 0 ? undefined : out
}

export class Events {
  private readonly listeners: Array<(event: EventObject) => void> = []
  /** Endpoints a new event goes to (set by the webhooks module). */
  recipients: (type: string) => number = () => 0

  constructor(
    private readonly store: Store,
    private readonly renderer: Renderer,
    private readonly clock: Clock,
    private readonly apiVersion: string
  ) {}

  onEvent(listener: (event: EventObject) => void): void {
    this.listeners.push(listener)
  }

  emit<K extends Kind>(type: string, kind: K, object: Objects[K], cause: Cause, previous?: Record<string, unknown>): EventObject {
    const event: EventObject = {
      id: newId("event"),
      object: "event",
      api_version: this.apiVersion,
      created: this.clock.nowSeconds(),
      data: {
        object: this.renderer.view(kind, object) as EventObject["data"]["object"],
        ...(previous === undefined ? {} : { previous_attributes: previous })
      },
      livemode: false,
      pending_webhooks: this.recipients(type),
      request: { id: cause.requestId, idempotency_key: cause.idempotencyKey },
      type
    }
    this.store.put("event", event)
    for (const l of this.listeners) l(event)
    return event
  }

  /** `invoice.updated` and friends: only when something changed. */
  emitUpdate<K extends Kind>(type: string, kind: K, before: Objects[K], after: Objects[K], cause: Cause): void {
    const previous = previousAttributes(this.renderer.view(kind, before), this.renderer.view(kind, after))
    if (previous !== undefined) this.emit(type, kind, after, cause, previous)
  }

  live(event: EventObject): boolean {
    return event.created >= this.clock.nowSeconds() - EVENT_RETENTION_SECONDS
  }
}
