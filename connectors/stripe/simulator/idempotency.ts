/**
 * Idempotency keys of POST requests (Stripe's v1 rules):
 * - the first answer for a key is stored (status, body and the headers that matter) and replayed
 *   for the same key with the same method, path and parameters — errors too, 500s included —
 *   except answers to requests whose parameters failed validation (nothing ran, nothing stored);
 * - the same key with other parameters (or another path) is a 400 idempotency_error;
 * - a key whose request is still running answers 409 (idempotency_key_in_use);
 * - keys are forgotten 24 hours (on the simulator's clock) after first use; at most 255 characters.
 */
import type { Clock } from "./clock.js"
import type { FormObject, FormValue } from "./form.js"

export const MAX_KEY_LENGTH = 255
export const KEY_TTL_MS = 24 * 3600 * 1000

export interface StoredAnswer {
  readonly status: number
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
  /** The Request-Id of the request that produced it. */
  readonly requestId: string
}

interface Entry {
  readonly fingerprint: string
  readonly createdMs: number
  answer: StoredAnswer | undefined
}

export type Begin =
  | { readonly kind: "new" }
  | { readonly kind: "replay"; readonly answer: StoredAnswer }
  | { readonly kind: "in-flight" }
  | { readonly kind: "mismatch" }

const canonical = (v: FormValue): string =>
  typeof v === "string"
    ? JSON.stringify(v)
    : `{${Object.keys(v)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical(v[k]!)}`)
        .join(",")}}`

export const fingerprint = (method: string, path: string, form: FormObject): string => `${method} ${path} ${canonical(form)}`

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = KEY_TTL_MS
  ) {}

  begin(key: string, print: string): Begin {
    const now = this.clock.nowMs()
    for (const [k, e] of this.entries) {
      if (e.createdMs + this.ttlMs > now) break // insertion order is age order
      if (e.answer !== undefined) this.entries.delete(k)
    }
    const entry = this.entries.get(key)
    if (entry === undefined) {
      this.entries.set(key, { fingerprint: print, createdMs: now, answer: undefined })
      return { kind: "new" }
    }
    if (entry.answer === undefined) return { kind: "in-flight" }
    if (entry.fingerprint !== print) return { kind: "mismatch" }
    return { kind: "replay", answer: entry.answer }
  }

  /** Stores the answer, or forgets the key when nothing is to be stored. */
  finish(key: string, answer: StoredAnswer | undefined): void {
    const entry = this.entries.get(key)
    if (entry === undefined) return
    if (answer === undefined) this.entries.delete(key)
    else entry.answer = answer
  }

  size(): number {
    return this.entries.size
  }
}
