import { Schema } from "effect"

/** The kinds of record the canonical model knows, named as the store and the CLI name them. */
export const Kind = Schema.Literal(
  "category",
  "bank-account",
  "contact",
  "item",
  "invoice",
  "bill",
  "payment",
  "credit-note",
  "estimate"
)
export type Kind = typeof Kind.Type

/** Prerequisites first: a kind only references kinds listed before it. */
export const kinds: ReadonlyArray<Kind> = Kind.literals

/** Systems that hold records. Alegra is the hub every link points to. */
export const System = Schema.Literal("alegra", "hubspot", "stripe")
export type System = typeof System.Type
