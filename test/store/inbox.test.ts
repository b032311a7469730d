import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { type InboxOffer, Store } from "../../src/store/index.js"
import { withStore } from "./helpers.js"

const offer = (eventKey: string, extra: Partial<InboxOffer> = {}): InboxOffer => ({
  system: "alegra",
  channel: "webhook",
  kind: "invoice",
  recordId: "42",
  action: "updated",
  eventKey,
  ...extra
})

/** The tests run on the TestClock: time starts at 0 and moves only when told. */
describe("inbox", () => {
  it.effect("offer: inserted, then coalesced into the pending row (due at once, generation + 1)", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      expect(yield* store.inbox.offer(offer("e1", { action: "created" }))).toBe("inserted")
      const [first] = yield* store.inbox.due(0, 10)
      expect(first).toMatchObject({
        system: "alegra", channel: "webhook", kind: "invoice", recordId: "42", action: "created", eventKey: "e1", payload: null,
        status: "pending", generation: 0, attempts: 0, nextAttemptAt: 0, receivedAt: 0, doneAt: null, lastError: null
      })
      // A failed attempt pushed it to later; a new change makes it due again at once.
      yield* store.inbox.retry(first!.id, "boom", 60_000)
      yield* TestClock.adjust(1_000)
      expect(yield* store.inbox.offer(offer("e2", { channel: "poll", payload: { id: "42", total: 10 }, readAt: 900 }))).toBe("coalesced")
      const [row] = yield* store.inbox.due(1_000, 10)
      // The webhook's change may be newer than what the poll read: the worker re-reads (no payload kept).
      expect(row).toMatchObject({
        id: first!.id, action: "updated", eventKey: "e2", channel: "poll", payload: null, readAt: null, generation: 1,
        nextAttemptAt: 1_000, attempts: 1, receivedAt: 0
      })
      expect(yield* store.inbox.depth()).toEqual({ pending: 1, due: 1, dead: 0, oldestDueMs: 1_000 })
      // Other records, other systems: their own rows.
      expect(yield* store.inbox.offer(offer("e2", { recordId: "43" }))).toBe("inserted")
      expect(yield* store.inbox.offer(offer("e2", { system: "hubspot" }))).toBe("inserted")
      expect(yield* store.inbox.offer(offer("e2", { kind: "bill" }))).toBe("inserted")
      expect((yield* store.inbox.depth()).pending).toBe(4)
    })))

  it.effect("one pending row per record whatever channel saw it; a payload is kept only when read later than the one held", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const poll = (key: string, readAt: number, v: number) =>
        offer(key, { channel: "poll", payload: { id: "42", v }, readAt })
      expect(yield* store.inbox.offer(poll("p1", 500, 1))).toBe("inserted")
      // A sweep that read the record before the poll did: older news, the poll's copy stays.
      expect(yield* store.inbox.offer(offer("s1", { channel: "sweep", payload: { id: "42", v: 0 }, readAt: 400 }))).toBe("coalesced")
      expect((yield* store.inbox.due(0, 10))[0]).toMatchObject({ channel: "sweep", payload: { id: "42", v: 1 }, readAt: 500 })
      // Read later: taken.
      expect(yield* store.inbox.offer(poll("p2", 700, 2))).toBe("coalesced")
      expect((yield* store.inbox.due(0, 10))[0]).toMatchObject({ payload: { id: "42", v: 2 }, readAt: 700, generation: 2 })
      // A webhook: the record must be read again.
      expect(yield* store.inbox.offer(offer("w1"))).toBe("coalesced")
      expect(yield* store.inbox.due(0, 10)).toEqual([expect.objectContaining({ channel: "webhook", payload: null, readAt: null })])
      // In one batch (group commit), offers for one record fold in order; duplicates are recognised.
      const results = yield* store.inbox.offerMany([
        offer("b1", { recordId: "7" }),
        offer("b1", { recordId: "7" }),
        poll("b2", 900, 3),
        offer("b3", { recordId: "8", channel: "sweep", payload: { id: "8" }, readAt: 800 }),
        offer("b4", { recordId: "8", channel: "poll", payload: { id: "8", v: 9 }, readAt: 850 })
      ])
      expect(results).toEqual(["inserted", "duplicate", "coalesced", "inserted", "inserted"])
      const rows = yield* store.inbox.due(0, 10)
      expect(rows.map((r) => [r.recordId, r.eventKey, r.payload])).toEqual([
        ["42", "b2", null],
        ["7", "b1", null],
        ["8", "b4", { id: "8", v: 9 }]
      ])
    })))

  it.effect("offer: a redelivery is a duplicate, pending or done; a later change after done gets a new row", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      expect(yield* store.inbox.offer(offer("e1"))).toBe("inserted")
      // Same event while pending: nothing changes (no generation bump, no reset of a backoff).
      expect(yield* store.inbox.offer(offer("e1"))).toBe("duplicate")
      const [row] = yield* store.inbox.due(0, 10)
      expect(row?.generation).toBe(0)
      expect(yield* store.inbox.complete(row!.id, row!.generation)).toBe(true)
      // Same event after done: a duplicate delivery.
      expect(yield* store.inbox.offer(offer("e1"))).toBe("duplicate")
      expect(yield* store.inbox.due(0, 10)).toEqual([])
      // A new change after done: a new row, even if an older key comes back later.
      expect(yield* store.inbox.offer(offer("e2"))).toBe("inserted")
      const [second] = yield* store.inbox.due(0, 10)
      expect(second!.id).toBeGreaterThan(row!.id)
      yield* store.inbox.complete(second!.id, second!.generation)
      expect(yield* store.inbox.offer(offer("e1"))).toBe("inserted")
    })))

  it.effect("complete only at the generation the worker read: a coalesced delivery keeps the row pending", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      yield* store.inbox.offer(offer("e1"))
      const [taken] = yield* store.inbox.due(0, 10)
      // While the worker is busy with generation 0, a new delivery arrives.
      expect(yield* store.inbox.offer(offer("e2"))).toBe("coalesced")
      expect(yield* store.inbox.complete(taken!.id, taken!.generation)).toBe(false)
      const [again] = yield* store.inbox.due(0, 10)
      expect(again).toMatchObject({ id: taken!.id, status: "pending", generation: 1, eventKey: "e2" })
      expect(yield* store.inbox.complete(again!.id, again!.generation)).toBe(true)
      expect(yield* store.inbox.complete(again!.id, again!.generation)).toBe(false)
      expect(yield* store.inbox.get(again!.id)).toEqual(
        Option.some(expect.objectContaining({ status: "done", doneAt: 0 }))
      )
    })))

  it.effect("retry: attempts + 1, error kept, not due before its time; due is ordered and limited; nextDueAt", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      expect(yield* store.inbox.nextDueAt()).toEqual(Option.none())
      for (const id of ["1", "2", "3"]) yield* store.inbox.offer(offer(`e${id}`, { recordId: id }))
      const [a, b, c] = yield* store.inbox.due(0, 10)
      expect([a, b, c].map((row) => row!.recordId)).toEqual(["1", "2", "3"])
      expect(yield* store.inbox.retry(a!.id, "429 rate limited", 5_000)).toBe(true)
      expect(yield* store.inbox.retry(b!.id, "timeout", 2_000)).toBe(true)
      expect(yield* store.inbox.get(a!.id)).toEqual(
        Option.some(expect.objectContaining({ attempts: 1, lastError: "429 rate limited", nextAttemptAt: 5_000, status: "pending" }))
      )
      expect((yield* store.inbox.due(0, 10)).map((row) => row.recordId)).toEqual(["3"])
      yield* store.inbox.complete(c!.id, c!.generation)
      expect(yield* store.inbox.nextDueAt()).toEqual(Option.some(2_000))
      expect(yield* store.inbox.due(1_999, 10)).toEqual([])
      expect((yield* store.inbox.due(10_000, 10)).map((row) => row.recordId)).toEqual(["2", "1"])
      expect((yield* store.inbox.due(10_000, 1)).map((row) => row.recordId)).toEqual(["2"])
      expect(yield* store.inbox.depth()).toEqual({ pending: 2, due: 0, dead: 0, oldestDueMs: 0 })
      yield* TestClock.adjust(2_000)
      expect(yield* store.inbox.depth()).toEqual({ pending: 2, due: 1, dead: 0, oldestDueMs: 2_000 })
      yield* store.inbox.retry(b!.id, "timeout again", 3_000)
      expect(yield* store.inbox.get(b!.id)).toEqual(Option.some(expect.objectContaining({ attempts: 2, lastError: "timeout again" })))
      // Not pending: nothing to retry.
      expect(yield* store.inbox.retry(c!.id, "late", 9_000)).toBe(false)
    })))

  it.effect("deadLetter: the row dies with its error and payload; replay makes it pending again", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      yield* store.inbox.offer(offer("e1", { channel: "poll", payload: { id: "42" }, readAt: 1 }))
      const [row] = yield* store.inbox.due(0, 10)
      // As the worker keeps a ConnectorError: its code as a number when it is one.
      const error = { _tag: "ConnectorError", reason: "conflict", message: "stamped invoices cannot change", status: 400, code: 2001 }
      // Coalesced since the worker read it: a newer change deserves its own attempt.
      yield* store.inbox.offer(offer("e2", { channel: "poll", payload: { id: "42", v: 2 }, readAt: 2 }))
      expect(yield* store.inbox.deadLetter(row!.id, error, row!.generation)).toEqual(Option.none())
      const letterId = Option.getOrThrow(yield* store.inbox.deadLetter(row!.id, error, row!.generation + 1))
      expect(yield* store.inbox.get(row!.id)).toEqual(
        Option.some(expect.objectContaining({ status: "dead", lastError: "stamped invoices cannot change" }))
      )
      expect(yield* store.inbox.depth()).toEqual({ pending: 0, due: 0, dead: 1, oldestDueMs: 0 })
      expect(yield* store.inbox.due(0, 10)).toEqual([])
      const letters = yield* store.deadLetters.list()
      expect(letters).toEqual([{
        id: letterId, inboxId: row!.id, system: "alegra", channel: "poll", kind: "invoice", recordId: "42",
        error: { _tag: "ConnectorError", reason: "conflict", message: "stamped invoices cannot change", status: 400, code: 2001 },
        payload: { id: "42", v: 2 }, createdAt: 0, replayedAt: null
      }])
      expect(yield* store.deadLetters.count()).toBe(1)
      // A redelivery of the dead change stays a duplicate; replay is how it comes back.
      expect(yield* store.inbox.offer(offer("e2"))).toBe("duplicate")
      yield* TestClock.adjust(7_000)
      expect(yield* store.deadLetters.replay(letterId)).toEqual(Option.some(row!.id))
      // Replayed without its payload: the record is read again from its system.
      expect(yield* store.inbox.get(row!.id)).toEqual(Option.some(expect.objectContaining({
        status: "pending", channel: "replay", payload: null, attempts: 0, lastError: null, nextAttemptAt: 7_000,
        generation: row!.generation + 2
      })))
      expect((yield* store.deadLetters.list())[0]?.replayedAt).toBe(7_000)
      expect(yield* store.deadLetters.count()).toBe(0)
      expect(yield* store.deadLetters.list({ includeReplayed: false })).toEqual([])
      expect(yield* store.deadLetters.replay(999)).toEqual(Option.none())
      // Not pending any more: no second dead letter.
      const [again] = yield* store.inbox.due(7_000, 10)
      yield* store.inbox.complete(again!.id, again!.generation)
      expect(yield* store.inbox.deadLetter(again!.id, error)).toEqual(Option.none())
    })))

  it.effect("replay when the record already has a pending row, and after the dead row is gone", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const sql = yield* SqlClient.SqlClient
      const error = { _tag: "ConnectorError", reason: "validation", message: "bad", status: 400, code: null }
      yield* store.inbox.offer(offer("e1", { channel: "poll", payload: { v: 1 }, readAt: 0 }))
      const [dead] = yield* store.inbox.due(0, 10)
      const letterId = Option.getOrThrow(yield* store.inbox.deadLetter(dead!.id, error))
      // A later change arrives: it has its own pending row; replay makes it due, no second pending row.
      expect(yield* store.inbox.offer(offer("e2"))).toBe("inserted")
      const [pending] = yield* store.inbox.due(0, 10)
      yield* store.inbox.retry(pending!.id, "later", 50_000)
      expect(yield* store.deadLetters.replay(letterId)).toEqual(Option.some(pending!.id))
      expect(yield* store.inbox.due(0, 10)).toEqual([expect.objectContaining({ id: pending!.id, generation: 1 })])
      expect(yield* store.inbox.get(dead!.id)).toEqual(Option.some(expect.objectContaining({ status: "dead" })))
      // The dead row done and pruned: replay inserts a new row, read again from Alegra.
      yield* store.inbox.complete(pending!.id, 1)
      yield* sql`UPDATE inbox SET status = 'done', done_at = 0 WHERE id = ${dead!.id}`
      yield* TestClock.adjust(10)
      expect(yield* store.inbox.prune(10)).toBe(2)
      expect((yield* store.deadLetters.list())[0]?.inboxId).toBeNull() // ON DELETE SET NULL (foreign keys are on)
      const replayed = Option.getOrThrow(yield* store.deadLetters.replay(letterId))
      expect(yield* store.inbox.get(replayed)).toEqual(Option.some(expect.objectContaining({
        recordId: "42", action: "changed", channel: "replay", payload: null, status: "pending", eventKey: `replay:${letterId}:10`
      })))
    })))

  it.effect("prune deletes only done rows completed before the time", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      for (const id of ["1", "2", "3", "4"]) yield* store.inbox.offer(offer("e", { recordId: id }))
      const [r1, r2, r3] = yield* store.inbox.due(0, 10)
      yield* store.inbox.complete(r1!.id, 0) // done at 0
      yield* TestClock.adjust(1_000)
      yield* store.inbox.complete(r2!.id, 0) // done at 1000
      yield* store.inbox.deadLetter(r3!.id, { _tag: "X", reason: "r", message: "m", status: null, code: null })
      expect(yield* store.inbox.prune(1_000)).toBe(1)
      expect(yield* store.inbox.get(r1!.id)).toEqual(Option.none())
      expect(Option.isSome(yield* store.inbox.get(r2!.id))).toBe(true)
      expect(yield* store.inbox.prune(1_001)).toBe(1)
      expect(yield* store.inbox.depth()).toEqual({ pending: 1, due: 1, dead: 1, oldestDueMs: 1_000 })
      expect(yield* store.inbox.prune(1_000_000)).toBe(0)
      // A pruned event redelivered: a new row (the worker finds the hash unchanged).
      expect(yield* store.inbox.offer(offer("e", { recordId: "1" }))).toBe("inserted")
    })))

  it.effect("the schema itself allows one pending row per record", () =>
    withStore(Effect.gen(function*() {
      const store = yield* Store
      const sql = yield* SqlClient.SqlClient
      yield* store.inbox.offer(offer("e1"))
      const insert = sql`INSERT INTO inbox (system, kind, record_id, action, event_key, status, next_attempt_at, received_at)
                         VALUES ('alegra', 'invoice', '42', 'updated', 'e9', 'pending', 0, 0)`
      const result = yield* Effect.either(insert)
      expect(result._tag).toBe("Left")
    })))
})
