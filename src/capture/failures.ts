import { Cause, Effect, Ref } from "effect"
import { ConnectorError } from "../ports/connector.js"

/** One line for what made a background task fail (the whole cause goes to DEBUG). */
export const describeCause = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  if (error instanceof ConnectorError) {
    const system = error.system.charAt(0).toUpperCase() + error.system.slice(1)
    return `${system} ${error.method} ${error.path}: ${error.reason}${error.status === null ? "" : ` ${error.status}`} ${error.message}`
  }
  if (error instanceof Error) {
    const generic = error.name === "Error" || error.name === "RuntimeException" || error.name === "UnknownException"
    return `${generic ? "" : `${error.name}: `}${error.message}`.split("\n")[0]!
  }
  return String(error).split("\n")[0]!
}

/** Every how many repeats of the same failure a reminder is logged. */
const REMIND_EVERY = 10

/**
 * Wraps a task that runs again and again (a poll, the sweep) so that its failures
 * are logged as one line the first time, then counted: a reminder every 10 repeats
 * of the same failure, and one line when it recovers. Never a stack trace per
 * cycle. The task's failure is swallowed: the next cycle tries again.
 */
export const makeFailureLog = (name: string) =>
  Effect.map(Ref.make({ failures: 0, message: "" }), (state) =>
    <A, E, R>(task: Effect.Effect<A, E, R>): Effect.Effect<void, never, R> =>
      task.pipe(
        Effect.zipRight(Ref.getAndSet(state, { failures: 0, message: "" })),
        Effect.flatMap((before) =>
          before.failures > 0
            ? Effect.logInfo(`${name} recovered`).pipe(Effect.annotateLogs("failures", before.failures))
            : Effect.void
        ),
        Effect.catchAllCause((cause) =>
          Effect.gen(function*() {
            if (Cause.isInterruptedOnly(cause)) return yield* Effect.failCause(cause as Cause.Cause<never>)
            const message = describeCause(cause)
            const before = yield* Ref.get(state)
            const failures = before.message === message ? before.failures + 1 : 1
            yield* Ref.set(state, { failures, message })
            yield* Effect.logDebug(`${name} failed`, cause)
            if (failures === 1) yield* Effect.logWarning(`${name} failed; will try again: ${message}`)
            else if (failures % REMIND_EVERY === 0) {
              yield* Effect.logWarning(`${name} still failing (${failures} times in a row): ${message}`)
            }
          })
        )
      ))
