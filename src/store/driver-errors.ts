/**
 * SQLite's own failures, turned into the store's one-line `StoreError`. The store
 * reports most of them itself; this catches what still escapes as a driver error
 * (SQLITE_NOTADB from a file that is not a database, SQLITE_READONLY, EACCES while
 * creating its folder …), so that the user never sees SQLite's stack trace.
 */
import { Cause, Chunk, Effect, Predicate } from "effect"
import { StoreError } from "./errors.js"

export interface DriverFailure {
  readonly code: string
  readonly message: string
}

const sqlTags = new Set(["SqlError", "MigrationError"])

/**
 * The driver's code in an error's chain of causes. SQLite codes count anywhere; an
 * errno code (EACCES, ENOSPC) only below a SQL error, so that a port's EACCES is
 * never taken for the store's.
 */
const driverFailure = (error: unknown): DriverFailure | undefined => {
  let inSql = false
  let current: unknown = error
  for (let depth = 0; depth < 8 && Predicate.isObject(current); depth++) {
    if (Predicate.hasProperty(current, "_tag") && sqlTags.has(String(current._tag))) inSql = true
    const code = Predicate.hasProperty(current, "code") ? current.code : undefined
    if (typeof code === "string" && (code.startsWith("SQLITE_") || (inSql && /^E[A-Z]+$/.test(code)))) {
      const message = Predicate.hasProperty(current, "message") ? String(current.message) : code
      return { code, message }
    }
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return undefined
}

/** The one line for a driver failure on the store at `file`. */
export const storeErrorFromDriver = (file: string, failure: DriverFailure): StoreError => {
  const { code } = failure
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
    return new StoreError({
      reason: "corrupt",
      path: file,
      message:
        `the store ${file} is not a SQLite database or is damaged — restore it from a backup, or move it away and run \`alegra-sync backfill\` to rebuild it`
    })
  }
  if (
    code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN") || code === "SQLITE_PERM" ||
    code === "EACCES" || code === "EPERM" || code === "EROFS"
  ) {
    return new StoreError({
      reason: "read-only",
      path: file,
      message:
        `cannot write the store ${file} (${code}) — make the file and its folder writable for this user, or set store.path to a writable place`
    })
  }
  if (code === "SQLITE_FULL" || code === "ENOSPC") {
    return new StoreError({
      reason: "io",
      path: file,
      message: `the disk holding the store ${file} is full — free some space and start again`
    })
  }
  return new StoreError({
    reason: "io",
    path: file,
    message: `cannot use the store ${file}: ${failure.message.split("\n")[0]} (${code}) — check the file and its folder`
  })
}

/** Runs `effect` (which opens the store at `file`) and turns any SQLite driver failure into a `StoreError`. */
export const withStoreErrors = (file: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.catchAllCause(effect, (cause): Effect.Effect<never, E | StoreError> => {
    const errors = [...Chunk.toReadonlyArray(Cause.failures(cause)), ...Chunk.toReadonlyArray(Cause.defects(cause))]
    for (const error of errors) {
      const failure = driverFailure(error)
      if (failure !== undefined) return Effect.fail(storeErrorFromDriver(file, failure))
    }
    return Effect.failCause(cause)
  })
