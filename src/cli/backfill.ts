import { Console, Effect } from "effect"
import { backfill, type BackfillProgress } from "../backfill/backfill.js"
import { loadConfigFile } from "../config/index.js"
import { baseLayer, type Wiring } from "./layers.js"
import { formatSummary, progressLine } from "./report.js"
import { withStoreErrors } from "../store/index.js"

/** `alegra-sync backfill`: every Alegra record into the store, with live progress on a terminal. */
export const backfillCommand = (
  options: { readonly config: string; readonly json: boolean; readonly restart: boolean },
  wiring: Wiring
) =>
  Effect.gen(function*() {
    const config = yield* loadConfigFile(options.config)
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
