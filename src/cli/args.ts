/**
 * Command-line arguments: a table of commands and their options, read with Node's own
 * `util.parseArgs`, and the help printed from the same table.
 *
 * Why not @effect/cli: it imports effect's Schema, Stream and printer modules, and the
 * bundle then loads every part of those modules that any command uses, so `--help` or a
 * mistyped option cost a quarter of a second. This module imports nothing but
 * node:util: arguments are read, and help or a usage error printed, before any of the
 * program loads (test/e2e/cli-startup.test.ts; `npm run bench`, start-up).
 */
import { parseArgs } from "node:util"

/** One option: how it is written, described and read from its text. */
export interface OptionSpec<A> {
  readonly type: "string" | "boolean"
  readonly description: string
  /** One letter: `-c` for `--config`. */
  readonly alias?: string
  /** What the value looks like in the help: `<path>`, `<alegra|stripe>`. */
  readonly placeholder?: string
  /** Shown in the help; the value when the option is not given. */
  readonly fallback?: A
  /** The value from the text given (strings only); a string problem when it is not valid. */
  readonly read: (raw: string) => A | { readonly problem: string }
}

const problem = (text: string) => ({ problem: text })

/** A text: `--config path`, `-c path`, `--config=path`. */
export function text(description: string, options: { alias?: string; placeholder?: string; fallback: string }): OptionSpec<string>
export function text(description: string, options?: { alias?: string; placeholder?: string }): OptionSpec<string | undefined>
export function text(
  description: string,
  options: { alias?: string; placeholder?: string; fallback?: string } = {}
): OptionSpec<string | undefined> {
  return { type: "string", description, placeholder: options.placeholder ?? "<text>", ...options, read: (raw) => raw }
}

/** A flag: present or not; it takes no value. */
export const flag = (description: string): OptionSpec<boolean> => ({
  type: "boolean",
  description,
  fallback: false,
  read: () => true
})

/** A whole number, at least `min` (0 unless given). */
export function integer(description: string, options: { fallback: number; min?: number }): OptionSpec<number>
export function integer(description: string, options?: { min?: number }): OptionSpec<number | undefined>
export function integer(description: string, options: { fallback?: number; min?: number } = {}): OptionSpec<number | undefined> {
  const min = options.min ?? 0
  return {
    type: "string",
    description,
    placeholder: "<n>",
    ...(options.fallback === undefined ? {} : { fallback: options.fallback }),
    read: (raw) => {
      const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN
      if (!Number.isSafeInteger(value)) return problem(`expects a whole number, got "${raw}"`)
      if (value < min) return problem(`expects a number of at least ${min}, got ${value}`)
      return value
    }
  }
}

/** One of a few words. */
export const choice = <const C extends string>(description: string, choices: ReadonlyArray<C>, fallback: C): OptionSpec<C> => ({
  type: "string",
  description,
  placeholder: `<${choices.join("|")}>`,
  fallback,
  read: (raw) => (choices as ReadonlyArray<string>).includes(raw) ? (raw as C) : problem(`expects one of ${choices.join(", ")}, got "${raw}"`)
})

export type Options = Readonly<Record<string, OptionSpec<any>>>

export interface CommandSpec<O extends Options = Options> {
  readonly description: string
  readonly options: O
}

/** The values a command's options take once read. */
export type Values<O extends Options> = { readonly [K in keyof O]: O[K] extends OptionSpec<infer A> ? A : never }

/** What the arguments ask for. */
export type Parsed<T extends Readonly<Record<string, CommandSpec>>> =
  | { readonly _tag: "Help"; readonly text: string }
  | { readonly _tag: "Version" }
  /** Arguments that ask for nothing this program does: a line saying why (exit 2, nothing done). */
  | { readonly _tag: "Usage"; readonly message: string }
  | { readonly [K in keyof T & string]: { readonly _tag: "Command"; readonly command: K; readonly options: Values<T[K]["options"]> } }[keyof T & string]

export interface Program<T extends Readonly<Record<string, CommandSpec>>> {
  readonly name: string
  readonly description: string
  readonly commands: T
}

/** `--json` or `--config <path>`, with the alias in front. */
const signature = (name: string, spec: OptionSpec<unknown>) =>
  `${spec.alias === undefined ? "    " : `-${spec.alias}, `}--${name}${spec.type === "string" ? ` ${spec.placeholder ?? "<text>"}` : ""}`

const columns = (rows: ReadonlyArray<readonly [string, string]>) => {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`)
}

export const programHelp = <T extends Readonly<Record<string, CommandSpec>>>(program: Program<T>, version: string): string =>
  [
    `${program.name} ${version}: ${program.description}`,
    "",
    `Usage: ${program.name} <command> [options]`,
    "",
    "Commands:",
    ...columns(Object.entries(program.commands).map(([name, spec]) => [name, spec.description] as const)),
    "",
    `\`${program.name} <command> --help\` lists a command's options. Also: --help, --version.`,
    ""
  ].join("\n")

export const commandHelp = <T extends Readonly<Record<string, CommandSpec>>>(program: Program<T>, command: keyof T & string): string => {
  const spec = program.commands[command]!
  const rows = Object.entries(spec.options).map(([name, option]) => {
    const fallback = option.fallback === undefined || option.type === "boolean" ? "" : ` (default: ${String(option.fallback)})`
    return [signature(name, option), `${option.description}${fallback}`] as const
  })
  return [
    `Usage: ${program.name} ${command} [options]`,
    "",
    spec.description,
    "",
    "Options:",
    ...columns([...rows, ["-h, --help", "this help"]]),
    ""
  ].join("\n")
}

/** Reads `args` (the arguments after the program's name) against the program's commands. */
export const parseCommandLine = <T extends Readonly<Record<string, CommandSpec>>>(
  program: Program<T>,
  version: string,
  args: ReadonlyArray<string>
): Parsed<T> => {
  const names = Object.keys(program.commands)
  const [first, ...rest] = args
  if (first === undefined || first === "--help" || first === "-h" || first === "help") return { _tag: "Help", text: programHelp(program, version) }
  if (first === "--version" || first === "-V") return { _tag: "Version" }
  if (!Object.hasOwn(program.commands, first)) {
    const what = first.startsWith("-") ? `unknown option ${first}` : `unknown command "${first}"`
    return { _tag: "Usage", message: `${what} — the commands are ${names.join(", ")}; see ${program.name} --help` }
  }
  const command = first as keyof T & string
  const spec = program.commands[command]!
  const seeHelp = `see ${program.name} ${command} --help`
  const usage = (message: string): Parsed<T> => ({ _tag: "Usage", message: `${command}: ${message} — ${seeHelp}` })

  // Not strict: every token comes back, so that each mistake gets its own message here.
  const { tokens } = parseArgs({
    args: [...rest],
    options: {
      ...Object.fromEntries(Object.entries(spec.options).map(([name, option]) => [
        name,
        option.alias === undefined ? { type: option.type } : { type: option.type, short: option.alias }
      ])),
      help: { type: "boolean", short: "h" }
    },
    strict: false,
    allowPositionals: true,
    tokens: true
  })
  const given = new Map<string, string | true>()
  for (const token of tokens) {
    if (token.kind === "positional") return usage(`unexpected argument "${token.value}"`)
    if (token.kind === "option-terminator") continue
    if (token.name === "help") return { _tag: "Help", text: commandHelp(program, command) }
    const option = Object.hasOwn(spec.options, token.name) ? spec.options[token.name] : undefined
    if (option === undefined) return usage(`unknown option ${token.rawName}`)
    if (option.type === "boolean") {
      if (token.inlineValue === true) return usage(`--${token.name} takes no value`)
      given.set(token.name, true)
    } else {
      if (token.value === undefined) return usage(`--${token.name} needs a value`)
      // `--config --json`: the next option is not the value (a value starting with "-" goes inline: --config=-x).
      if (token.inlineValue === false && token.value.startsWith("-")) return usage(`--${token.name} needs a value, got the option ${token.value}`)
      given.set(token.name, token.value)
    }
  }
  const values: Record<string, unknown> = {}
  for (const [name, option] of Object.entries(spec.options)) {
    const raw = given.get(name)
    if (raw === undefined) {
      values[name] = option.fallback
      continue
    }
    const value = option.read(raw === true ? "" : raw)
    if (typeof value === "object" && value !== null && "problem" in value) return usage(`--${name} ${value.problem}`)
    values[name] = value
  }
  return { _tag: "Command", command, options: values } as Parsed<T>
}
