/**
 * Two real processes on one SQLite file, as the daemon and `backfill` run.
 * Why writeTransaction exists (STACK.md pitfall 2) is proven here too: the
 * naive read-then-write transaction fails with SQLITE_BUSY_SNAPSHOT at once.
 */
import { SqlClient } from "@effect/sql"
import { Effect, Fiber, Logger, LogLevel, Option } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { sqliteCode, Store } from "../../src/store/index.js"
import { type Child, startChild, storeLayer, tempDbFile } from "./helpers.js"

const started: Array<Child> = []
const start = (name: string, args: ReadonlyArray<string>) => {
  const child = startChild(name, args)
  started.push(child)
  return child
}
afterEach(() => {
  for (const child of started.splice(0)) if (child.process.exitCode === null) child.process.kill("SIGKILL")
})

/** Creates and migrates the file (as the daemon's start-up would) before the children open it. */
const createStore = (file: string) => Effect.runPromise(Effect.provide(Effect.void, storeLayer(file)))

describe("two processes on one file", () => {
  it("backfill-like and daemon-like writers hammer the same file: no error, every write present, integrity ok", async () => {
    // A new file: both processes also start up (create it, set WAL, migrate) at the same time.
    const file = tempDbFile()
    const pages = 80
    const perPage = 30
    const records = 300
    const backfill = start("backfill-writer", [file, String(pages), String(perPage)])
    const daemon = start("daemon-writer", [file, String(records)])
    await Promise.all([backfill.waitForLine("ready"), daemon.waitForLine("ready")])
    backfill.send("go")
    daemon.send("go")
    const [b, d] = await Promise.all([backfill.result, daemon.result])

    expect(b.inserted).toBe(pages * perPage)
    expect(d.outcomes).toEqual({ inserted: records, coalesced: 0, duplicate: records })
    expect(d.completed).toBe(records)
    // They did run at the same time.
    expect(b.startedAt).toBeLessThan(d.finishedAt)
    expect(d.startedAt).toBeLessThan(b.finishedAt)
    expect(backfill.stderr() + daemon.stderr()).not.toMatch(/SQLITE_BUSY|Error/)

    await Effect.runPromise(Effect.gen(function*() {
      const store = yield* Store
      const sql = yield* SqlClient.SqlClient
      expect((yield* store.mirror.counts()).contact).toBe(pages * perPage)
      const hashes = yield* store.mirror.hashes("contact")
      for (let id = 1; id <= pages * perPage; id++) expect(hashes.get(String(id))).toBe(`h-${id}`)
      expect(yield* store.cursors.get("backfill:contact")).toEqual(Option.some({ page: pages }))
      const inbox = yield* sql<{ record_id: string; status: string; event_key: string }>`
        SELECT record_id, status, event_key FROM inbox ORDER BY id`
      expect(inbox).toHaveLength(records)
      expect(new Set(inbox.map((row) => row.record_id)).size).toBe(records)
      expect(inbox.every((row) => row.status === "done" && row.event_key === `edit-invoice:${row.record_id}:1`)).toBe(true)
      expect(yield* store.inbox.depth()).toEqual({ pending: 0, due: 0, dead: 0, oldestDueMs: 0 })
      expect(yield* sql`SELECT migration_id FROM effect_sql_migrations`).toEqual([{ migration_id: 1 }, { migration_id: 2 }, { migration_id: 3 }, { migration_id: 4 }])
      const [check] = yield* sql<{ integrity_check: string }>`PRAGMA integrity_check`
      expect(check?.integrity_check).toBe("ok")
    }).pipe(Effect.provide(storeLayer(file))))
  })

  it("a naive read-then-write transaction (plain BEGIN) fails at once with SQLITE_BUSY_SNAPSHOT", async () => {
    const file = tempDbFile()
    const parent = storeLayer(file)
    await Effect.runPromise(Effect.gen(function*() {
      const store = yield* Store
      const child = start("scripted", [file, "naive"])
      yield* Effect.promise(() => child.waitForLine("ready"))
      child.send("begin")
      // The child's transaction has read: its snapshot is pinned.
      yield* Effect.promise(() => child.waitForLine("read"))
      // Another process commits a write meanwhile (nothing stops it: the child holds no write lock).
      yield* store.cursors.set("parent", 1)
      child.send("write")
      const result = yield* Effect.promise(() => child.result)
      expect(result.ok).toBe(false)
      expect(result.code).toBe("SQLITE_BUSY_SNAPSHOT")
      // busy_timeout (5 s) was never consulted: the failure is immediate.
      expect(result.writeMs).toBeGreaterThanOrEqual(0)
      expect(result.writeMs).toBeLessThan(1_000)
    }).pipe(Effect.provide(parent)))
  })

  it("the same interleaving cannot happen with writeTransaction: the lock is taken before the read", async () => {
    const file = tempDbFile()
    await createStore(file)
    // The parent's connection does not wait at all, so "the lock is held" shows as an immediate SQLITE_BUSY.
    await Effect.runPromise(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const store = yield* Store
      const child = start("scripted", [file, "helper"])
      yield* Effect.promise(() => child.waitForLine("ready"))
      child.send("begin")
      yield* Effect.promise(() => child.waitForLine("read"))
      // The other process cannot commit between the child's read and its write.
      const blocked = yield* Effect.either(sql`INSERT INTO cursors (name, value, updated_at) VALUES ('parent', '1', 0)`)
      expect(blocked._tag).toBe("Left")
      expect(sqliteCode(blocked._tag === "Left" ? blocked.left : undefined)).toBe("SQLITE_BUSY")
      child.send("write")
      const result = yield* Effect.promise(() => child.result)
      expect(result).toMatchObject({ ok: true, code: null, readCount: 0 })
      // Once the child committed, the parent writes normally.
      yield* store.cursors.set("parent", 1)
      expect((yield* store.cursors.list()).map((c) => c.name)).toEqual(["child-helper", "parent"])
    }).pipe(Effect.provide(storeLayer(file, { busyTimeoutMs: 0 }))))
  })

  it("writeTransaction retries the whole transaction while the other process holds the lock past busy_timeout", async () => {
    const file = tempDbFile()
    await createStore(file)
    const retries: Array<string> = []
    let firstRetry: () => void = () => {}
    const retried = new Promise<void>((resolve) => (firstRetry = resolve))
    const logger = Logger.make(({ message }) => {
      const text = Array.isArray(message) ? message.join(" ") : String(message)
      if (text.includes("retrying the whole write transaction")) {
        retries.push(text)
        firstRetry()
      }
    })
    await Effect.runPromise(Effect.gen(function*() {
      const store = yield* Store
      const child = start("scripted", [file, "hold"])
      yield* Effect.promise(() => child.waitForLine("ready"))
      child.send("begin")
      yield* Effect.promise(() => child.waitForLine("locked"))
      // busy_timeout is 100 ms here: the first BEGIN IMMEDIATE gives up with SQLITE_BUSY and is retried.
      const write = yield* Effect.fork(store.cursors.set("parent", 1))
      yield* Effect.promise(() => retried)
      child.send("release")
      yield* Effect.promise(() => child.result)
      yield* Fiber.join(write)
      expect(retries.length).toBeGreaterThanOrEqual(1)
      expect(yield* store.cursors.get("parent")).toEqual(Option.some(1))
      expect(yield* store.cursors.get("child-hold")).toEqual(Option.some(1))
    }).pipe(
      Effect.provide(storeLayer(file, { busyTimeoutMs: 100 })),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    ))
  })
})
