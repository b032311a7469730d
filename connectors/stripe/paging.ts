/** Stripe's list paging: newest first, 100 at most a page, `starting_after` the last id read. */
import { Effect } from "effect"
import type Stripe from "stripe"
import type { ConnectorError } from "../../src/ports/connector.js"
import type { StripeClient } from "./client.js"

/** Stripe's largest page. */
export const PAGE_LIMIT = 100

/** The `starting_after` parameter, when there is a cursor. */
export const after = (id: string | undefined): { starting_after?: string } => (id === undefined ? {} : { starting_after: id })

/**
 * Every object of a list, page after page from `startingAfter` (or the start), up to `maxPages`
 * pages. `send` makes the request for a page; `path` names it in errors.
 */
export const listAll = <T extends { readonly id: string }>(
  client: StripeClient,
  path: string,
  send: (startingAfter: string | undefined) => (stripe: Stripe) => Promise<Stripe.ApiList<T>>,
  options: { readonly startingAfter?: string; readonly maxPages?: number } = {}
): Effect.Effect<Array<T>, ConnectorError> =>
  Effect.gen(function*() {
    const all: Array<T> = []
    let cursor = options.startingAfter
    for (let page = 0; page < (options.maxPages ?? Number.POSITIVE_INFINITY); page++) {
      const { value } = yield* client.request({ method: "GET", path, send: send(cursor) })
      all.push(...value.data)
      const last = value.data[value.data.length - 1]
      if (!value.has_more || last === undefined) break
      cursor = last.id
    }
    return all
  })
