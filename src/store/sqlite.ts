/**
 * The SQLite client layer of the store.
 *
 * Build it ONCE per process and share the constant (STACK.md pitfall 5: layers
 * are memoised by reference; calling `sqliteLayer(file)` in two places opens two
 * connections to the file, and two connections of one process contend for the
 * write lock like two processes do).
 *
 *     const StoreLive = Store.Default.pipe(Layer.provideMerge(sqliteLayer(path)))
 */
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { migrations, migrationsTable } from "./migrations/index.js"
import { writeTransaction } from "./transaction.js"

export interface SqliteLayerOptions {
  /** How long a statement waits for the other process's write lock (PRAGMA busy_timeout). Default 5000 ms. */
  readonly busyTimeoutMs?: number
}

const isMemory = (filename: string): boolean => filename === ":memory:" || filename === ""

/**
 * Sets the connection's pragmas and runs the migrations. The migrations run
 * inside a write transaction (BEGIN IMMEDIATE), so the daemon and `backfill`
 * starting at the same moment on a new file do not race: the second one waits
 * for the lock, then finds the migrations applied and runs none.
 */
const setUp = (filename: string, busyTimeoutMs: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`)
    yield* sql.unsafe("PRAGMA foreign_keys = ON")
    yield* sql.unsafe("PRAGMA synchronous = NORMAL")
    if (!isMemory(filename)) {
      const [mode] = yield* sql.unsafe<{ journal_mode: string }>("PRAGMA journal_mode")
      if (mode?.journal_mode.toLowerCase() !== "wal") {
        return yield* new SqlError({ message: `SQLite file ${filename} is not in WAL mode (${mode?.journal_mode})` })
      }
    }
    yield* writeTransaction(
      SqliteMigrator.run({ loader: SqliteMigrator.fromRecord(migrations), table: migrationsTable })
    )
  }).pipe(Effect.withSpan("Store.setUp"))

/**
 * SqliteClient (and SqlClient) on `filename`: WAL, busy_timeout 5000, foreign
 * keys on, synchronous NORMAL, the parent directory created, the migrations run
 * at start-up. `":memory:"` gives a private in-memory database (tests only).
 */
export const sqliteLayer = (
  filename: string,
  options: SqliteLayerOptions = {}
): Layer.Layer<
  SqliteClient.SqliteClient | SqlClient.SqlClient,
  SqlError | SqliteMigrator.MigrationError
> => {
  const client = Layer.unwrapEffect(
    Effect.try({
      try: () => {
        if (!isMemory(filename)) fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true })
        // `layer` declares ConfigError but reads no Config: it cannot fail that way.
        return Layer.orDie(SqliteClient.layer({ filename }))
      },
      catch: (cause) => new SqlError({ cause, message: `Cannot create the directory of ${filename}` })
    })
  )
  const setup = Layer.effectDiscard(setUp(filename, options.busyTimeoutMs ?? 5000)).pipe(
    Layer.provide(NodeContext.layer)
  )
  return Layer.provideMerge(setup, client)
}
