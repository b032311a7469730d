import { HttpServerError } from "@effect/platform"
import { Cause } from "effect"
import { describe, expect, it } from "vitest"
import { ExitCode } from "../../src/cli/exit-code.js"
import { renderFailure } from "../../src/cli/failure.js"
import { ConfigError } from "../../src/config/index.js"
import { ConnectorError } from "../../src/ports/connector.js"
import { StoreError } from "../../src/store/errors.js"

const render = (cause: Cause.Cause<unknown>, verbose = false) => renderFailure(cause, verbose)

describe("how a failed command ends", () => {
  it("a defect is one line with the hint to run with LOG_LEVEL=debug, and its details only then", () => {
    const defect = new TypeError("Cannot read properties of undefined (reading 'id')\n    at somewhere (file.js:1:1)")
    const quiet = render(Cause.die(defect))
    expect(quiet).toEqual({
      code: ExitCode.failed,
      lines: [
        "alegra-sync: unexpected error: Cannot read properties of undefined (reading 'id') at somewhere (file.js:1:1) — this is a bug: run again with LOG_LEVEL=debug for details and report it"
      ]
    })
    const verbose = render(Cause.die(defect), true)
    expect(verbose.lines).toHaveLength(2)
    expect(verbose.lines[1]).toMatch(/TypeError/)
  })

  it("the store's refusals exit 2, its failures 1, each with its own line", () => {
    const store = (reason: StoreError["reason"]) =>
      render(Cause.fail(new StoreError({ reason, path: "/data/a.db", message: `store ${reason} — do this` })))
    expect(store("newer-version")).toEqual({ code: 2, lines: ["alegra-sync: store newer-version — do this"] })
    expect(store("in-use")).toEqual({ code: 2, lines: ["alegra-sync: store in-use — do this"] })
    expect(store("corrupt")).toEqual({ code: 1, lines: ["alegra-sync: store corrupt — do this"] })
    expect(store("unsupported-location").code).toBe(1)
  })

  it("an Alegra failure names the call and the fix for its reason", () => {
    const error = (reason: ConnectorError["reason"], status: number | null) =>
      new ConnectorError({ system: "alegra", reason, method: "GET", path: "/contacts/12", status, code: null, message: "El recurso\nno existe" })
    expect(render(Cause.fail(error("validation", 404))).lines).toEqual([
      "alegra-sync: Alegra GET /contacts/12 failed: validation 404 El recurso no existe — Alegra refused the request; run again with LOG_LEVEL=debug for details"
    ])
    expect(render(Cause.fail(error("transport", null))).lines[0]).toMatch(/failed: transport El recurso no existe — check alegra\.baseUrl and the network$/)
    expect(render(Cause.fail(error("rate-limit", 429))).lines[0]).toMatch(/lower alegra\.requestsPerMinute$/)
  })

  it("a port that cannot be listened on names the port", () => {
    const listen = (code: string) =>
      new HttpServerError.ServeError({ cause: Object.assign(new Error(`listen ${code}`), { code, port: 80 }) })
    expect(render(Cause.fail(listen("EACCES"))).lines).toEqual([
      "alegra-sync: not allowed to listen on port 80 — use a port above 1023 in server.port"
    ])
  })

  it("a config with several problems is a headline and one line per field", () => {
    const config = render(Cause.fail(new ConfigError({ file: "/c.ts", problems: ["a: x", "b: y"] })))
    expect(config).toEqual({
      code: 2,
      lines: ["alegra-sync: invalid config /c.ts — fix each field below:", "  - a: x", "  - b: y"]
    })
  })
})
