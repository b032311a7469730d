/**
 * Alegra's webhooks: the 12 events, and reading a delivery.
 *
 * Deliveries are unsigned and their shape is undocumented and varies (Alegra's own
 * integrators say so), so a delivery is only a hint: we take the event and the id, and the
 * engine re-reads the record. Shapes read:
 *   {"subject":"edit-invoice","message":{"invoice":{…,"id":"12"}}}     (the documented one)
 *   {"subject":"delete-item","message":{"id":"12"}}                   (delete-* may carry only the id)
 *   `event` for `subject`, `data` for `message`, a JSON text body, a body that is an array
 *   of deliveries, and the id under `<resource>.id`, `id`, `<resource>Id`, `id<Resource>`,
 *   `data.id`, `resource.id` or `payload.id`, inside message/data or at the top level.
 * What cannot be read (an unknown event, no id, an id of a shape Alegra never issues) is
 * reported as unreadable with the kinds it may concern, so they can be re-read.
 */
import type { Kind } from "../../schema/index.js"
import { isValidId, previewId } from "./ids.js"

/** What a webhook delivery claims; a hint only, the record is re-read by id. */
export interface WebhookHint {
  readonly event: string
  readonly kind: Kind
  readonly action: "created" | "updated" | "deleted"
  readonly id: string
}

/**
 * What a webhook body says: the records it names, and whether part of it (or all of
 * it) could not be read. A delivery with the right token is always answered 2xx;
 * what cannot be read (unknown shape, no id, an id of a shape Alegra never issues)
 * is kept for diagnosis and the kinds it may concern are re-read (a targeted
 * sweep), so the change is not lost.
 */
export interface WebhookReading {
  readonly hints: ReadonlyArray<WebhookHint>
  readonly unreadable: null | { readonly kinds: ReadonlyArray<Kind>; readonly reason: string }
}

const RESOURCES = [
  { key: "invoice", name: "invoice", kind: "invoice" },
  { key: "bill", name: "bill", kind: "bill" },
  { key: "client", name: "client", kind: "contact" },
  { key: "item", name: "item", kind: "item" }
] as const satisfies ReadonlyArray<{ key: string; name: string; kind: Kind }>

const ACTIONS = [
  { prefix: "new", action: "created" },
  { prefix: "edit", action: "updated" },
  { prefix: "delete", action: "deleted" }
] as const

/** The kinds Alegra sends webhooks for. */
export const webhookKinds: ReadonlyArray<Kind> = RESOURCES.map((r) => r.kind)

/** The 12 events: new-/edit-/delete- × invoice, bill, client, item. */
export const webhookEvents: ReadonlyArray<string> = RESOURCES.flatMap((r) => ACTIONS.map((a) => `${a.prefix}-${r.name}`))

const EVENTS = new Map<string, { readonly kind: Kind; readonly key: string; readonly action: WebhookHint["action"] }>(
  RESOURCES.flatMap((r) =>
    ACTIONS.map((a) => [`${a.prefix}-${r.name}`, { kind: r.kind, key: r.key, action: a.action }] as const)
  )
)

/** The Alegra event for a kind and action, when Alegra has one. */
export const eventFor = (kind: Kind, action: WebhookHint["action"]): string | undefined => {
  const resource = RESOURCES.find((r) => r.kind === kind)
  const prefix = ACTIONS.find((a) => a.action === action)?.prefix
  return resource && prefix ? `${prefix}-${resource.name}` : undefined
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** An id as sent: a string, or an integer number. */
const idOf = (value: unknown): string | undefined => {
  if (typeof value === "number" && Number.isFinite(value)) return String(value)
  if (typeof value === "string" && value.trim() !== "") return value.trim()
  return undefined
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/** Where a record id may be, in order of trust, within one object (the message, the data, the body). */
const idIn = (scope: Record<string, unknown>, key: string): string | undefined => {
  const named = scope[key]
  const nested = (name: string) => {
    const inner = scope[name]
    return isObject(inner) ? idOf(inner.id) : undefined
  }
  return (isObject(named) ? idOf(named.id) : idOf(named)) ??
    idOf(scope[`${key}Id`]) ??
    idOf(scope[`id${capitalise(key)}`]) ??
    idOf(scope.id) ??
    nested("data") ??
    nested("resource") ??
    nested("payload")
}

type Delivery = { readonly hint: WebhookHint } | { readonly unreadable: { readonly kinds: ReadonlyArray<Kind>; readonly reason: string } }

const unreadable = (kinds: ReadonlyArray<Kind>, reason: string): Delivery => ({ unreadable: { kinds, reason } })

/** One delivery object. */
const readDelivery = (value: unknown): Delivery => {
  if (!isObject(value)) return unreadable(webhookKinds, "not a JSON object")
  const subject = typeof value.subject === "string" ? value.subject : typeof value.event === "string" ? value.event : undefined
  if (subject === undefined) return unreadable(webhookKinds, "no subject or event")
  const event = subject.trim().toLowerCase()
  const meta = EVENTS.get(event)
  if (meta === undefined) return unreadable(webhookKinds, `unknown event ${previewId(subject)}`)
  const scopes = [value.message, value.data, value].filter(isObject)
  let id: string | undefined
  for (const scope of scopes) {
    id = idIn(scope, meta.key)
    if (id !== undefined) break
  }
  if (id === undefined) return unreadable([meta.kind], `${event} without a record id`)
  if (!isValidId(meta.kind, id)) return unreadable([meta.kind], `${event} with an id Alegra never issues: ${previewId(id)}`)
  return { hint: { event, kind: meta.kind, action: meta.action, id } }
}

const read = (body: unknown): WebhookReading => {
  let value = body
  if (typeof value === "string") {
    try {
      value = JSON.parse(value)
    } catch {
      return { hints: [], unreadable: { kinds: webhookKinds, reason: "body is not JSON" } }
    }
  }
  const deliveries = Array.isArray(value) ? value.map(readDelivery) : [readDelivery(value)]
  if (deliveries.length === 0) return { hints: [], unreadable: { kinds: webhookKinds, reason: "an empty array" } }
  const hints: Array<WebhookHint> = []
  const kinds = new Set<Kind>()
  const reasons: Array<string> = []
  for (const delivery of deliveries) {
    if ("hint" in delivery) {
      const { hint } = delivery
      if (!hints.some((h) => h.event === hint.event && h.id === hint.id)) hints.push(hint)
    } else {
      for (const kind of delivery.unreadable.kinds) kinds.add(kind)
      if (!reasons.includes(delivery.unreadable.reason)) reasons.push(delivery.unreadable.reason)
    }
  }
  if (reasons.length === 0) return { hints, unreadable: null }
  const unread = deliveries.length - deliveries.filter((d) => "hint" in d).length
  const reason = deliveries.length > 1 ? `${unread} of ${deliveries.length} deliveries unreadable: ${reasons.slice(0, 3).join("; ")}` : reasons[0]!
  return { hints, unreadable: { kinds: webhookKinds.filter((k) => kinds.has(k)), reason } }
}

/**
 * Reads a delivery body (parsed JSON, or its text). Never throws: whatever it cannot read
 * is in `unreadable`, with the kinds to re-read.
 */
export const parseWebhook = (body: unknown): WebhookReading => {
  try {
    return read(body)
  } catch {
    // Plain JSON cannot throw here; anything else (a hostile getter) is unreadable too.
    return { hints: [], unreadable: { kinds: webhookKinds, reason: "body could not be read" } }
  }
}

/** Alegra is registered with the URL without its scheme (safe with both readings of the docs). */
export const stripScheme = (url: string): string => url.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
