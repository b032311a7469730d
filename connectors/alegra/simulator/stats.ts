/** What the simulator saw: every API request, every webhook delivery, handshake and dropped delivery. */

export interface RequestRecord {
  /** Date.now() when the request arrived. */
  readonly at: number
  readonly method: string
  /** Path with its query string, e.g. "/api/v1/invoices?start=0&limit=30". */
  readonly path: string
  /** The status answered; 0 when the connection was reset by a fault. */
  readonly status: number
  /** Seconds left in the rate-limit window when it arrived: the X-Rate-Limit-Reset of its answer. */
  readonly reset: number
  /** Set when the answer came from fault injection. */
  readonly fault?: "rate-limit" | "rate-limit-disguised" | "server-error" | "reset"
}

/** Requests counted in one of the simulator's fixed rate-limit windows. */
export interface WindowCount {
  /** Date.now() at which the window starts (a multiple of the window length). */
  readonly start: number
  readonly count: number
  /** Whether the window lies wholly between the first and the last request recorded. */
  readonly full: boolean
}

export interface DeliveryRecord {
  /** Date.now() when the delivery was sent. */
  readonly at: number
  /** The URL actually posted to (with its scheme). */
  readonly url: string
  /** "new-invoice", …; "" for a handshake. */
  readonly subject: string
  readonly subscriptionId: string
  readonly status?: number
  readonly error?: string
  /** A 2xx within the timeout. */
  readonly ok: boolean
  readonly durationMs: number
}

export interface DroppedDelivery {
  readonly at: number
  readonly url: string
  readonly subject: string
  readonly subscriptionId: string
}

export interface AlegraSimulatorStats {
  requests(): ReadonlyArray<RequestRecord>
  deliveries(): ReadonlyArray<DeliveryRecord>
  /** The empty POSTs sent when a subscription is created or its URL changed. */
  handshakes(): ReadonlyArray<DeliveryRecord>
  /** Deliveries suppressed by faults.dropWebhooks (never sent, so not in deliveries()). */
  dropped(): ReadonlyArray<DroppedDelivery>
  /** Forgets everything recorded so far. */
  reset(): void
  /** The most requests whose `at` falls into one window [k·windowMs, (k+1)·windowMs) — the simulator's fixed windows. */
  maxPerWindow(windowMs: number): number
  /** The most requests within any span shorter than windowMs. */
  maxInAnySlidingWindow(windowMs: number): number
  /** Requests per fixed window [k·windowMs, (k+1)·windowMs), from the first request's window to the last's. */
  windows(windowMs: number): ReadonlyArray<WindowCount>
}

/** The most times within any span shorter than `windowMs` (a time t and t + windowMs are in different spans). */
export const maxInAnyWindow = (times: ReadonlyArray<number>, windowMs: number): number => {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let lo = 0
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

export class Stats implements AlegraSimulatorStats {
  private requestLog: Array<RequestRecord> = []
  private deliveryLog: Array<DeliveryRecord> = []
  private handshakeLog: Array<DeliveryRecord> = []
  private droppedLog: Array<DroppedDelivery> = []

  recordRequest(r: RequestRecord): void {
    this.requestLog.push(r)
  }
  recordDelivery(d: DeliveryRecord): void {
    this.deliveryLog.push(d)
  }
  recordHandshake(d: DeliveryRecord): void {
    this.handshakeLog.push(d)
  }
  recordDropped(d: DroppedDelivery): void {
    this.droppedLog.push(d)
  }

  requests(): ReadonlyArray<RequestRecord> {
    return [...this.requestLog]
  }
  deliveries(): ReadonlyArray<DeliveryRecord> {
    return [...this.deliveryLog]
  }
  handshakes(): ReadonlyArray<DeliveryRecord> {
    return [...this.handshakeLog]
  }
  dropped(): ReadonlyArray<DroppedDelivery> {
    return [...this.droppedLog]
  }
  reset(): void {
    this.requestLog = []
    this.deliveryLog = []
    this.handshakeLog = []
    this.droppedLog = []
  }
  maxPerWindow(windowMs: number): number {
    const counts = new Map<number, number>()
    let best = 0
    for (const r of this.requestLog) {
      const w = Math.floor(r.at / windowMs)
      const n = (counts.get(w) ?? 0) + 1
      counts.set(w, n)
      if (n > best) best = n
    }
    return best
  }
  windows(windowMs: number): ReadonlyArray<WindowCount> {
    if (this.requestLog.length === 0) return []
    const times = this.requestLog.map((r) => r.at)
    const first = Math.min(...times)
    const last = Math.max(...times)
    const from = Math.floor(first / windowMs)
    const counts = new Array<number>(Math.floor(last / windowMs) - from + 1).fill(0)
    for (const at of times) counts[Math.floor(at / windowMs) - from]! += 1
    return counts.map((count, i) => {
      const start = (from + i) * windowMs
      return { start, count, full: start >= first && start + windowMs <= last }
    })
  }
  maxInAnySlidingWindow(windowMs: number): number {
    return maxInAnyWindow(this.requestLog.map((r) => r.at), windowMs)
  }
}
