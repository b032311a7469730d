/**
 * Opening a store: every problem a user can cause is one StoreError that names the
 * problem and the fix, never a driver stack trace, never a hang; a store written by
 * a newer version is refused before anything is written; an older one is migrated
 * with its data.
 */
import { SqlClient } from "@effect/sql"
import { NodeContext } from "@effect/platform-node"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import Database from "better-sqlite3"
import { Effect, Exit, Layer, Option } from "effect"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import initial from "../../src/store/migrations/0001_initial.js"
import { migrationsTable, Store, StoreError } from "../../src/store/index.js"
import { storeLayer, tempDbFile } from "./helpers.js"

const openError = async (file: string): Promise<StoreError> => {
  const exit = await Effect.runPromiseExit(Effect.provide(Store, storeLayer(file)))
  if (Exit.isSuccess(exit)) throw new Error(`expected ${file} to be refused`)
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (!(failure instanceof StoreError)) throw new Error(`expected a StoreError, got ${String(exit.cause)}`)
  return failure
}

const fingerprint = (file: string) =>
  ["", "-wal", "-shm"].map((suffix) =>
    fs.existsSync(file + suffix) ? createHash("sha256").update(new Uint8Array(fs.readFileSync(file + suffix))).digest("hex") : "none"
  )

/** Makes a folder unwritable, for root too (chattr +i), or by mode when not root. */
const lockFolder = (dir: string): (() => void) => {
  if (process.getuid?.() === 0) {
    execFileSync("chattr", ["+i", dir])
    return () => execFileSync("chattr", ["-i", dir])
  }
  fs.chmodSync(dir, 0o555)
  return () => fs.chmodSync(dir, 0o755)
}
const unlocks: Array<() => void> = []
afterEach(() => {
  for (const unlock of unlocks.splice(0)) unlock()
})

describe("opening a store", () => {
  it("a file that is not SQLite: 'corrupt', naming the file and the fix", async () => {
    const file = tempDbFile()
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, "this is not a database, just some text that happens to be long enough ".repeat(100))
    const error = await openError(file)
    expect(error.reason).toBe("corrupt")
    expect(error.message).toContain(file)
    expect(error.message).toMatch(/backup|new file/)
    expect(error.message).not.toMatch(/\n|    at /)
  })

  it("a folder that cannot be written: 'read-only'", async () => {
    const dir = path.dirname(tempDbFile())
    fs.mkdirSync(dir, { recursive: true })
    unlocks.push(lockFolder(dir))
    const error = await openError(path.join(dir, "store.db"))
    expect(error.reason).toBe("read-only")
    expect(error.message).toMatch(/write access|writable/)
  })

  it("a place SQLite cannot use (/proc) fails at once instead of hanging, and so does a folder given as the file", async () => {
    const started = Date.now()
    const error = await openError("/proc/alegra-sync-test/store.db")
    expect(error.reason).toBe("unsupported-location")
    expect(error.message).toMatch(/procfs/)
    expect(Date.now() - started).toBeLessThan(5_000)
    const dir = path.dirname(tempDbFile())
    fs.mkdirSync(dir, { recursive: true })
    expect((await openError(dir)).reason).toBe("unsupported-location")
  })

  it("a store written by a newer version is refused, and not a byte of it changes", async () => {
    const file = tempDbFile()
    await Effect.runPromise(Effect.provide(Effect.void, storeLayer(file)))
    const db = new Database(file)
    db.prepare(`INSERT INTO ${migrationsTable} (migration_id, name) VALUES (99, 'from_the_future')`).run()
    db.close()
    const before = fingerprint(file)
    const error = await openError(file)
    expect(error.reason).toBe("newer-version")
    expect(error.message).toMatch(/schema 99.*knows up to 4.*upgrade alegra-sync/)
    expect(fingerprint(file)).toEqual(before)
  })

  it("a store of the first release is migrated with its data: one pending row per record, read times, install id", async () => {
    const file = tempDbFile()
    fs.mkdirSync(path.dirname(file), { recursive: true })
    // The store as release 0.1 left it.
    const v1 = Layer.effectDiscard(Effect.gen(function*() {
      yield* SqliteMigrator.run({ loader: SqliteMigrator.fromRecord({ "0001_initial": initial }), table: migrationsTable })
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO alegra_records (kind, id, content, hash, seen_at, updated_at)
        VALUES ('credit-note', '1', '{"date":"2026-11-01","id":"1"}', 'h1', 1000, 900)`
      for (const [id, source, payload] of [[1, "alegra", null], [2, "alegra-poll", "{}"], [3, "alegra-sweep", "{}"], [4, "alegra-poll", null]] as const) {
        yield* sql`INSERT INTO inbox (id, source, kind, record_id, action, event_key, payload, status, next_attempt_at, received_at)
          VALUES (${id}, ${source}, 'invoice', ${id === 4 ? "8" : "7"}, 'changed', ${`k${id}`}, ${payload}, 'pending', 0, 0)`
      }
      yield* sql`INSERT INTO webhook_subscriptions (system, id, event, url_fingerprint, created_at)
        VALUES ('alegra', 's1', 'new-invoice', ${"a".repeat(64)}, 0)`
    })).pipe(Layer.provide(SqliteClient.layer({ filename: file })), Layer.provide(NodeContext.layer))
    await Effect.runPromise(Effect.scoped(Layer.build(v1)))
    await Effect.runPromise(Effect.provide(Effect.gen(function*() {
      const store = yield* Store
      const sql = yield* SqlClient.SqlClient
      expect(Option.getOrThrow(yield* store.mirror.state("credit-note", "1"))).toMatchObject({ readAt: 1000, deleted: false })
      expect(yield* store.mirror.datedHashes("credit-note", "2026-10-01")).toEqual([{ id: "1", hash: "h1", date: "2026-11-01" }])
      const inbox = yield* sql<{ id: number; system: string; channel: string; record_id: string; status: string; payload: string | null }>`
        SELECT id, system, channel, record_id, status, payload FROM inbox ORDER BY id`
      expect(inbox).toEqual([
        { id: 1, system: "alegra", channel: "webhook", record_id: "7", status: "pending", payload: null },
        { id: 2, system: "alegra", channel: "poll", record_id: "7", status: "done", payload: "{}" },
        { id: 3, system: "alegra", channel: "sweep", record_id: "7", status: "done", payload: "{}" },
        { id: 4, system: "alegra", channel: "poll", record_id: "8", status: "pending", payload: null }
      ])
      expect(store.installId).toMatch(/^[0-9a-f-]{36}$/)
      expect((yield* store.subscriptions.list("alegra")).map((s) => s.id)).toEqual(["s1"])
    }), storeLayer(file)))
  })
})
