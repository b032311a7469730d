/**
 * The events poller: catches up from Stripe's events list whatever webhooks missed (the daemon
 * down, a delivery dropped or failed), starting after the last event it recorded.
 *
 * Stripe lists events newest first. `ending_before=<cursor>` answers the page just newer than the
 * cursor, so paging with the newest event of each page walks forward in time from the cursor
 * without missing or repeating one, even while new events arrive. The cursor is the newest event
 * read, with its time. On its very first run the poller records where "now" is and returns
 * nothing: history is the backfill's. Stripe keeps events 30 days: a cursor event gone from the
 * list (a daemon down longer than that) is resumed by time, and what is older is lost (logged;
 * a full read of Stripe recovers it).
 */
import { Clock, Effect, Option, Schema } from "effect"
import type Stripe from "stripe"
import type { Change, Poller, PollResult } from "../../src/ports/connector.js"
import type { StripeClient } from "./client.js"
import { changesOf } from "./events.js"
import { after as startingAfter, listAll, PAGE_LIMIT } from "./paging.js"

const Cursor = Schema.Struct({
  /** The newest event read; null when there was none yet. */
  id: Schema.NullOr(Schema.String),
  /** Its `created` (unix seconds), or when the poller started when there was none. */
  created: Schema.Number
})
type Cursor = typeof Cursor.Type

/** Pages read in one poll (100 events each); the next poll goes on from there. */
export const MAX_PAGES_PER_POLL = 50

const RETENTION_SECONDS = 30 * 24 * 3600

const decodeCursor = Schema.decodeUnknownOption(Cursor)

/** The changes of events in the order they happened, each event once. */
const changesOfEvents = (events: ReadonlyArray<Stripe.Event>): ReadonlyArray<Change> => {
  const seen = new Set<string>()
  return events.flatMap((event) => {
    if (seen.has(event.id)) return []
    seen.add(event.id)
    return changesOf(event)
  })
}

export const makeEventsPoller = (client: StripeClient, everyMs: number): Poller => {
  const list = (params: Stripe.EventListParams, path: string) =>
    Effect.map(client.request({ method: "GET", path, send: (s) => s.events.list({ limit: PAGE_LIMIT, ...params }) }), (sent) => sent.value)

  /** Where "now" is: the newest event, or the time when there is none. */
  const start = Effect.gen(function*() {
    const newest = (yield* list({ limit: 1 }, "/v1/events?limit=1")).data[0]
    const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    return { changes: [], cursor: newest === undefined ? { id: null, created: now } : { id: newest.id, created: newest.created } } satisfies PollResult
  })

  /** Events newer than the cursor event, oldest first; None when Stripe no longer has that event. */
  const after = (cursorId: string) =>
    Effect.gen(function*() {
      const read: Array<Stripe.Event> = []
      let before = cursorId
      for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
        const listed = yield* Effect.either(list({ ending_before: before }, `/v1/events?ending_before=${before}`))
        if (listed._tag === "Left") {
          if (page === 0 && listed.left.code === "resource_missing") return Option.none()
          return yield* Effect.fail(listed.left)
        }
        read.push(...[...listed.right.data].reverse())
        if (!listed.right.has_more || listed.right.data.length === 0) break
        before = listed.right.data[0]!.id
      }
      return Option.some(read)
    })

  /**
   * Every event Stripe still has from `created` on (seconds), oldest first. Unbounded: newest-first
   * paging by time reaches the oldest last. It runs only when there was no event at the first run
   * or the cursor event expired.
   */
  const since = (created: number) =>
    Effect.map(
      listAll(client, `/v1/events?created[gte]=${created}`, (a) => (s) => s.events.list({ created: { gte: created }, limit: PAGE_LIMIT, ...startingAfter(a) })),
      (events) => events.reverse()
    )

  const resume = (events: ReadonlyArray<Stripe.Event>, cursor: Cursor): PollResult => {
    const newest = events[events.length - 1]
    return { changes: changesOfEvents(events), cursor: newest === undefined ? cursor : { id: newest.id, created: newest.created } }
  }

  const poll = Effect.fn("Stripe.pollEvents")(function*(cursor: Cursor) {
    if (cursor.id !== null) {
      const newer = yield* after(cursor.id)
      if (Option.isSome(newer)) return resume(newer.value, cursor)
      const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
      yield* Effect.logWarning(
        `Stripe no longer lists event ${cursor.id} (${cursor.created < now - RETENTION_SECONDS ? "older than Stripe's 30 days: changes before then are lost until a full read" : "gone"}); resuming from its time`
      )
    }
    const events = (yield* since(cursor.created)).filter((e) => e.id !== cursor.id)
    return resume(events, cursor)
  })

  return {
    name: "stripe events",
    everyMs,
    servesRequests: false,
    poll: (context) =>
      Option.match(context.cursor, {
        onNone: () => start,
        onSome: (raw) =>
          Option.match(decodeCursor(raw), {
            onNone: () => Effect.zipRight(Effect.logWarning("the Stripe events cursor cannot be read: starting from now"), start),
            onSome: poll
          })
      })
  }
}
