/**
 * The hand-written decoder (connectors/alegra/mapping.ts) against the oracle: the Effect
 * Schemas it replaced (test/alegra/oracle/). Every record of every kind the simulator
 * seeds (both presets, several seeds) and thousands of mutated variants of them must
 * give the same canonical record both ways, or fail both ways; where both fail, the
 * decoder's message names a field the oracle names too.
 */
import { Either, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { decodeRecord, decodeRows } from "../../connectors/alegra/mapping.js"
import { type AlegraSimulator, presets, type SeedSizes, seedAccount } from "../../connectors/alegra/simulator/index.js"
import { prng } from "../../connectors/alegra/simulator/util.js"
import { type Kind, kinds, recordSchemas } from "../../schema/index.js"
import { canonicalJson } from "../../src/store/json.js"
import { decodeRecord as oracle } from "./oracle/mapping.js"
import { start } from "./simulator-support.js"

type Raw = Record<string, unknown>

const accounts: Array<{ readonly name: string; readonly sizes: SeedSizes; readonly seed: number }> = [
  { name: "small, seed 1", sizes: presets.small, seed: 1 },
  { name: "small, seed 2", sizes: presets.small, seed: 2 },
  { name: "small, seed 20250601", sizes: presets.small, seed: 20250601 },
  { name: "large, seed 20250601", sizes: presets.large, seed: 20250601 },
  { name: "large, seed 7", sizes: presets.large, seed: 7 }
]

/** Every record each account holds, per kind, as the API renders them. */
const seeded: Array<{ readonly name: string; readonly records: ReadonlyMap<Kind, ReadonlyArray<Raw>> }> = []

beforeAll(async () => {
  for (const account of accounts) {
    const sim: AlegraSimulator = await start()
    try {
      seedAccount(sim, account.sizes, account.seed)
      seeded.push({ name: account.name, records: new Map(kinds.map((kind) => [kind, sim.admin.list(kind)])) })
    } finally {
      await sim.close()
    }
  }
})

afterAll(() => {
  seeded.length = 0
})

/** Object keys in sorted order at every level: what lets canonical JSON be JSON.stringify. */
const keysSorted = (value: unknown): boolean => {
  if (value === null || typeof value !== "object") return true
  if (Array.isArray(value)) return value.every(keysSorted)
  const keys = Object.keys(value)
  return keys.every((key, i) => i === 0 || keys[i - 1]! < key) && Object.values(value).every(keysSorted)
}

/** The fields a failure message names: "items.0.price: …; client: …" → ["items.0.price", "client"]. */
const pathsOf = (message: string): Array<string> =>
  message.split("; ").map((problem) => problem.slice(0, problem.indexOf(":")))

const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)

/** Compares both decoders on one input; returns the outcome ("ok" or "failed") or throws with the difference. */
const compare = (kind: Kind, raw: unknown, label: string): "ok" | "failed" => {
  const expected = oracle(kind, raw)
  const actual = decodeRecord(kind, raw)
  const shown = `${label}: ${kind} ${JSON.stringify(raw)}`
  if (Either.isRight(expected)) {
    if (Either.isLeft(actual)) throw new Error(`${shown}\n  the oracle reads it, the decoder fails: ${actual.left}`)
    expect(actual.right, shown).toEqual(expected.right)
    // The canonical checks the engine relies on hold, and keys are in canonical order.
    expect(Schema.is(recordSchemas[kind] as Schema.Schema<unknown>)(actual.right.record), shown).toBe(true)
    expect(keysSorted(actual.right.record), shown).toBe(true)
    expect(canonicalJson(actual.right.record)).toBe(canonicalJson(expected.right.record))
    return "ok"
  }
  if (Either.isRight(actual)) {
    throw new Error(`${shown}\n  the oracle fails (${expected.left}), the decoder reads ${JSON.stringify(actual.right)}`)
  }
  const named = pathsOf(expected.left)
  for (const path of pathsOf(actual.left)) {
    if (!named.some((other) => related(path, other))) {
      throw new Error(`${shown}\n  the decoder names ${path} (${actual.left}), the oracle does not (${expected.left})`)
    }
  }
  return "failed"
}

describe("the decoder reads what the oracle reads", () => {
  it("every record of every kind of the seeded accounts, identically", () => {
    expect(seeded).toHaveLength(accounts.length)
    for (const { name, records } of seeded) {
      for (const kind of kinds) {
        const list = records.get(kind) ?? []
        expect(list.length, `${name}: ${kind}`).toBeGreaterThan(0)
        for (const raw of list) expect(compare(kind, raw, name)).toBe("ok")
      }
    }
  })

  it("mutated variants (numbers↔strings, nulls, missing keys, arrays of one, wrong types): same records, same failures", () => {
    const random = prng(424242)
    const outcomes = { ok: 0, failed: 0 }
    const large = seeded.find((account) => account.name.startsWith("large"))!
    for (const kind of kinds) {
      const list = large.records.get(kind)!
      for (let n = 0; n < 800; n++) {
        const original = list[Math.floor(random() * list.length)]!
        const variant = structuredClone(original)
        const changes = 1 + Math.floor(random() * 3)
        const applied: Array<string> = []
        for (let c = 0; c < changes; c++) applied.push(mutate(variant, random))
        outcomes[compare(kind, variant, applied.join(", "))]++
      }
    }
    // Both sides of the comparison are exercised, not only one.
    expect(outcomes.ok).toBeGreaterThan(2000)
    expect(outcomes.failed).toBeGreaterThan(1500)
  })

  it("every seeded record in each of the other shapes Alegra may send, identically", () => {
    const large = seeded.find((account) => account.name.startsWith("large"))!
    for (const [shape, transform] of Object.entries(shapes)) {
      for (const kind of kinds) {
        for (const original of large.records.get(kind)!) {
          const variant = transform(structuredClone(original), kind)
          expect(compare(kind, variant, shape)).toBe("ok")
        }
      }
    }
  })

  it("inputs that are not records at all fail both ways", () => {
    for (const kind of kinds) {
      for (const raw of [null, undefined, 5, "x", true, [], [{ id: 1 }], {}]) expect(compare(kind, raw, "not a record")).toBe("failed")
    }
  })

  it("a page fails at its first bad row, naming its position and the field", () => {
    const good = { id: "1", date: "2024-01-01", status: "open", client: { id: "1" }, total: "1" }
    const page = decodeRows("invoice", [good, { ...good, id: "2" }, { ...good, id: "3", total: "abc" }, { ...good, id: 4, date: 5 }])
    expect(page).toEqual(Either.left({ index: 2, message: "total: expected a number or a numeric string, got \"abc\"" }))
    const read = decodeRows("invoice", [good, { ...good, id: 2 }])
    expect(Either.getOrThrow(read).map((r) => r.record.id)).toEqual(["1", "2"])
  })
})

// ---------------------------------------------------------------------------------------
// Shapes: the same content as Alegra may also send it

/** Applies `change` to every value of a record, depth first (the change's result is not revisited). */
const everyValue = (value: unknown, change: (value: unknown) => unknown): unknown => {
  if (Array.isArray(value)) return change(value.map((item) => everyValue(item, change)))
  if (value !== null && typeof value === "object") {
    return change(Object.fromEntries(Object.entries(value).map(([key, item]) => [key, everyValue(item, change)])))
  }
  return change(value)
}

const REFS = ["client", "provider", "bankAccount"]
const OPTIONAL = ["dueDate", "numberTemplate", "number", "currency", "items", "totalPaid", "balance", "observations", "stamp",
  "email", "phonePrimary", "phoneSecondary", "mobile", "address", "identification", "identificationObject", "type", "status",
  "description", "reference", "price", "tax", "productKey", "idParent", "code", "paymentMethod", "invoices", "bills"]

const shapes: Record<string, (raw: Raw, kind: Kind) => unknown> = {
  "numbers as strings": (raw) => everyValue(raw, (v) => (typeof v === "number" ? String(v) : v)),
  "numeric strings as numbers": (raw) =>
    everyValue(raw, (v) => (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) && Number(v) < 2 ** 53 ? Number(v) : v)),
  "references as bare ids, templates as arrays of one": (raw) => {
    for (const key of REFS) if (raw[key] !== null && typeof raw[key] === "object") raw[key] = (raw[key] as Raw)["id"]
    if (raw["numberTemplate"] !== undefined && !Array.isArray(raw["numberTemplate"])) raw["numberTemplate"] = [raw["numberTemplate"]]
    return raw
  },
  "nulls left out, then every optional key null when absent": (raw) => {
    for (const key of Object.keys(raw)) if (raw[key] === null) delete raw[key]
    const filled: Raw = { ...raw }
    for (const key of OPTIONAL) if (!(key in filled) && key !== "items" && key !== "price") filled[key] = null
    return filled
  },
  "lines and applications as the other forms": (raw, kind) => {
    // Bills: lines at the top level instead of under purchases.
    if (kind === "bill" && raw["purchases"] !== null && typeof raw["purchases"] === "object") {
      const { items, categories } = raw["purchases"] as Raw
      delete raw["purchases"]
      return { ...raw, items, categories }
    }
    // Items: one price instead of a price list; taxes as bare ids.
    if (kind === "item" && Array.isArray(raw["price"])) {
      const [main] = raw["price"] as Array<Raw>
      return { ...raw, price: main?.["price"] ?? null, tax: (raw["tax"] as Array<Raw> | null)?.map((t) => t["id"]) ?? null }
    }
    // Contacts: the name as an object, the identification as an object, the type as one string.
    if (kind === "contact") {
      const type = raw["type"]
      return {
        ...raw,
        name: { firstName: raw["name"], lastName: null },
        identification: raw["identificationObject"] ?? raw["identification"],
        identificationObject: null,
        type: Array.isArray(type) ? type.join(",") : type
      }
    }
    // Documents and payments: the currency as its code.
    if (raw["currency"] !== null && typeof raw["currency"] === "object") return { ...raw, currency: (raw["currency"] as Raw)["code"] }
    return raw
  },
  "both a bill's purchases and top-level lines": (raw, kind) =>
    kind === "bill" ? { ...raw, items: [LINE], categories: [{ ...LINE, id: "16" }] } : raw
}

// ---------------------------------------------------------------------------------------
// Mutations


type Container = Record<string, unknown> | Array<unknown>

/** Every (container, key) pair of a value, nested ones included. */
const slots = (value: unknown, out: Array<[Container, string | number]> = []): Array<[Container, string | number]> => {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([value, i])
      slots(item, out)
    })
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      out.push([value as Record<string, unknown>, key])
      slots(item, out)
    }
  }
  return out
}

/** Keys every kind reads, so that mutations also add what a record lacked. */
const KNOWN_KEYS = [
  "id", "name", "date", "dueDate", "status", "client", "provider", "total", "balance", "totalPaid", "totalApplied",
  "numberTemplate", "number", "billNumber", "currency", "items", "categories", "purchases", "invoices", "bills",
  "amount", "type", "paymentMethod", "bankAccount", "identification", "identificationObject", "nameObject", "address",
  "email", "phonePrimary", "phoneSecondary", "mobile", "reference", "price", "tax", "productKey", "idParent", "code",
  "observations", "stamp", "description", "quantity", "discount", "prefix", "fullNumber"
]

const LINE = { id: "3", name: "Tornillo", price: "10.5", quantity: 2, discount: "", tax: [{ id: 1 }], total: 21 }

const pick = <A>(random: () => number, list: ReadonlyArray<A>): A => list[Math.floor(random() * list.length)]!

/** Changes one value somewhere in the record, in place; returns what it did. */
const mutate = (record: Raw, random: () => number): string => {
  const all = slots(record)
  const roll = random()
  if (roll < 0.1 || all.length === 0) {
    const key = pick(random, KNOWN_KEYS)
    const value = pick(random, [null, "", "7", 7, { id: "7" }, [], [{ id: 7 }], "2024-02-30", "Open", " 12.50 ", {}, [LINE], { items: [LINE] }])
    record[key] = structuredClone(value)
    return `${key} := ${JSON.stringify(value)}`
  }
  if (roll < 0.2) {
    // A part of the record under another key, here or at the top (e.g. purchases.items → items).
    const [from, fromKey] = pick(random, all)
    const [to] = random() < 0.5 ? [record] : pick(random, all)
    const target = Array.isArray(to) || to === null || typeof to !== "object" ? record : to as Record<string, unknown>
    const key = pick(random, KNOWN_KEYS)
    target[key] = structuredClone((from as Record<string | number, unknown>)[fromKey])
    return `${String(fromKey)} copied to ${key}`
  }
  const [container, key] = pick(random, all)
  const current = (container as Record<string | number, unknown>)[key]
  const set = (value: unknown) => {
    ;(container as Record<string | number, unknown>)[key] = value
  }
  const choice = random()
  let what: string
  if (choice < 0.2 && typeof current === "number") {
    set(String(current))
    what = "number → string"
  } else if (choice < 0.2 && typeof current === "string" && current.trim() !== "" && Number.isFinite(Number(current))) {
    set(Number(current))
    what = "string → number"
  } else if (choice < 0.3) {
    set(null)
    what = "null"
  } else if (choice < 0.4) {
    if (Array.isArray(container)) container.splice(key as number, 1)
    else delete container[key]
    what = "removed"
  } else if (choice < 0.5) {
    set(Array.isArray(current) && current.length === 1 ? current[0] : [current])
    what = "array of one ↔ value"
  } else if (choice < 0.58 && current !== null && typeof current === "object" && !Array.isArray(current) && "id" in current) {
    set((current as { id: unknown }).id)
    what = "{id} → bare id"
  } else if (choice < 0.58 && (typeof current === "string" || typeof current === "number")) {
    set({ id: current })
    what = "value → {id}"
  } else if (choice < 0.68 && typeof current === "string") {
    set(pick(random, [` ${current} `, current.toUpperCase(), "", "   ", `${current}x`, "0000-00-00", current.slice(0, 4)]))
    what = "string edited"
  } else {
    const value = pick(random, [true, false, {}, [], 0, -1.5, 1e-7, 1e21, "x", "abc", " ", "2024-13-45", "inactive", "void", "out", [null]])
    set(structuredClone(value))
    what = `:= ${JSON.stringify(value)}`
  }
  return `${String(key)} ${what}`
}
