/**
 * The composition root: the one place that wires connectors into the engine.
 * The simulator is imported lazily, only by `demo`, never on the daemon's path.
 */
import { createRequire } from "node:module"
import { AlegraLive } from "../connectors/alegra/index.js"
import { runCli } from "./cli/cli.js"
import type { DemoOptions, DemoSimulator } from "./cli/demo.js"

const { version } = createRequire(import.meta.url)("../package.json") as { version: string }

const demoSimulator = async (options: DemoOptions): Promise<DemoSimulator> => {
  const { startDemoSimulator } = await import("../connectors/alegra/simulator/demo.js")
  return startDemoSimulator(options)
}

runCli({
  alegra: (config) =>
    AlegraLive({
      baseUrl: config.alegra.baseUrl,
      email: config.alegra.email,
      token: config.alegra.token,
      requestsPerMinute: config.alegra.requestsPerMinute,
      rateLimitWindowSeconds: config.alegra.rateLimitWindowSeconds
    }),
  demoSimulator
}, version)
