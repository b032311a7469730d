import { Console, Effect } from "effect"
import { loadLocalConfig } from "../config/index.js"
import { type Lease, Store, withStoreErrors } from "../store/index.js"
import { storeLayer } from "./layers.js"

const holder = (lease: Lease | undefined, now: number) =>
  lease === undefined
    ? "not running"
    : `running (pid ${lease.pid} on ${lease.host}, seen ${Math.max(0, Math.round((now - lease.renewedAt) / 1000))} s ago)`

/** Links, mirror, inbox depth, dead letters, cursors and subscriptions, read from the store. */
export const showStatus = (asJson: boolean) =>
  Effect.gen(function*() {
    const store = yield* Store
    const status = yield* store.status()
    if (asJson) return yield* Console.log(JSON.stringify(status, null, 2))
    const now = Date.now()
    const lease = (name: string) => status.leases.find((l) => l.name === name)
    const lines = [
      `daemon:        ${holder(lease("daemon"), now)}`,
      `backfill:      ${holder(lease("backfill"), now)}`,
      `mirror:        ${Object.entries(status.mirror).map(([k, n]) => `${k} ${n}`).join(", ") || "empty"}`,
      `links:         ${status.links.length === 0 ? "none" : status.links.map((l) => `${l.system}/${l.kind} ${l.count}`).join(", ")}`,
      `inbox:         ${status.inbox.pending} pending (${status.inbox.due} due now${
        status.inbox.oldestDueMs > 0 ? `, oldest waiting ${Math.round(status.inbox.oldestDueMs / 1000)} s` : ""
      })`,
      `dead letters:  ${status.deadLetters}`,
      `intents:       ${status.intentsPending} pending`,
      `conflicts:     ${status.conflicts}`,
      `subscriptions: ${status.subscriptions} (install ${status.installId})`,
      `unreadable webhook deliveries kept: ${status.unreadableDeliveries}`,
      "cursors:",
      ...status.cursors.map((c) => `  ${c.name.padEnd(18)} ${JSON.stringify(c.value)}`)
    ]
    yield* Console.log(lines.join("\n"))
  })

/**
 * `alegra-sync status`: reads the store only, so the config is checked without its
 * secrets (ALEGRA_TOKEN need not be set where an operator looks at the store).
 */
export const statusCommand = (options: { readonly config: string; readonly json: boolean }) =>
  Effect.gen(function*() {
    const config = yield* loadLocalConfig(options.config)
    yield* showStatus(options.json).pipe(Effect.provide(storeLayer(config.store.path)), withStoreErrors(config.store.path))
  })
