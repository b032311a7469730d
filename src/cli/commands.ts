/**
 * alegra-sync's commands and their options: what `--help` prints and what each command
 * receives. Plain data (see args.ts): reading the arguments loads nothing else.
 */
import { choice, flag, integer, type Parsed, type Program, text } from "./args.js"

const config = text("path of the config file (.ts, .mts, .js, .mjs or .json)", {
  alias: "c",
  placeholder: "<path>",
  fallback: "sync.config.ts"
})
const json = flag("print the result as JSON")

export const program = {
  name: "alegra-sync",
  description: "keeps an Alegra account in sync with HubSpot and Stripe; see README.md",
  commands: {
    run: {
      description: "run the daemon: webhooks, polling, sweep and the HTTP server",
      options: { config }
    },
    backfill: {
      description: "read every Alegra record into the store once (resumable); or import another system's history",
      options: {
        config,
        json,
        restart: flag("ignore the checkpoint and read everything again"),
        system: choice("stripe: import Stripe's documents (with --since) into Alegra through the daemon", ["alegra", "stripe"], "alegra"),
        since: text("with --system stripe, the first day imported", { placeholder: "<YYYY-MM-DD>" })
      }
    },
    status: {
      description: "show links, mirror, inbox depth, dead letters and cursors (needs no Alegra secrets)",
      options: { config, json }
    },
    "dead-letters": {
      description: "list the changes that failed for good, with the reason; replay them once the cause is fixed",
      options: {
        config,
        json,
        replay: integer("offer this dead letter again (its #id)", { min: 1 }),
        "replay-all": flag("offer every dead letter again")
      }
    },
    demo: {
      description: "run the whole daemon against the Alegra and Stripe simulators with sample data",
      options: {
        size: choice("how much sample data", ["small", "large"], "small"),
        port: integer("the daemon's port (0: any free one)", { fallback: 0 }),
        store: text("the demo's store file", { placeholder: "<path>", fallback: "./data/demo.db" }),
        duration: integer("stop after this many seconds", { min: 1 }),
        rpm: integer("requests per minute to the Alegra simulator", { fallback: 150, min: 1 })
      }
    }
  }
} satisfies Program<any>

export type Commands = typeof program.commands

/** A command to run, with its options read. */
export type CommandLine = Extract<Parsed<Commands>, { readonly _tag: "Command" }>
