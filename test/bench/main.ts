/**
 * `npm run bench`: every performance figure of issue 9, each with its baseline measured in the
 * same run, its ratio, its goal and PASS/FAIL, then a summary table. The product is measured as
 * a user runs it: `alegra-sync` (package.json's bin) in child processes against the Alegra
 * simulator, which runs in this process. See test/bench/README.md for what each figure means.
 *
 *   npm run bench                      # the default run (a few minutes)
 *   npm run bench -- --quick           # smaller accounts, shorter loads
 *   npm run -s bench -- --json         # the figures as JSON on stdout (progress on stderr; -s keeps npm's banner out)
 *   npm run bench -- --real-limit      # adds a backfill at Alegra's real limit, 150/60 s (~12 minutes)
 *   npm run bench -- --only startup,backfill,daemon,ingest,rate-limit,beside,real-limit
 *   npm run bench -- --burst-rate 500  # deliveries per second of the inbox-age burst (default 500)
 */
import { execFileSync } from "node:child_process"
import { cpus, loadavg } from "node:os"
import { parseArgs } from "node:util"
import { removeTempDirs, repoRoot } from "../support/process.js"
import { type Account, startAccount } from "./account.js"
import { backfillFigures, measureBackfill, measureRerun, runBackfill } from "./backfill.js"
import { measureBeside } from "./beside.js"
import { measureDaemon } from "./daemon.js"
import { measureBurst, measureDrain, measureIngest } from "./ingest.js"
import { cliBin } from "./processes.js"
import { measureRealLimit, measureShortWindow } from "./rate-limit.js"
import { Recorder, summaryTable } from "./report.js"
import { measureHelp } from "./startup.js"

const sections = ["startup", "backfill", "daemon", "ingest", "rate-limit", "beside", "real-limit"] as const
type SectionName = (typeof sections)[number]

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    "real-limit": { type: "boolean", default: false },
    only: { type: "string" },
    "burst-rate": { type: "string", default: "500" }
  }
})

// The real limit takes minutes: only when asked for, by --real-limit or by name in --only.
const only = values.only === undefined
  ? sections.filter((s) => s !== "real-limit" || values["real-limit"] === true)
  : [...values.only.split(",").map((s) => s.trim()), ...(values["real-limit"] === true ? ["real-limit"] : [])]
const unknown = only.filter((s) => !(sections as ReadonlyArray<string>).includes(s))
const burstRate = Number(values["burst-rate"])
if (unknown.length > 0 || !(burstRate > 0)) {
  process.stderr.write(`bench: --only takes ${sections.join(",")}; --burst-rate a positive number\n`)
  process.exit(2)
}
const has = (s: SectionName) => only.includes(s)

const plan = values.quick
  ? { small: 1_000, large: 5_000, rateLimit: 15_000, beside: 1_500, helpRuns: 3, followRuns: 2, ingestMs: 4_000, burstMs: 5_000, drainRows: 1_000 }
  : { small: 5_000, large: 50_000, rateLimit: 30_000, beside: 5_000, helpRuns: 5, followRuns: 3, ingestMs: 10_000, burstMs: 15_000, drainRows: 5_000 }
const realLimitRecords = 50_000
/** The simulator's limit where the limit is not what is measured: 1,000 requests per second. */
const fast = 60_000

const r = new Recorder(values.json === true)
const meta = {
  date: new Date().toISOString(),
  commit: execFileSync("git", ["describe", "--always", "--dirty"], { cwd: repoRoot, encoding: "utf8" }).trim(),
  bin: cliBin(),
  node: process.version,
  cpus: cpus().length,
  loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  quick: values.quick,
  plan: { ...plan, burstRate }
}
r.log(`alegra-sync bench — ${meta.date}, commit ${meta.commit}, node ${meta.node}, ${meta.cpus} CPUs, load average ${meta.loadAverageAtStart.join(" ")}`)
r.log(`measuring ${meta.bin} as a user runs it; ${values.quick ? "quick run" : "default run"}: ${JSON.stringify(meta.plan)}`)

const accounts: Array<Account> = []
const open = async (options: Parameters<typeof startAccount>[0]) => {
  const account = await startAccount(options)
  accounts.push(account)
  return account
}
const close = async (account: Account) => {
  accounts.splice(accounts.indexOf(account), 1)
  await account.sim.close()
}

let failed = false
try {
  if (has("startup")) await measureHelp(r, plan.helpRuns)

  if (has("backfill") || has("daemon") || has("ingest")) {
    // The smaller account, backfilled: measured here, then the store the daemon runs on.
    const small = await open({ records: plan.small, requestsPerMinute: fast })
    if (has("backfill")) {
      const smallRun = await measureBackfill(r, small, "small")
      const large = await open({ records: plan.large, requestsPerMinute: fast })
      const largeRun = await measureBackfill(r, large, "large")
      backfillFigures(r, smallRun, largeRun)
      await measureRerun(r, largeRun)
      await close(large)
    } else {
      await runBackfill(small)
    }
    if (has("daemon")) await measureDaemon(r, small, plan.followRuns)
    if (has("ingest")) {
      await measureIngest(r, small, { durationMs: plan.ingestMs })
      await measureBurst(r, small, { rate: burstRate, durationMs: plan.burstMs })
      await measureDrain(r, small, { rows: plan.drainRows })
    }
    await close(small)
  }

  if (has("rate-limit")) await measureShortWindow(r, { records: plan.rateLimit })
  if (has("beside")) await measureBeside(r, { records: plan.beside, limit: 30, windowSeconds: 3, editsPerSecond: 3 })
  if (has("real-limit")) await measureRealLimit(r, { records: realLimitRecords })
} catch (error) {
  failed = true
  process.stderr.write(`\nbench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
} finally {
  for (const account of [...accounts]) await close(account)
  removeTempDirs()
}

const loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100)
r.log(`\nSummary (${meta.commit}, ${meta.date}; load average at start ${meta.loadAverageAtStart.join(" ")}, at end ${loadAverageAtEnd.join(" ")})\n`)
r.log(summaryTable(r.figures))
if (values.json) process.stdout.write(`${JSON.stringify({ meta: { ...meta, loadAverageAtEnd }, figures: r.figures, details: r.details }, null, 2)}\n`)
process.exit(failed ? 1 : 0)
