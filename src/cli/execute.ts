/**
 * Runs one command whose arguments have been read (cli.ts): the Effect runtime, the
 * logger, and how the command ends (exit code and one line, failure.ts). Each command's
 * work is imported only when that command runs.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit, Logger, LogLevel, Option } from "effect"
import type { CommandLine } from "./commands.js"
import type { DemoOptions, DemoSimulator, StripeDemo, StripeDemoOptions } from "./demo.js"
import { ExitCode } from "./exit-code.js"
import { renderFailure } from "./failure.js"
import type { Wiring } from "./layers.js"

export interface CliWiring extends Wiring {
  readonly demoSimulator: (options: DemoOptions) => Promise<DemoSimulator>
  readonly demoStripe: (options: StripeDemoOptions) => Promise<StripeDemo>
}

/** Runs `f` from a module imported only now. */
const lazily = <M, A, E, R>(load: () => Promise<M>, f: (module: M) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.promise(load), f)

const command = (line: CommandLine, wiring: CliWiring): Effect.Effect<unknown, unknown> => {
  switch (line.command) {
    case "run":
      return lazily(() => import("./run.js"), (m) => m.runCommand(line.options.config, wiring))
    case "backfill": {
      const { since, ...options } = line.options
      return lazily(() => import("./backfill.js"), (m) => m.backfillCommand({ ...options, since: Option.fromNullable(since) }, wiring))
    }
    case "status":
      return lazily(() => import("./status.js"), (m) => m.statusCommand(line.options))
    case "dead-letters": {
      const { config, json, replay } = line.options
      return lazily(
        () => import("./dead-letters.js"),
        (m) => m.deadLettersCommand({ config, json, replay: Option.fromNullable(replay), replayAll: line.options["replay-all"] })
      )
    }
    case "demo": {
      const { duration, port, rpm, size, store } = line.options
      return lazily(() => import("./demo.js"), (m) =>
        m.runDemo(
          { size, port, store, durationSeconds: Option.fromNullable(duration), requestsPerMinute: rpm },
          wiring,
          wiring.demoSimulator,
          wiring.demoStripe
        ).pipe(
          // The demo prints its own story; logs only for warnings unless LOG_LEVEL asks for more.
          process.env.LOG_LEVEL === undefined ? Logger.withMinimumLogLevel(LogLevel.Warning) : (effect) => effect
        ))
    }
  }
}

const logLevel = (): LogLevel.LogLevel =>
  LogLevel.allLevels.find((l) => l.label === (process.env.LOG_LEVEL ?? "INFO").toUpperCase()) ?? LogLevel.Info

/** Runs the command and exits with the right code. */
export const execute = (line: CommandLine, wiring: CliWiring): void => {
  const level = logLevel()
  const program = command(line, wiring).pipe(
    // Logs go to stderr so that `--json` output stays clean on stdout.
    Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
    Logger.withMinimumLogLevel(level)
  )
  NodeRuntime.runMain(program, {
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit) => {
      let code: number = ExitCode.ok
      if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) {
        const rendered = renderFailure(exit.cause, LogLevel.lessThanEqual(level, LogLevel.Debug))
        for (const line of rendered.lines) process.stderr.write(`${line}\n`)
        code = rendered.code
      }
      // Every scope has closed: exit now rather than wait on stray keep-alive handles.
      process.exit(code)
    }
  })
}
