import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import type { Kind } from "../../schema/index.js"
import { canonicalize } from "../../src/engine/hash.js"
import { type MirrorWrite, Store } from "../../src/store/index.js"
import { withStore } from "./helpers.js"

const row = (kind: Kind, id: string, content: Record<string, unknown>, readAt: number): MirrorWrite => {
  const { hash, json } = canonicalize(content)
  return { kind, id, json, hash, readAt, docDate: typeof content["date"] === "string" ? content["date"] : null }
}

describe("mirror", () => {
  it.effect("put: a later read replaces the copy, an earlier or simultaneous one never does", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      expect(yield* store.mirror.get("contact", "1")).toEqual(Option.none())
      expect(yield* store.mirror.put(row("contact", "1", { id: "1", name: "Ana" }, 1_000))).toBe(true)
      expect(yield* store.mirror.get("contact", "1")).toEqual(
        Option.some({ kind: "contact", id: "1", content: { id: "1", name: "Ana" }, hash: row("contact", "1", { id: "1", name: "Ana" }, 0).hash, readAt: 1_000, updatedAt: 0 })
      )
      // Read later with other content: replaces.
      expect(yield* store.mirror.put(row("contact", "1", { id: "1", name: "Ana B" }, 3_000))).toBe(true)
      // Read earlier (a backfill page read before the webhook was applied): never replaces.
      expect(yield* store.mirror.put(row("contact", "1", { id: "1", name: "Ana" }, 2_000))).toBe(false)
      // Read at the same time: not proven newer, kept.
      expect(yield* store.mirror.put(row("contact", "1", { id: "1", name: "Ana C" }, 3_000))).toBe(false)
      // Read later, same content: nothing written, not even the read time.
      expect(yield* store.mirror.put(row("contact", "1", { id: "1", name: "Ana B" }, 4_000))).toBe(false)
      expect(Option.getOrThrow(yield* store.mirror.get("contact", "1"))).toMatchObject({ content: { name: "Ana B" }, readAt: 3_000 })
      // Same id, another kind: another record.
      expect(yield* store.mirror.put(row("item", "1", { sku: "A" }, 3_000))).toBe(true)
    })))

  it.effect("a 404 leaves a tombstone: invisible, and an older read cannot bring the record back", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      yield* store.mirror.put(row("item", "5", { id: "5", name: "Tornillo" }, 1_000))
      // Deleted in Alegra, seen by a re-read at 3 000.
      expect(yield* store.mirror.putTombstone("item", "5", 3_000)).toBe(true)
      expect(yield* store.mirror.get("item", "5")).toEqual(Option.none())
      expect(yield* store.mirror.hashes("item")).toEqual(new Map())
      expect((yield* store.mirror.counts()).item).toBe(0)
      expect(Option.getOrThrow(yield* store.mirror.state("item", "5"))).toMatchObject({ deleted: true, readAt: 3_000 })
      // A backfill page read at 2 000 still had it: no resurrection.
      expect(yield* store.mirror.writePage([row("item", "5", { id: "5", name: "Tornillo" }, 2_000)])).toBe(0)
      expect(yield* store.mirror.get("item", "5")).toEqual(Option.none())
      // Restored in Alegra and read at 4 000: live again.
      expect(yield* store.mirror.writePage([row("item", "5", { id: "5", name: "Tornillo" }, 4_000)])).toBe(1)
      expect(Option.getOrThrow(yield* store.mirror.get("item", "5")).content).toEqual({ id: "5", name: "Tornillo" })
      // A 404 for a record never seen also guards against older reads.
      expect(yield* store.mirror.putTombstone("item", "9", 5_000)).toBe(true)
      expect(yield* store.mirror.writePage([row("item", "9", { id: "9" }, 4_500)])).toBe(0)
      expect(yield* store.mirror.get("item", "9")).toEqual(Option.none())
      // Tombstones are pruned once old.
      expect(yield* store.mirror.pruneTombstones(6_000)).toBe(1)
      expect(yield* store.mirror.state("item", "9")).toEqual(Option.none())
    })))

  it.effect("content is stored as canonical JSON (sorted keys), the very bytes that were hashed", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const sql = yield* SqlClient.SqlClient
      const written = row("contact", "1", { b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }, 0)
      yield* store.mirror.put({ ...written, readAt: 1 })
      const [stored] = yield* sql<{ content: string; hash: string }>`SELECT content, hash FROM alegra_records`
      expect(stored?.content).toBe(`{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}`)
      expect(stored?.hash).toBe(written.hash)
    })))

  it.effect("writePage writes only changed rows, in one statement, with its cursor; nothing at all when nothing changed", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const sql = yield* SqlClient.SqlClient
      yield* store.mirror.put(row("contact", "1", { n: 1 }, 10))
      yield* store.mirror.put(row("contact", "2", { n: 2 }, 10))
      const page = [row("contact", "1", { n: 1 }, 100), row("contact", "2", { n: 22 }, 100), row("contact", "3", { n: 3 }, 100)]
      expect(yield* store.mirror.writePage(page, { name: "backfill", value: { start: 30 } }, { cursorOnlyWithRows: true })).toBe(2)
      expect(yield* store.cursors.get("backfill")).toEqual(Option.some({ start: 30 }))
      expect(yield* store.mirror.hashes("contact")).toEqual(
        new Map([["1", row("contact", "1", { n: 1 }, 0).hash], ["2", row("contact", "2", { n: 22 }, 0).hash], ["3", row("contact", "3", { n: 3 }, 0).hash]])
      )
      // The same page again, read later: no row, no cursor, no change counted by SQLite.
      const [before] = yield* sql<{ n: number }>`SELECT total_changes() AS n`
      expect(yield* store.mirror.writePage(page.map((r) => ({ ...r, readAt: 200 })), { name: "backfill", value: { start: 60 } }, { cursorOnlyWithRows: true })).toBe(0)
      const [after] = yield* sql<{ n: number }>`SELECT total_changes() AS n`
      expect(after!.n).toBe(before!.n)
      expect(yield* store.cursors.get("backfill")).toEqual(Option.some({ start: 30 }))
      // Large pages are split into several statements (300 rows each), changed rows counted across them.
      const many = Array.from({ length: 650 }, (_, i) => row("item", String(i + 1), { i }, 300))
      expect(yield* store.mirror.writePage(many)).toBe(650)
      expect((yield* store.mirror.counts()).item).toBe(650)
      const someChanged = many.map((r, i) => (i % 100 === 0 ? row("item", r.id, { i, changed: true }, 400) : { ...r, readAt: 400 }))
      expect(yield* store.mirror.writePage(someChanged)).toBe(7)
    })))

  it.effect("a failure inside the page's transaction leaves neither the rows nor the cursor", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const failed = yield* Effect.either(store.writeTransaction(Effect.gen(function*() {
        yield* store.mirror.writePage([row("contact", "1", {}, 1)], { name: "backfill", value: 1 })
        return yield* Effect.fail("boom" as const)
      })))
      expect(failed).toEqual(Either.left("boom"))
      expect(yield* store.mirror.get("contact", "1")).toEqual(Option.none())
      expect(yield* store.cursors.get("backfill")).toEqual(Option.none())
    })))

  it.effect("hashes, ids, datedHashes, counts, list see live records only", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      yield* store.mirror.put(row("credit-note", "b", { id: "b", date: "2026-10-01" }, 1))
      yield* store.mirror.put(row("credit-note", "a", { id: "a", date: "2026-11-20" }, 1))
      yield* store.mirror.put(row("credit-note", "c", { id: "c", date: "2026-11-21" }, 1))
      yield* store.mirror.put(row("payment", "p", { id: "p" }, 1))
      yield* store.mirror.putTombstone("credit-note", "c", 2)
      expect([...(yield* store.mirror.ids("credit-note"))].sort()).toEqual(["a", "b"])
      expect((yield* store.mirror.datedHashes("credit-note", "2026-11-01")).map((r) => [r.id, r.date])).toEqual([["a", "2026-11-20"]])
      const counts = yield* store.mirror.counts()
      expect(counts).toMatchObject({ "credit-note": 2, payment: 1, contact: 0 })
      expect(Object.keys(counts)).toHaveLength(9)
      expect((yield* store.mirror.list("credit-note")).map((r) => r.id)).toEqual(["a", "b"])
      expect([...(yield* store.mirror.hashes("credit-note")).keys()].sort()).toEqual(["a", "b"])
    })))
})
