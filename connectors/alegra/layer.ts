/** The `Alegra` port (the hub's `ConnectorPort`) implemented over Alegra's REST API. */
import { Effect, Layer, Option, type Scope, Stream } from "effect"
import { kinds } from "../../schema/index.js"
import type { Kind } from "../../schema/index.js"
import { Alegra } from "../../src/ports/alegra.js"
import type { AlegraPort } from "../../src/ports/alegra.js"
import type { ListPage, NaturalKey, WriteRequest } from "../../src/ports/connector.js"
import { RateBudget } from "../../src/ports/rate-budget.js"
import type { RateBudgetPort } from "../../src/ports/rate-budget.js"
import { type AlegraApi, makeAlegraApi } from "./api.js"
import { type AlegraCaptureOptions, makeCapture, noCapture } from "./capture/index.js"
import { makeAlegraHttp } from "./client.js"
import type { AlegraClientOptions } from "./client.js"
import { alegraError } from "./errors.js"
import { makeFind } from "./find.js"
import { isValidId } from "./ids.js"
import { memoryRateBudget } from "./rate-budget.js"
import { resources } from "./resources.js"
import { makeWrite } from "./write.js"

export interface AlegraOptions extends AlegraClientOptions {
  /** How changes are captured (webhooks, polling, the sweep); none for a backfill or a tool. */
  readonly capture?: AlegraCaptureOptions
}

/** The offset `list` resumes from: a page's `next`, as text. */
const offsetOf = (kind: Kind, after: string | null | undefined) =>
  after === null || after === undefined || after === ""
    ? Effect.succeed(0)
    : /^\d{1,15}$/.test(after)
    ? Effect.succeed(Number(after))
    : Effect.fail(alegraError({ method: "GET", path: resources[kind].path }, "validation", {
      message: `not a list position of Alegra's: ${JSON.stringify(after.slice(0, 40))} (a page's next offset)`
    }))

/** Builds the port on the API (exposed for tests and tools that need the API itself). */
export const makeAlegraPort = (api: AlegraApi, capture?: AlegraCaptureOptions): AlegraPort => {
  const find = makeFind(api)
  const write = makeWrite(api)
  return {
    system: "alegra",
    kinds,
    directions: {},
    isValidId,
    read: api.read,
    find: Effect.fn("Alegra.find")(function*(kind: Kind, key: NaturalKey) {
      return yield* find(kind, key)
    }),
    write: Effect.fn("Alegra.write")(function*(request: WriteRequest) {
      return yield* write(request)
    }),
    // Pages of 30 (Alegra's limit) by ascending id, `next` the offset of the following page.
    list: (kind, after) =>
      Stream.unwrap(Effect.map(offsetOf(kind, after), (first) =>
        Stream.paginateEffect(first, (start) =>
          Effect.map(api.listPage(kind, { start }), (page) => [
            { records: page.records, readAt: page.readAt, next: page.next === null ? null : String(page.next) } satisfies ListPage,
            Option.fromNullable(page.next)
          ] as const)))),
    capture: capture === undefined ? noCapture : makeCapture(api, capture),
    usage: api.usage,
    health: api.health
  }
}

/** The port with the given budget. */
export const makeAlegra = (options: AlegraOptions, budget: RateBudgetPort): Effect.Effect<AlegraPort, never, Scope.Scope> =>
  Effect.map(makeAlegraHttp(options, budget), (http) => makeAlegraPort(makeAlegraApi(http), options.capture))

/**
 * The `Alegra` port over the REST API. Uses the `RateBudget` in the context when there is
 * one (the store's, shared by every process on the account), else one of its own. Build
 * it once (a constant): every user of one instance shares its budget and its cap of
 * requests in flight.
 */
export const AlegraLive = (options: AlegraOptions): Layer.Layer<Alegra> =>
  Layer.scoped(
    Alegra,
    Effect.flatMap(Effect.serviceOption(RateBudget), (shared) =>
      makeAlegra(options, Option.getOrElse(shared, memoryRateBudget)))
  )
