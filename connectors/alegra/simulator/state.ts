/** The simulated account's state: one map per kind (insertion order = creation order), counters, clock. */
import { NUMBER_TEMPLATES } from "./catalog.js"
import type { BaseRec, RecordOf, SimKind } from "./records.js"
import { formatDate, formatDateTime, prng, uuidv7 } from "./util.js"

export class Store {
  private readonly maps: { readonly [K in SimKind]: Map<string, RecordOf[K]> } = {
    category: new Map(),
    "bank-account": new Map(),
    contact: new Map(),
    item: new Map(),
    invoice: new Map(),
    bill: new Map(),
    payment: new Map(),
    "credit-note": new Map(),
    estimate: new Map()
  }
  private seq = 0
  private changes = 0
  private readonly idCounters = new Map<SimKind, number>()
  private readonly templateCounters = new Map<number, number>()
  private readonly paymentCounters = { in: 0, out: 0 }
  private estimateNumber = 0
  /** Deterministic randomness for UUIDv7 tails and stamps. */
  readonly random = prng(0x5eed)

  constructor(readonly now: () => Date) {
    for (const t of NUMBER_TEMPLATES) this.templateCounters.set(t.id, t.firstNumber)
  }

  map<K extends SimKind>(kind: K): Map<string, RecordOf[K]> {
    return this.maps[kind]
  }

  get<K extends SimKind>(kind: K, id: string): RecordOf[K] | undefined {
    return this.maps[kind].get(id)
  }

  /** Bumped on every change to the account (records are also changed in place): lists read before are stale. */
  get version(): number {
    return this.changes
  }

  touch(): void {
    this.changes += 1
  }

  nextSeq(): number {
    return ++this.seq
  }

  /** Numeric string ids per kind ("1", "2", …); estimates created now get UUIDv7 ids unless legacy. */
  nextId(kind: SimKind, legacy: boolean, at?: Date): string {
    if (kind === "estimate" && !legacy) return uuidv7((at ?? this.now()).getTime(), this.random)
    const n = (this.idCounters.get(kind) ?? 0) + 1
    this.idCounters.set(kind, n)
    return String(n)
  }

  nextTemplateNumber(templateId: number): string {
    const n = this.templateCounters.get(templateId) ?? 1
    this.templateCounters.set(templateId, n + 1)
    return String(n)
  }

  nextPaymentNumber(type: "in" | "out"): string {
    this.paymentCounters[type] += 1
    return String(this.paymentCounters[type])
  }

  nextEstimateNumber(): string {
    this.estimateNumber += 1
    return String(this.estimateNumber)
  }

  today(): string {
    return formatDate(this.now())
  }

  timestamp(): string {
    return formatDateTime(this.now())
  }

  base(kind: SimKind, legacy: boolean, createdAt?: Date): BaseRec {
    const ts = createdAt === undefined ? this.timestamp() : formatDateTime(createdAt)
    return { id: this.nextId(kind, legacy, createdAt), seq: this.nextSeq(), createdAt: ts, updatedAt: ts }
  }

  /** A hex string from the store's deterministic randomness (CUFE-like). */
  randomHex(length: number): string {
    let s = ""
    while (s.length < length) s += Math.floor(this.random() * 0x100000000).toString(16).padStart(8, "0")
    return s.slice(0, length)
  }
}
