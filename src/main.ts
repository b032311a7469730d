/**
 * The CLI's entry: reads the arguments, and loads the program (the composition root,
 * src/wiring.ts) only when a command runs.
 */
import { createRequire } from "node:module"
import { runCli } from "./cli/cli.js"

const { version } = createRequire(import.meta.url)("../package.json") as { version: string }

runCli(version, () => import("./wiring.js").then((m) => m.wiring))
