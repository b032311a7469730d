/**
 * Runs the Stripe simulator on its own:
 *   npx tsx connectors/stripe/simulator/main.ts --port 12111 --key sk_test_simulator --seed demo|volume|none --ops 25 --search-lag 2000
 * Defaults: port 12111 (0 = any free port), key sk_test_simulator, seed demo, 25 requests/s,
 * search 2000 ms behind writes. Prints how to point the SDK at it; stops on SIGINT/SIGTERM.
 */
import { presets, seedAccount } from "./seed.js"
import { startStripeSimulator } from "./simulator.js"

const usage = "usage: main.ts [--port 12111|0] [--key sk_test_…] [--seed demo|volume|none] [--ops 25] [--search-lag ms]"

const parseArgs = (argv: ReadonlyArray<string>): Map<string, string> => {
  const out = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--help" || arg === "-h") {
      console.log(usage)
      process.exit(0)
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (m === null) throw new Error(`unexpected argument ${arg}\n${usage}`)
    const value = m[2] ?? argv[++i]
    if (value === undefined) throw new Error(`--${m[1]} needs a value\n${usage}`)
    out.set(m[1]!, value)
  }
  return out
}

const number = (args: Map<string, string>, name: string, fallback: number): number => {
  const raw = args.get(name)
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${raw}`)
  return n
}

const main = async (): Promise<void> => {
  const args = parseArgs(process.argv.slice(2))
  for (const k of args.keys()) if (!["port", "key", "seed", "ops", "search-lag"].includes(k)) throw new Error(`unknown option --${k}\n${usage}`)
  const seed = args.get("seed") ?? "demo"
  if (seed !== "demo" && seed !== "volume" && seed !== "none") throw new Error("--seed must be demo, volume or none")
  const sim = await startStripeSimulator({
    apiKey: args.get("key") ?? "sk_test_simulator",
    port: number(args, "port", 12111),
    opsPerSecond: number(args, "ops", 25),
    searchLagMs: number(args, "search-lag", 2000)
  })
  const summary = seed === "none" ? undefined : seedAccount(sim, presets[seed])
  console.log(`Stripe simulator listening on ${sim.url} (API version ${sim.apiVersion})`)
  console.log(`  key: ${sim.apiKey}`)
  console.log(`  SDK: new Stripe("${sim.apiKey}", { host: "127.0.0.1", port: ${sim.port}, protocol: "http" })`)
  console.log(`  rate limit: ${sim.rateLimit.opsPerSecond} requests/s; search lags ${sim.search.lagMs} ms`)
  if (summary !== undefined) {
    const counts = Object.entries(summary.counts).map(([k, n]) => `${n} ${k}`).join(", ")
    console.log(`  seeded (${seed}) in ${summary.elapsedMs} ms: ${counts}`)
  }
  console.log(`  try: curl -u ${sim.apiKey}: '${sim.url}/v1/customers?limit=3'`)
  const stop = (): void => {
    void sim.close().then(() => process.exit(0))
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(2)
})
