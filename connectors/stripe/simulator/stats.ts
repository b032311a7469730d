/**
 * What the simulator saw: every API request (with its Idempotency-Key, and whether it was a
 * replay), every webhook delivery attempt and every delivery dropped by a fault. Tests count
 * requests with `count` / `byRoute`, where ids in paths read as `:id`.
 */
import { kindOfId, looksLikeId } from "./ids.js"

export interface RequestRecord {
  /** Date.now() when the request arrived. */
  readonly at: number
  readonly method: string
  /** Path with its query string. */
  readonly path: string
  /** Path without query, ids replaced by `:id`: "/v1/invoices/:id/pay". */
  readonly route: string
  /** The status answered; 0 when the connection was closed without an answer. */
  readonly status: number
  readonly requestId: string
  readonly idempotencyKey?: string
  /** The answer was the stored one of an earlier request with the same key. */
  readonly replayed?: boolean
  readonly fault?: "rate-limit" | "lock-timeout" | "server-error" | "reset" | "drop-response" | "slow"
  /** A 429 of the configured rate limit (not a fault). */
  readonly rateLimited?: boolean
}

export interface DeliveryRecord {
  readonly at: number
  readonly eventId: string
  readonly eventType: string
  readonly endpointId: string
  readonly url: string
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number
  readonly status?: number
  readonly error?: string
  readonly ok: boolean
  readonly durationMs: number
  /** The `t=` of the Stripe-Signature header sent. */
  readonly signedAt: number
}

export interface DroppedDelivery {
  readonly at: number
  readonly eventId: string
  readonly eventType: string
  readonly endpointId: string
}

export interface StripeSimulatorStats {
  requests(): ReadonlyArray<RequestRecord>
  /** Requests matching a method and a route (`"/v1/customers/:id"`), or a path prefix. */
  count(method: string, routeOrPrefix: string): number
  /** `{"POST /v1/customers": 3, …}`. */
  byRoute(): Readonly<Record<string, number>>
  /** Every Idempotency-Key seen on a POST, in order of first use. */
  idempotencyKeys(): ReadonlyArray<string>
  deliveries(): ReadonlyArray<DeliveryRecord>
  dropped(): ReadonlyArray<DroppedDelivery>
  reset(): void
}

/** `/v1/invoices/in_1Abc/pay` → `/v1/invoices/:id/pay` (a segment with one of the simulator's id prefixes). */
export const routeOf = (path: string): string =>
  path
    .split("?")[0]!
    .split("/")
    .map((s) => (kindOfId(s) !== undefined && looksLikeId(s) ? ":id" : s))
    .join("/")

export class Stats implements StripeSimulatorStats {
  private requestLog: Array<RequestRecord> = []
  private deliveryLog: Array<DeliveryRecord> = []
  private droppedLog: Array<DroppedDelivery> = []
  private keys: Array<string> = []
  private keySet = new Set<string>()

  recordRequest(r: RequestRecord): void {
    this.requestLog.push(r)
    if (r.idempotencyKey !== undefined && !this.keySet.has(r.idempotencyKey)) {
      this.keySet.add(r.idempotencyKey)
      this.keys.push(r.idempotencyKey)
    }
  }
  recordDelivery(d: DeliveryRecord): void {
    this.deliveryLog.push(d)
  }
  recordDropped(d: DroppedDelivery): void {
    this.droppedLog.push(d)
  }

  requests(): ReadonlyArray<RequestRecord> {
    return [...this.requestLog]
  }
  count(method: string, routeOrPrefix: string): number {
    return this.requestLog.filter((r) => r.method === method && (r.route === routeOrPrefix || r.path.startsWith(routeOrPrefix))).length
  }
  byRoute(): Readonly<Record<string, number>> {
    const out: Record<string, number> = {}
    for (const r of this.requestLog) out[`${r.method} ${r.route}`] = (out[`${r.method} ${r.route}`] ?? 0) + 1
    return out
  }
  idempotencyKeys(): ReadonlyArray<string> {
    return [...this.keys]
  }
  deliveries(): ReadonlyArray<DeliveryRecord> {
    return [...this.deliveryLog]
  }
  dropped(): ReadonlyArray<DroppedDelivery> {
    return [...this.droppedLog]
  }
  reset(): void {
    this.requestLog = []
    this.deliveryLog = []
    this.droppedLog = []
    this.keys = []
    this.keySet = new Set()
  }
}
