/** Start-up: `alegra-sync --help` against a bare `node -e 0`, wall and CPU time, median of several runs. */
import { type Recorder, Section } from "./report.js"
import { runToEnd, spawnCli, spawnMeasured } from "./processes.js"
import { median } from "./stats.js"

export const measureHelp = async (r: Recorder, runs: number) => {
  r.log(`\n${Section.startup}: alegra-sync --help vs node -e 0 (median of ${runs} runs each, interleaved, after one unmeasured run of each)`)
  const bare: Array<{ wallMs: number; cpuMs: number }> = []
  const help: Array<{ wallMs: number; cpuMs: number }> = []
  for (let i = 0; i <= runs; i++) {
    const b = await runToEnd(spawnMeasured(["-e", "0"]), "node -e 0")
    const h = await runToEnd(spawnCli(["--help"]), "alegra-sync --help")
    if (i === 0) continue // file cache and the like: the first run of each is not measured
    bare.push({ wallMs: b.wallMs, cpuMs: b.report.cpuUs / 1000 })
    help.push({ wallMs: h.wallMs, cpuMs: h.report.cpuUs / 1000 })
  }
  r.detail("startup.help", { bare, help })
  const goal = { on: "ratio", op: "<=", target: 5 } as const
  r.add(Section.startup, "alegra-sync --help, wall time", median(help.map((x) => x.wallMs)), "ms", {
    baseline: { name: "node -e 0", value: median(bare.map((x) => x.wallMs)) },
    goal
  })
  r.add(Section.startup, "alegra-sync --help, CPU time", median(help.map((x) => x.cpuMs)), "ms", {
    baseline: { name: "node -e 0", value: median(bare.map((x) => x.cpuMs)) },
    goal
  })
}
