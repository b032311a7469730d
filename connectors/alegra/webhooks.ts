/**
 * Alegra's webhooks: the 12 events, and reading a delivery.
 *
 * Deliveries are unsigned and undocumented in detail, so a delivery is only a hint: we
 * take the event and the id and the engine re-reads the record. Known shapes:
 *   {"subject":"edit-invoice","message":{"invoice":{…,"id":"12"}}}
 *   {"subject":"delete-item","message":{"id":"12"}}      (delete-* may carry only the id)
 *   {"subject":"delete-item","message":{"item":{"id":12}}}
 * Also tolerated: `event` instead of `subject`, `data` instead of `message`, a JSON string
 * body, and `message` being the record itself.
 */
import { Option } from "effect"
import type { Kind } from "../../schema/index.js"
import type { WebhookHint } from "../../src/ports/alegra.js"

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

const idOf = (value: unknown): string | undefined => {
  if (typeof value === "number" && Number.isFinite(value)) return String(value)
  if (typeof value === "string" && value.trim() !== "") return value.trim()
  return undefined
}

/** Reads a delivery body (parsed JSON, or its text); None when it is not one we understand. */
export const parseWebhook = (body: unknown): Option.Option<WebhookHint> => {
  let value = body
  if (typeof value === "string") {
    try {
      value = JSON.parse(value)
    } catch {
      return Option.none()
    }
  }
  if (!isObject(value)) return Option.none()
  const subject = typeof value.subject === "string" ? value.subject : typeof value.event === "string" ? value.event : undefined
  if (subject === undefined) return Option.none()
  const event = subject.trim().toLowerCase()
  const meta = EVENTS.get(event)
  if (meta === undefined) return Option.none()
  const message = isObject(value.message) ? value.message : isObject(value.data) ? value.data : undefined
  if (message === undefined) return Option.none()
  const inner = message[meta.key]
  const id = (isObject(inner) ? idOf(inner.id) : idOf(inner)) ?? idOf(message.id)
  if (id === undefined) return Option.none()
  return Option.some({ event, kind: meta.kind, action: meta.action, id })
}

/** Alegra is registered with the URL without its scheme (safe with both readings of the docs). */
export const stripScheme = (url: string): string => url.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
