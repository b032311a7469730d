/**
 * The few Alegra answers still read with Effect Schemas: webhook subscriptions (rare,
 * and their errors rendered by `formatParseError`). Records are read by hand in
 * mapping.ts, the hot path of a backfill.
 */
import { ParseResult, Schema } from "effect"

/** Optional and nullable: the key may be missing or hold null. */
export const Nullish = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

/** An id as a string or a number, normalised to a non-empty string. */
export const WireId = Schema.transformOrFail(Schema.Union(Schema.String, Schema.Number), Schema.String, {
  strict: true,
  decode: (input, _, ast) => {
    const text = typeof input === "number" ? (Number.isFinite(input) ? String(input) : "") : input.trim()
    return text === ""
      ? ParseResult.fail(new ParseResult.Type(ast, input, `expected a non-empty id, got ${JSON.stringify(input)}`))
      : ParseResult.succeed(text)
  },
  encode: ParseResult.succeed
})

export const WireSubscription = Schema.Struct({
  id: WireId,
  event: Nullish(Schema.String),
  url: Nullish(Schema.String),
  status: Nullish(Schema.String)
})
export type WireSubscription = typeof WireSubscription.Type

/** GET /webhooks/subscriptions: `{subscriptions: […]}` (a bare array or `{data}` accepted too). */
export const WireSubscriptionList = Schema.Union(
  Schema.Struct({ subscriptions: Schema.Array(WireSubscription) }),
  Schema.Struct({ data: Schema.Array(WireSubscription) }),
  Schema.Array(WireSubscription)
)

/** POST /webhooks/subscriptions: `{subscription: {id, …}}` or the subscription itself. */
export const WireSubscriptionCreated = Schema.Union(
  Schema.Struct({ subscription: WireSubscription }),
  WireSubscription
)

/** One line per problem: "items.0.price: expected a number or a numeric string, got \"abc\"". */
export const formatParseError = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message.length > 160 ? `${issue.message.slice(0, 157)}...` : issue.message
  }))
  // A nullable field that is wrong also reports "Expected null" and "Expected undefined" for the
  // other members of its union: noise when a more precise issue exists for it or below it.
  const isNullishMember = (issue: { message: string }) => /^Expected (null|undefined), actual/.test(issue.message)
  const noise = (issue: { path: string; message: string }) =>
    isNullishMember(issue) &&
    issues.some((other) =>
      !isNullishMember(other) && (other.path === issue.path || other.path.startsWith(`${issue.path}.`))
    )
  const kept = issues.filter((issue) => !noise(issue))
  return kept.map((issue) => `${issue.path === "" ? "(root)" : issue.path}: ${issue.message}`)
    .filter((line, index, all) => all.indexOf(line) === index)
    .join("; ")
}
