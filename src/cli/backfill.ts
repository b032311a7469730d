import { Console, Effect, Option } from "effect"
import { backfill, type BackfillProgress } from "../backfill/backfill.js"
import { queueHistory } from "../backfill/history.js"
import { loadConfigFile, type ResolvedConfig } from "../config/index.js"
import { withStoreErrors } from "../store/index.js"
import { UsageError } from "./failure.js"
import { baseLayer, storeLayer, type Wiring } from "./layers.js"
import { formatSummary, progressLine } from "./report.js"

export interface BackfillOptions {
  readonly config: string
  readonly json: boolean
  readonly restart: boolean
  readonly system: "alegra" | "stripe"
  readonly since: Option.Option<string>
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** `backfill --system stripe --since <day>`: that system's documents from that day on, queued for the daemon. */
const historyCommand = (config: ResolvedConfig, options: BackfillOptions, wiring: Wiring) =>
  Effect.gen(function*() {
    const system = "stripe"
    if (Option.isNone(options.since) || !DAY.test(options.since.value) || Number.isNaN(Date.parse(options.since.value))) {
      return yield* new UsageError({
        message: `backfill --system ${system} needs --since YYYY-MM-DD: the ${system} invoices, payments and refunds dated from that day on are written into Alegra`
      })
    }
    const connector = (yield* wiring.systems(config)).find((c) => c.system === system)
    if (connector === undefined) return yield* new UsageError({ message: `${system} is not enabled in the config (${system}.enabled)` })
    const summary = yield* queueHistory(connector, options.since.value)
    if (options.json) return yield* Console.log(JSON.stringify(summary, null, 2))
    const lines = Object.entries(summary.kinds).map(([kind, n]) => `  ${kind.padEnd(12)} ${String(n.queued).padStart(6)} queued of ${n.read} read`)
    yield* Console.log([
      `${system} from ${summary.since} on, queued for the daemon (it syncs them into Alegra, prerequisites first; \`status\` shows the inbox):`,
      ...lines
    ].join("\n"))
  }).pipe(Effect.scoped, Effect.provide(storeLayer(config.store.path)), withStoreErrors(config.store.path))

/**
 * `alegra-sync backfill`: every Alegra record into the store, with live progress on a terminal;
 * with `--system stripe --since <day>`, that system's documents from that day on into Alegra.
 */
export const backfillCommand = (options: BackfillOptions, wiring: Wiring) =>
  Effect.gen(function*() {
    const config = yield* loadConfigFile(options.config)
    if (options.system !== "alegra") return yield* historyCommand(config, options, wiring)
    if (Option.isSome(options.since)) return yield* new UsageError({ message: "--since applies to another system's history (--system stripe)" })
    const tty = process.stderr.isTTY === true && !options.json
    const totals = new Map<string, number>()
    const startedAt = Date.now()
    const onProgress = (p: BackfillProgress) =>
      Effect.sync(() => {
        totals.set(p.kind, p.read)
        if (tty) process.stderr.write(progressLine(totals, p, startedAt))
      })
    const summary = yield* backfill({ restart: options.restart, onProgress }).pipe(
      Effect.provide(baseLayer(config, wiring)),
      withStoreErrors(config.store.path)
    )
    if (tty) process.stderr.write("\r\x1b[2K")
    yield* Console.log(options.json ? JSON.stringify(summary, null, 2) : formatSummary(summary))
  })
