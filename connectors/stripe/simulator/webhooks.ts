/**
 * Webhook deliveries, signed like Stripe's.
 *
 * Every event goes to each enabled endpoint whose `enabled_events` has its type (or `*`), as a POST
 * of the event's JSON (the event as stored then, `pending_webhooks` included) with
 * `Stripe-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "t.body" with the endpoint's whsec_ secret>`.
 * `t` is the simulator's clock. One delivery at a time per endpoint, in event order unless a fault
 * says otherwise; an answer counts as delivered when it is a 2xx within the timeout.
 *
 * Failures (non-2xx, timeout, refused connection) are retried automatically after each delay of
 * `retryDelaysMs` (default 500 ms, 2 s, 8 s: Stripe's sandbox retries three times over hours; this
 * is the same shape, shortened), then left failed; `retryFailed()` sends every failed one again at
 * once. `waitIdle` waits for queued and in-flight deliveries, not for retries still scheduled.
 */
import { createHmac } from "node:crypto"
import { type ClientRequest, request as httpRequest } from "node:http"
import { request as httpsRequest } from "node:https"
import type { WebhookRegistry } from "./api.js"
import type { Clock } from "./clock.js"
import type { DeliveryFault, Faults } from "./faults.js"
import { randomText } from "./ids.js"
import type { EventObject, Store } from "./state.js"
import type { Stats } from "./stats.js"

export interface WebhookOptions {
  readonly timeoutMs: number
  readonly retryDelaysMs: ReadonlyArray<number>
}

/** The Stripe-Signature header for a body, as Stripe computes it. */
export const signatureHeader = (body: string, secret: string, timestamp: number): string =>
  `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex")}`

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"])

interface Delivery {
  readonly eventId: string
  readonly attempt: number
  readonly fault: DeliveryFault | undefined
}

interface Queue {
  readonly items: Array<Delivery>
  busy: boolean
  wake: (() => void) | undefined
}

type Outcome = "pending" | "ok" | "failed"

export class Webhooks implements WebhookRegistry {
  private readonly secrets = new Map<string, string>()
  private readonly queues = new Map<string, Queue>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly inflight = new Set<ClientRequest>()
  /** Per event, per endpoint: how its delivery stands and how many attempts it took. */
  private readonly outcomes = new Map<string, Map<string, { outcome: Outcome; attempts: number }>>()
  private idleWaiters: Array<() => void> = []
  private delayed = 0
  private closed = false

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly stats: Stats,
    private readonly faults: Faults,
    private readonly options: WebhookOptions
  ) {}

  create(endpointId: string): string {
    const secret = `whsec_${randomText(32)}`
    this.secrets.set(endpointId, secret)
    return secret
  }

  forget(endpointId: string): void {
    this.secrets.delete(endpointId)
    const q = this.queues.get(endpointId)
    if (q !== undefined) {
      q.items.length = 0
      q.wake?.()
    }
    this.queues.delete(endpointId)
    this.checkIdle()
  }

  secretOf(endpointId: string): string | undefined {
    return this.secrets.get(endpointId)
  }

  private endpointsFor(type: string): Array<{ id: string; url: string }> {
    return this.store
      .all("webhook_endpoint")
      .filter((e) => e.status === "enabled" && (e.enabled_events.includes("*") || e.enabled_events.includes(type)))
      .map((e) => ({ id: e.id, url: e.url }))
  }

  recipients(type: string): number {
    return this.endpointsFor(type).length
  }

  /** Whether every delivery of the event succeeded (true), some is pending or failed (false), or it had none (undefined). */
  deliverySuccess(eventId: string): boolean | undefined {
    const m = this.outcomes.get(eventId)
    if (m === undefined || m.size === 0) return undefined
    return [...m.values()].every((o) => o.outcome === "ok")
  }

  onEvent(event: EventObject): void {
    if (this.closed) return
    for (const endpoint of this.endpointsFor(event.type)) {
      this.setOutcome(event.id, endpoint.id, "pending", 0)
      const fault = this.faults.takeDelivery()
      if (fault?.kind === "drop") {
        this.stats.recordDropped({ at: Date.now(), eventId: event.id, eventType: event.type, endpointId: endpoint.id })
        continue
      }
      if (fault?.kind === "delay") {
        this.delayed += 1
        this.later(fault.ms, () => {
          this.delayed -= 1
          this.enqueue(endpoint.id, { eventId: event.id, attempt: 1, fault: undefined })
          this.checkIdle()
        })
        continue
      }
      this.enqueue(endpoint.id, { eventId: event.id, attempt: 1, fault })
    }
  }

  private setOutcome(eventId: string, endpointId: string, outcome: Outcome, attempts: number): void {
    const m = this.outcomes.get(eventId) ?? new Map()
    m.set(endpointId, { outcome, attempts })
    this.outcomes.set(eventId, m)
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t)
      if (!this.closed) f()
    }, ms)
    this.timers.add(t)
  }

  private enqueue(endpointId: string, d: Delivery): void {
    if (this.closed) return
    let q = this.queues.get(endpointId)
    if (q === undefined) {
      q = { items: [], busy: false, wake: undefined }
      this.queues.set(endpointId, q)
    }
    q.items.push(d)
    if (q.wake !== undefined) q.wake()
    else if (!q.busy) void this.pump(endpointId, q)
  }

  /** Sends every delivery whose last attempt failed again now; answers how many. */
  retryFailed(): number {
    let n = 0
    for (const [eventId, m] of this.outcomes) {
      for (const [endpointId, o] of m) {
        if (o.outcome !== "failed" || !this.secrets.has(endpointId)) continue
        o.outcome = "pending"
        this.enqueue(endpointId, { eventId, attempt: o.attempts + 1, fault: undefined })
        n += 1
      }
    }
    return n
  }

  private waitForMore(q: Queue, maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), maxMs)
      const done = (): void => {
        clearTimeout(timer)
        q.wake = undefined
        resolve()
      }
      q.wake = done
    })
  }

  private async pump(endpointId: string, q: Queue): Promise<void> {
    if (q.busy) return
    q.busy = true
    try {
      while (!this.closed && this.queues.get(endpointId) === q) {
        const d = q.items.shift()
        if (d === undefined) break
        if (d.fault?.kind === "reorder") {
          if (q.items.length === 0) await this.waitForMore(q, d.fault.maxHoldMs)
          const next = q.items.shift()
          if (next !== undefined) await this.send(endpointId, next)
          await this.send(endpointId, d)
          continue
        }
        await this.send(endpointId, d)
        if (d.fault?.kind === "duplicate") await this.send(endpointId, d)
      }
    } finally {
      q.busy = false
      this.checkIdle()
    }
  }

  private async send(endpointId: string, d: Delivery): Promise<void> {
    const endpoint = this.store.get("webhook_endpoint", endpointId)
    const secret = this.secrets.get(endpointId)
    const event = this.store.get("event", d.eventId)
    if (this.closed || endpoint === undefined || secret === undefined || event === undefined) return
    const body = JSON.stringify(event, null, 2)
    const signedAt = this.clock.nowSeconds()
    const at = Date.now()
    const result = await this.post(endpoint.url, body, signatureHeader(body, secret, signedAt))
    if (this.closed) return
    const ok = result.status !== undefined && result.status >= 200 && result.status < 300
    this.stats.recordDelivery({
      at,
      eventId: event.id,
      eventType: event.type,
      endpointId,
      url: endpoint.url,
      attempt: d.attempt,
      ...(result.status === undefined ? {} : { status: result.status }),
      ...(result.error === undefined ? {} : { error: result.error }),
      ok,
      durationMs: Date.now() - at,
      signedAt
    })
    const current = this.outcomes.get(event.id)?.get(endpointId)
    if (ok) {
      if (current?.outcome !== "ok") {
        event.pending_webhooks = Math.max(0, event.pending_webhooks - 1)
        this.store.put("event", event)
      }
      this.setOutcome(event.id, endpointId, "ok", d.attempt)
      return
    }
    if (current?.outcome === "ok") return
    const delay = this.options.retryDelaysMs[d.attempt - 1]
    if (delay === undefined) {
      this.setOutcome(event.id, endpointId, "failed", d.attempt)
      return
    }
    this.setOutcome(event.id, endpointId, "pending", d.attempt)
    this.later(delay, () => this.enqueue(endpointId, { eventId: event.id, attempt: d.attempt + 1, fault: undefined }))
  }

  private post(rawUrl: string, body: string, signature: string): Promise<{ status?: number; error?: string }> {
    return new Promise((resolve) => {
      const url = new URL(rawUrl)
      // Nothing on loopback can answer TLS here: deliver over http (see README).
      if (LOOPBACK.has(url.hostname)) url.protocol = "http:"
      let settled = false
      const finish = (r: { status?: number; error?: string }): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.inflight.delete(req)
        resolve(r)
      }
      const send = url.protocol === "https:" ? httpsRequest : httpRequest
      const req = send(url, {
        method: "POST",
        agent: false,
        headers: {
          "Content-Type": "application/json; charset=utf-8",
          "Content-Length": String(Buffer.byteLength(body)),
          "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          Accept: "*/*; q=0.5, application/xml",
          "Cache-Control": "no-cache",
          "Stripe-Signature": signature,
          Connection: "close"
        }
      })
      this.inflight.add(req)
      const timer = setTimeout(() => {
        finish({ error: `timeout after ${this.options.timeoutMs} ms` })
        req.destroy()
      }, this.options.timeoutMs)
      req.on("response", (res) => {
        res.on("error", () => finish({ error: "response aborted" }))
        res.on("end", () => finish({ status: res.statusCode ?? 0 }))
        res.resume()
      })
      req.on("error", (e) => finish({ error: e.message }))
      req.end(body)
    })
  }

  private busy(): boolean {
    if (this.delayed > 0) return true
    for (const q of this.queues.values()) if (q.busy || q.items.length > 0) return true
    return false
  }

  private checkIdle(): void {
    if (this.busy() && !this.closed) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }

  waitIdle(): Promise<void> {
    if (!this.busy() || this.closed) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  close(): void {
    this.closed = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    for (const q of this.queues.values()) {
      q.items.length = 0
      q.wake?.()
    }
    for (const req of this.inflight) req.destroy()
    this.inflight.clear()
    this.checkIdle()
  }
}
