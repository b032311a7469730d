/**
 * Runs the Alegra simulator on its own:
 *   npx tsx connectors/alegra/simulator/main.ts --port 8181 --email a@b.co --token t --seed small|large|none --rpm 150
 * Defaults: port 8181 (0 = any free port), seed small, rpm 150. Optional: --window <seconds>
 * (rate-limit window, default 60), --activity <ms> (a live change every ms milliseconds).
 * Prints the base URL and the credentials to use; stops on SIGINT/SIGTERM.
 */
import { startActivity } from "./activity.js"
import { presets, seedAccount } from "./seed.js"
import { startAlegraSimulator } from "./simulator.js"

const usage = `usage: main.ts [--port 8181|0] [--email a@b.co] [--token t] [--seed small|large|none] [--rpm 150] [--window 60] [--activity ms]`

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

const positive = (args: Map<string, string>, name: string, fallback: number): number => {
  const raw = args.get(name)
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${raw}`)
  return n
}

const main = async (): Promise<void> => {
  const args = parseArgs(process.argv.slice(2))
  const known = new Set(["port", "email", "token", "seed", "rpm", "window", "activity"])
  for (const k of args.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${usage}`)
  const seed = args.get("seed") ?? "small"
  if (seed !== "small" && seed !== "large" && seed !== "none") throw new Error(`--seed must be small, large or none`)
  const email = args.get("email") ?? "demo@empresa-demo.co"
  const token = args.get("token") ?? "simulator-token"
  const sim = await startAlegraSimulator({
    email,
    token,
    port: positive(args, "port", 8181),
    requestsPerMinute: positive(args, "rpm", 150),
    rateLimitWindowSeconds: positive(args, "window", 60)
  })
  const summary = seed === "none" ? undefined : seedAccount(sim, presets[seed])
  console.log(`Alegra simulator listening on ${sim.url}`)
  console.log(`  email: ${email}`)
  console.log(`  token: ${token}`)
  console.log(`  rate limit: ${sim.rateLimit.limit} requests per ${sim.rateLimit.windowSeconds} s`)
  if (summary !== undefined) {
    const counts = Object.entries(summary.counts).map(([k, n]) => `${n} ${k}`).join(", ")
    console.log(`  seeded (${seed}) in ${summary.elapsedMs} ms: ${counts}`)
  }
  console.log(`  try: curl -u '${email}:${token}' '${sim.url}/contacts?limit=3'`)
  const everyMs = positive(args, "activity", 0)
  const activity = everyMs > 0 ? startActivity(sim, { everyMs, onChange: (d) => console.log(`  change: ${d}`) }) : undefined
  const stop = (): void => {
    activity?.stop()
    void sim.close().then(() => process.exit(0))
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(2)
})
