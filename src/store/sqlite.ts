/**
 * The SQLite client layer of the store.
 *
 * Build it ONCE per process and share the constant (STACK.md pitfall 5: layers
 * are memoised by reference; calling `sqliteLayer(file)` in two places opens two
 * connections to the file, and two connections of one process contend for the
 * write lock like two processes do).
 *
 *     const StoreLive = Store.Default.pipe(Layer.provideMerge(sqliteLayer(path)))
 *
 * Opening never fails with a driver stack trace: every problem a user can cause
 * (a damaged file, a read-only folder, a place SQLite cannot use, a store written
 * by a newer version) is a `StoreError` whose message names the problem and the fix.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { SqlClient } from "@effect/sql"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { storeErrorFromDriver } from "./driver-errors.js"
import { StoreError } from "./errors.js"
import { latestMigration, migrations, migrationsTable } from "./migrations/index.js"
import { sqliteCode, writeTransaction } from "./transaction.js"

export interface SqliteLayerOptions {
  /** How long a statement waits for the other process's write lock (PRAGMA busy_timeout). Default 5000 ms. */
  readonly busyTimeoutMs?: number
}

const isMemory = (filename: string): boolean => filename === ":memory:" || filename === ""

const fail = (reason: StoreError["reason"], file: string, message: string) =>
  new StoreError({ reason, path: file, message })

/** Filesystems SQLite cannot keep a database on (no locking, no regular files). */
const PSEUDO_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, "procfs"],
  [0x62656572, "sysfs"],
  [0x1cd1, "devpts"],
  [0x64626720, "debugfs"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"]
])

const pseudoFilesystem = (dir: string): string | undefined => {
  try {
    return PSEUDO_FILESYSTEMS.get(fs.statfsSync(dir).type)
  } catch {
    return undefined
  }
}

const unsupported = (file: string, what: string) =>
  fail(
    "unsupported-location",
    file,
    `cannot keep the store at ${file}: ${what} — set store.path to a file on a local disk (a Docker volume, ./data)`
  )

/** A driver or errno code on the store, as the one line every command prints for it. */
const driverError = (file: string, code: string, message = code) => storeErrorFromDriver(file, { code, message })

/**
 * Creates the store's folder one level at a time. Node's own recursive mkdir spins
 * forever on /proc (it keeps getting ENOENT for a parent that exists), blocking the
 * event loop so that not even SIGTERM gets through.
 */
const ensureDirectory = (file: string, dir: string): StoreError | undefined => {
  const missing: Array<string> = []
  let existing = dir
  while (!fs.existsSync(existing)) {
    missing.unshift(existing)
    const parent = path.dirname(existing)
    if (parent === existing) break
    existing = parent
  }
  const pseudo = pseudoFilesystem(existing)
  if (pseudo !== undefined) return unsupported(file, `${existing} is on ${pseudo}, not on a disk`)
  if (!fs.statSync(existing).isDirectory()) return unsupported(file, `${existing} is not a folder`)
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === "EEXIST") continue
      if (code === "EACCES" || code === "EPERM" || code === "EROFS") return driverError(file, code)
      return unsupported(file, `cannot create the folder ${folder} (${code ?? String(error)})`)
    }
  }
  return undefined
}

/**
 * Opens the file once with the raw driver, as the client is about to, and turns
 * what goes wrong into a StoreError. The client would otherwise die inside its layer
 * with the driver's stack trace (its WAL pragma runs unguarded).
 */
const probe = (file: string): StoreError | undefined => {
  const dir = path.dirname(file)
  const problem = ensureDirectory(file, dir)
  if (problem !== undefined) return problem
  if (fs.existsSync(file) && !fs.statSync(file).isFile()) return unsupported(file, "it is not a regular file")
  let db: Database.Database | undefined
  try {
    db = new Database(file, { timeout: 5_000 })
    const mode = db.pragma("journal_mode = WAL", { simple: true })
    if (String(mode).toLowerCase() !== "wal") {
      return unsupported(file, `SQLite cannot use write-ahead logging there (journal mode ${String(mode)})`)
    }
    db.prepare("SELECT count(*) FROM sqlite_master").get()
    return undefined
  } catch (error) {
    const code = sqliteCode(error) ?? (error as NodeJS.ErrnoException).code ?? ""
    const message = error instanceof Error ? error.message : String(error)
    if (code === "SQLITE_CANTOPEN") {
      // Cannot open: a folder it may not write, or a place SQLite cannot use at all.
      try {
        fs.accessSync(fs.existsSync(file) ? file : dir, fs.constants.W_OK)
      } catch {
        return driverError(file, code, message)
      }
      return unsupported(file, "SQLite cannot open a file there")
    }
    if (code.startsWith("SQLITE_IOERR")) return unsupported(file, `SQLite cannot do its I/O there (${code})`)
    if (code.startsWith("SQLITE_BUSY")) {
      return fail("io", file, `the store ${file} is locked by another program — stop it, or set store.path to another file`)
    }
    return driverError(file, code === "" ? "unknown" : code, message)
  } finally {
    db?.close()
  }
}

/** The highest migration applied to the file, 0 for a new store. */
const appliedVersion = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const tables = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ${migrationsTable}`
  if (tables.length === 0) return 0
  const rows = yield* sql<{ v: number | null }>`SELECT max(migration_id) AS v FROM ${sql(migrationsTable)}`
  return rows[0]?.v ?? 0
})

/**
 * Sets the connection's pragmas, refuses a store written by a newer version (before
 * writing anything), and runs the migrations inside a write transaction (BEGIN
 * IMMEDIATE), so the daemon and `backfill` starting at the same moment on a new file
 * do not race: the second one waits for the lock, then finds nothing to run.
 */
const setUp = (filename: string, busyTimeoutMs: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`)
    yield* sql.unsafe("PRAGMA foreign_keys = ON")
    yield* sql.unsafe("PRAGMA synchronous = NORMAL")
    // better-sqlite3 builds SQLite with a 16 MB page cache, which fills as the store grows (the
    // backfill's memory grew with the account); SQLite's own default of 2 MB holds the pages a
    // write touches, and the operating system caches the file.
    yield* sql.unsafe("PRAGMA cache_size = -2000")
    const version = yield* appliedVersion
    if (version > latestMigration) {
      return yield* fail(
        "newer-version",
        filename,
        `the store ${filename} was written by a newer alegra-sync (schema ${version}; this version knows up to ${latestMigration}) — upgrade alegra-sync, or set store.path to another file`
      )
    }
    if (version < latestMigration) {
      yield* writeTransaction(
        SqliteMigrator.run({ loader: SqliteMigrator.fromRecord(migrations), table: migrationsTable })
      )
    }
  }).pipe(
    Effect.catchIf(
      (error): error is Exclude<typeof error, StoreError> => !(error instanceof StoreError),
      (error) =>
        Effect.fail(fail("io", filename, `cannot prepare the store ${filename}: ${describe(error)} — check the disk, or set store.path to a new file`))
    ),
    Effect.withSpan("Store.setUp")
  )

const describe = (error: unknown): string => {
  const code = sqliteCode(error)
  const message = error instanceof Error ? error.message : String(error)
  return code === undefined ? message : `${message} (${code})`
}

/**
 * SqliteClient (and SqlClient) on `filename`: WAL, busy_timeout 5000, foreign
 * keys on, synchronous NORMAL, the parent directory created, the migrations run
 * at start-up. `":memory:"` gives a private in-memory database (tests only).
 */
export const sqliteLayer = (
  filename: string,
  options: SqliteLayerOptions = {}
): Layer.Layer<SqliteClient.SqliteClient | SqlClient.SqlClient, StoreError> => {
  const file = isMemory(filename) ? filename : path.resolve(filename)
  const client = Layer.unwrapEffect(Effect.suspend(() => {
    const problem = isMemory(file) ? undefined : probe(file)
    if (problem !== undefined) return Effect.fail(problem)
    // `layer` declares ConfigError but reads no Config: it cannot fail that way.
    return Effect.succeed(Layer.orDie(SqliteClient.layer({ filename: file })))
  }))
  const setup = Layer.effectDiscard(setUp(file, options.busyTimeoutMs ?? 5000)).pipe(
    Layer.provide(NodeContext.layer)
  )
  return Layer.provideMerge(setup, client)
}
