/**
 * The command line: arguments, help, and how a command ends (exit code and one line).
 * Each command's work is imported only when that command runs, so `--help` and a
 * mistyped argument load almost nothing (see the README: start-up).
 */
import { Command, Options } from "@effect/cli"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit, Layer, Logger, LogLevel } from "effect"
import type { DemoOptions, DemoSimulator, StripeDemo, StripeDemoOptions } from "./demo.js"
import { ExitCode, renderFailure } from "./failure.js"
import type { Wiring } from "./layers.js"

const configOption = Options.text("config").pipe(
  Options.withAlias("c"),
  Options.withDefault("sync.config.ts"),
  Options.withDescription("path of the config file (.ts, .mts, .js, .mjs or .json)")
)
const jsonOption = Options.boolean("json").pipe(Options.withDescription("print the result as JSON"))

export interface CliWiring extends Wiring {
  readonly demoSimulator: (options: DemoOptions) => Promise<DemoSimulator>
  readonly demoStripe: (options: StripeDemoOptions) => Promise<StripeDemo>
}

/** Runs `f` from a module imported only now. */
const lazily = <M, A, E, R>(load: () => Promise<M>, f: (module: M) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.promise(load), f)

export const makeCli = (wiring: CliWiring) => {
  const run = Command.make("run", { config: configOption }, ({ config }) =>
    lazily(() => import("./run.js"), (m) => m.runCommand(config, wiring))).pipe(
      Command.withDescription("run the daemon: webhooks, polling, sweep and the HTTP server")
    )

  const backfill = Command.make("backfill", {
    config: configOption,
    json: jsonOption,
    restart: Options.boolean("restart").pipe(Options.withDescription("ignore the checkpoint and read everything again")),
    system: Options.choice("system", ["alegra", "stripe"]).pipe(
      Options.withDefault("alegra" as const),
      Options.withDescription("stripe: import Stripe's documents (with --since) into Alegra through the daemon")
    ),
    since: Options.text("since").pipe(Options.optional, Options.withDescription("YYYY-MM-DD: with --system stripe, the first day imported"))
  }, (options) => lazily(() => import("./backfill.js"), (m) => m.backfillCommand(options, wiring))).pipe(
    Command.withDescription("read every Alegra record into the store once (resumable); or import another system's history")
  )

  const status = Command.make("status", { config: configOption, json: jsonOption }, (options) =>
    lazily(() => import("./status.js"), (m) => m.statusCommand(options))).pipe(
      Command.withDescription("show links, mirror, inbox depth, dead letters and cursors (needs no Alegra secrets)")
    )

  const deadLetters = Command.make("dead-letters", {
    config: configOption,
    json: jsonOption,
    replay: Options.integer("replay").pipe(Options.optional, Options.withDescription("offer this dead letter again (its #id)")),
    replayAll: Options.boolean("replay-all").pipe(Options.withDescription("offer every dead letter again"))
  }, (options) => lazily(() => import("./dead-letters.js"), (m) => m.deadLettersCommand(options))).pipe(
    Command.withDescription("list the changes that failed for good, with the reason; replay them once the cause is fixed")
  )

  const demo = Command.make("demo", {
    size: Options.choice("size", ["small", "large"]).pipe(Options.withDefault("small" as const)),
    port: Options.integer("port").pipe(Options.withDefault(0), Options.withDescription("daemon port (0: any free one)")),
    store: Options.text("store").pipe(Options.withDefault("./data/demo.db")),
    duration: Options.integer("duration").pipe(Options.optional, Options.withDescription("stop after this many seconds")),
    rpm: Options.integer("rpm").pipe(Options.withDefault(150), Options.withDescription("requests per minute"))
  }, ({ duration, port, rpm, size, store }) =>
    lazily(() => import("./demo.js"), (m) =>
      m.runDemo(
        { size, port, store, durationSeconds: duration, requestsPerMinute: rpm },
        wiring,
        wiring.demoSimulator,
        wiring.demoStripe
      ).pipe(
        // The demo prints its own story; logs only for warnings unless LOG_LEVEL asks for more.
        process.env.LOG_LEVEL === undefined ? Logger.withMinimumLogLevel(LogLevel.Warning) : (effect) => effect
      ))).pipe(Command.withDescription("run the whole daemon against the Alegra and Stripe simulators with sample data"))

  return Command.make("alegra-sync").pipe(
    Command.withDescription("keeps an Alegra account in sync; see README.md"),
    Command.withSubcommands([run, backfill, status, deadLetters, demo])
  )
}

const logLevel = (): LogLevel.LogLevel =>
  LogLevel.allLevels.find((l) => l.label === (process.env.LOG_LEVEL ?? "INFO").toUpperCase()) ?? LogLevel.Info

/** Runs the CLI with the process's arguments and exits with the right code. */
export const runCli = (wiring: CliWiring, version: string) => {
  const level = logLevel()
  const cli = Command.run(makeCli(wiring), { name: "alegra-sync", version })
  const program = cli(process.argv).pipe(
    Effect.provide(Layer.mergeAll(
      // What the command line itself uses (not NodeContext, whose command executor and
      // workers every command would load; the store provides what its migrator needs).
      NodeFileSystem.layer,
      NodePath.layer,
      NodeTerminal.layer,
      // Logs go to stderr so that `--json` output stays clean on stdout.
      Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))
    )),
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
