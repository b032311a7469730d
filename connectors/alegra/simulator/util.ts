/** Small helpers shared by the simulator: JSON types, hashing, PRNG, ids, dates, money. */

export type Json = null | boolean | number | string | ReadonlyArray<Json> | JsonObject
export interface JsonObject {
  readonly [key: string]: Json
}

// ---- hashing and pseudo-random numbers ------------------------------------

/** FNV-1a, 32 bit: stable across runs, used to pick deterministic wire variants. */
export const hash32 = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0").slice(-width)

/** UUIDv7: 48-bit unix-ms timestamp, version 7, variant 10, the rest from `random`. */
export const uuidv7 = (ms: number, random: () => number): string => {
  const ts = hex(Math.floor(ms), 12)
  const r = (bits: number): number => Math.floor(random() * 2 ** bits)
  const randA = hex(0x7000 | r(12), 4)
  const randB = hex(0x8000 | r(14), 4)
  const tail = hex(r(24), 6) + hex(r(24), 6)
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-${randA}-${randB}-${tail}`
}

// ---- dates ----------------------------------------------------------------

const pad = (n: number, w = 2): string => String(n).padStart(w, "0")

/** yyyy-MM-dd in UTC. */
export const formatDate = (d: Date): string =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`

/** "yyyy-MM-dd HH:mm:ss" in UTC: the format the simulator uses for datetime, created_at, updated_at. */
export const formatDateTime = (d: Date): string =>
  `${formatDate(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`

export const isValidDate = (s: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (m === null) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return formatDate(d) === s
}

export const addDays = (date: string, days: number): string => {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return formatDate(d)
}

// ---- money ----------------------------------------------------------------

/** Amounts are kept in integer cents internally so that balances are exact. */
export const toCents = (n: number): number => Math.round(n * 100)

const decimalsOf = (n: number): number => {
  const s = String(n)
  if (s.includes("e")) return 2
  return s.split(".")[1]?.length ?? 0
}

/**
 * Alegra returns amounts sometimes as JSON numbers and sometimes as numeric
 * strings ("19928.00", alegra-api.md §2). The choice here is deterministic per
 * record and field (a hash of the key), so a client sees both in one response.
 */
export const wireMoney = (cents: number, key: string): number | string =>
  (hash32(key) & 1) === 1 ? (cents / 100).toFixed(2) : cents / 100

/** Same mix for prices, quantities and percentages that may carry more decimals. */
export const wireDecimal = (n: number, key: string): number | string =>
  (hash32(key) & 1) === 1 ? n.toFixed(Math.max(2, Math.min(10, decimalsOf(n)))) : n
