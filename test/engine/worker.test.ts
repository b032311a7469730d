/**
 * The inbox worker on a real SQLite file with a test Alegra port: Alegra rows are read
 * together and recorded in one transaction, and a row that cannot be read or recorded
 * is retried on its own while the rest of its batch is recorded.
 */
import Database from "better-sqlite3"
import { Effect, Layer, ManagedRuntime, Option } from "effect"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { storeLayer } from "../../src/cli/layers.js"
import { resolveConfig, SyncConfig } from "../../src/config/index.js"
import { InboxWorker } from "../../src/engine/worker.js"
import { Alegra } from "../../src/ports/alegra.js"
import { ConnectorError } from "../../src/ports/connector.js"
import { Store } from "../../src/store/index.js"
import { testHub } from "../server/support.js"
import { tempDir, waitFor } from "../support/process.js"

interface InboxState {
  readonly record_id: string
  readonly status: string
  readonly attempts: number
  readonly last_error: string | null
}

describe("InboxWorker", () => {
  it("records a batch of Alegra rows together; a row that fails to be read or recorded is retried alone", async () => {
    const storePath = path.join(tempDir("worker"), "store.db")
    const config = await Effect.runPromise(resolveConfig({
      store: { path: storePath },
      alegra: { email: "ops@empresa.co", token: { env: "T" } }
    }, { file: "/test/sync.config.ts", env: { T: "token-1234567890" } }))
    const reads: Array<string> = []
    const hub = testHub({
      read: (_kind, id) =>
        Effect.suspend(() => {
          reads.push(id)
          return id === "3"
            ? Effect.fail(
              new ConnectorError({
                system: "alegra",
                reason: "server",
                method: "GET",
                path: `/items/${id}`,
                status: 503,
                code: null,
                message: "Alegra answered 503"
              })
            )
            : Effect.succeed({ readAt: Date.now(), record: Option.none() })
        })
    })
    const deps = Layer.mergeAll(storeLayer(storePath), Layer.succeed(Alegra, hub), Layer.succeed(SyncConfig, config))
    // The store first (its migrations), then a trigger that refuses to record item 4, then the worker.
    const storeRuntime = ManagedRuntime.make(deps)
    await storeRuntime.runtime()
    const db = new Database(storePath)
    db.exec(`CREATE TRIGGER refuse_four BEFORE INSERT ON alegra_records WHEN NEW.id = '4'
      BEGIN SELECT RAISE(ABORT, 'item 4 cannot be recorded'); END`)
    // More than one transaction's worth (10 rows), so a failed one and a good one follow each other.
    const ids = Array.from({ length: 14 }, (_, i) => String(i + 1))
    const recordedIds = ids.filter((id) => id !== "3" && id !== "4")
    await storeRuntime.runPromise(Effect.flatMap(Store, (store) =>
      store.inbox.offerMany(ids.map((id) => ({
        system: "alegra" as const,
        kind: "item" as const,
        recordId: id,
        channel: "webhook" as const,
        action: "changed" as const,
        eventKey: `edit-item:${id}`
      })))))
    const workerRuntime = ManagedRuntime.make(InboxWorker.Default.pipe(Layer.provide(deps)))
    try {
      await workerRuntime.runtime()
      const inbox = () => db.prepare("SELECT record_id, status, attempts, last_error FROM inbox ORDER BY id").all() as Array<InboxState>
      const settled = await waitFor("every row done or retried", () => {
        const rows = inbox()
        return rows.every((row) => row.status === "done" || row.attempts > 0) ? rows : undefined
      })
      expect(settled.filter((row) => row.status === "done").map((row) => row.record_id)).toEqual(recordedIds)
      const retried = settled.filter((row) => row.status === "pending")
      // Failed once each (a second attempt comes 1.6 s or more later; a loaded machine may already have made it).
      expect(retried.map((row) => row.record_id)).toEqual(["3", "4"])
      for (const row of retried) expect(row.attempts).toBeGreaterThanOrEqual(1)
      expect(retried[0]!.last_error).toContain("503")
      expect(retried[1]!.last_error).toContain("item 4 cannot be recorded")
      // The rows recorded: a tombstone each (Alegra answered 404), none for the two retried.
      const recorded = db.prepare("SELECT id FROM alegra_records WHERE kind = 'item' ORDER BY CAST(id AS INTEGER)").all() as Array<{ id: string }>
      expect(recorded.map((row) => row.id)).toEqual(recordedIds)
      // Recording alone after the batch failed did not read again (3 and 4 are read again only when due, 2 s on).
      expect(reads.filter((id) => id !== "3" && id !== "4").sort((a, b) => Number(a) - Number(b))).toEqual(recordedIds)
      expect(reads).toEqual(expect.arrayContaining(["3", "4"]))
    } finally {
      await workerRuntime.dispose()
      await storeRuntime.dispose()
      db.close()
    }
  })
})
