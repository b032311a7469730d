/** A simulated Alegra account of a given size, and what the simulator says about it. */
import { resources } from "../../connectors/alegra/resources.js"
import { type AlegraSimulator, presets, type SeedSizes, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { type Kind, kinds } from "../../schema/index.js"
import { tempDir, type TestConfig, writeConfig } from "../support/process.js"
import { minimumListRequests } from "./stats.js"

export const email = "bench@empresa-demo.co"
export const token = "bench-token-0b4d5e9a71"

const largeTotal = Object.values(presets.large).reduce((a, b) => a + b, 0)

/** The large sample account scaled to about `records` records (the seed caps a few kinds, e.g. the chart of accounts). */
export const sizesFor = (records: number): SeedSizes => {
  const scale = records / largeTotal
  return Object.fromEntries(Object.entries(presets.large).map(([kind, n]) => [kind, Math.max(1, Math.round(n * scale))])) as unknown as SeedSizes
}

export interface Account {
  readonly sim: AlegraSimulator
  /** Records per kind, as the simulator holds them. */
  readonly counts: Readonly<Record<Kind, number>>
  readonly records: number
  /** Rows each kind's list has (a payment is listed once per category line), from the API's metadata.total. */
  readonly listRows: Readonly<Record<Kind, number>>
  /** The fewest requests a backfill can make: Σ over kinds of floor(rows/30)+1. */
  readonly minimumRequests: number
  /** A config for this account in a fresh folder (its store, a free port, webhooks on). */
  readonly config: TestConfig
}

const listTotal = async (sim: AlegraSimulator, kind: Kind): Promise<number> => {
  const query = new URLSearchParams([["metadata", "true"], ["limit", "1"], ...(resources[kind].listParams ?? []).map(([k, v]): [string, string] => [k, v])])
  const response = await fetch(`${sim.url}${resources[kind].path}?${query}`, {
    headers: { authorization: `Basic ${Buffer.from(`${sim.email}:${sim.token}`).toString("base64")}` }
  })
  if (!response.ok) throw new Error(`simulator: GET ${resources[kind].path} answered ${response.status}`)
  const body = await response.json() as { metadata?: { total?: unknown } }
  if (typeof body.metadata?.total !== "number") throw new Error(`simulator: no metadata.total for ${kind}`)
  return body.metadata.total
}

/**
 * Starts a simulator seeded with about `records` records and asks it for its row counts,
 * then clears its stats. With `freshWindow`, waits for the next rate-limit window too, so a
 * rate-limited run starts with a whole window's budget (the count requests used some).
 */
export const startAccount = async (options: {
  readonly records: number
  readonly requestsPerMinute: number
  readonly rateLimitWindowSeconds?: number
  readonly freshWindow?: boolean
}): Promise<Account> => {
  const windowSeconds = options.rateLimitWindowSeconds ?? 60
  const sim = await startAlegraSimulator({
    email,
    token,
    requestsPerMinute: options.requestsPerMinute,
    rateLimitWindowSeconds: windowSeconds
  })
  seedAccount(sim, sizesFor(options.records))
  const counts = Object.fromEntries(kinds.map((kind) => [kind, sim.admin.count(kind)])) as Record<Kind, number>
  const listRows = {} as Record<Kind, number>
  for (const kind of kinds) listRows[kind] = await listTotal(sim, kind)
  const config = await writeConfig({
    dir: tempDir("bench"),
    alegraUrl: sim.url,
    email,
    token,
    requestsPerMinute: options.requestsPerMinute,
    rateLimitWindowSeconds: windowSeconds,
    webhooks: true
  })
  if (options.freshWindow === true) {
    const windowMs = windowSeconds * 1000
    await new Promise((resolve) => setTimeout(resolve, windowMs - (Date.now() % windowMs) + 20))
  }
  sim.stats.reset()
  return {
    sim,
    counts,
    records: Object.values(counts).reduce((a, b) => a + b, 0),
    listRows,
    minimumRequests: kinds.reduce((sum, kind) => sum + minimumListRequests(listRows[kind]), 0),
    config
  }
}
