/**
 * The probe: loaded into a measured process with `node --import test/bench/probe.mjs …`.
 * Plain JavaScript so that it costs the process nothing but itself (no TypeScript loader).
 *
 * It writes one JSON report to the file named by BENCH_PROBE_OUT when the process exits:
 * - maxRssKb: peak RSS (getrusage ru_maxrss, the kernel's own high-water mark; exact,
 *   where sampling /proc from outside can miss a short peak),
 * - cpuUs: process CPU (user + system) since the process started,
 * - workStart: CPU and time at the first outgoing HTTP request, so that a process's
 *   fixed start-up cost (module loading, opening the store) is taken out the same way
 *   for the product and for the raw floor,
 * - io: /proc/self/io (write_bytes: bytes this process sent to the block layer).
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel"
import { readFileSync, writeFileSync } from "node:fs"

const out = process.env.BENCH_PROBE_OUT
// Not inherited by the processes this one spawns: each measured process names its own file.
delete process.env.BENCH_PROBE_OUT

if (out !== undefined && out !== "") {
  const cpu = () => {
    const usage = process.cpuUsage()
    return usage.user + usage.system
  }
  let workStart = null
  // undici (the product's HTTP client, and fetch) and node:http (the raw floor) publish these.
  const channels = ["undici:request:create", "http.client.request.start"]
  const onFirstRequest = () => {
    if (workStart !== null) return
    workStart = { cpuUs: cpu(), at: Date.now() }
    for (const name of channels) unsubscribe(name, onFirstRequest)
  }
  for (const name of channels) subscribe(name, onFirstRequest)

  const io = () => {
    try {
      return Object.fromEntries(
        readFileSync("/proc/self/io", "utf8").trim().split("\n").map((line) => {
          const [key, value] = line.split(":")
          return [key.trim(), Number(value)]
        })
      )
    } catch {
      return null
    }
  }

  process.on("exit", (code) => {
    const report = { pid: process.pid, code, maxRssKb: process.resourceUsage().maxRSS, cpuUs: cpu(), workStart, io: io(), exitAt: Date.now() }
    writeFileSync(out, JSON.stringify(report))
  })
}
