/**
 * The webhook load generator: its own process, keep-alive connections, bodies shaped like
 * Alegra deliveries, each with a record id never sent before in the run.
 *
 *   node test/bench/load.mjs <spec.json>
 *
 * spec.json:
 *   url          where to POST
 *   concurrency  connections (closed loop: deliveries in flight; open loop: at most this many)
 *   durationMs   how long to send
 *   rate         optional: deliveries per second sent on a fixed schedule (open loop); without
 *                it each connection sends its next delivery as soon as it has its answer
 *   targets      [[subject, key, id], …] to send in order, or
 *   idBase       ids idBase, idBase+1, … of `edit-item` deliveries
 *
 * Prints one JSON object: counts per status, transport errors, the wall time, and every
 * latency in ms (from the moment a delivery was due to its answer, so a queue in front of
 * the server counts, as Alegra's 5 s timeout would count it).
 */
import { readFileSync } from "node:fs"
import http from "node:http"
import { performance } from "node:perf_hooks"

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"))
const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency })
const url = new URL(spec.url)

const bodyOf = (i) => {
  if (spec.targets !== undefined) {
    const target = spec.targets[i]
    if (target === undefined) return undefined
    const [subject, key, id] = target
    return JSON.stringify({ subject, message: { [key]: { id } } })
  }
  return JSON.stringify({ subject: "edit-item", message: { item: { id: String(spec.idBase + i) } } })
}

const statuses = {}
let sent = 0
let errors = 0
const latencies = []

const post = (body, dueAt) =>
  new Promise((resolve) => {
    sent += 1
    const request = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.resume()
        res.on("end", () => {
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
          latencies.push(Math.round((performance.now() - dueAt) * 100) / 100)
          resolve()
        })
      }
    )
    request.on("error", () => {
      errors += 1
      resolve()
    })
    request.end(body)
  })

const started = performance.now()
const deadline = started + spec.durationMs
let next = 0
if (spec.rate === undefined) {
  const connection = async () => {
    while (performance.now() < deadline) {
      const body = bodyOf(next++)
      if (body === undefined) return
      await post(body, performance.now())
    }
  }
  await Promise.all(Array.from({ length: spec.concurrency }, connection))
} else {
  const total = Math.floor((spec.rate * spec.durationMs) / 1000)
  const inFlight = []
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * spec.rate) / 1000) + 1)
      while (next < due) {
        const body = bodyOf(next)
        const dueAt = started + (next * 1000) / spec.rate
        next += 1
        if (body === undefined) break
        inFlight.push(post(body, dueAt))
      }
      if (next >= total) resolve()
      else setTimeout(tick, 5)
    }
    tick()
  })
  await Promise.all(inFlight)
}
const elapsedMs = performance.now() - started
agent.destroy()
process.stdout.write(`${JSON.stringify({ sent, statuses, errors, elapsedMs, latencies })}\n`)
