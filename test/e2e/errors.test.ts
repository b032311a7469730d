import Database from "better-sqlite3"
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AlegraSimulator, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { type CliOptions, runCliToEnd, tempDir, type TestConfig, writeConfig } from "../support/process.js"

const email = "errores@empresa-demo.co"
const token = "sim-token-right-9d02c1"

/**
 * What the user sees of a failure: exactly one `alegra-sync: <problem> — <fix>` line
 * (returned), and never a stack trace or SQLite's own error dump.
 */
const oneLine = (stderr: string): string => {
  const lines = stderr.split("\n").filter((l) => l.startsWith("alegra-sync: "))
  expect(lines, stderr).toHaveLength(1)
  expect(stderr, stderr).not.toMatch(/^\s+at /m)
  expect(stderr, stderr).not.toMatch(/SqliteError|SqlError|Error: /)
  expect(lines[0], stderr).toContain(" — ")
  return lines[0]!
}

/** Folders a process cannot write to: root ignores permissions, so a test running as root runs the CLI as nobody. */
const asUnprivileged: CliOptions = process.getuid?.() === 0 ? { user: { uid: 65534, gid: 65534 } } : {}

describe("clear errors and exit codes", () => {
  let sim: AlegraSimulator
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token })
  })
  afterAll(() => sim.close())

  it("exits 2 with one line per problem for an invalid config, without a stack trace or the pasted secret", async () => {
    const dir = tempDir("bad-config")
    const file = path.join(dir, "sync.config.ts")
    writeFileSync(
      file,
      `export default { server: { port: "eighty" }, alegra: { email: "x@y.co", token: "pasted-9f8e7d" }, extra: 1 }\n`
    )
    const result = await runCliToEnd(["status", "--config", file])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`alegra-sync: invalid config ${file} — fix each field below:`)
    expect(result.stderr).toMatch(/- server\.port: Expected number, actual "eighty"/)
    expect(result.stderr).toMatch(/- alegra\.token: expected secret\("ENV_VAR"\).*found a string\n/)
    expect(result.stderr).toMatch(/- extra: is unexpected/)
    expect(result.stderr).not.toContain("pasted-9f8e7d")
    expect(result.stderr).not.toMatch(/^\s+at /m)
  })

  it("exits 2 for a missing config file and for bad usage", async () => {
    const missing = await runCliToEnd(["backfill", "--config", "/nonexistent/sync.config.ts"])
    expect(missing.code).toBe(2)
    expect(oneLine(missing.stderr)).toMatch(/file not found/)
    expect((await runCliToEnd(["frobnicate"])).code).toBe(2)
  })

  it("exits 1 on a bad Alegra token, saying so, without the token or the credentials", async () => {
    const wrongToken = "wrong-token-123456789"
    const config = await writeConfig({ alegraUrl: sim.url, email, token: wrongToken })
    for (const command of ["backfill", "run"]) {
      const result = await runCliToEnd([command, "--config", config.file], config.env, 30_000)
      expect(result.code, command).toBe(1)
      const line = oneLine(result.stderr)
      expect(line, command).toMatch(/auth 401/)
      expect(line, command).toMatch(/— check alegra\.email and alegra\.token/)
      const everything = result.stdout + result.stderr
      expect(everything).not.toContain(wrongToken)
      expect(everything).not.toContain(Buffer.from(`${email}:${wrongToken}`).toString("base64"))
    }
  })

  describe("commands that only read the store", () => {
    let config: TestConfig
    beforeAll(async () => {
      config = await writeConfig({ alegraUrl: sim.url, email, token })
      // A store with something in it: one backfill of the (empty) simulated account.
      const backfill = await runCliToEnd(["backfill", "--config", config.file], config.env)
      expect(backfill.code, backfill.stderr).toBe(0)
    })

    it("status needs no Alegra secret", async () => {
      const result = await runCliToEnd(["status", "--json", "--config", config.file], {})
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout).cursors.map((c: { name: string }) => c.name)).toContain("backfill")
    })

    it("run and backfill still require the token, with the clear error", async () => {
      for (const command of ["run", "backfill"]) {
        const result = await runCliToEnd([command, "--config", config.file], {})
        expect(result.code, command).toBe(2)
        expect(oneLine(result.stderr), command).toBe(
          `alegra-sync: invalid config ${config.file} — alegra.token: expected environment variable ALEGRA_TOKEN to be set, found it unset or empty`
        )
      }
    })
  })

  it("exits 1 with one line for a store that is not a SQLite database, whatever the command", async () => {
    const config = await writeConfig({ alegraUrl: sim.url, email, token })
    mkdirSync(path.dirname(config.storePath), { recursive: true })
    writeFileSync(config.storePath, "not a database, just some text. ".repeat(256))
    for (const command of ["status", "backfill", "run"]) {
      const result = await runCliToEnd([command, "--config", config.file], config.env, 30_000)
      expect(result.code, command).toBe(1)
      expect(oneLine(result.stderr), command).toBe(
        `alegra-sync: the store ${config.storePath} is not a SQLite database or is damaged — restore it from a backup, or move it away and run \`alegra-sync backfill\` to rebuild it`
      )
    }
  })

  it("exits 1 with one line for a store in a folder it cannot write", async () => {
    const config = await writeConfig({ alegraUrl: sim.url, email, token })
    // The CLI may run as another user: let it read the config, not write the store's folder.
    chmodSync(config.dir, 0o755)
    chmodSync(config.file, 0o644)
    const folder = path.dirname(config.storePath)
    mkdirSync(folder, { mode: 0o555 })
    chmodSync(folder, 0o555)
    for (const command of ["status", "run"]) {
      const result = await runCliToEnd([command, "--config", config.file], config.env, 30_000, asUnprivileged)
      expect(result.code, command).toBe(1)
      expect(oneLine(result.stderr), command).toMatch(
        new RegExp(
          `^alegra-sync: cannot write the store ${config.storePath} \\(SQLITE_\\w+\\) — make the file and its folder writable for this user, or set store\\.path to a writable place$`
        )
      )
    }
  })

  it("exits 1 naming the port and server.port when the port is taken", async () => {
    const config = await writeConfig({ alegraUrl: sim.url, email, token })
    const holder: Server = createServer()
    await new Promise<void>((resolve) => holder.listen(config.port, "0.0.0.0", resolve))
    try {
      const result = await runCliToEnd(["run", "--config", config.file], config.env, 30_000)
      expect(result.code).toBe(1)
      expect(oneLine(result.stderr)).toBe(
        `alegra-sync: port ${config.port} is already in use — stop the program listening on it, or set another server.port in the config`
      )
    } finally {
      await new Promise((resolve) => holder.close(resolve))
    }
  })

  it("exits 2 with one line for a store written by a newer version, and leaves it untouched", async () => {
    const config = await writeConfig({ alegraUrl: sim.url, email, token })
    // A store this version made, then marked as migrated by a later release.
    expect((await runCliToEnd(["status", "--config", config.file], config.env, 30_000)).code).toBe(0)
    const db = new Database(config.storePath)
    db.prepare("INSERT INTO effect_sql_migrations (migration_id, name) VALUES (99, 'from_the_future')").run()
    db.close()
    const before = readFileSync(config.storePath)
    for (const command of ["status", "backfill", "run"]) {
      const result = await runCliToEnd([command, "--config", config.file], config.env, 30_000)
      expect(result.code, command).toBe(2)
      expect(oneLine(result.stderr), command).toMatch(/was written by a newer alegra-sync \(schema 99; this version knows up to \d+\) — upgrade alegra-sync/)
    }
    expect(Buffer.compare(new Uint8Array(readFileSync(config.storePath)), new Uint8Array(before))).toBe(0)
  })

  it("fails at once with one line for a store under /proc, instead of hanging (and ignoring SIGTERM)", async () => {
    const config = await writeConfig({ alegraUrl: sim.url, email, token, storePath: "/proc/alegra-sync/store.db" })
    const started = Date.now()
    const result = await runCliToEnd(["status", "--config", config.file], config.env, 20_000)
    expect(result.code).toBe(1)
    expect(oneLine(result.stderr)).toMatch(/cannot keep the store at \/proc\/alegra-sync\/store\.db: .* — set store\.path/)
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})

