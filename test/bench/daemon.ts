/**
 * The daemon (`alegra-sync run`) on an already-backfilled store: how soon after spawning it
 * follows a change made in the simulator, and what it holds in memory once idle.
 */
import { copyFileSync, existsSync, mkdirSync } from "node:fs"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import type { AlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { tempDir, type TestConfig, waitFor, writeConfig } from "../support/process.js"
import { readStore } from "../support/store.js"
import { type Account, email, token } from "./account.js"
import { kbToMb, type Measured, procStatusKb, sleep, spawnCli } from "./processes.js"
import { formatNumber, type Recorder, Section } from "./report.js"
import { median } from "./stats.js"

export const healthy = (port: number): Promise<boolean> =>
  fetch(`http://127.0.0.1:${port}/health`).then((response) => response.ok, () => false)

/** The URL the daemon on `port` registered for Alegra's deliveries, once it has. */
export const webhookUrl = (sim: AlegraSimulator, port: number): string | undefined => {
  const url = sim.admin.subscriptions().find((s) => s.event === "edit-item" && s.url.includes(`127.0.0.1:${port}/`))?.url
  return url === undefined ? undefined : url.startsWith("http") ? url : `http://${url}`
}

/** Waits until the simulator has seen no request for `quietMs` (the daemon's start-up reads are over). */
export const waitQuiet = (sim: AlegraSimulator, quietMs = 1000) =>
  waitFor("the daemon to stop making requests", () => {
    const last = sim.stats.requests().at(-1)?.at ?? 0
    return Date.now() - last >= quietMs
  }, { timeoutMs: 120_000, intervalMs: 100 })

export interface RunningDaemon {
  readonly process: Measured
  readonly config: TestConfig
  /** Where to POST Alegra deliveries. */
  readonly url: string
}

/** Spawns `alegra-sync run` and waits until it is healthy, subscribed, and done with its start-up reads. */
export const startDaemon = async (account: Account, config: TestConfig): Promise<RunningDaemon> => {
  const daemon = spawnCli(["run", "--config", config.file], config.env)
  try {
    await waitFor("the daemon to be healthy", () => healthy(config.port), { timeoutMs: 120_000, intervalMs: 20 })
    const url = await waitFor("the daemon's webhook subscriptions", () => webhookUrl(account.sim, config.port), { timeoutMs: 60_000 })
    await waitQuiet(account.sim)
    return { process: daemon, config, url }
  } catch (error) {
    await daemon.stop("SIGKILL")
    throw new Error(`${String(error)}\n${daemon.output().stderr.slice(-4000)}`)
  }
}

/** A new config (its own port) on a copy of the account's store, so that each run starts from the same state. */
export const copyOfStore = async (account: Account): Promise<TestConfig> => {
  const config = await writeConfig({
    dir: tempDir("bench-daemon"),
    alegraUrl: account.sim.url,
    email,
    token,
    requestsPerMinute: account.sim.rateLimit.limit * 60 / account.sim.rateLimit.windowSeconds,
    rateLimitWindowSeconds: account.sim.rateLimit.windowSeconds,
    webhooks: true
  })
  mkdirSync(path.dirname(config.storePath), { recursive: true })
  for (const suffix of ["", "-wal", "-shm"]) {
    const from = `${account.config.storePath}${suffix}`
    if (existsSync(from)) copyFileSync(from, `${config.storePath}${suffix}`)
  }
  return config
}

const stopOrFail = async (daemon: Measured) => {
  const exit = await daemon.stop("SIGTERM")
  if (exit.code !== 0) throw new Error(`alegra-sync run exited with ${exit.code ?? exit.signal} on SIGTERM:\n${exit.stderr.slice(-4000)}`)
}

const mirrorContains = (storePath: string, kind: string, id: string, text: string): boolean =>
  readStore(storePath, (db) => {
    const row = db.prepare("SELECT content FROM alegra_records WHERE kind = ? AND id = ?").get(kind, id) as { content: string } | undefined
    return row?.content.includes(text) === true
  })

/** Resident memory once it stops moving: samples every 500 ms until the last 3 s span under 1 MB (30 s at most). */
const settledRssKb = async (pid: number): Promise<{ rssKb: number; afterMs: number }> => {
  const started = performance.now()
  const samples: Array<number> = []
  for (;;) {
    samples.push(procStatusKb(pid, "VmRSS"))
    const recent = samples.slice(-7)
    if (recent.length === 7 && Math.max(...recent) - Math.min(...recent) < 1024) break
    if (performance.now() - started > 30_000) break
    await sleep(500)
  }
  return { rssKb: samples.at(-1)!, afterMs: performance.now() - started }
}

/**
 * Spawns the daemon `runs` times on the account's backfilled store (after one unmeasured run
 * that registers its webhooks, as a daemon restarted in production finds them). In each run,
 * as soon as /health answers, an item is renamed in the simulator, which delivers edit-item:
 * the figure is spawn → the new name in the store. The last run then idles for the RSS figure.
 */
export const measureDaemon = async (r: Recorder, account: Account, runs: number) => {
  const { sim, config } = account
  r.log(`\n${Section.startup}: the daemon follows a change (median of ${runs} restarts on the ${account.records}-record store)`)
  await stopOrFail((await startDaemon(account, config)).process)
  const itemId = sim.admin.ids("item")[0]!
  const results: Array<{ readyMs: number; followMs: number }> = []
  let idle: { rssKb: number; afterMs: number } | undefined
  for (let i = 0; i < runs; i++) {
    const daemon = spawnCli(["run", "--config", config.file], config.env)
    try {
      await waitFor("the daemon to be healthy", () => healthy(config.port), { timeoutMs: 120_000, intervalMs: 5 })
      const readyAt = performance.now()
      await waitFor("its webhook subscriptions", () => webhookUrl(sim, config.port))
      const name = `Bench follow ${i} ${Date.now()}`
      sim.admin.update("item", itemId, { name })
      await waitFor("the renamed item in the store", () => mirrorContains(config.storePath, "item", itemId, name), {
        timeoutMs: 60_000,
        intervalMs: 5
      })
      results.push({ readyMs: readyAt - daemon.spawnedAt, followMs: performance.now() - daemon.spawnedAt })
      if (i === runs - 1) {
        await waitQuiet(sim)
        idle = await settledRssKb(daemon.child.pid!)
      }
      await stopOrFail(daemon)
    } catch (error) {
      await daemon.stop("SIGKILL")
      throw new Error(`${String(error)}\n${daemon.output().stderr.slice(-4000)}`)
    }
  }
  r.detail("daemon.follow", results)
  const ready = median(results.map((x) => x.readyMs))
  const follow = median(results.map((x) => x.followMs))
  r.log(`  spawn → /health answers: ${formatNumber(ready)} ms; then → change in the store: ${formatNumber(follow - ready)} ms`)
  r.add(Section.startup, "daemon: spawn → /health answers (ready)", ready, "ms")
  r.add(Section.startup, "daemon: spawn → a change made by webhook is in the store", follow, "ms", {
    goal: { on: "value", op: "<=", target: 1000 }
  })
  r.log(`\n${Section.memory}: the idle daemon (VmRSS, settled after ${formatNumber(idle!.afterMs / 1000)} s)`)
  r.detail("daemon.idle", idle)
  r.add(Section.memory, "idle daemon RSS", kbToMb(idle!.rssKb), "MB", { goal: { on: "value", op: "<", target: 150 } })
}
