/**
 * A task run again and again (a poll, the sweep) that keeps failing is logged as one
 * line the first time, then counted, never with a stack trace per cycle.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, LogLevel, Ref } from "effect"
import { makeFailureLog } from "../../src/capture/failures.js"
import { ConnectorError } from "../../src/ports/connector.js"

const refused = new ConnectorError({
  system: "alegra",
  reason: "server", method: "GET", path: "/payments?start=0", status: 503, code: null, message: "El servicio no está disponible"
})

describe("makeFailureLog", () => {
  it.effect("logs the first failure in one line, a reminder every 10 repeats, and the recovery", () =>
    Effect.gen(function*() {
      const lines: Array<{ level: string; message: string }> = []
      const logger = Logger.make(({ logLevel, message }) => {
        lines.push({ level: logLevel.label, message: (Array.isArray(message) ? message : [message]).map(String).join(" ") })
      })
      const logged = yield* makeFailureLog("payments poll")
      const outcome = yield* Ref.make<"fail" | "die" | "ok">("fail")
      const task = Effect.flatMap(Ref.get(outcome), (o) =>
        o === "fail" ? Effect.fail(refused) : o === "die" ? Effect.dieMessage("boom\n    at somewhere") : Effect.void)
      const run = logged(task).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Info)
      )
      for (let i = 0; i < 25; i++) yield* run
      expect(lines.filter((l) => l.level === "WARN").map((w) => w.message)).toEqual([
        "payments poll failed; will try again: Alegra GET /payments?start=0: server 503 El servicio no está disponible",
        "payments poll still failing (10 times in a row): Alegra GET /payments?start=0: server 503 El servicio no está disponible",
        "payments poll still failing (20 times in a row): Alegra GET /payments?start=0: server 503 El servicio no está disponible"
      ])
      // A different failure is a new first line; a defect is one line too, never its stack.
      yield* Ref.set(outcome, "die")
      yield* run
      yield* Ref.set(outcome, "ok")
      yield* run
      expect(lines.slice(-2).map((l) => l.message)).toEqual([
        "payments poll failed; will try again: boom",
        "payments poll recovered"
      ])
      expect(lines.every((l) => !l.message.includes("    at "))).toBe(true)
    }))
})
