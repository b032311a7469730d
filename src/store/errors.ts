import { Schema } from "effect"

/**
 * The store cannot be used. Each reason has one line for the operator that names the
 * problem and the fix (the CLI renders it; see src/cli).
 */
export const StoreFailure = Schema.Literal(
  "corrupt", // not a SQLite database, or damaged
  "read-only", // the file or its folder cannot be written
  "unsupported-location", // a filesystem SQLite cannot lock or map (/proc, some network mounts)
  "newer-version", // written by a newer alegra-sync: never migrated down nor written
  "in-use", // another daemon holds this store's lease
  "io" // anything else the driver reported while opening
)
export type StoreFailure = typeof StoreFailure.Type

export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  reason: StoreFailure,
  /** The store's file path (never a secret). */
  path: Schema.String,
  /** One line: what is wrong and how to fix it. */
  message: Schema.String
}) {}
