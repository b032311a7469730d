import { Effect } from "effect"
import type { Kind } from "../../../schema/index.js"
import { type InboxOffer, Store } from "../../store/index.js"

/**
 * The inbox rows an Alegra change gives: one per record linked to it, in every system
 * and role. Each such row syncs its pair; our own write coming back is recognised there
 * (both sides as at the last sync) and goes no further.
 */
export const fanOutOffers = (kind: Kind, alegraId: string, hash: string) =>
  Effect.gen(function*() {
    const store = yield* Store
    const links = yield* store.links.ofAlegra(kind, alegraId)
    return links.map((link): InboxOffer => ({
      system: link.system,
      kind,
      recordId: link.externalId,
      channel: "fanout",
      action: "changed",
      eventKey: `alegra:${kind}:${alegraId}:${hash}`
    }))
  })
