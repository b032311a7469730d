import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { Store } from "../../src/store/index.js"
import { withStore } from "./helpers.js"

describe("mirror", () => {
  it.effect("upsert: inserted, unchanged (only seen_at moves), updated", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      expect(yield* store.mirror.get("contact", "1")).toEqual(Option.none())
      expect(yield* store.mirror.upsert("contact", "1", { name: "Ana", id: "1" }, "h1", 1_000)).toBe("inserted")
      expect(yield* store.mirror.get("contact", "1")).toEqual(
        Option.some({ kind: "contact", id: "1", content: { id: "1", name: "Ana" }, hash: "h1", seenAt: 1_000, updatedAt: 1_000 })
      )
      expect(yield* store.mirror.upsert("contact", "1", { name: "Ana", id: "1" }, "h1", 2_000)).toBe("unchanged")
      const unchanged = Option.getOrThrow(yield* store.mirror.get("contact", "1"))
      expect([unchanged.seenAt, unchanged.updatedAt]).toEqual([2_000, 1_000])
      expect(yield* store.mirror.upsert("contact", "1", { name: "Ana B", id: "1" }, "h2", 3_000)).toBe("updated")
      const updated = Option.getOrThrow(yield* store.mirror.get("contact", "1"))
      expect(updated).toMatchObject({ content: { id: "1", name: "Ana B" }, hash: "h2", seenAt: 3_000, updatedAt: 3_000 })
      // Same id, another kind: another record.
      expect(yield* store.mirror.upsert("item", "1", { sku: "A" }, "x", 3_000)).toBe("inserted")
    })))

  it.effect("content is stored as canonical JSON (sorted keys)", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const sql = yield* SqlClient.SqlClient
      yield* store.mirror.upsert("contact", "1", { b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }, "h", 0)
      const [row] = yield* sql<{ content: string }>`SELECT content FROM alegra_records`
      expect(row?.content).toBe(`{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}`)
    })))

  it.effect("upsertMany writes a page and its cursor in one transaction, with counts", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      yield* store.mirror.upsert("contact", "1", { n: 1 }, "h1", 0)
      yield* store.mirror.upsert("contact", "2", { n: 2 }, "h2", 0)
      const counts = yield* store.mirror.upsertMany(
        [
          { kind: "contact", id: "1", content: { n: 1 }, hash: "h1" },
          { kind: "contact", id: "2", content: { n: 22 }, hash: "h22" },
          { kind: "contact", id: "3", content: { n: 3 }, hash: "h3" }
        ],
        5_000,
        { name: "backfill", value: { kind: "contact", start: 30 } }
      )
      expect(counts).toEqual({ inserted: 1, updated: 1, unchanged: 1 })
      expect(yield* store.cursors.get("backfill")).toEqual(Option.some({ kind: "contact", start: 30 }))
      expect(yield* store.mirror.hashes("contact")).toEqual(new Map([["1", "h1"], ["2", "h22"], ["3", "h3"]]))
      expect(yield* store.mirror.upsertMany([], 6_000)).toEqual({ inserted: 0, updated: 0, unchanged: 0 })
    })))

  it.effect("a failure inside the page's transaction leaves neither the rows nor the cursor", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const failed = yield* Effect.either(store.writeTransaction(Effect.gen(function*() {
        yield* store.mirror.upsertMany(
          [{ kind: "contact", id: "1", content: {}, hash: "h" }],
          0,
          { name: "backfill", value: 1 }
        )
        return yield* Effect.fail("boom" as const)
      })))
      expect(failed).toEqual(Either.left("boom"))
      expect(yield* store.mirror.get("contact", "1")).toEqual(Option.none())
      expect(yield* store.cursors.get("backfill")).toEqual(Option.none())
    })))

  it.effect("remove, hashes, idsSeenBefore, counts, list", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      yield* store.mirror.upsert("invoice", "b", { id: "b" }, "hb", 100)
      yield* store.mirror.upsert("invoice", "a", { id: "a" }, "ha", 200)
      yield* store.mirror.upsert("invoice", "c", { id: "c" }, "hc", 300)
      yield* store.mirror.upsert("payment", "p", { id: "p" }, "hp", 50)
      expect(yield* store.mirror.idsSeenBefore("invoice", 300)).toEqual(["a", "b"])
      expect(yield* store.mirror.idsSeenBefore("invoice", 100)).toEqual([])
      const counts = yield* store.mirror.counts()
      expect(counts).toMatchObject({ invoice: 3, payment: 1, contact: 0 })
      expect(Object.keys(counts)).toHaveLength(9)
      expect((yield* store.mirror.list("invoice")).map((row) => [row.id, row.hash])).toEqual([["a", "ha"], ["b", "hb"], ["c", "hc"]])
      expect(yield* store.mirror.remove("invoice", "b")).toBe(true)
      expect(yield* store.mirror.remove("invoice", "b")).toBe(false)
      expect(yield* store.mirror.hashes("invoice")).toEqual(new Map([["a", "ha"], ["c", "hc"]]))
      expect(yield* store.mirror.hashes("bill")).toEqual(new Map())
    })))
})
