/**
 * Webhook subscriptions and deliveries (alegra-api.md §4).
 *
 * - Exactly 12 events: new-/edit-/delete- × invoice, bill, client, item.
 * - Creating a subscription first POSTs an empty body to the URL (the handshake): without a 2xx
 *   within the timeout the subscription is not created.
 * - Deliveries: POST {"subject", "message"} with Content-Type application/json and no signature;
 *   asynchronous, in order per subscription, one at a time per subscription, each with the timeout.
 *   No retries. After 10 consecutive failures (non-2xx, timeout, connection error) the
 *   subscription is deleted.
 * - URLs are accepted with or without a scheme. Real Alegra always delivers over HTTPS; here,
 *   loopback targets (127.0.0.1, localhost, ::1) are delivered over plain HTTP whatever the scheme,
 *   because nothing on loopback in tests/demo can terminate TLS. Other hosts use https unless
 *   http:// was given explicitly.
 */
import { request as httpRequest, type ClientRequest } from "node:http"
import { request as httpsRequest } from "node:https"
import { AlegraSimulatorError, badRequest, Code, invalidField, notFound, requiredField } from "./errors.js"
import type { DeliveryFault, Faults } from "./faults.js"
import { asBody, has, oneOf } from "./input.js"
import type { DeliveryRecord, Stats } from "./stats.js"
import type { JsonObject } from "./util.js"

export const WEBHOOK_EVENTS = [
  "new-invoice",
  "edit-invoice",
  "delete-invoice",
  "new-bill",
  "edit-bill",
  "delete-bill",
  "new-client",
  "edit-client",
  "delete-client",
  "new-item",
  "edit-item",
  "delete-item"
] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

/** Consecutive failed deliveries after which a subscription is deleted. */
export const MAX_CONSECUTIVE_FAILURES = 10

export interface SubscriptionView {
  readonly id: string
  readonly event: string
  /** As it was registered (possibly without scheme). */
  readonly url: string
  readonly status: string
}

interface Target {
  readonly url: URL
  /** host + path + query, lower-cased host: what "the same URL" means for duplicates. */
  readonly key: string
}

interface Delivery {
  readonly subject: string
  readonly body: string
  /** Taken from the fault queue when the change happened (so "the next N" means the next changes). */
  readonly fault: DeliveryFault | undefined
}

interface Subscription {
  readonly id: string
  event: WebhookEvent
  url: string
  target: Target
  status: "active" | "inactive"
  failures: number
  readonly queue: Array<Delivery>
  busy: boolean
  wake: (() => void) | undefined
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"])

export const normaliseUrl = (raw: string): Target => {
  const trimmed = raw.trim()
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)
  let url: URL
  try {
    url = new URL(hasScheme ? trimmed : `https://${trimmed}`)
  } catch {
    throw invalidField("url", "no es una URL válida")
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalidField("url", "debe usar http o https")
  if (url.hostname === "") throw invalidField("url", "no es una URL válida")
  if (url.username !== "" || url.password !== "") throw invalidField("url", "no puede contener credenciales")
  const loopback = LOOPBACK.has(url.hostname)
  // Loopback cannot do TLS here: deliver over http (see the module comment).
  if (loopback || (hasScheme && trimmed.toLowerCase().startsWith("http://"))) url.protocol = "http:"
  return { url, key: `${url.host.toLowerCase()}${url.pathname}${url.search}` }
}

export interface PostResult {
  readonly status?: number
  readonly error?: string
}

/** POSTs a body and resolves with the status once the response has been read, or with an error. */
const post = (
  target: URL,
  body: string,
  timeoutMs: number,
  inflight: Set<ClientRequest>
): Promise<PostResult> =>
  new Promise((resolve) => {
    let settled = false
    const finish = (r: PostResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      inflight.delete(req)
      resolve(r)
    }
    const send = target.protocol === "https:" ? httpsRequest : httpRequest
    const req = send(target, {
      method: "POST",
      agent: false,
      headers: {
        "Content-Type": "application/json",
        "Content-Length": String(Buffer.byteLength(body)),
        "User-Agent": "Alegra-Webhooks-Simulator/1.0",
        Connection: "close"
      }
    })
    inflight.add(req)
    const timer = setTimeout(() => {
      finish({ error: `timeout after ${timeoutMs} ms` })
      req.destroy()
    }, timeoutMs)
    req.on("response", (res) => {
      res.on("error", () => finish({ error: "response aborted" }))
      res.on("end", () => finish({ status: res.statusCode ?? 0 }))
      res.resume()
    })
    req.on("error", (e) => finish({ error: e.message }))
    req.end(body)
  })

const isOk = (r: PostResult): boolean => r.status !== undefined && r.status >= 200 && r.status < 300

export class Webhooks {
  private readonly subs = new Map<string, Subscription>()
  private nextId = 1
  private readonly inflight = new Set<ClientRequest>()
  private idleWaiters: Array<() => void> = []
  private closed = false

  constructor(
    private readonly timeoutMs: number,
    private readonly stats: Stats,
    private readonly faults: Faults
  ) {}

  private view(s: Subscription): SubscriptionView {
    return { id: s.id, event: s.event, url: s.url, status: s.status }
  }

  list(): ReadonlyArray<SubscriptionView> {
    return [...this.subs.values()].map((s) => this.view(s))
  }

  get(id: string): SubscriptionView {
    const s = this.subs.get(id)
    if (s === undefined) throw notFound(`No se encontró la suscripción con id ${id}.`)
    return this.view(s)
  }

  private parseEvent(v: unknown): WebhookEvent {
    if (v === undefined || v === null || v === "") throw requiredField("event")
    if (typeof v !== "string" || !(WEBHOOK_EVENTS as ReadonlyArray<string>).includes(v)) {
      throw badRequest(
        Code.webhookUnknownEvent,
        `El evento '${String(v)}' no es válido. Eventos disponibles: ${WEBHOOK_EVENTS.join(", ")}.`
      )
    }
    return v as WebhookEvent
  }

  private parseUrl(v: unknown): { raw: string; target: Target } {
    if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) throw requiredField("url")
    if (typeof v !== "string") throw invalidField("url", "debe ser un texto")
    return { raw: v.trim(), target: normaliseUrl(v) }
  }

  private checkDuplicate(event: string, target: Target, except?: string): void {
    for (const s of this.subs.values()) {
      if (s.id !== except && s.event === event && s.target.key === target.key) {
        throw badRequest(Code.webhookDuplicate, `Ya existe una suscripción al evento '${event}' para esta URL.`)
      }
    }
  }

  private async handshake(target: Target): Promise<void> {
    const at = Date.now()
    const result = await post(target.url, "", this.timeoutMs, this.inflight)
    if (this.closed) throw new AlegraSimulatorError(503, Code.unavailable, "El servicio se está deteniendo.")
    const ok = isOk(result)
    this.stats.recordHandshake(this.record(at, target.url.href, "", "", result, ok))
    if (!ok) {
      const why = result.status !== undefined ? `respondió ${result.status}` : `no respondió (${result.error ?? "error"})`
      throw badRequest(
        Code.webhookHandshakeFailed,
        `No fue posible verificar la URL del webhook: ${why}. La URL debe responder 2xx en menos de ${Math.round(this.timeoutMs / 1000)} s.`
      )
    }
  }

  async create(body: unknown): Promise<SubscriptionView> {
    const o = asBody(body)
    const event = this.parseEvent(o["event"])
    const { raw, target } = this.parseUrl(o["url"])
    this.checkDuplicate(event, target)
    await this.handshake(target)
    this.checkDuplicate(event, target)
    const sub: Subscription = {
      id: String(this.nextId++),
      event,
      url: raw,
      target,
      status: "active",
      failures: 0,
      queue: [],
      busy: false,
      wake: undefined
    }
    this.subs.set(sub.id, sub)
    return this.view(sub)
  }

  async update(id: string, body: unknown): Promise<SubscriptionView> {
    const current = this.subs.get(id)
    if (current === undefined) throw notFound(`No se encontró la suscripción con id ${id}.`)
    const o = asBody(body)
    const event = has(o, "event") ? this.parseEvent(o["event"]) : current.event
    const url = has(o, "url") ? this.parseUrl(o["url"]) : { raw: current.url, target: current.target }
    const status = has(o, "status") ? oneOf(o["status"], "status", ["active", "inactive"] as const) : current.status
    this.checkDuplicate(event, url.target, id)
    if (url.target.key !== current.target.key || url.target.url.protocol !== current.target.url.protocol) {
      await this.handshake(url.target)
    }
    const sub = this.subs.get(id)
    if (sub === undefined) throw notFound(`No se encontró la suscripción con id ${id}.`)
    this.checkDuplicate(event, url.target, id)
    sub.event = event
    sub.url = url.raw
    sub.target = url.target
    sub.status = status
    return this.view(sub)
  }

  remove(id: string): boolean {
    const sub = this.subs.get(id)
    if (sub === undefined) return false
    this.subs.delete(id)
    sub.queue.length = 0
    sub.wake?.()
    this.checkIdle()
    return true
  }

  /** Queues a delivery to every active subscription of the subject's event. Never blocks. */
  emit(subject: string, message: JsonObject): void {
    if (this.closed) return
    const body = JSON.stringify({ subject, message })
    for (const sub of this.subs.values()) {
      if (sub.event !== subject || sub.status !== "active") continue
      const fault = this.faults.takeDelivery()
      if (fault?.kind === "drop") {
        this.stats.recordDropped({ at: Date.now(), url: sub.target.url.href, subject, subscriptionId: sub.id })
        continue
      }
      sub.queue.push({ subject, body, fault })
      if (sub.wake !== undefined) sub.wake()
      else if (!sub.busy) void this.pump(sub)
    }
  }

  private record(at: number, url: string, subject: string, subscriptionId: string, r: PostResult, ok: boolean): DeliveryRecord {
    return {
      at,
      url,
      subject,
      subscriptionId,
      ...(r.status !== undefined ? { status: r.status } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
      ok,
      durationMs: Date.now() - at
    }
  }

  private async send(sub: Subscription, d: Delivery): Promise<void> {
    if (this.closed || !this.subs.has(sub.id)) return
    const at = Date.now()
    const result = await post(sub.target.url, d.body, this.timeoutMs, this.inflight)
    if (this.closed) return
    const ok = isOk(result)
    this.stats.recordDelivery(this.record(at, sub.target.url.href, d.subject, sub.id, result, ok))
    if (!this.subs.has(sub.id)) return
    if (ok) {
      sub.failures = 0
      return
    }
    sub.failures += 1
    if (sub.failures >= MAX_CONSECUTIVE_FAILURES) this.remove(sub.id)
  }

  /** Waits until a delivery is queued for this subscription, or maxMs passed. */
  private waitForMore(sub: Subscription, maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), maxMs)
      const done = (): void => {
        clearTimeout(timer)
        sub.wake = undefined
        resolve()
      }
      sub.wake = done
    })
  }

  private async pump(sub: Subscription): Promise<void> {
    if (sub.busy) return
    sub.busy = true
    try {
      while (!this.closed && this.subs.has(sub.id)) {
        const d = sub.queue.shift()
        if (d === undefined) break
        const fault = d.fault
        if (fault?.kind === "reorder") {
          if (sub.queue.length === 0) await this.waitForMore(sub, fault.maxHoldMs)
          const next = sub.queue.shift()
          if (next !== undefined) await this.send(sub, next)
          await this.send(sub, d)
          continue
        }
        await this.send(sub, d)
        if (fault?.kind === "duplicate") await this.send(sub, d)
      }
    } finally {
      sub.busy = false
      this.checkIdle()
    }
  }

  private pendingCount(): number {
    let n = 0
    for (const s of this.subs.values()) n += s.queue.length + (s.busy ? 1 : 0)
    return n
  }

  private checkIdle(): void {
    if (this.pendingCount() > 0 && !this.closed) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }

  /** Resolves when no delivery is queued, held back or in flight. */
  waitIdle(): Promise<void> {
    if (this.pendingCount() === 0 || this.closed) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  close(): void {
    this.closed = true
    for (const s of this.subs.values()) {
      s.queue.length = 0
      s.wake?.()
    }
    for (const req of this.inflight) req.destroy()
    this.inflight.clear()
    this.checkIdle()
  }
}
