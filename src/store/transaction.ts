/**
 * Write transactions that are safe with two processes on one SQLite file.
 *
 * Why this exists (STACK.md, pitfall 2). `@effect/sql-sqlite-node` opens every
 * `sql.withTransaction` with a plain `BEGIN` (DEFERRED): no lock is taken until
 * the first statement. In WAL mode the first SELECT pins a read snapshot; if the
 * other process (the daemon, or `backfill`) commits after that, the first write
 * of our transaction cannot upgrade a stale snapshot and SQLite answers
 * SQLITE_BUSY_SNAPSHOT at once: the busy handler (busy_timeout) is never
 * consulted, because waiting could not make the snapshot fresh again.
 * test/store/two-processes.test.ts reproduces it with two real processes.
 *
 * The approach: `writeTransaction` opens its transaction with `BEGIN IMMEDIATE`,
 * which takes the database's write lock (RESERVED) before any snapshot is read.
 * Acquiring that lock at the start of a transaction does go through the busy
 * handler, so a concurrent writer in the other process is waited for (up to
 * busy_timeout), and once we hold it no other connection can commit, so every
 * read inside the transaction stays current. The transaction is built with
 * `SqlClient.makeWithTransaction` (public API of @effect/sql) on the very same
 * `TransactionConnection` tag and connection that `sql.withTransaction` uses, so:
 *   - every `sql` statement inside runs on the transaction's connection;
 *   - a `sql.withTransaction` (or a nested `writeTransaction`) inside joins it as
 *     a SAVEPOINT, exactly as @effect/sql nests its own transactions;
 *   - the client's one-connection semaphore is held for the whole transaction,
 *     so other fibers of this process wait for it as they do for any transaction.
 * On top of that the whole transaction is retried a few times (with jittered
 * backoff) when it still fails with any SQLITE_BUSY* code: busy_timeout expired
 * because the other process held the lock for longer, or a BUSY_RECOVERY.
 *
 * Rules for callers:
 *   - NO NETWORK CALL EVER RUNS INSIDE A WRITE TRANSACTION. The driver is
 *     synchronous and the lock is file-wide: every statement of the other process
 *     that writes waits for us (and blocks its event loop while it waits). Read
 *     remotely first, then record the result in one short transaction.
 *   - The effect may run more than once (the retry): it must only touch the
 *     database, never fire side effects of its own.
 *   - Do not call it inside a plain `sql.withTransaction`: that transaction began
 *     DEFERRED and may already hold a stale snapshot, so the lock can no longer be
 *     taken first. This is reported as a defect, loudly, instead of silently
 *     re-introducing the bug. (The reverse, `sql.withTransaction` inside
 *     `writeTransaction`, is fine: it becomes a savepoint.)
 */
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Context, Effect, Option, Schedule, Scope } from "effect"

/**
 * Marks the fibers running inside a `writeTransaction` of a given client, so a
 * nested call joins it and a call inside a foreign (DEFERRED) transaction is caught.
 */
export class WriteLockHeld extends Context.Tag("alegra-sync/store/WriteLockHeld")<
  WriteLockHeld,
  SqlClient.SqlClient
>() {}

/** A function running an effect in one write transaction of a given client. */
export type WriteTransaction = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>

export interface WriteTransactionOptions {
  /** Retries of the whole transaction after an SQLITE_BUSY* failure (default 5: 50, 100, 200, 400, 800 ms, jittered). */
  readonly retries?: number
}

/** The SQLite result code carried by a failure of the driver (better-sqlite3's `SqliteError.code`), if any. */
export const sqliteCode = (error: unknown): string | undefined => {
  const cause = typeof error === "object" && error !== null && "_tag" in error && (error as { _tag: unknown })._tag === "SqlError"
    ? (error as { cause?: unknown }).cause
    : error
  if (typeof cause === "object" && cause !== null && "code" in cause) {
    const code = (cause as { code: unknown }).code
    return typeof code === "string" ? code : undefined
  }
  return undefined
}

/** SQLITE_BUSY and its extended codes (BUSY_SNAPSHOT, BUSY_RECOVERY, BUSY_TIMEOUT). */
export const isBusy = (error: unknown): boolean => sqliteCode(error)?.startsWith("SQLITE_BUSY") ?? false

const isNoActiveTransaction = (error: SqlError): boolean => {
  const cause = error.cause
  return cause instanceof Error && /no transaction is active/i.test(cause.message)
}

const immediateByClient = new WeakMap<SqlClient.SqlClient, WriteTransaction>()

/** `sql.withTransaction`, but opened with BEGIN IMMEDIATE. No retry, no nesting checks. */
const immediateTransaction = (sql: SqlClient.SqlClient): WriteTransaction => {
  const cached = immediateByClient.get(sql)
  if (cached !== undefined) return cached
  const run = SqlClient.makeWithTransaction({
    transactionTag: SqlClient.TransactionConnection,
    spanAttributes: [["db.system.name", "sqlite"], ["alegra_sync.transaction", "write"]],
    // `reserve` is the client's transaction acquirer: it takes the client's one
    // permit and gives it back when the scope closes (after COMMIT/ROLLBACK).
    acquireConnection: Effect.flatMap(
      Scope.make(),
      (scope) => Effect.map(Scope.extend(sql.reserve, scope), (conn) => [scope, conn] as const)
    ),
    begin: (conn) => conn.executeUnprepared("BEGIN IMMEDIATE", [], undefined),
    savepoint: (conn, id) => conn.executeUnprepared(`SAVEPOINT effect_sql_${id}`, [], undefined),
    commit: (conn) => conn.executeUnprepared("COMMIT", [], undefined),
    // When BEGIN IMMEDIATE itself failed (SQLITE_BUSY) there is no transaction to
    // roll back; @effect/sql turns a failing ROLLBACK into a defect, so that one
    // case is ignored here and the original SQLITE_BUSY failure reaches the retry.
    rollback: (conn) =>
      conn.executeUnprepared("ROLLBACK", [], undefined).pipe(
        Effect.catchIf(isNoActiveTransaction, () => Effect.void)
      ),
    rollbackSavepoint: (conn, id) => conn.executeUnprepared(`ROLLBACK TO SAVEPOINT effect_sql_${id}`, [], undefined)
  })
  const fn: WriteTransaction = (effect) => run(effect)
  immediateByClient.set(sql, fn)
  return fn
}

/**
 * Builds `writeTransaction` for one client (what the `Store` service uses, so its
 * methods do not require `SqlClient` in their context).
 *
 * NO NETWORK CALL MAY RUN INSIDE IT: see the module comment.
 */
export const makeWriteTransaction = (
  sql: SqlClient.SqlClient,
  options: WriteTransactionOptions = {}
): WriteTransaction => {
  const schedule = Schedule.exponential("50 millis", 2).pipe(
    Schedule.jittered,
    Schedule.intersect(Schedule.recurs(options.retries ?? 5))
  )
  const immediate = immediateTransaction(sql)
  return <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
    Effect.contextWithEffect((context: Context.Context<never>) => {
      const held = Context.getOption(context as Context.Context<WriteLockHeld>, WriteLockHeld)
      if (Option.isSome(held) && held.value === sql) {
        // Already inside a write transaction of this client: join it (SAVEPOINT).
        return sql.withTransaction(effect)
      }
      if (Option.isSome(Context.getOption(context as Context.Context<SqlClient.TransactionConnection>, SqlClient.TransactionConnection))) {
        return Effect.dieMessage(
          "writeTransaction called inside a plain sql.withTransaction: that transaction began DEFERRED and " +
            "cannot take the write lock first (SQLITE_BUSY_SNAPSHOT). Use writeTransaction for the outer transaction."
        )
      }
      return immediate(Effect.provideService(effect, WriteLockHeld, sql)).pipe(
        Effect.tapError((error) =>
          isBusy(error)
            ? Effect.logDebug("SQLite busy: retrying the whole write transaction").pipe(
              Effect.annotateLogs("sqlite_code", sqliteCode(error) ?? "")
            )
            : Effect.void
        ),
        Effect.retry({ schedule, while: isBusy })
      )
    })
}

/**
 * Runs `effect` in one SQLite write transaction: BEGIN IMMEDIATE (the write lock
 * is taken before anything is read, waiting up to busy_timeout for the other
 * process), COMMIT on success, ROLLBACK on failure or interruption, the whole
 * transaction retried a few times on SQLITE_BUSY*. Nested calls (and Store
 * methods called inside) join the outer transaction as savepoints.
 *
 * NO NETWORK CALL EVER RUNS INSIDE IT, and the effect may run more than once.
 */
export const writeTransaction = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => makeWriteTransaction(sql)(effect))
