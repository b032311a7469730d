/**
 * Backfill benchmark: `npm run bench`. Starts the Alegra simulator with the large
 * sample account, runs `alegra-sync backfill --json` as a real process against it,
 * and prints throughput, peak memory and the request rate seen by the simulator.
 *
 *   npm run bench                # engine speed: the simulator allows 60,000 requests per minute
 *   npm run bench -- --rpm 150   # Alegra's real limit (takes over a minute)
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { presets, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { runCli, writeConfig } from "../support/process.js"

const { values } = parseArgs({ options: { rpm: { type: "string", default: "60000" } } })
const rpm = Number(values.rpm)
const email = "bench@empresa-demo.co"
const token = "bench-token-0b4d5e"

const peakRssMb = (pid: number): number => {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return match ? Number(match[1]) / 1024 : 0
  } catch {
    return 0
  }
}

const sim = await startAlegraSimulator({ email, token, requestsPerMinute: rpm })
const seeded = seedAccount(sim, presets.large)
const config = await writeConfig({ alegraUrl: sim.url, email, token, requestsPerMinute: rpm, webhooks: false })
const started = Date.now()
const cli = runCli(["backfill", "--json", "--config", config.file], config.env)
let peak = 0
const sampler = setInterval(() => (peak = Math.max(peak, peakRssMb(cli.child.pid!))), 20)
const code = await cli.exited
clearInterval(sampler)
const wallMs = Date.now() - started
await sim.close()
if (code !== 0) {
  console.error(cli.output().stderr)
  process.exit(1)
}
const summary = JSON.parse(cli.output().stdout) as {
  records: number
  requests: number
  elapsedMs: number
  rateLimited: number
  busiestMinute: number
}
const windowMs = 60_000
const busiestMinute = sim.stats.maxInAnySlidingWindow(windowMs)
console.log(`backfill of the large sample account (${Object.values(seeded.counts).reduce((a, b) => a + b, 0)} records)`)
console.log(`  limit                ${rpm} requests/minute`)
console.log(`  records              ${summary.records}`)
console.log(`  requests             ${summary.requests} (${summary.rateLimited} answered 429)`)
console.log(`  backfill time        ${(summary.elapsedMs / 1000).toFixed(2)} s (process wall time ${(wallMs / 1000).toFixed(2)} s)`)
console.log(`  throughput           ${Math.round(summary.records / (summary.elapsedMs / 1000))} records/s`)
console.log(`  busiest 60 s         ${busiestMinute} requests at the simulator, ${summary.busiestMinute} by the client's count (limit ${rpm})`)
console.log(`  peak memory (RSS)    ${peak.toFixed(0)} MB`)
