import { Console, Effect } from "effect"
import { loadLocalConfig } from "../config/index.js"
import { Store, withStoreErrors } from "../store/index.js"
import { storeLayer } from "./layers.js"

/** Links, mirror, inbox depth, dead letters, cursors and subscriptions, read from the store. */
export const showStatus = (asJson: boolean) =>
  Effect.gen(function*() {
    const store = yield* Store
    const status = yield* store.status()
    if (asJson) return yield* Console.log(JSON.stringify(status, null, 2))
    const lines = [
      `mirror:        ${Object.entries(status.mirror).map(([k, n]) => `${k} ${n}`).join(", ") || "empty"}`,
      `links:         ${status.links.length === 0 ? "none" : status.links.map((l) => `${l.system}/${l.kind} ${l.count}`).join(", ")}`,
      `inbox:         ${status.inbox.pending} pending (${status.inbox.due} due now)`,
      `dead letters:  ${status.deadLetters}`,
      `subscriptions: ${status.subscriptions}`,
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
