import { rmSync } from "node:fs"
import { createServer } from "node:net"
import * as path from "node:path"
import { Console, Effect, Fiber, Option } from "effect"
import type { Kind } from "../../schema/index.js"
import { backfill } from "../backfill/backfill.js"
import { resolveConfig } from "../config/index.js"
import { InboxWorker } from "../engine/worker.js"
import { Store } from "../store/index.js"
import type { Wiring } from "./layers.js"
import { formatSummary } from "./report.js"
import { daemonLayer, runDaemon } from "./run.js"

/** What `demo` needs of a simulator; src/main.ts adapts the Alegra simulator to it. */
export interface DemoSimulator {
  readonly url: string
  readonly email: string
  readonly token: string
  readonly counts: () => Readonly<Record<Kind, number>>
  /** Starts live changes; each one is described through `onChange`. */
  readonly startActivity: (everyMs: number, onChange: (description: string) => void) => { readonly stop: () => void }
  readonly close: () => Promise<void>
}

export interface DemoOptions {
  readonly size: "small" | "large"
  readonly port: number
  readonly store: string
  readonly durationSeconds: Option.Option<number>
  readonly requestsPerMinute: number
}

const freePort = () =>
  Effect.async<number>((resume) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resume(Effect.succeed(port)))
    })
  })

const describeCounts = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(", ")

/**
 * Starts the Alegra simulator with sample data, backfills it into a fresh store,
 * then runs the daemon against it while the simulator makes live changes, and
 * shows the mirror following them.
 */
export const runDemo = (options: DemoOptions, wiring: Wiring, start: (o: DemoOptions) => Promise<DemoSimulator>) =>
  Effect.gen(function*() {
    const simulator = yield* Effect.acquireRelease(
      Effect.promise(() => start(options)),
      (sim) => Effect.promise(() => sim.close())
    )
    const port = options.port === 0 ? yield* freePort() : options.port
    const storePath = path.resolve(options.store)
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${storePath}${suffix}`, { force: true })
    const config = yield* resolveConfig({
      store: { path: storePath },
      server: { port, publicUrl: `http://127.0.0.1:${port}` },
      alegra: {
        email: simulator.email,
        token: { env: "ALEGRA_SYNC_DEMO_TOKEN" },
        baseUrl: simulator.url,
        requestsPerMinute: options.requestsPerMinute
      },
      polling: { paymentsSeconds: 5, paymentsRecent: 30, creditNotesSeconds: 10, sweepMinutes: 2 }
    }, { file: "(demo)", env: { ALEGRA_SYNC_DEMO_TOKEN: simulator.token } })

    yield* Console.log(`Alegra simulator: ${simulator.url} with ${describeCounts(simulator.counts())}`)
    yield* Console.log(`Store: ${storePath}   Webhooks: http://127.0.0.1:${port}/webhooks/alegra/…\n`)

    yield* Effect.gen(function*() {
      yield* Console.log("1. Backfill: every Alegra record into the store")
      const summary = yield* backfill({
        onProgress: (p) => (p.done ? Console.log(`   ${p.kind.padEnd(13)} ${p.read} records`) : Effect.void)
      })
      yield* Console.log(`\n${formatSummary(summary)}\n`)
      yield* Console.log("2. Live: the daemon follows changes made in Alegra (webhooks, polling, sweep). Ctrl-C stops.")
      const daemon = yield* Effect.fork(runDaemon)
      const store = yield* Store
      const worker = yield* InboxWorker
      const activity = simulator.startActivity(3_000, (change) => console.log(`   alegra: ${change}`))
      yield* Effect.addFinalizer(() => Effect.sync(() => activity.stop()))
      const report = Effect.gen(function*() {
        const mirror = yield* store.mirror.counts()
        const source = simulator.counts()
        const behind = (Object.keys(source) as Array<Kind>).filter((k) => (mirror[k] ?? 0) !== source[k])
        const stats = yield* worker.stats
        yield* Console.log(
          `   mirror: ${Object.values(mirror).reduce((a, b) => a + b, 0)} records, ${stats.upserted} updates and ${stats.deleted} deletes applied — ${
            behind.length === 0 ? "in step with Alegra" : `catching up on ${behind.join(", ")}`
          }`
        )
      })
      const reporter = yield* report.pipe(Effect.zipRight(Effect.sleep("5 seconds")), Effect.forever, Effect.fork)
      yield* Option.match(options.durationSeconds, {
        onNone: () => Fiber.join(daemon),
        onSome: (seconds) => Effect.sleep(`${seconds} seconds`)
      })
      yield* Fiber.interrupt(reporter)
      yield* report
    }).pipe(Effect.provide(daemonLayer(config, wiring)))
  }).pipe(Effect.scoped)

