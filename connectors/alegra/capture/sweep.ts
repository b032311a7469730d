/**
 * The sweep: every record Alegra lists (of every kind, or of the kinds an unreadable webhook
 * delivery may concern) compared with what the store holds, to catch the webhooks that never
 * came, deletes included. It reads in the background lane of the rate budget, so live work
 * keeps most of it.
 *
 * A full sweep runs when the last full read of the account — a backfill (`lastFullRead`) or a
 * full sweep (its own cursor) — is older than `polling.sweepMinutes`: at start-up too, so a
 * daemon that was down (or restarts more often than the interval) catches up, since Alegra never
 * sends a webhook again. It also re-registers the webhooks Alegra dropped. Between full sweeps,
 * requested kinds are swept alone (a targeted sweep).
 */
import { Effect, Option } from "effect"
import type { Kind } from "../../../schema/index.js"
import { kinds } from "../../../schema/index.js"
import { takeUnseen } from "../../../src/ports/alegra.js"
import type { Change, ConnectorError, OwnedSubscriptions, PollContext, Poller } from "../../../src/ports/connector.js"
import type { AlegraApi, Page } from "../api.js"
import { changedRecords, missingRecords } from "./changes.js"

export interface SweepCursor {
  readonly startedAt: number
  readonly finishedAt: number
  readonly read: number
  readonly offered: number
}

/** Reads `only` kinds against what the store holds. */
const sweepKinds = (api: AlegraApi, context: PollContext, only: ReadonlyArray<Kind>) =>
  Effect.gen(function*() {
    const runId = Date.now()
    const changes: Array<Change> = []
    let read = 0
    for (const kind of only) {
      const known = yield* context.known(kind)
      const seen = new Set<string>()
      let start: number | null = 0
      while (start !== null) {
        const page: Page = yield* api.listPage(kind, { start, background: true })
        const fresh = takeUnseen(seen, page.records)
        read += fresh.length
        changes.push(...changedRecords(fresh, known, context.hash, page.readAt))
        start = page.next
      }
      changes.push(...missingRecords(kind, [...known.keys()].filter((id) => !seen.has(id)), runId))
    }
    return { changes, read, startedAt: runId }
  })

export const sweepPoller = (
  api: AlegraApi,
  options: {
    readonly sweepMinutes: number
    /** Keeps the webhook subscriptions registered (a full sweep does it); undefined when webhooks are off. */
    readonly reconcile: ((owned: OwnedSubscriptions) => Effect.Effect<unknown, ConnectorError>) | undefined
  }
): Poller => {
  const intervalMs = options.sweepMinutes * 60_000
  return {
    name: "sweep",
    // Looked at often (costing no request until due), so that a sweep starts close to its time.
    everyMs: Math.min(60_000, Math.max(1_000, Math.round(intervalMs / 10))),
    servesRequests: true,
    poll: Effect.fn("Alegra.sweep")(function*(context: PollContext) {
      const cursor = context.cursor as Option.Option<Partial<SweepCursor>>
      const lastFull = Math.max(context.lastFullRead ?? 0, Option.isSome(cursor) ? cursor.value.finishedAt ?? 0 : 0)
      const requested = context.requested.filter((kind) => kinds.includes(kind))
      const full = Date.now() >= lastFull + intervalMs
      if (!full && requested.length === 0) return { changes: [] }
      const only = full ? kinds : requested
      const { changes, read, startedAt } = yield* sweepKinds(api, context, only)
      if (full && options.reconcile !== undefined) yield* options.reconcile(context.subscriptions)
      yield* Effect.logInfo(full ? "sweep done" : "targeted sweep done").pipe(
        Effect.annotateLogs({ kinds: only.join(","), read, differences: changes.length })
      )
      return {
        changes,
        served: requested,
        ...(full ? { cursor: { startedAt, finishedAt: Date.now(), read, offered: changes.length } satisfies SweepCursor } : {})
      }
    })
  }
}
