import { HttpServerResponse } from "@effect/platform"
import { Effect, Metric } from "effect"
import { kinds } from "../../schema/index.js"
import { InboxWorker } from "../engine/worker.js"
import { Alegra } from "../ports/alegra.js"
import { Store } from "../store/index.js"
import { type Family, registryFamilies, renderPrometheus, type Sample } from "./prometheus.js"

/** What the store holds, read at each scrape (the store is the truth, shared with `backfill`). */
const inboxPending = Metric.gauge("alegra_sync_inbox_pending", { description: "inbox rows waiting to be applied" })
const inboxDue = Metric.gauge("alegra_sync_inbox_due", { description: "pending inbox rows whose time has come" })
const deadLetters = Metric.gauge("alegra_sync_dead_letters", { description: "changes that kept failing, kept for replay" })
const mirrorRecords = Metric.gauge("alegra_sync_mirror_records", { description: "records in the store's mirror of Alegra" })

/**
 * Counters still kept by hand in the Alegra client and the worker, until they count
 * with `Metric` themselves; a registered metric of the same name replaces each one.
 */
const handKept = Effect.gen(function*() {
  const usage = yield* (yield* Alegra).usage
  const stats = yield* (yield* InboxWorker).stats
  const counter = (name: string, help: string, samples: ReadonlyArray<Sample>): Family => ({ name, type: "counter", help, samples })
  return [
    counter("alegra_sync_alegra_requests_total", "requests sent to Alegra", [{ suffix: "", labels: [], value: usage.requests }]),
    counter("alegra_sync_alegra_rate_limited_total", "429 answers from Alegra", [
      { suffix: "", labels: [], value: usage.rateLimited }
    ]),
    counter(
      "alegra_sync_changes_total",
      "changes the worker handled, by outcome",
      (["upserted", "deleted", "unchanged", "retried", "deadLettered"] as const).map((k) => ({
        suffix: "",
        labels: [["outcome", k]],
        value: stats[k]
      }))
    )
  ]
})

/** GET /metrics. Counts only: no ids, no secrets. */
export const metrics = Effect.gen(function*() {
  const store = yield* Store
  const depth = yield* store.inbox.depth()
  const mirror = yield* store.mirror.counts()
  yield* Metric.set(inboxPending, depth.pending)
  yield* Metric.set(inboxDue, depth.due)
  yield* Metric.set(deadLetters, depth.dead)
  yield* Effect.forEach(kinds, (kind) => Metric.set(Metric.tagged(mirrorRecords, "kind", kind), mirror[kind] ?? 0))
  const text = renderPrometheus([...registryFamilies(), ...(yield* handKept)])
  return HttpServerResponse.text(text, { contentType: "text/plain; version=0.0.4; charset=utf-8" })
})
