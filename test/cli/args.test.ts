/**
 * Reading the command line against alegra-sync's own command table: what each command
 * receives, the help, and one clear line for each kind of mistake.
 */
import { describe, expect, it } from "vitest"
import { parseCommandLine } from "../../src/cli/args.js"
import { program } from "../../src/cli/commands.js"

const parse = (...args: Array<string>) => parseCommandLine(program, "9.9.9", args)

describe("the command line", () => {
  it("gives each command its options, with the defaults of those not given", () => {
    expect(parse("status")).toEqual({ _tag: "Command", command: "status", options: { config: "sync.config.ts", json: false } })
    expect(parse("backfill", "-c", "/etc/a.ts", "--json", "--system=stripe", "--since", "2026-01-31")).toEqual({
      _tag: "Command",
      command: "backfill",
      options: { config: "/etc/a.ts", json: true, restart: false, system: "stripe", since: "2026-01-31" }
    })
    expect(parse("dead-letters", "--replay", "12")).toEqual({
      _tag: "Command",
      command: "dead-letters",
      options: { config: "sync.config.ts", json: false, replay: 12, "replay-all": false }
    })
    expect(parse("demo", "--size", "large", "--duration", "5")).toEqual({
      _tag: "Command",
      command: "demo",
      options: { size: "large", port: 0, store: "./data/demo.db", duration: 5, rpm: 150 }
    })
    // The last of a repeated option wins; `--` ends the options.
    expect(parse("run", "--config", "a.ts", "--config", "b.ts", "--")).toEqual({ _tag: "Command", command: "run", options: { config: "b.ts" } })
  })

  it("prints the help of the program and of each command, and the version", () => {
    for (const args of [[], ["--help"], ["-h"], ["help"]]) {
      const parsed = parse(...args)
      expect(parsed._tag, args.join(" ")).toBe("Help")
      if (parsed._tag !== "Help") continue
      expect(parsed.text).toContain("alegra-sync 9.9.9")
      for (const name of Object.keys(program.commands)) expect(parsed.text).toMatch(new RegExp(`^  ${name} +\\S`, "m"))
    }
    const backfill = parse("backfill", "--json", "--help")
    expect(backfill._tag).toBe("Help")
    if (backfill._tag === "Help") {
      expect(backfill.text).toContain("Usage: alegra-sync backfill [options]")
      expect(backfill.text).toMatch(/-c, --config <path> +path of the config file .*\(default: sync\.config\.ts\)/)
      expect(backfill.text).toMatch(/--system <alegra\|stripe> +.*\(default: alegra\)/)
      expect(backfill.text).toMatch(/^ +--json +print the result as JSON$/m)
    }
    expect(parse("--version")).toEqual({ _tag: "Version" })
  })

  it("refuses each mistake with one line that names it and where help is", () => {
    const message = (...args: Array<string>) => {
      const parsed = parse(...args)
      return parsed._tag === "Usage" ? parsed.message : `not refused: ${JSON.stringify(parsed)}`
    }
    expect(message("sync")).toBe(
      "unknown command \"sync\" — the commands are run, backfill, status, dead-letters, demo; see alegra-sync --help"
    )
    expect(message("--json")).toMatch(/^unknown option --json — the commands are/)
    expect(message("status", "--bogus")).toBe("status: unknown option --bogus — see alegra-sync status --help")
    expect(message("status", "-x")).toBe("status: unknown option -x — see alegra-sync status --help")
    // An option of another command is unknown here.
    expect(message("status", "--restart")).toBe("status: unknown option --restart — see alegra-sync status --help")
    expect(message("status", "extra")).toBe("status: unexpected argument \"extra\" — see alegra-sync status --help")
    expect(message("status", "--config")).toBe("status: --config needs a value — see alegra-sync status --help")
    expect(message("status", "--config", "--json")).toBe(
      "status: --config needs a value, got the option --json — see alegra-sync status --help"
    )
    expect(message("status", "--json=yes")).toBe("status: --json takes no value — see alegra-sync status --help")
    expect(message("backfill", "--system", "hubspot")).toBe(
      "backfill: --system expects one of alegra, stripe, got \"hubspot\" — see alegra-sync backfill --help"
    )
    expect(message("demo", "--port", "80a")).toBe("demo: --port expects a whole number, got \"80a\" — see alegra-sync demo --help")
    expect(message("demo", "--port", "1.5")).toMatch(/--port expects a whole number, got "1.5"/)
    expect(message("demo", "--rpm", "0")).toMatch(/--rpm expects a number of at least 1, got 0/)
    expect(message("dead-letters", "--replay", "-3")).toMatch(/--replay needs a value, got the option -3/)
    expect(message("dead-letters", "--replay=-3")).toMatch(/--replay expects a number of at least 1, got -3/)
  })

  it("reads a value that starts with a dash when it is written inline", () => {
    expect(parse("status", "--config=-odd.ts")).toEqual({ _tag: "Command", command: "status", options: { config: "-odd.ts", json: false } })
  })
})
