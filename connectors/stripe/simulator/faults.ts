/**
 * Fault injection, count-based and consumed in arrival order.
 *
 * API faults (one queue; each entry may be limited to requests matching a method and a path):
 * - `rateLimit`: 429 rate_limit_error as for a spent quota, without `Stripe-Should-Retry` (the SDK
 *   does not retry it);
 * - `lockTimeout`: 429 lock_timeout with `Stripe-Should-Retry: true` (the SDK retries it);
 * - `serverError`: 500 api_error, stored for an idempotent request (so its retries replay the
 *   500, as Stripe does) unless `{ stored: false }`;
 * - `resetConnections`: the connection is destroyed before the request is handled;
 * - `dropResponses`: the request is handled (and its idempotent answer stored), then the
 *   connection is destroyed without an answer: the SDK's retry must get the first answer back;
 * - `slow`: the answer is sent `ms` later; an idempotency key stays "in flight" meanwhile.
 *
 * Delivery faults (a second queue, taken when an event is queued for an endpoint):
 * drop, duplicate, reorder (held until the next delivery to that endpoint went out, or
 * `maxHoldMs`), delay (sent `ms` later, so later events overtake it).
 */

export interface RequestMatch {
  /** e.g. "POST". */
  readonly method?: string
  /** A path prefix ("/v1/invoices") or a pattern tested against the path without query. */
  readonly path?: string | RegExp
}

export type ApiFault =
  | { readonly kind: "rate-limit" }
  | { readonly kind: "lock-timeout" }
  | { readonly kind: "server-error"; readonly stored: boolean }
  | { readonly kind: "reset" }
  | { readonly kind: "drop-response" }
  | { readonly kind: "slow"; readonly ms: number }

export type DeliveryFault =
  | { readonly kind: "drop" }
  | { readonly kind: "duplicate" }
  | { readonly kind: "reorder"; readonly maxHoldMs: number }
  | { readonly kind: "delay"; readonly ms: number }

interface Entry<F> {
  readonly fault: F
  readonly match: RequestMatch
  remaining: number
}

export interface StripeSimulatorFaults {
  rateLimit(count: number, match?: RequestMatch): void
  lockTimeout(count: number, match?: RequestMatch): void
  serverError(count: number, options?: RequestMatch & { readonly stored?: boolean }): void
  resetConnections(count: number, match?: RequestMatch): void
  dropResponses(count: number, match?: RequestMatch): void
  slow(count: number, ms: number, match?: RequestMatch): void
  dropDeliveries(count: number): void
  duplicateDeliveries(count: number): void
  reorderDeliveries(count?: number, options?: { readonly maxHoldMs?: number }): void
  delayDeliveries(count: number, ms: number): void
  /** Forgets every fault not yet consumed. */
  clear(): void
  pending(): { readonly api: number; readonly deliveries: number }
}

const checkCount = (count: number): number => {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`fault count must be a non-negative integer, got ${count}`)
  return count
}

const matches = (m: RequestMatch, method: string, path: string): boolean =>
  (m.method === undefined || m.method.toUpperCase() === method) &&
  (m.path === undefined || (typeof m.path === "string" ? path.startsWith(m.path) : m.path.test(path)))

export class Faults implements StripeSimulatorFaults {
  private readonly api: Array<Entry<ApiFault>> = []
  private readonly deliveries: Array<Entry<DeliveryFault>> = []

  private push<F>(queue: Array<Entry<F>>, fault: F, count: number, match: RequestMatch = {}): void {
    if (checkCount(count) > 0) queue.push({ fault, match: { ...(match.method === undefined ? {} : { method: match.method }), ...(match.path === undefined ? {} : { path: match.path }) }, remaining: count })
  }

  rateLimit(count: number, match?: RequestMatch): void {
    this.push(this.api, { kind: "rate-limit" }, count, match)
  }
  lockTimeout(count: number, match?: RequestMatch): void {
    this.push(this.api, { kind: "lock-timeout" }, count, match)
  }
  serverError(count: number, options: RequestMatch & { readonly stored?: boolean } = {}): void {
    this.push(this.api, { kind: "server-error", stored: options.stored ?? true }, count, options)
  }
  resetConnections(count: number, match?: RequestMatch): void {
    this.push(this.api, { kind: "reset" }, count, match)
  }
  dropResponses(count: number, match?: RequestMatch): void {
    this.push(this.api, { kind: "drop-response" }, count, match)
  }
  slow(count: number, ms: number, match?: RequestMatch): void {
    if (!(ms >= 0)) throw new RangeError(`delay must be >= 0 ms, got ${ms}`)
    this.push(this.api, { kind: "slow", ms }, count, match)
  }
  dropDeliveries(count: number): void {
    this.push(this.deliveries, { kind: "drop" }, count)
  }
  duplicateDeliveries(count: number): void {
    this.push(this.deliveries, { kind: "duplicate" }, count)
  }
  reorderDeliveries(count = 1, options: { readonly maxHoldMs?: number } = {}): void {
    this.push(this.deliveries, { kind: "reorder", maxHoldMs: options.maxHoldMs ?? 1000 }, count)
  }
  delayDeliveries(count: number, ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`delay must be >= 0 ms, got ${ms}`)
    this.push(this.deliveries, { kind: "delay", ms }, count)
  }
  clear(): void {
    this.api.length = 0
    this.deliveries.length = 0
  }
  pending(): { readonly api: number; readonly deliveries: number } {
    const sum = <F>(q: Array<Entry<F>>): number => q.reduce((n, e) => n + e.remaining, 0)
    return { api: sum(this.api), deliveries: sum(this.deliveries) }
  }

  /** The first API fault whose match fits this request, consumed. */
  takeApi(method: string, path: string): ApiFault | undefined {
    const i = this.api.findIndex((e) => matches(e.match, method, path))
    if (i < 0) return undefined
    const entry = this.api[i]!
    entry.remaining -= 1
    if (entry.remaining <= 0) this.api.splice(i, 1)
    return entry.fault
  }

  takeDelivery(): DeliveryFault | undefined {
    const head = this.deliveries[0]
    if (head === undefined) return undefined
    head.remaining -= 1
    if (head.remaining <= 0) this.deliveries.shift()
    return head.fault
  }
}
