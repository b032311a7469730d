/**
 * What each command loads, observed in the real process: a module-resolution hook
 * records every module Node resolves, and dist/meta.json (written by the build)
 * says which sources each compiled file holds. `--help` loads no command, a
 * `.mjs` config never loads tsx, and the daemon never loads the simulator.
 */
import { readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AlegraSimulator, presets, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { repoRoot, runCli, runCliToEnd, tempDir, waitFor, writeConfig } from "../support/process.js"

const email = "arranque@empresa-demo.co"
const token = "sim-token-startup-2e7d"

interface Meta {
  readonly outputs: Record<string, { readonly inputs: Record<string, unknown> }>
}

/** A `--import` module that registers a resolve hook appending each resolved URL to $ALEGRA_SYNC_TRACE. */
const tracer = (() => {
  let file: string | undefined
  return () => {
    if (file !== undefined) return file
    const dir = tempDir("trace")
    writeFileSync(
      path.join(dir, "hooks.mjs"),
      `import { appendFileSync } from "node:fs"
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(process.env.ALEGRA_SYNC_TRACE, result.url + "\\n")
  return result
}
`
    )
    file = path.join(dir, "register.mjs")
    writeFileSync(file, `import { register } from "node:module"\nregister("./hooks.mjs", import.meta.url)\n`)
    return file
  }
})()

interface Loaded {
  /** Every URL Node resolved. */
  readonly urls: ReadonlyArray<string>
  /** The sources (repo-relative, or node_modules/…) inside the compiled files that were loaded. */
  readonly sources: ReadonlyArray<string>
}

const loadedBy = (traceFile: string): Loaded => {
  const meta = JSON.parse(readFileSync(path.join(repoRoot, "dist/meta.json"), "utf8")) as Meta
  const urls = readFileSync(traceFile, "utf8").split("\n").filter((u) => u !== "")
  const dist = urls
    .filter((u) => u.startsWith("file:"))
    .map((u) => path.relative(repoRoot, fileURLToPath(u)))
    .filter((f) => f.startsWith("dist/"))
  const sources = dist.flatMap((f) => Object.keys(meta.outputs[f]?.inputs ?? {}))
    .map((s) => s.replace(/^.*node_modules\//, "node_modules/"))
  return { urls, sources: [...new Set(sources)] }
}

const traced = (env: Record<string, string>) => {
  const traceFile = path.join(tempDir("trace-out"), "resolved.txt")
  writeFileSync(traceFile, "")
  return {
    env: { ...env, ALEGRA_SYNC_TRACE: traceFile },
    options: { nodeArgs: ["--import", pathToFileURL(tracer()).href] },
    loaded: () => loadedBy(traceFile)
  }
}

const fromFolder = (loaded: Loaded, folder: string) => loaded.sources.filter((s) => s.startsWith(folder))
const resolvedPackage = (loaded: Loaded, name: string) => loaded.urls.filter((u) => u.includes(`/node_modules/${name}/`))

describe("what each command loads", () => {
  let sim: AlegraSimulator
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 6000 })
    seedAccount(sim, presets.small)
  })
  afterAll(() => sim?.close())

  it("--help and a usage error load the command line only: no effect, no store, no connector, no tsx", async () => {
    const trace = traced({})
    const result = await runCliToEnd(["--help"], trace.env, 30_000, trace.options)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/alegra-sync/)
    const loaded = trace.loaded()
    expect([...loaded.sources].sort()).toEqual(["src/cli/args.ts", "src/cli/cli.ts", "src/cli/commands.ts", "src/cli/exit-code.ts", "src/main.ts"])
    const mistake = traced({})
    const refused = await runCliToEnd(["status", "--bogus"], mistake.env, 30_000, mistake.options)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toBe("alegra-sync: status: unknown option --bogus — see alegra-sync status --help\n")
    expect(mistake.loaded().sources.filter((s) => s.startsWith("node_modules/"))).toEqual([])
    expect(fromFolder(loaded, "src/store/")).toEqual([])
    expect(fromFolder(loaded, "src/server/")).toEqual([])
    expect(fromFolder(loaded, "src/engine/")).toEqual([])
    expect(fromFolder(loaded, "connectors/")).toEqual([])
    expect(fromFolder(loaded, "node_modules/undici/")).toEqual([])
    expect(resolvedPackage(loaded, "tsx")).toEqual([])
    expect(resolvedPackage(loaded, "better-sqlite3")).toEqual([])
  })

  it("a .mjs or .json config never loads tsx; a .ts config does", async () => {
    const config = await writeConfig({ alegraUrl: sim.url, email, token })
    const body = readFileSync(config.file, "utf8")
    writeFileSync(path.join(config.dir, "sync.config.mjs"), body)
    writeFileSync(path.join(config.dir, "sync.config.json"), body.replace(/^export default /, ""))
    for (const name of ["sync.config.mjs", "sync.config.json", "sync.config.ts"]) {
      const trace = traced({})
      const result = await runCliToEnd(["status", "--config", path.join(config.dir, name)], trace.env, 30_000, trace.options)
      expect(result.code, `${name}: ${result.stderr}`).toBe(0)
      const loaded = trace.loaded()
      if (name.endsWith(".ts")) expect(resolvedPackage(loaded, "tsx").length, name).toBeGreaterThan(0)
      else expect(resolvedPackage(loaded, "tsx"), name).toEqual([])
      // status reads the store only: no Alegra client.
      expect(fromFolder(loaded, "connectors/"), name).toEqual([])
    }
  })

  it("the daemon loads the Alegra client and never the simulator", async () => {
    const config = await writeConfig({ alegraUrl: sim.url, email, token })
    const trace = traced(config.env)
    const daemon = runCli(["run", "--config", config.file], trace.env, trace.options)
    try {
      await waitFor("the daemon to follow changes", () => daemon.output().stderr.includes("following changes"))
      const loaded = trace.loaded()
      expect(fromFolder(loaded, "connectors/alegra/")).toContain("connectors/alegra/client.ts")
      expect(fromFolder(loaded, "connectors/alegra/simulator/")).toEqual([])
      expect(resolvedPackage(loaded, "stripe")).toEqual([])
      expect(resolvedPackage(loaded, "@hubspot/api-client")).toEqual([])
    } finally {
      await daemon.stop("SIGKILL")
    }
  })

  it("demo loads the simulator, runs the daemon against it and stops after --duration", async () => {
    const trace = traced({})
    const store = path.join(tempDir("demo"), "demo.db")
    const result = await runCliToEnd(["demo", "--duration", "2", "--store", store], trace.env, 90_000, trace.options)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/1\. Backfill/)
    expect(result.stdout).toMatch(/mirror: \d+ records/)
    expect(fromFolder(trace.loaded(), "connectors/alegra/simulator/").length).toBeGreaterThan(0)
  })

  it("demo shows the two-way flow: a Stripe sale arrives in Alegra, and an Alegra payment marks a Stripe invoice paid", async () => {
    const store = path.join(tempDir("demo"), "demo.db")
    const demo = runCli(["demo", "--store", store], {})
    try {
      await waitFor("a card sale in Alegra with its contact, items and payment", () =>
        /→ alegra: in_\w+ is Alegra invoice \d+, with its contact, items and payment/.test(demo.output().stdout), { timeoutMs: 90_000 })
      await waitFor("a transfer recorded in Alegra marking the Stripe invoice paid", () =>
        /→ stripe: in_\w+ marked paid \(out of band\), from the payment in Alegra/.test(demo.output().stdout), { timeoutMs: 90_000 })
      expect(demo.output().stdout).toMatch(/links: .*stripe\/contact \d+.*stripe\/invoice \d+/)
      expect(demo.output().stdout).not.toMatch(/[1-9]\d* dead letters/)
    } finally {
      await demo.stop("SIGKILL")
    }
  })
})
