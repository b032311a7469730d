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
  /**
   * The next `count` API requests that `match` are answered from the state as it is when
   * they arrive, but the answer is held back until `releaseHeld()`: a read that was made
   * before a change and reaches the client after it (for deterministic interleavings).
   */
  hold(count: number, match: (method: string, path: string) => boolean): void
  /** Sends every held answer. */
  releaseHeld(): void
  /** How many answers are held right now. */
  held(): number
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
  private readonly holds: Array<{ remaining: number; readonly match: (method: string, path: string) => boolean }> = []
  private readonly heldAnswers: Array<() => void> = []
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
  hold(count: number, match: (method: string, path: string) => boolean): void {
    if (checkCount(count) > 0) this.holds.push({ remaining: count, match })
  }
  releaseHeld(): void {
    for (const release of this.heldAnswers.splice(0)) release()
  }
  held(): number {
    return this.heldAnswers.length
  }
  /** Whether this request's answer is to be held (consumes one hold). */
  takeHold(method: string, path: string): boolean {
    const hold = this.holds.find((h) => h.match(method, path))
    if (hold === undefined) return false
    hold.remaining -= 1
    if (hold.remaining <= 0) this.holds.splice(this.holds.indexOf(hold), 1)
    return true
  }
  /** Waits for `releaseHeld`. */
  waitForRelease(): Promise<void> {
    return new Promise((resolve) => this.heldAnswers.push(resolve))
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
    this.holds.length = 0
    this.releaseHeld()
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
