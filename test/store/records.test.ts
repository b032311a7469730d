import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Option, Redacted } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Store, urlFingerprint, writeTransaction } from "../../src/store/index.js"
import { tempDbFile, withStore } from "./helpers.js"

describe("links", () => {
  it.effect("put inserts, then updates in place keeping omitted fields; get and byAlegraId", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const put = yield* store.links.put({
        system: "hubspot", kind: "contact", externalId: "hs-1", alegraId: "a-1", externalHash: "e1", alegraHash: "g1",
        externalVersion: "2026-01-01T00:00:00Z"
      })
      expect(put).toEqual({ status: "inserted", displaced: [] })
      const link = Option.getOrThrow(yield* store.links.get("hubspot", "contact", "hs-1"))
      expect(link).toEqual({
        system: "hubspot", kind: "contact", externalId: "hs-1", alegraId: "a-1", role: "", externalHash: "e1", alegraHash: "g1",
        externalVersion: "2026-01-01T00:00:00Z", alegraVersion: null, base: null, createdAt: 0, updatedAt: 0
      })
      expect(yield* store.links.byAlegraId("hubspot", "contact", "a-1")).toEqual(Option.some(link))
      expect(yield* store.links.byAlegraId("stripe", "contact", "a-1")).toEqual(Option.none())
      expect((yield* store.links.put({ system: "hubspot", kind: "contact", externalId: "hs-1", alegraId: "a-1", alegraHash: "g2" })).status)
        .toBe("updated")
      expect(Option.getOrThrow(yield* store.links.get("hubspot", "contact", "hs-1"))).toMatchObject({
        externalHash: "e1", alegraHash: "g2", externalVersion: "2026-01-01T00:00:00Z"
      })
      // The base snapshot is kept as JSON, and kept when omitted.
      yield* store.links.put({
        system: "hubspot", kind: "contact", externalId: "hs-1", alegraId: "a-1", base: { external: { email: "a@b.co" }, alegra: { email: "a@b.co" } }
      })
      yield* store.links.put({ system: "hubspot", kind: "contact", externalId: "hs-1", alegraId: "a-1", externalHash: "e3" })
      expect(Option.getOrThrow(yield* store.links.get("hubspot", "contact", "hs-1")).base).toEqual({
        external: { email: "a@b.co" }, alegra: { email: "a@b.co" }
      })
      // The same Alegra record linked from another system is another link; so is another role in the same system.
      yield* store.links.put({ system: "stripe", kind: "contact", externalId: "cus_1", alegraId: "a-1", role: "client" })
      yield* store.links.put({ system: "hubspot", kind: "contact", externalId: "hs-9", alegraId: "a-1", role: "provider" })
      expect(yield* store.links.counts()).toEqual([
        { system: "hubspot", kind: "contact", count: 2 },
        { system: "stripe", kind: "contact", count: 1 }
      ])
      expect((yield* store.links.ofAlegra("contact", "a-1")).map((l) => [l.system, l.externalId, l.role])).toEqual([
        ["hubspot", "hs-1", ""], ["hubspot", "hs-9", "provider"], ["stripe", "cus_1", "client"]
      ])
    })))

  it.effect("unique both ways per system and kind: a put displaces the links it conflicts with", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const sql = yield* SqlClient.SqlClient
      yield* store.links.put({ system: "hubspot", kind: "contact", externalId: "X", alegraId: "A1" })
      yield* store.links.put({ system: "hubspot", kind: "contact", externalId: "Y", alegraId: "A2" })
      // A1 now belongs to Z: X's link goes.
      const first = yield* store.links.put({ system: "hubspot", kind: "contact", externalId: "Z", alegraId: "A1" })
      expect(first.status).toBe("inserted")
      expect(first.displaced.map((l) => [l.externalId, l.alegraId])).toEqual([["X", "A1"]])
      expect(yield* store.links.get("hubspot", "contact", "X")).toEqual(Option.none())
      // Y now points at A1: Z's link (holding A1) goes, Y's pair Y<->A2 is replaced in place.
      const second = yield* store.links.put({ system: "hubspot", kind: "contact", externalId: "Y", alegraId: "A1" })
      expect(second.status).toBe("updated")
      expect(second.displaced.map((l) => [l.externalId, l.alegraId])).toEqual([["Z", "A1"], ["Y", "A2"]])
      expect((yield* store.links.list("hubspot", "contact")).map((l) => [l.externalId, l.alegraId])).toEqual([["Y", "A1"]])
      expect(yield* store.links.byAlegraId("hubspot", "contact", "A2")).toEqual(Option.none())
      // The schema enforces both keys too.
      const insert = (externalId: string, alegraId: string) =>
        Effect.either(sql`INSERT INTO links (system, kind, external_id, alegra_id, created_at, updated_at)
                          VALUES ('hubspot', 'contact', ${externalId}, ${alegraId}, 0, 0)`)
      expect(Either.isLeft(yield* insert("Y", "A9"))).toBe(true)
      expect(Either.isLeft(yield* insert("W", "A1"))).toBe(true)
      expect(Either.isRight(yield* insert("W", "A9"))).toBe(true)
      expect(Option.isSome(yield* store.links.remove("hubspot", "contact", "W"))).toBe(true)
      expect(yield* store.links.remove("hubspot", "contact", "W")).toEqual(Option.none())
      expect(yield* store.links.removeByAlegraId("hubspot", "contact", "A1")).toBe(true)
      expect(yield* store.links.counts()).toEqual([])
    })))
})

describe("cursors", () => {
  it.effect("get, set (JSON, overwrite), remove, list", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      expect(yield* store.cursors.get("payments")).toEqual(Option.none())
      yield* store.cursors.set("payments", { highWater: "120", polledAt: null })
      yield* store.cursors.set("backfill", [1, "two", { three: 3 }])
      yield* store.cursors.set("payments", { highWater: "130", polledAt: 5 })
      expect(yield* store.cursors.get("payments")).toEqual(Option.some({ highWater: "130", polledAt: 5 }))
      expect(yield* store.cursors.list()).toEqual([
        { name: "backfill", value: [1, "two", { three: 3 }], updatedAt: 0 },
        { name: "payments", value: { highWater: "130", polledAt: 5 }, updatedAt: 0 }
      ])
      expect(yield* store.cursors.remove("backfill")).toBe(true)
      expect(yield* store.cursors.remove("backfill")).toBe(false)
      expect((yield* store.cursors.list()).map((c) => c.name)).toEqual(["payments"])
    })))
})

describe("webhook subscriptions", () => {
  it.effect("keep the URL's SHA-256 only: the URL and its token appear nowhere in the database files", () => {
    const file = tempDbFile()
    const token = "tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    const url = `https://sync.example.com/webhooks/alegra/${token}`
    return Effect.gen(function*() {
      yield* withStore(Effect.gen(function*() {
        const store = yield* Store
        yield* store.subscriptions.record("alegra", "sub-1", "new-invoice", url)
        yield* store.subscriptions.record("alegra", "sub-2", "edit-invoice", Redacted.make(url))
        yield* store.subscriptions.record("hubspot", "sub-1", "contact.creation", "https://other.example.com/x")
        expect(yield* store.subscriptions.list("alegra")).toEqual([
          { system: "alegra", id: "sub-1", event: "new-invoice", urlFingerprint: urlFingerprint(url), createdAt: 0 },
          { system: "alegra", id: "sub-2", event: "edit-invoice", urlFingerprint: urlFingerprint(url), createdAt: 0 }
        ])
        expect(urlFingerprint(url)).toMatch(/^[0-9a-f]{64}$/)
        expect(yield* store.subscriptions.count()).toBe(3)
        expect(yield* store.subscriptions.count("alegra")).toBe(2)
        expect(yield* store.subscriptions.remove("alegra", "sub-2")).toBe(true)
        expect(yield* store.subscriptions.remove("alegra", "sub-2")).toBe(false)
        expect((yield* store.subscriptions.list("hubspot")).map((s) => s.id)).toEqual(["sub-1"])
        // Check the bytes while the WAL still holds the writes, and after the checkpoint at close.
        expect(databaseBytesContain(file, token)).toBe(false)
      }), file)
      expect(fs.readdirSync(path.dirname(file)).length).toBeGreaterThan(0)
      expect(databaseBytesContain(file, token)).toBe(false)
      expect(databaseBytesContain(file, "sync.example.com")).toBe(false)
      // The check itself works: a value the store does keep is found.
      expect(databaseBytesContain(file, urlFingerprint(url))).toBe(true)
    })
  })
})

/** Whether any file of the database (main file, -wal, -shm) contains `needle`. */
const databaseBytesContain = (file: string, needle: string): boolean =>
  fs.readdirSync(path.dirname(file))
    .map((name) => fs.readFileSync(path.join(path.dirname(file), name)))
    .some((bytes) => bytes.includes(Buffer.from(needle, "utf8")))

describe("intents", () => {
  it.effect("begin, resume the pending one after a crash, resolve, abandon, pending", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const input = {
        system: "hubspot", kind: "contact", externalId: "hs-7", operation: "create-in-alegra",
        naturalKey: { identification: "900123456" }
      } as const
      const { firstAttempt, intent, resumed } = yield* store.intents.begin(input)
      expect([resumed, firstAttempt]).toEqual([false, true])
      expect(intent).toMatchObject({ ...input, status: "pending", alegraId: null, createdAt: 0 })
      expect(intent.idempotencyKey).toMatch(/^hubspot-contact-/)
      // The process restarts before the link was recorded: the same intent comes back.
      const again = yield* store.intents.begin(input)
      expect(again).toEqual({ intent, resumed: true, firstAttempt: false })
      const other = yield* store.intents.begin({ ...input, externalId: null, naturalKey: { email: "a@b.co" }, idempotencyKey: "k-1" })
      expect(other.intent.idempotencyKey).toBe("k-1")
      expect((yield* store.intents.pending()).map((i) => i.id)).toEqual([intent.id, other.intent.id])
      expect(yield* store.intents.resolve(intent.id, "a-77")).toBe(true)
      expect(yield* store.intents.resolve(intent.id, "a-78")).toBe(false)
      expect(yield* store.intents.get(intent.id)).toEqual(Option.some(expect.objectContaining({ status: "done", alegraId: "a-77" })))
      expect(yield* store.intents.abandon(other.intent.id)).toBe(true)
      expect(yield* store.intents.pending()).toEqual([])
      // Done: a new operation on the same record is a new intent, not a first attempt (it was tried before).
      expect(yield* store.intents.begin(input)).toMatchObject({ resumed: false, firstAttempt: false })
      const stripe = yield* store.intents.begin({
        system: "stripe", kind: "contact", externalId: null, operation: "create-in-stripe", naturalKey: { alegraId: "a-77" }, alegraId: "a-77"
      })
      yield* store.intents.resolve(stripe.intent.id, "a-77", "cus_123")
      expect(yield* store.intents.get(stripe.intent.id)).toEqual(
        Option.some(expect.objectContaining({ status: "done", alegraId: "a-77", externalId: "cus_123" }))
      )
    })))
})

describe("conflicts", () => {
  it.effect("record and list", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const id = yield* store.conflicts.record({
        system: "hubspot", kind: "contact", externalId: "hs-1", alegraId: "a-1",
        fields: [{ field: "phone", alegra: "1", external: "2", winner: "external" }], resolution: "per-field"
      })
      expect(yield* store.conflicts.list()).toEqual([{
        id, system: "hubspot", kind: "contact", externalId: "hs-1", alegraId: "a-1",
        fields: [{ alegra: "1", external: "2", field: "phone", winner: "external" }], resolution: "per-field", createdAt: 0
      }])
    })))
})

describe("status and transactions", () => {
  it.effect("status gathers what `alegra-sync status` prints", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      yield* store.mirror.put({ kind: "invoice", id: "1", json: "{}", hash: "h", docDate: null, readAt: 1 })
      yield* store.links.put({ system: "stripe", kind: "invoice", externalId: "in_1", alegraId: "1" })
      yield* store.inbox.offer({ system: "alegra", channel: "webhook", kind: "invoice", recordId: "1", action: "updated", eventKey: "e" })
      yield* store.inbox.offer({ system: "alegra", channel: "webhook", kind: "invoice", recordId: "2", action: "updated", eventKey: "e" })
      const [, dying] = yield* store.inbox.due(0, 10)
      yield* store.inbox.deadLetter(dying!.id, { _tag: "X", reason: "r", message: "m", status: null, code: null })
      yield* store.cursors.set("payments", { highWater: "9" })
      yield* store.subscriptions.record("alegra", "s", "new-invoice", "https://x/y")
      yield* store.intents.begin({ system: "hubspot", kind: "contact", externalId: "1", operation: "create", naturalKey: {} })
      const status = yield* store.status()
      expect(status).toEqual({
        mirror: expect.objectContaining({ invoice: 1, contact: 0 }),
        links: [{ system: "stripe", kind: "invoice", count: 1 }],
        inbox: { pending: 1, due: 1, dead: 1, oldestDueMs: 0 },
        deadLetters: 1,
        intentsPending: 1,
        conflicts: 0,
        cursors: [{ name: "payments", value: { highWater: "9" }, updatedAt: 0 }],
        subscriptions: 1,
        unreadableDeliveries: 0,
        leases: [],
        installId: expect.stringMatching(/^[0-9a-f-]{36}$/)
      })
    })))

  it.effect("store methods inside writeTransaction join it: all or nothing", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      yield* store.inbox.offer({ system: "alegra", channel: "webhook", kind: "invoice", recordId: "1", action: "updated", eventKey: "e" })
      const [row] = yield* store.inbox.due(0, 10)
      const recordAll = (fail: boolean) =>
        store.writeTransaction(Effect.gen(function*() {
          yield* store.mirror.put({ kind: "invoice", id: "1", json: `{"total":1}`, hash: "h1", docDate: null, readAt: 1 })
          yield* store.links.put({ system: "stripe", kind: "invoice", externalId: "in_1", alegraId: "1" })
          const completed = yield* store.inbox.complete(row!.id, row!.generation)
          if (fail) return yield* Effect.fail("remote said no" as const)
          return completed
        }))
      expect(yield* Effect.either(recordAll(true))).toEqual(Either.left("remote said no"))
      expect(yield* store.mirror.get("invoice", "1")).toEqual(Option.none())
      expect(yield* store.links.get("stripe", "invoice", "in_1")).toEqual(Option.none())
      expect((yield* store.inbox.depth()).pending).toBe(1)
      // The module-level writeTransaction (SqlClient from context) joins the same way.
      expect(yield* writeTransaction(recordAll(false))).toBe(true)
      expect(Option.isSome(yield* store.mirror.get("invoice", "1"))).toBe(true)
      expect((yield* store.inbox.depth()).pending).toBe(0)
    })))

  it.effect("a nested failure caught inside rolls back only its savepoint", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      yield* store.writeTransaction(Effect.gen(function*() {
        yield* store.cursors.set("kept", 1)
        yield* Effect.ignore(store.writeTransaction(Effect.zipRight(store.cursors.set("dropped", 1), Effect.fail("no"))))
      }))
      expect((yield* store.cursors.list()).map((c) => c.name)).toEqual(["kept"])
    })))

  it.effect("writeTransaction inside a plain sql.withTransaction is refused loudly (it could not take the lock first)", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const sql = yield* SqlClient.SqlClient
      const exit = yield* Effect.exit(sql.withTransaction(store.cursors.set("x", 1)))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      expect(String(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "")).toMatch(/plain sql.withTransaction/)
      expect(yield* store.cursors.get("x")).toEqual(Option.none())
    })))
})
