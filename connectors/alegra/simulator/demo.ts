/**
 * The simulator as `alegra-sync demo` uses it (src/main.ts imports this lazily): a seeded
 * account on a free loopback port, with live activity on demand. Structurally matches the
 * DemoSimulator interface of src/cli/demo.ts (not imported: connectors never import the engine).
 */
import { randomBytes } from "node:crypto"
import { startActivity } from "./activity.js"
import { KINDS, type SimKind } from "./records.js"
import { presets, seedAccount } from "./seed.js"
import { startAlegraSimulator } from "./simulator.js"

export interface DemoSimulatorOptions {
  readonly size: "small" | "large"
  readonly requestsPerMinute: number
  /** Port of the simulator; default any free port. (Other fields of the demo's options are ignored.) */
  readonly simulatorPort?: number
}

export interface DemoSimulatorHandle {
  readonly url: string
  readonly email: string
  readonly token: string
  readonly counts: () => Readonly<Record<SimKind, number>>
  readonly startActivity: (everyMs: number, onChange: (description: string) => void) => { readonly stop: () => void }
  readonly close: () => Promise<void>
}

export const startDemoSimulator = async (options: DemoSimulatorOptions): Promise<DemoSimulatorHandle> => {
  const email = "demo@empresa-demo.co"
  const token = `demo-${randomBytes(12).toString("hex")}`
  const sim = await startAlegraSimulator({
    email,
    token,
    requestsPerMinute: options.requestsPerMinute,
    ...(options.simulatorPort === undefined ? {} : { port: options.simulatorPort })
  })
  seedAccount(sim, presets[options.size])
  return {
    url: sim.url,
    email,
    token,
    counts: () => Object.fromEntries(KINDS.map((k) => [k, sim.admin.count(k)])) as Record<SimKind, number>,
    startActivity: (everyMs, onChange) => startActivity(sim, { everyMs, onChange, seed: Date.now() & 0xffff }),
    close: () => sim.close()
  }
}
