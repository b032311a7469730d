/** Ids from outside: only shapes Alegra issues are ever sent to it, each path segment escaped. */
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { isValidId, pathSegment } from "../../connectors/alegra/index.js"
import { kinds } from "../../schema/index.js"
import { harness, options, withAlegra } from "./support.js"

const UUID7 = "019a6f2e-8c1b-7d3e-9f40-5b2a1c3d4e5f"
const UUID4 = "3F2504E0-4F89-41D3-9A0C-0305E82C3301"

const valid = ["1", "42", "99999999999999999999", UUID7, UUID4, "123e4567-e89b-12d3-a456-426614174000"]
const invalid = [
  "",
  " ",
  ".",
  "..",
  "%2e",
  "%2E%2E",
  "1/2",
  "1?x=2",
  "1#a",
  "0",
  "007",
  "-1",
  "+1",
  "1.0",
  "1e3",
  " 1",
  "1 ",
  "１２", // full-width digits
  "123456789012345678901", // 21 digits
  "9".repeat(100_000),
  "019a6f2e-8c1b-7d3e-9f40-5b2a1c3d4e5", // one digit short
  "019a6f2e8c1b7d3e9f405b2a1c3d4e5f", // no dashes
  "019a6f2e-8c1b-0d3e-9f40-5b2a1c3d4e5f", // version 0
  "019a6f2e-8c1b-7d3e-cf40-5b2a1c3d4e5f", // not the RFC 4122 variant
  "{019a6f2e-8c1b-7d3e-9f40-5b2a1c3d4e5f}",
  "../contacts",
  "12\n"
]

describe("isValidId", () => {
  it("accepts numeric strings and RFC 4122 UUIDs for every kind", () => {
    for (const kind of kinds) for (const id of valid) expect(isValidId(kind, id), `${kind} ${id}`).toBe(true)
  })

  it("refuses everything else", () => {
    for (const kind of kinds) {
      for (const id of invalid) expect(isValidId(kind, id), `${kind} ${JSON.stringify(id.slice(0, 40))}`).toBe(false)
    }
  })
})

describe("pathSegment", () => {
  it("escapes every character that could change the path, dots included", () => {
    expect(pathSegment("12")).toEqual(Option.some("12"))
    expect(pathSegment("a.b")).toEqual(Option.some("a%2Eb"))
    expect(pathSegment("1/2")).toEqual(Option.some("1%2F2"))
    expect(pathSegment("%2e")).toEqual(Option.some("%252e"))
    expect(pathSegment("1?x#y")).toEqual(Option.some("1%3Fx%23y"))
    expect(pathSegment("...a")).toEqual(Option.some("%2E%2E%2Ea"))
  })

  it("refuses what URL parsers would still read as an empty or dot segment", () => {
    // WHATWG URL resolves "%2E" and "%2E%2E" like "." and "..": no escaping saves these.
    for (const value of ["", ".", "..", "..."]) expect(pathSegment(value), JSON.stringify(value)).toEqual(Option.none())
    expect(new URL("http://x/api/v1/items/%2E%2E").pathname).toBe("/api/v1/")
  })
})

describe("ids against the simulator", () => {
  const { simulator } = harness()

  it("an invalid id fails at once with reason validation and never reaches Alegra", async () => {
    const sim = await simulator(6000, 1)
    sim.admin.create("item", { name: "Resma", price: 10 }, { silent: true })
    const opts = options(sim.url, { requestsPerMinute: 6000, rateLimitWindowSeconds: 1 })
    const { errors, removal, usage } = await withAlegra(opts, (alegra) =>
      Effect.all({
        errors: Effect.forEach([".", "..", "%2e", "1/2", "9".repeat(100_000), "", "-1"], (id) => Effect.flip(alegra.read("item", id))),
        removal: Effect.flip(alegra.subscriptions.remove("..")),
        usage: alegra.usage
      }))
    expect(sim.stats.requests()).toEqual([])
    expect(usage.requests).toBe(0)
    for (const error of [...errors, removal]) {
      expect(error).toMatchObject({ _tag: "ConnectorError", system: "alegra", reason: "validation", status: null })
      expect(error.transient).toBe(false)
      // A 100 KB id is quoted as a short preview, never whole.
      expect(error.message.length).toBeLessThan(200)
      expect(error.path.length).toBeLessThan(40)
    }
    expect(errors[4]!.message).toContain("100000 characters")
  })

  it("a valid id is sent escaped and read", async () => {
    const sim = await simulator(6000, 1)
    const item = sim.admin.create("item", { name: "Resma", price: 10 }, { silent: true })
    const client = sim.admin.create("contact", { name: "Ana" }, { silent: true })
    const estimate = sim.admin.create("estimate", {
      date: "2025-12-01",
      dueDate: "2025-12-31",
      client: { id: client["id"] },
      items: [{ id: item["id"], price: 10, quantity: 1 }]
    }, { silent: true })
    const opts = options(sim.url, { requestsPerMinute: 6000, rateLimitWindowSeconds: 1 })
    const [readItem, readEstimate, missing] = await withAlegra(opts, (alegra) =>
      Effect.all([
        alegra.read("item", String(item["id"])),
        alegra.read("estimate", String(estimate["id"])),
        alegra.read("item", "999")
      ]))
    expect(Option.getOrThrow(readItem.record).record.id).toBe(String(item["id"]))
    expect(String(estimate["id"])).toMatch(/^[0-9a-f-]{36}$/)
    expect(Option.getOrThrow(readEstimate.record).record.id).toBe(String(estimate["id"]))
    expect(missing.record).toEqual(Option.none())
    expect(sim.stats.requests().map((r) => r.path)).toEqual([
      `/api/v1/items/${item["id"]}`,
      `/api/v1/estimates/${estimate["id"]}`,
      "/api/v1/items/999"
    ])
  })
})
