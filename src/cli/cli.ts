import { Command, Options, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit, Layer, Logger, LogLevel, Option } from "effect"
import { backfill, type BackfillProgress } from "../backfill/backfill.js"
import { ConfigError, loadConfigFile } from "../config/index.js"
import { AlegraError } from "../ports/alegra.js"
import { StoreError } from "../store/index.js"
import { type DemoOptions, type DemoSimulator, runDemo } from "./demo.js"
import { baseLayer, storeLayer, type Wiring } from "./layers.js"
import { formatSummary, progressLine } from "./report.js"
import { daemonLayer, runDaemon } from "./run.js"
import { showStatus } from "./status.js"

/** Exit codes: 0 ok, 1 failed, 2 bad usage or config. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const

const configOption = Options.text("config").pipe(
  Options.withAlias("c"),
  Options.withDefault("sync.config.ts"),
  Options.withDescription("path of the config file")
)
const jsonOption = Options.boolean("json").pipe(Options.withDescription("print the result as JSON"))

export interface CliWiring extends Wiring {
  readonly demoSimulator: (options: DemoOptions) => Promise<DemoSimulator>
}

export const makeCli = (wiring: CliWiring) => {
  const run = Command.make("run", { config: configOption }, ({ config }) =>
    Effect.gen(function*() {
      const resolved = yield* loadConfigFile(config)
      yield* runDaemon.pipe(Effect.provide(daemonLayer(resolved, wiring)))
    })).pipe(Command.withDescription("run the daemon: webhooks, polling, sweep and the HTTP server"))

  const backfillCommand = Command.make("backfill", {
    config: configOption,
    json: jsonOption,
    restart: Options.boolean("restart").pipe(Options.withDescription("ignore the checkpoint and read everything again"))
  }, ({ config, json, restart }) =>
    Effect.gen(function*() {
      const resolved = yield* loadConfigFile(config)
      const tty = process.stderr.isTTY === true && !json
      const totals = new Map<string, number>()
      const startedAt = Date.now()
      const onProgress = (p: BackfillProgress) =>
        Effect.sync(() => {
          totals.set(p.kind, p.read)
          if (tty) process.stderr.write(progressLine(totals, p, startedAt))
        })
      const summary = yield* backfill({ restart, onProgress }).pipe(Effect.provide(baseLayer(resolved, wiring)))
      if (tty) process.stderr.write("\r\x1b[2K")
      yield* Console.log(json ? JSON.stringify(summary, null, 2) : formatSummary(summary))
    })).pipe(Command.withDescription("read every Alegra record into the store once (resumable)"))

  const status = Command.make("status", { config: configOption, json: jsonOption }, ({ config, json }) =>
    Effect.gen(function*() {
      const resolved = yield* loadConfigFile(config)
      yield* showStatus(json).pipe(Effect.provide(storeLayer(resolved)))
    })).pipe(Command.withDescription("show links, mirror, inbox depth, dead letters and cursors"))

  const demo = Command.make("demo", {
    size: Options.choice("size", ["small", "large"]).pipe(Options.withDefault("small" as const)),
    port: Options.integer("port").pipe(Options.withDefault(0), Options.withDescription("daemon port (0: any free one)")),
    store: Options.text("store").pipe(Options.withDefault("./data/demo.db")),
    duration: Options.integer("duration").pipe(Options.optional, Options.withDescription("stop after this many seconds")),
    rpm: Options.integer("rpm").pipe(Options.withDefault(150), Options.withDescription("requests per minute"))
  }, ({ duration, port, rpm, size, store }) =>
    runDemo(
      { size, port, store, durationSeconds: duration, requestsPerMinute: rpm },
      wiring,
      wiring.demoSimulator
    ).pipe(
      // The demo prints its own story; logs only for warnings unless LOG_LEVEL asks for more.
      process.env.LOG_LEVEL === undefined ? Logger.withMinimumLogLevel(LogLevel.Warning) : (effect) => effect
    )).pipe(Command.withDescription("run the whole daemon against the Alegra simulator with sample data"))

  return Command.make("alegra-sync").pipe(
    Command.withDescription("keeps an Alegra account in sync; see README.md"),
    Command.withSubcommands([run, backfillCommand, status, demo])
  )
}

/** One clear line for a failure; never a stack trace for expected errors. */
const describeFailure = (cause: Cause.Cause<unknown>): { code: number; message: string | null } => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (error instanceof ConfigError) return { code: ExitCode.usage, message: error.message }
    // @effect/cli already printed what was wrong with the arguments.
    if (ValidationError.isValidationError(error)) return { code: ExitCode.usage, message: null }
    if (error instanceof StoreError) {
      const usage = error.reason === "in-use" || error.reason === "newer-version"
      return { code: usage ? ExitCode.usage : ExitCode.failed, message: error.message }
    }
    if (error instanceof AlegraError) {
      const hint = error.reason === "auth" ? " (check alegra.email and alegra.token)" : ""
      return {
        code: ExitCode.failed,
        message: `Alegra ${error.method} ${error.path} failed: ${error.reason}${
          error.status === null ? "" : ` ${error.status}`
        } ${error.message}${hint}`
      }
    }
    return { code: ExitCode.failed, message: `failed: ${error instanceof Error ? error.message : String(error)}` }
  }
  return { code: ExitCode.failed, message: `failed:\n${Cause.pretty(cause)}` }
}

const logLevel = (): LogLevel.LogLevel =>
  LogLevel.allLevels.find((l) => l.label === (process.env.LOG_LEVEL ?? "INFO").toUpperCase()) ?? LogLevel.Info

/** Runs the CLI with the process's arguments and exits with the right code. */
export const runCli = (wiring: CliWiring, version: string) => {
  const cli = Command.run(makeCli(wiring), { name: "alegra-sync", version })
  const program = cli(process.argv).pipe(
    Effect.provide(Layer.mergeAll(
      NodeContext.layer,
      // Logs go to stderr so that `--json` output stays clean on stdout.
      Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))
    )),
    Logger.withMinimumLogLevel(logLevel())
  )
  NodeRuntime.runMain(program, {
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit) => {
      let code: number = ExitCode.ok
      if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) {
        const failure = describeFailure(exit.cause)
        if (failure.message !== null) process.stderr.write(`alegra-sync: ${failure.message}\n`)
        code = failure.code
      }
      // Every scope has closed: exit now rather than wait on stray keep-alive handles.
      process.exit(code)
    }
  })
}
