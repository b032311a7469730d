/**
 * The command line: reads the arguments, prints help, the version or a usage error at
 * once, and otherwise loads the program (execute.ts) and runs the command. Nothing of
 * effect loads before a command runs (see the README: start-up).
 */
import { parseCommandLine } from "./args.js"
import { program } from "./commands.js"
import type { CliWiring } from "./execute.js"
import { ExitCode } from "./exit-code.js"

/**
 * Runs the command the process's arguments name and exits with its code. `wiring` is
 * loaded only when a command runs: it imports the connectors.
 */
export const runCli = (version: string, wiring: () => Promise<CliWiring>): void => {
  const parsed = parseCommandLine(program, version, process.argv.slice(2))
  switch (parsed._tag) {
    case "Help":
      process.stdout.write(parsed.text)
      return
    case "Version":
      process.stdout.write(`${version}\n`)
      return
    case "Usage":
      process.stderr.write(`${program.name}: ${parsed.message}\n`)
      process.exitCode = ExitCode.usage
      return
    case "Command":
      Promise.all([import("./execute.js"), wiring()]).then(([{ execute }, w]) => execute(parsed, w), (error: unknown) => {
        process.stderr.write(`${program.name}: the program could not be loaded (${String(error)}) — reinstall it, or run \`npm run build\`\n`)
        process.exitCode = ExitCode.failed
      })
  }
}
