import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AlegraSimulator, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { runCliToEnd, tempDir, writeConfig } from "../support/process.js"

const email = "errores@empresa-demo.co"
const token = "sim-token-right-9d02c1"

describe("clear errors and exit codes", () => {
  let sim: AlegraSimulator
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token })
  })
  afterAll(() => sim.close())

  it("exits 2 with one line per problem for an invalid config, without a stack trace", async () => {
    const dir = tempDir("bad-config")
    const file = path.join(dir, "sync.config.ts")
    writeFileSync(file, `export default { server: { port: "eighty" }, alegra: { email: "x@y.co", token: "pasted" }, extra: 1 }\n`)
    const result = await runCliToEnd(["status", "--config", file])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`invalid config ${file}`)
    expect(result.stderr).toMatch(/- server\.port: Expected number, actual "eighty"/)
    expect(result.stderr).toMatch(/- alegra\.token: expected secret\("ENV_VAR"\)/)
    expect(result.stderr).toMatch(/- extra: is unexpected/)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it("exits 2 for a missing config file and for bad usage", async () => {
    const missing = await runCliToEnd(["backfill", "--config", "/nonexistent/sync.config.ts"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/file not found/)
    expect((await runCliToEnd(["frobnicate"])).code).toBe(2)
  })

  it("exits 1 on a bad Alegra token, saying so, without the token or the credentials", async () => {
    const wrongToken = "wrong-token-123456789"
    const config = await writeConfig({ alegraUrl: sim.url, email, token: wrongToken })
    for (const command of ["backfill", "run"]) {
      const result = await runCliToEnd([command, "--config", config.file], config.env, 30_000)
      expect(result.code, command).toBe(1)
      expect(result.stderr, command).toMatch(/auth 401/)
      expect(result.stderr, command).toMatch(/check alegra\.email and alegra\.token/)
      const everything = result.stdout + result.stderr
      expect(everything).not.toContain(wrongToken)
      expect(everything).not.toContain(Buffer.from(`${email}:${wrongToken}`).toString("base64"))
    }
  })
})
