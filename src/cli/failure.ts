/**
 * How a failed command ends: one line `alegra-sync: <problem> — <fix>` on stderr and
 * an exit code. Expected failures never print a stack trace; a defect prints one
 * line too, and its details only when LOG_LEVEL asks for them.
 *
 * Errors are recognised by their `_tag`, not by class, so that rendering a failure
 * loads none of the modules that define them (the CLI starts with almost nothing).
 */
import { Cause, Data, Option, Predicate } from "effect"
import type { ConfigError } from "../config/load.js"
import type { ConnectorError, ConnectorFailure } from "../ports/connector.js"
import type { StoreError } from "../store/errors.js"
import { ExitCode } from "./exit-code.js"

export interface Rendered {
  readonly code: number
  /** What to print on stderr. */
  readonly lines: ReadonlyArray<string>
}

const prefix = "alegra-sync: "
const debugHint = "run again with LOG_LEVEL=debug for details"

/** Newlines and runs of spaces folded, so that a message stays one line. */
export const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").replace(/\s{2,}/g, " ").trim()

const alegraFix: Record<ConnectorFailure, string> = {
  auth: "check alegra.email and alegra.token (Alegra: Configuración → Integraciones → API)",
  "rate-limit": "another program may be using this account's request budget; try again in a minute, or lower alegra.requestsPerMinute",
  transport: "check alegra.baseUrl and the network",
  server: "Alegra is failing; try again later",
  validation: `Alegra refused the request; ${debugHint}`,
  conflict: `Alegra's rules refuse the change (a stamped document is never changed); ${debugHint}`,
  decode: `Alegra answered something this version cannot read; ${debugHint} and report it`
}

/** The other systems: their own settings are named in their config section. */
const systemFix = (system: string): Record<ConnectorFailure, string> => ({
  auth: `check the credentials in the ${system} section of the config`,
  "rate-limit": `${system} keeps limiting the requests; try again in a minute`,
  transport: `check the ${system} section's address and the network`,
  server: `${system} is failing; try again later`,
  validation: `${system} refused the request; ${debugHint}`,
  conflict: `${system}'s rules refuse the change; ${debugHint}`,
  decode: `${system} answered something this version cannot read; ${debugHint} and report it`
})

const systemNames: Readonly<Record<string, string>> = { alegra: "Alegra", stripe: "Stripe", hubspot: "HubSpot" }

const renderConnector = (error: ConnectorError): string => {
  const status = error.status === null ? "" : ` ${error.status}`
  const name = systemNames[error.system] ?? error.system
  const fix = error.system === "alegra" ? alegraFix[error.reason] : systemFix(name)[error.reason]
  return `${name} ${error.method} ${error.path} failed: ${error.reason}${status} ${oneLine(error.message)} — ${fix}`
}

const renderConfig = (error: ConfigError): ReadonlyArray<string> =>
  error.problems.length === 1
    ? [`invalid config ${error.file} — ${error.problems[0]}`]
    : [`invalid config ${error.file} — fix each field below:`, ...error.problems.map((p) => `  - ${p}`)]

/** Node's error when a server cannot listen (it carries the port and the address). */
const listenError = (error: unknown): { code: string; port: number | undefined } | undefined => {
  const cause = Predicate.isTagged(error, "ServeError") ? (error as { cause?: unknown }).cause : undefined
  if (!Predicate.hasProperty(cause, "code") || typeof cause.code !== "string") return undefined
  const port = Predicate.hasProperty(cause, "port") && typeof cause.port === "number" ? cause.port : undefined
  return { code: cause.code, port }
}

const renderListen = (listen: { code: string; port: number | undefined }): string => {
  const port = listen.port === undefined ? "the HTTP port" : `port ${listen.port}`
  switch (listen.code) {
    case "EADDRINUSE":
      return `${port} is already in use — stop the program listening on it, or set another server.port in the config`
    case "EACCES":
      return `not allowed to listen on ${port} — use a port above 1023 in server.port`
    default:
      return `cannot listen on ${port} (${listen.code}) — check server.port in the config`
  }
}

const messageOf = (error: unknown): string =>
  oneLine(
    Predicate.hasProperty(error, "message") && typeof error.message === "string" && error.message !== ""
      ? error.message
      : String(error)
  )

/** A command's arguments ask for something that is not there, or not set up: exit 2, nothing done. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** One expected failure, by its tag. */
const renderError = (error: unknown): { code: number; lines: ReadonlyArray<string> } => {
  if (Predicate.isTagged(error, "ConfigError")) return { code: ExitCode.usage, lines: renderConfig(error as ConfigError) }
  if (Predicate.isTagged(error, "ConnectorError")) return { code: ExitCode.failed, lines: [renderConnector(error as ConnectorError)] }
  // An argument naming something that is not there: refused, nothing done.
  if (Predicate.isTagged(error, "UsageError")) return { code: ExitCode.usage, lines: [messageOf(error)] }
  if (Predicate.isTagged(error, "StoreError")) {
    const store = error as StoreError
    const refused = store.reason === "newer-version" || store.reason === "in-use"
    return { code: refused ? ExitCode.usage : ExitCode.failed, lines: [oneLine(store.message)] }
  }
  const listen = listenError(error)
  if (listen !== undefined) return { code: ExitCode.failed, lines: [renderListen(listen)] }
  return { code: ExitCode.failed, lines: [`${messageOf(error)} — ${debugHint}`] }
}

/**
 * The exit code and the lines for a command that failed. `verbose` (LOG_LEVEL=debug
 * or lower) adds the full cause after the line.
 */
export const renderFailure = (cause: Cause.Cause<unknown>, verbose: boolean): Rendered => {
  const failure = Cause.failureOption(cause)
  const rendered = Option.isSome(failure)
    ? renderError(failure.value)
    : Option.match(Cause.dieOption(cause), {
      onNone: () => ({ code: ExitCode.failed, lines: [`failed — ${debugHint}`] }),
      onSome: (defect) => ({
        code: ExitCode.failed,
        lines: [`unexpected error: ${messageOf(defect)} — this is a bug: ${debugHint} and report it`]
      })
    })
  const lines = rendered.lines.map((line, i) => (i === 0 ? `${prefix}${line}` : line))
  return { code: rendered.code, lines: verbose ? [...lines, Cause.pretty(cause)] : lines }
}
