/**
 * Fault injection. Everything is count-based and consumed in order:
 * - response faults (429, 429 disguised as 400, 500/503, connection reset) form one queue,
 *   taken by the API requests in the order they arrive;
 * - delays form a second queue and combine with whatever the delayed request is answered;
 * - webhook faults (drop, duplicate, reorder) form a third queue, taken by deliveries in the order
 *   they are queued (when the change happens), one per matching subscription.
 */

export type ResponseFault =
  | { readonly kind: "rate-limit"; readonly disguised: boolean }
  | { readonly kind: "server-error"; readonly status: 500 | 503 }
  | { readonly kind: "reset" }

export type DeliveryFault =
  | { readonly kind: "drop" }
  | { readonly kind: "duplicate" }
  | { readonly kind: "reorder"; readonly maxHoldMs: number }

interface Counted<F> {
  readonly fault: F
  remaining: number
}

export interface AlegraSimulatorFaults {
  /** The next `count` API responses are 429 (or, disguised, a 400 whose body says code 429); rate-limit headers included. */
  rateLimit(count: number, options?: { readonly disguised?: boolean }): void
  /** The next `count` API responses are 500 (default) or 503. */
  serverError(count: number, status?: 500 | 503): void
  /** The next `count` API connections are destroyed without a response (TCP reset). */
  resetConnections(count: number): void
  /** The next `count` API responses are sent `ms` later (the request counts when it arrives). */
  slow(count: number, ms: number): void
  /** The next `count` webhook deliveries are never sent (and not logged as deliveries). */
  dropWebhooks(count: number): void
  /** The next `count` webhook deliveries are sent twice in a row. */
  duplicateWebhooks(count: number): void
  /**
   * The next `count` webhook deliveries are held back and sent right after the delivery that
   * follows them on the same subscription (or after `maxHoldMs`, default 1000, when none follows).
   */
  reorderWebhooks(count?: number, options?: { readonly maxHoldMs?: number }): void
  /** Drops every queued fault. */
  clear(): void
  /** How many faults of each queue are still to be consumed. */
  pending(): { readonly responses: number; readonly delays: number; readonly webhooks: number }
}

const take = <F>(queue: Array<Counted<F>>): F | undefined => {
  const head = queue[0]
  if (head === undefined) return undefined
  head.remaining -= 1
  if (head.remaining <= 0) queue.shift()
  return head.fault
}

const checkCount = (count: number): number => {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`fault count must be a non-negative integer, got ${count}`)
  return count
}

export class Faults implements AlegraSimulatorFaults {
  private readonly responses: Array<Counted<ResponseFault>> = []
  private readonly delays: Array<Counted<number>> = []
  private readonly deliveries: Array<Counted<DeliveryFault>> = []

  private push<F>(queue: Array<Counted<F>>, fault: F, count: number): void {
    if (checkCount(count) > 0) queue.push({ fault, remaining: count })
  }

  rateLimit(count: number, options: { readonly disguised?: boolean } = {}): void {
    this.push(this.responses, { kind: "rate-limit", disguised: options.disguised === true }, count)
  }
  serverError(count: number, status: 500 | 503 = 500): void {
    this.push(this.responses, { kind: "server-error", status }, count)
  }
  resetConnections(count: number): void {
    this.push(this.responses, { kind: "reset" }, count)
  }
  slow(count: number, ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`delay must be >= 0 ms, got ${ms}`)
    this.push(this.delays, ms, count)
  }
  dropWebhooks(count: number): void {
    this.push(this.deliveries, { kind: "drop" }, count)
  }
  duplicateWebhooks(count: number): void {
    this.push(this.deliveries, { kind: "duplicate" }, count)
  }
  reorderWebhooks(count = 1, options: { readonly maxHoldMs?: number } = {}): void {
    this.push(this.deliveries, { kind: "reorder", maxHoldMs: options.maxHoldMs ?? 1000 }, count)
  }
  clear(): void {
    this.responses.length = 0
    this.delays.length = 0
    this.deliveries.length = 0
  }
  pending(): { readonly responses: number; readonly delays: number; readonly webhooks: number } {
    const sum = <F>(q: Array<Counted<F>>): number => q.reduce((n, c) => n + c.remaining, 0)
    return { responses: sum(this.responses), delays: sum(this.delays), webhooks: sum(this.deliveries) }
  }

  takeResponse(): ResponseFault | undefined {
    return take(this.responses)
  }
  takeDelay(): number {
    return take(this.delays) ?? 0
  }
  takeDelivery(): DeliveryFault | undefined {
    return take(this.deliveries)
  }
}
