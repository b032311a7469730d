import { Effect } from "effect"
import type { OwnedSubscriptions } from "../../../src/ports/connector.js"
import type { AlegraApi } from "../api.js"

/** Alegra may return subscription URLs without a scheme: compare them without one. */
export const normaliseUrl = (url: string): string => url.trim().replace(/^https?:\/\//i, "").replace(/\/+$/, "").toLowerCase()

export interface SubscriptionReport {
  readonly created: ReadonlyArray<string>
  readonly removed: ReadonlyArray<string>
  readonly kept: number
}

/**
 * Makes Alegra's subscriptions match the events it offers, pointing at this install
 * (`desiredUrl`): creates the missing ones, never a second copy, and removes stale ones of
 * this install (an old token or address, an event no longer wanted, a duplicate).
 *
 * Ours are the subscriptions this install recorded (`owned`), and those whose URL is exactly
 * ours (it carries our secret token: created by us before a crash could record it). Anything
 * else — another install on the same host, another tool — is never touched, even when its
 * URL looks like ours.
 */
export const reconcileSubscriptions = Effect.fn("Alegra.reconcileSubscriptions")(function*(
  api: AlegraApi,
  owned: OwnedSubscriptions,
  desiredUrl: string
) {
  const desired = normaliseUrl(desiredUrl)
  const existing = yield* api.subscriptions.list
  const recorded = new Set((yield* owned.list).map((s) => s.id))
  const ours = existing.filter((s) => recorded.has(s.id) || normaliseUrl(s.url) === desired)

  const kept = new Map<string, string>()
  const stale: Array<string> = []
  for (const s of ours) {
    const wanted = normaliseUrl(s.url) === desired && api.webhookEvents.includes(s.event) && !kept.has(s.event)
    if (wanted) kept.set(s.event, s.id)
    else stale.push(s.id)
  }
  for (const id of stale) {
    yield* api.subscriptions.remove(id)
    yield* owned.remove(id)
  }
  const created: Array<string> = []
  for (const event of api.webhookEvents) {
    if (kept.has(event)) continue
    const subscription = yield* api.subscriptions.create(event, desiredUrl)
    yield* owned.record(subscription.id, event, desiredUrl)
    created.push(event)
  }
  // Forget subscriptions we recorded that Alegra no longer has (it deletes one after 10 failed deliveries).
  const live = new Set(existing.map((s) => s.id))
  for (const id of recorded) if (!live.has(id) && !stale.includes(id)) yield* owned.remove(id)
  for (const [event, id] of kept) yield* owned.record(id, event, desiredUrl)

  const report: SubscriptionReport = { created, removed: stale, kept: kept.size }
  if (created.length > 0 || stale.length > 0) {
    yield* Effect.logInfo("alegra webhooks reconciled").pipe(
      Effect.annotateLogs({ created: created.length, removed: stale.length, kept: kept.size })
    )
  }
  return report
})
