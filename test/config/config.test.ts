import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { Effect, Either, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { loadConfigFile, loadLocalConfig, resolveConfig, resolveLocalConfig } from "../../src/config/index.js"
import { repoRoot, tempDir } from "../support/process.js"

const minimal = { alegra: { email: "ops@empresa.co", token: { env: "ALEGRA_TOKEN" } } }
const resolve = (input: unknown, env: Record<string, string> = { ALEGRA_TOKEN: "s3cr3t-token" }) =>
  Effect.runSync(Effect.either(resolveConfig(input, { file: "/etc/alegra-sync/sync.config.ts", env })))

describe("config", () => {
  it("fills every default from a minimal config", () => {
    const config = Either.getOrThrow(resolve(minimal))
    expect(config.store.path).toBe("/etc/alegra-sync/data/alegra-sync.db")
    expect(config.server.port).toBe(8080)
    expect(config.alegra.baseUrl).toBe("https://api.alegra.com/api/v1")
    expect(config.alegra.requestsPerMinute).toBe(150)
    expect(config.polling.sweepMinutes).toBe(60)
    expect(Redacted.value(config.alegra.token)).toBe("s3cr3t-token")
  })

  it("keeps secrets redacted when printed", () => {
    const config = Either.getOrThrow(resolve(minimal))
    const printed = `${JSON.stringify(config)} ${String(config.alegra.token)}`
    expect(printed).not.toContain("s3cr3t-token")
    expect(printed).not.toContain(Redacted.value(config.server.webhookToken))
  })

  it("derives a stable, unguessable webhook token from the Alegra token", () => {
    const a = Either.getOrThrow(resolve(minimal))
    const b = Either.getOrThrow(resolve(minimal))
    const other = Either.getOrThrow(resolve(minimal, { ALEGRA_TOKEN: "another-token" }))
    expect(Redacted.value(a.server.webhookToken)).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(Redacted.value(a.server.webhookToken)).toBe(Redacted.value(b.server.webhookToken))
    expect(Redacted.value(a.server.webhookToken)).not.toBe(Redacted.value(other.server.webhookToken))
  })

  it("reads a secret from a file", () => {
    const dir = tempDir("secret")
    const file = path.join(dir, "token")
    writeFileSync(file, "from-a-file\n")
    const config = Either.getOrThrow(resolve({ alegra: { email: "a@b.co", token: { file } } }, {}))
    expect(Redacted.value(config.alegra.token)).toBe("from-a-file")
  })

  it("reports one line per problem, naming the field, what was expected and what was found", () => {
    const result = resolve({
      server: { port: 70000, publicUrl: "sync.example.com" },
      alegra: { email: "", token: "pasted-token", requestsPerMinute: "fast" },
      polling: { paymentSeconds: 5 }
    }, {})
    expect(Either.isLeft(result)).toBe(true)
    const problems = Either.isLeft(result) ? result.left.problems : []
    expect(problems).toEqual([
      expect.stringMatching(/^server\.port: .*70000/),
      expect.stringMatching(/^server\.publicUrl: expected an http\(s\) URL .*found "sync\.example\.com"/),
      expect.stringMatching(/^alegra\.email: expected a non-empty string or env\("ENV_VAR"\), found ""/),
      expect.stringMatching(/^alegra\.token: expected secret\("ENV_VAR"\) or secretFile.*found a string$/),
      expect.stringMatching(/^alegra\.requestsPerMinute: Expected number, actual "fast"/),
      expect.stringMatching(/^polling\.paymentSeconds: is unexpected/)
    ])
    expect(problems.join("\n")).not.toContain("pasted-token")
  })

  it("never prints a value found where a secret was expected, only what kind of value it was", () => {
    const pasted = "sk_live_51PastedRightIntoTheConfig"
    const result = resolve({
      server: { webhookToken: pasted },
      alegra: { email: "a@b.co", token: { env: pasted, extra: pasted } },
      hubspot: { accessToken: [pasted] },
      stripe: { apiKey: { env: "" }, webhookSecret: 42 }
    })
    const problems = Either.isLeft(result) ? result.left.problems : []
    expect(problems).toEqual([
      expect.stringMatching(/^server\.webhookToken: .*found a string$/),
      expect.stringMatching(/^alegra\.token: .*found an object with keys env, extra$/),
      expect.stringMatching(/^hubspot\.accessToken: .*found an array$/),
      expect.stringMatching(/^stripe\.apiKey: .*found \{ env: … \} whose value is not a non-empty name$/),
      expect.stringMatching(/^stripe\.webhookSecret: .*found a number$/)
    ])
    expect(problems.join("\n")).not.toContain("sk_live")
  })

  it("checks a config without its secrets for commands that never contact Alegra", () => {
    const local = Either.getOrThrow(
      Effect.runSync(Effect.either(resolveLocalConfig(minimal, { file: "/etc/alegra-sync/sync.config.ts" })))
    )
    expect(local.store.path).toBe("/etc/alegra-sync/data/alegra-sync.db")
    expect(local.alegra).not.toHaveProperty("token")
    expect(local.alegra).not.toHaveProperty("email")
    // Everything else is still validated.
    const invalid = Effect.runSync(Effect.either(resolveLocalConfig(
      { ...minimal, store: { path: "" }, worker: { concurrency: 99 } },
      { file: "/etc/alegra-sync/sync.config.ts" }
    )))
    expect(Either.isLeft(invalid) && invalid.left.problems).toEqual([
      expect.stringMatching(/^store\.path: /),
      expect.stringMatching(/^worker\.concurrency: /)
    ])
  })

  it("checks the stripe section when it is enabled, and resolves its secrets and the conflict owners", () => {
    const alegra = { email: "a@b.co", token: { env: "T" } }
    const missing = resolve({ alegra, stripe: { enabled: true } }, { T: "t" })
    expect(Either.isLeft(missing) && missing.left.problems).toEqual([
      `stripe.apiKey: expected secret("STRIPE_API_KEY") when stripe is enabled, found none`,
      `stripe.webhookSecret: expected secret("STRIPE_WEBHOOK_SECRET") when stripe is enabled, found none`,
      "stripe.bankAccount: expected the id of the Alegra bank account Stripe money goes into (payments flow), found none"
    ])
    const pasted = resolve({ alegra, stripe: { enabled: true, apiKey: "sk_live_pasted_1234", webhookSecret: { env: "W" }, bankAccount: "1" } }, { T: "t", W: "w" })
    expect(Either.isLeft(pasted) && pasted.left.message).toMatch(/stripe\.apiKey: expected secret/)
    expect(Either.isLeft(pasted) && pasted.left.message).not.toContain("sk_live_pasted_1234")
    const unknownField = resolve({ alegra, sync: { conflicts: { contact: { emial: "alegra" } } } }, { T: "t" })
    expect(Either.isLeft(unknownField) && unknownField.left.problems).toEqual([
      `sync.conflicts.contact.emial: expected one of name, email, phone, identification, address, found "emial"`
    ])
    const ok = Either.getOrThrow(resolve({
      alegra,
      stripe: { enabled: true, apiKey: { env: "K" }, webhookSecret: { env: "W" }, bankAccount: "3", taxRates: { txr_1: "2" } },
      sync: { conflicts: { contact: { email: "alegra" }, item: "alegra" } }
    }, { T: "t", K: "sk_test_1", W: "whsec_1" }))
    expect(ok.stripe).toMatchObject({ enabled: true, baseUrl: "https://api.stripe.com", requestsPerSecond: 25, bankAccount: "3", taxRates: { txr_1: "2" } })
    expect(ok.stripe.enabled && Redacted.value(ok.stripe.apiKey)).toBe("sk_test_1")
    expect(String(ok.stripe.enabled && ok.stripe.apiKey)).not.toContain("sk_test_1")
    expect(ok.sync.conflicts.contact).toEqual({ name: "system", email: "alegra", phone: "system", identification: "alegra", address: "alegra" })
    expect(Object.values(ok.sync.conflicts.item).every((owner) => owner === "alegra")).toBe(true)
  })

  it("names a missing environment variable", () => {
    const result = resolve(minimal, {})
    expect(Either.isLeft(result) && result.left.problems).toEqual([
      "alegra.token: expected environment variable ALEGRA_TOKEN to be set, found it unset or empty"
    ])
  })

  it("loads the example sync.config.ts at the root through tsx", async () => {
    const config = await Effect.runPromise(
      loadConfigFile(path.join(repoRoot, "sync.config.ts"), { ALEGRA_EMAIL: "ops@empresa.co", ALEGRA_TOKEN: "t" })
    )
    expect(config.alegra.email).toBe("ops@empresa.co")
    expect(config.store.path).toBe(path.join(repoRoot, "data/alegra-sync.db"))
  })

  it("loads .mjs, .js and .json configs without TypeScript", async () => {
    const dir = tempDir("config-js")
    const body = { ...minimal, store: { path: "./here.db" } }
    writeFileSync(path.join(dir, "a.mjs"), `export default ${JSON.stringify(body)}\n`)
    writeFileSync(path.join(dir, "package.json"), `{"type":"module"}\n`)
    writeFileSync(path.join(dir, "b.js"), `export default ${JSON.stringify(body)}\n`)
    writeFileSync(path.join(dir, "c.json"), JSON.stringify(body))
    for (const name of ["a.mjs", "b.js", "c.json"]) {
      const config = await Effect.runPromise(loadConfigFile(path.join(dir, name), { ALEGRA_TOKEN: "t" }))
      expect(config.store.path, name).toBe(path.join(dir, "here.db"))
      const local = await Effect.runPromise(loadLocalConfig(path.join(dir, name)))
      expect(local.store.path, name).toBe(path.join(dir, "here.db"))
    }
  })

  it("loads a typed .ts config, and a .mts one with top-level await", async () => {
    const dir = tempDir("config-ts")
    const ts = path.join(dir, "sync.config.ts")
    writeFileSync(ts, `const config: { alegra: object } = ${JSON.stringify(minimal)}\nexport default config\n`)
    const mts = path.join(dir, "sync.config.mts")
    writeFileSync(mts, `const email: string = await Promise.resolve("late@b.co")\nexport default { alegra: { email, token: { env: "ALEGRA_TOKEN" } } }\n`)
    const load = (file: string) => Effect.runPromise(loadConfigFile(file, { ALEGRA_TOKEN: "t" }))
    // tsx turns Node's source maps on; they must not stay on (each chunk loaded later would keep its map).
    const setSourceMaps = (process as { setSourceMapsEnabled?: (on: boolean) => void }).setSourceMapsEnabled!
    const before = process.sourceMapsEnabled
    try {
      setSourceMaps(false)
      expect((await load(ts)).alegra.email).toBe("ops@empresa.co")
      expect(process.sourceMapsEnabled).toBe(false)
      expect((await load(mts)).alegra.email).toBe("late@b.co")
      expect(process.sourceMapsEnabled).toBe(false)
    } finally {
      setSourceMaps(before)
    }
  })

  it("says what is wrong with a file that cannot be used", async () => {
    const dir = tempDir("config")
    const noDefault = path.join(dir, "no-default.config.ts")
    writeFileSync(noDefault, "export const config = {}\n")
    const broken = path.join(dir, "broken.config.ts")
    writeFileSync(broken, "export default {\n")
    const problems = async (file: string) =>
      (await Effect.runPromise(Effect.flip(loadConfigFile(file, {})))).problems.join("\n")
    expect(await problems(noDefault)).toMatch(/expected a default export/)
    expect(await problems(broken)).toMatch(/cannot load the file/)
    expect(await problems(path.join(dir, "missing.ts"))).toMatch(/file not found/)
    const yaml = path.join(dir, "sync.config.yaml")
    writeFileSync(yaml, "alegra: {}\n")
    expect(await problems(yaml)).toMatch(/expected a \.ts, \.mts, \.js, \.mjs or \.json file, found \.yaml/)
    // A JSON syntax error names no content of the file (it may hold a pasted secret).
    const json = path.join(dir, "sync.config.json")
    writeFileSync(json, `{ "alegra": { "token": sk_live_pasted } }`)
    const jsonProblems = await problems(json)
    expect(jsonProblems).toMatch(/cannot load the file: not valid JSON/)
    expect(jsonProblems).not.toContain("sk_live")
  })
})
