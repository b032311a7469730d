/**
 * Webhook ingest through the built CLI (`alegra-sync run`) against the Alegra simulator,
 * under load from many keep-alive connections, as Alegra's sender would make it:
 * - a 2xx means a committed inbox row: every delivery answered 2xx has its row, even
 *   when the daemon is killed (SIGKILL) or stopped (SIGTERM) in the middle of the load;
 * - no delivery is lost: once the load is over, 2xx answers equal distinct inbox rows;
 * - deliveries share transactions (group commit), and the worker keeps draining the
 *   inbox while they pour in.
 */
import http from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AlegraSimulator, presets, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { type CliProcess, runCli, type TestConfig, waitFor, writeConfig } from "../support/process.js"
import { readStore } from "../support/store.js"

const email = "ingest@empresa-demo.co"
const token = "sim-token-ingest-7d21c4"

interface LoadResult {
  /** Ids whose delivery was answered 2xx. */
  readonly answered: ReadonlyArray<string>
  readonly otherStatuses: number
  readonly transportErrors: number
}

/**
 * Closed-loop load: `connections` keep-alive connections, each sending its next
 * `edit-item` delivery as soon as it has its answer, for the ids `ids` in order,
 * until they run out, `until()` says stop, or a connection fails (the daemon died).
 */
const load = async (
  url: string,
  ids: ReadonlyArray<string>,
  options: { readonly connections: number; readonly until?: () => boolean; readonly onAnswer?: (answered: number) => void }
): Promise<LoadResult> => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections })
  const answered: Array<string> = []
  let otherStatuses = 0
  let transportErrors = 0
  let next = 0
  const post = (id: string) =>
    new Promise<boolean>((resolve) => {
      const body = JSON.stringify({ subject: "edit-item", message: { item: { id } } })
      const request = http.request(url, { agent, method: "POST", headers: { "content-type": "application/json" } }, (response) => {
        response.resume()
        response.on("end", () => {
          if (response.statusCode === 200) answered.push(id)
          else otherStatuses += 1
          options.onAnswer?.(answered.length)
          resolve(true)
        })
        response.on("error", () => resolve(false))
      })
      request.on("error", () => {
        transportErrors += 1
        resolve(false)
      })
      request.end(body)
    })
  await Promise.all(Array.from({ length: options.connections }, async () => {
    while (next < ids.length && options.until?.() !== true) {
      if (!(await post(ids[next++]!))) return
    }
  }))
  agent.destroy()
  return { answered, otherStatuses, transportErrors }
}

const idsFrom = (base: number, n: number) => Array.from({ length: n }, (_, i) => String(base + i))

describe("webhook ingest under load (alegra-sync run)", () => {
  let sim: AlegraSimulator
  let config: TestConfig
  let daemon: CliProcess | undefined
  let url: string

  const start = async () => {
    daemon = runCli(["run", "--config", config.file], config.env)
    const running = daemon
    await waitFor("the daemon to follow changes", () => running.output().stderr.includes("following changes"), { timeoutMs: 60_000 })
    const subscription = sim.admin.subscriptions()[0]
    if (subscription === undefined) throw new Error("no webhook subscription")
    url = subscription.url.startsWith("http") ? subscription.url : `http://${subscription.url}`
  }

  /** Inbox rows of the given item ids, as the store file holds them. */
  const rowsOf = (ids: ReadonlyArray<string>) => {
    const wanted = new Set(ids)
    return readStore(config.storePath, (db) =>
      (db.prepare("SELECT record_id FROM inbox WHERE system = 'alegra' AND kind = 'item' AND channel = 'webhook'").all() as Array<
        { record_id: string }
      >).filter((row) => wanted.has(row.record_id)))
  }

  const counter = async (name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${config.port}/metrics`)).text()
    return Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? "0")
  }

  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 60_000 })
    seedAccount(sim, presets.small)
    config = await writeConfig({ alegraUrl: sim.url, email, token, requestsPerMinute: 60_000 })
    await start()
  })
  afterAll(async () => {
    await daemon?.stop("SIGKILL")
    await sim?.close()
  })

  it("loses no delivery: once the load is over, 2xx answers equal distinct inbox rows, in far fewer transactions", async () => {
    const ids = idsFrom(10_000_000, 3_000)
    const commitsBefore = await counter("alegra_sync_ingest_commits_total")
    const result = await load(url, ids, { connections: 50 })
    const commits = (await counter("alegra_sync_ingest_commits_total")) - commitsBefore
    // Killed at once: an answer given before its row was durable would show here as a missing row.
    await daemon!.stop("SIGKILL")
    expect(result).toMatchObject({ otherStatuses: 0, transportErrors: 0 })
    expect(result.answered.length).toBe(ids.length)
    const rows = rowsOf(ids)
    expect(rows.length).toBe(ids.length)
    expect(new Set(rows.map((row) => row.record_id)).size).toBe(ids.length)
    // 50 connections sending as fast as they are answered: deliveries share transactions.
    expect(commits).toBeGreaterThan(0)
    expect(commits).toBeLessThan(ids.length / 2)
    await start()
  })

  for (const signal of ["SIGKILL", "SIGTERM"] as const) {
    it(`answers 2xx only for committed rows, even when ${signal} arrives in the middle of the load`, async () => {
      const ids = idsFrom(signal === "SIGKILL" ? 20_000_000 : 30_000_000, 200_000)
      const running = daemon!
      let stopping: Promise<{ code: number | null; ms: number }> | undefined
      const result = await load(url, ids, {
        connections: 50,
        onAnswer: (answered) => {
          if (answered < 1_500 || stopping !== undefined) return
          const signalledAt = Date.now()
          stopping = running.stop(signal).then((code) => ({ code, ms: Date.now() - signalledAt }))
        }
      })
      const stopped = await stopping!
      if (signal === "SIGTERM") {
        expect(stopped.code).toBe(0)
        // Senders that keep their connections busy do not hold the daemon up (Docker kills it after 10 s).
        expect(stopped.ms).toBeLessThan(10_000)
      }
      // The load was cut short by the stop, not by running out of ids.
      expect(result.answered.length).toBeGreaterThanOrEqual(1_500)
      expect(result.answered.length).toBeLessThan(ids.length)
      const recorded = new Set(rowsOf(ids).map((row) => row.record_id))
      expect(result.answered.filter((id) => !recorded.has(id))).toEqual([])
      await start()
    })
  }

  it("keeps draining the inbox while deliveries pour in", async () => {
    const doneBetween = (from: number, to: number) =>
      readStore(config.storePath, (db) =>
        (db.prepare("SELECT count(*) AS n FROM inbox WHERE status = 'done' AND done_at BETWEEN ? AND ?").get(from, to) as { n: number }).n)
    const startedAt = Date.now()
    const result = await load(url, idsFrom(40_000_000, 100_000), { connections: 50, until: () => Date.now() - startedAt > 4_000 })
    const endedAt = Date.now()
    expect(result.answered.length).toBeGreaterThan(500)
    // The earlier tests left thousands of rows behind: the worker re-reads each (a 404 for
    // these made-up ids) and completes them while the load goes on.
    expect(doneBetween(startedAt, endedAt)).toBeGreaterThanOrEqual(50)
  })
})
