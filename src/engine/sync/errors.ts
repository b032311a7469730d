import { Data, Schema } from "effect"

/**
 * A record cannot go to Alegra yet: a prerequisite is missing there (a payment whose
 * invoice is still a draft in Stripe). Retried later, never dead-lettered for it: the
 * change is not lost.
 */
export class Waiting extends Data.TaggedError("Waiting")<{ readonly message: string }> {}

/** A change the engine refuses for good, with the reason and what to do (kept as a dead letter). */
export class SyncRefused extends Schema.TaggedError<SyncRefused>()("SyncRefused", {
  message: Schema.String
}) {}
