/** The bench's own instruments, run for real: the probe, the raw floor, the bare server and the load generator. */
import { createHash } from "node:crypto"
import { writeFileSync } from "node:fs"
import { createServer } from "node:http"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AlegraSimulator, presets, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { tempDir } from "../support/process.js"
import { readStore } from "../support/store.js"
import { runLoad } from "./ingest.js"
import { runToEnd, spawnMeasured, spawnScript, workCpuUs } from "./processes.js"

describe("the bench's instruments", () => {
  let sim: AlegraSimulator
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email: "bench@empresa-demo.co", token: "bench-tools-token", requestsPerMinute: 60_000 })
    seedAccount(sim, presets.small)
  })
  afterAll(() => sim.close())

  it("the probe reports peak RSS, CPU, and the CPU spent before the first HTTP request", async () => {
    const server = createServer((_req, res) => res.end("ok"))
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const port = (server.address() as { port: number }).port
    try {
      // Spins until it has used 300 ms of CPU (not of wall time: the machine may be loaded), then
      // makes its first request: all of that CPU must land before workStart.
      const script = `while (process.cpuUsage().user < 300000) {} await fetch("http://127.0.0.1:${port}/").then((r) => r.text())`
      const withRequest = await runToEnd(spawnMeasured(["--input-type=module", "-e", script]), "probe with a request")
      const report = withRequest.report
      expect(report.maxRssKb).toBeGreaterThan(10_000)
      expect(report.workStart).not.toBeNull()
      expect(report.workStart!.cpuUs).toBeGreaterThanOrEqual(300_000)
      expect(workCpuUs(report)).toBeGreaterThanOrEqual(0)
      expect(workCpuUs(report)).toBeLessThan(report.cpuUs)
      expect(report.io?.["write_bytes"]).toBeTypeOf("number")

      const without = await runToEnd(spawnMeasured(["-e", "0"]), "probe without a request")
      expect(without.report.workStart).toBeNull()
    } finally {
      server.close()
    }
  })

  it("the raw floor stores every record of the pages it is given once, as sorted-key JSON with its sha256", async () => {
    const dir = tempDir("bench-tools")
    const pages = Math.floor(sim.admin.count("contact") / 30) + 1
    const paths = Array.from({ length: pages }, (_, i) => `/api/v1/contacts?start=${i * 30}&limit=30&order_field=id&order_direction=ASC`)
    // Payments are listed once per category line: the floor must store each once.
    paths.push(...Array.from({ length: 10 }, (_, i) => `/api/v1/payments?start=${i * 30}&limit=30`))
    writeFileSync(path.join(dir, "plan.json"), JSON.stringify({ origin: new URL(sim.url).origin, paths }))
    const auth = `Basic ${Buffer.from(`${sim.email}:${sim.token}`).toString("base64")}`
    const exit = await runToEnd(
      spawnScript("raw-backfill.mjs", [path.join(dir, "plan.json"), path.join(dir, "raw.db")], { BENCH_AUTH: auth }),
      "raw floor"
    )
    const expected = sim.admin.count("contact") + sim.admin.count("payment")
    expect(JSON.parse(exit.stdout)).toEqual({ records: expected, pages: paths.length })
    expect(exit.report.workStart).not.toBeNull()
    const rows = readStore(path.join(dir, "raw.db"), (db) => db.prepare("SELECT kind, id, content, hash FROM records").all()) as Array<
      { kind: string; id: string; content: string; hash: string }
    >
    expect(rows).toHaveLength(expected)
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(["contacts", "payments"]))
    for (const row of rows) {
      expect(row.hash).toBe(createHash("sha256").update(row.content).digest("hex"))
      const keys = Object.keys(JSON.parse(row.content) as object)
      expect(keys).toEqual([...keys].sort())
    }
  })

  it("the raw floor fails loudly on a request the simulator refuses", async () => {
    const dir = tempDir("bench-tools")
    writeFileSync(path.join(dir, "plan.json"), JSON.stringify({ origin: new URL(sim.url).origin, paths: ["/api/v1/contacts?start=0"] }))
    const exit = await spawnScript("raw-backfill.mjs", [path.join(dir, "plan.json"), path.join(dir, "raw.db")], { BENCH_AUTH: "Basic bm86bm8=" })
      .exited
    expect(exit.code).not.toBe(0)
    expect(exit.stderr).toMatch(/401/)
  })

  it("the load generator against the bare server: every delivery answered, closed loop and at a fixed rate", async () => {
    const server = spawnScript("bare-server.mjs", [])
    try {
      const { port } = await new Promise<{ port: number }>((resolve) =>
        server.child.stdout!.once("data", (d: Buffer) => resolve(JSON.parse(d.toString()) as { port: number }))
      )
      const url = `http://127.0.0.1:${port}/webhooks/alegra/x`
      const closed = await runLoad({ url, concurrency: 5, durationMs: 300, idBase: 1 })
      expect(closed.sent).toBeGreaterThan(0)
      expect(closed.ok).toBe(closed.sent)
      expect(closed.latencies).toHaveLength(closed.sent)
      expect(closed.errors).toBe(0)

      const open = await runLoad({
        url,
        concurrency: 10,
        durationMs: 500,
        rate: 200,
        targets: Array.from({ length: 100 }, (_, i) => ["edit-client", "client", String(i + 1)] as const)
      })
      expect(open.sent).toBe(100)
      expect(open.statuses).toEqual({ "200": 100 })
    } finally {
      await server.stop("SIGTERM")
    }
  })
})
