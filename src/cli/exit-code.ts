/** Exit codes; the README's table documents each. Imports nothing: cli.ts uses it before the program loads. */
export const ExitCode = {
  ok: 0,
  /** The command could not do its work: Alegra, the store, the port, a bug. */
  failed: 1,
  /** Nothing was attempted: bad arguments, an invalid config, another daemon on the store, a newer store. */
  usage: 2
} as const
