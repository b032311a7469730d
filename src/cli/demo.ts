import { rmSync } from "node:fs"
import { createServer } from "node:net"
import * as path from "node:path"
import { Console, Effect, Fiber, Option, Schedule } from "effect"
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
  readonly bankAccount: string
  readonly taxes: { readonly mx16: string; readonly co19: string }
  /** Records a transfer paying what is due on an invoice, as the accountant would; its description. */
  readonly recordPayment: (invoiceId: string) => string | undefined
  readonly close: () => Promise<void>
}

/** What `demo` needs of the Stripe simulator (connectors/stripe/simulator/demo.ts). */
export interface StripeDemo {
  readonly url: string
  readonly apiKey: string
  readonly webhookSecret: string
  readonly taxRates: Readonly<Record<string, string>>
  /** The next sale of the script: a card payment, an invoice to be paid by transfer, or a refund. */
  readonly nextSale: () => { readonly description: string; readonly invoice: string; readonly awaitsPayment: boolean; readonly refund?: string }
  readonly invoiceStatus: (id: string) => string | undefined
  readonly close: () => Promise<void>
}

export interface StripeDemoOptions {
  readonly webhookUrl: string
  readonly alegraTaxes: { readonly mx16: string; readonly co19: string }
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
 * The Stripe side of the story: a sale every few seconds; each one followed until it is in
 * Alegra, and a sale paid by transfer until the payment the accountant records in Alegra has
 * marked it paid in Stripe.
 */
const stripeStory = (stripe: StripeDemo, alegra: DemoSimulator) =>
  Effect.gen(function*() {
    const store = yield* Store
    const linked = (kind: "invoice" | "credit-note", id: string) =>
      store.links.get("stripe", kind, id).pipe(
        Effect.flatMap((link) => Option.isSome(link) ? Effect.succeed(link.value.alegraId) : Effect.fail("not yet")),
        Effect.retry(Schedule.spaced("500 millis")),
        Effect.orDie
      )
    const follow = (sale: ReturnType<StripeDemo["nextSale"]>) =>
      Effect.gen(function*() {
        if (sale.refund !== undefined) {
          const note = yield* linked("credit-note", sale.refund)
          return yield* Console.log(`   → alegra: ${sale.refund} is Alegra credit note ${note}, the money returned from the bank account, IVA included`)
        }
        const alegraId = yield* linked("invoice", sale.invoice)
        yield* Console.log(`   → alegra: ${sale.invoice} is Alegra invoice ${alegraId}${sale.awaitsPayment ? ", open" : ", with its contact, items and payment"}`)
        if (!sale.awaitsPayment) return
        yield* Effect.sleep("2 seconds")
        const payment = alegra.recordPayment(alegraId)
        if (payment === undefined) return
        yield* Console.log(`   alegra: the accountant records ${payment}`)
        yield* Effect.sync(() => stripe.invoiceStatus(sale.invoice)).pipe(
          Effect.flatMap((status) => status === "paid" ? Effect.void : Effect.fail("not yet")),
          Effect.retry(Schedule.spaced("500 millis")),
          Effect.orDie
        )
        yield* Console.log(`   → stripe: ${sale.invoice} marked paid (out of band), from the payment in Alegra`)
      })
    yield* Effect.gen(function*() {
      const sale = stripe.nextSale()
      yield* Console.log(`   stripe: ${sale.description}`)
      yield* Effect.forkScoped(follow(sale))
    }).pipe(Effect.zipRight(Effect.sleep("5 seconds")), Effect.forever)
  })

/**
 * Starts the Alegra simulator with sample data, backfills it into a fresh store,
 * then runs the daemon against it while the simulator makes live changes, and
 * shows the mirror following them.
 */
export const runDemo = (
  options: DemoOptions,
  wiring: Wiring,
  start: (o: DemoOptions) => Promise<DemoSimulator>,
  startStripe: (o: StripeDemoOptions) => Promise<StripeDemo>
) =>
  Effect.gen(function*() {
    const simulator = yield* Effect.acquireRelease(
      Effect.promise(() => start(options)),
      (sim) => Effect.promise(() => sim.close())
    )
    const port = options.port === 0 ? yield* freePort() : options.port
    const stripe = yield* Effect.acquireRelease(
      Effect.promise(() => startStripe({ webhookUrl: `http://127.0.0.1:${port}/webhooks/stripe`, alegraTaxes: simulator.taxes })),
      (sim) => Effect.promise(() => sim.close())
    )
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
      polling: { paymentsSeconds: 2, paymentsRecent: 30, creditNotesSeconds: 10, sweepMinutes: 2 },
      stripe: {
        enabled: true,
        apiKey: { env: "ALEGRA_SYNC_DEMO_STRIPE_KEY" },
        webhookSecret: { env: "ALEGRA_SYNC_DEMO_STRIPE_WEBHOOK_SECRET" },
        baseUrl: stripe.url,
        bankAccount: simulator.bankAccount,
        taxRates: stripe.taxRates,
        // Partial refunds credit this item (a line without a product of its own).
        defaultItem: "1"
      }
    }, {
      file: "(demo)",
      env: {
        ALEGRA_SYNC_DEMO_TOKEN: simulator.token,
        ALEGRA_SYNC_DEMO_STRIPE_KEY: stripe.apiKey,
        ALEGRA_SYNC_DEMO_STRIPE_WEBHOOK_SECRET: stripe.webhookSecret
      }
    })

    yield* Console.log(`Alegra simulator: ${simulator.url} with ${describeCounts(simulator.counts())}`)
    yield* Console.log(`Stripe simulator: ${stripe.url}`)
    yield* Console.log(`Store: ${storePath}   Webhooks: http://127.0.0.1:${port}/webhooks/alegra/…, /webhooks/stripe\n`)

    yield* Effect.gen(function*() {
      yield* Console.log("1. Backfill: every Alegra record into the store")
      const summary = yield* backfill({
        onProgress: (p) => (p.done ? Console.log(`   ${p.kind.padEnd(13)} ${p.read} records`) : Effect.void)
      })
      yield* Console.log(`\n${formatSummary(summary)}\n`)
      yield* Console.log("2. Live: the daemon follows changes made in Alegra (webhooks, polling, sweep), and")
      yield* Console.log("   syncs Stripe both ways: sales become Alegra invoices with their contact, items and")
      yield* Console.log("   payment; a transfer the accountant records in Alegra marks the Stripe invoice paid. Ctrl-C stops.")
      const daemon = yield* Effect.fork(runDaemon)
      const store = yield* Store
      const worker = yield* InboxWorker
      const activity = simulator.startActivity(6_000, (change) => console.log(`   alegra: ${change}`))
      yield* Effect.addFinalizer(() => Effect.sync(() => activity.stop()))
      yield* Effect.forkScoped(stripeStory(stripe, simulator))
      const report = Effect.gen(function*() {
        const mirror = yield* store.mirror.counts()
        const source = simulator.counts()
        const behind = (Object.keys(source) as Array<Kind>).filter((k) => (mirror[k] ?? 0) !== source[k])
        const stats = yield* worker.stats
        const status = yield* store.status()
        yield* Console.log(
          `   mirror: ${Object.values(mirror).reduce((a, b) => a + b, 0)} records, ${stats.upserted} updates and ${stats.deleted} deletes applied — ${
            behind.length === 0 ? "in step with Alegra" : `catching up on ${behind.join(", ")}`
          }`
        )
        yield* Console.log(
          `   links: ${status.links.map((l) => `${l.system}/${l.kind} ${l.count}`).join(", ") || "none yet"} — ${status.intentsPending} intents pending, ${status.conflicts} conflicts, ${status.deadLetters} dead letters`
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

