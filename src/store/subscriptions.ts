/**
 * Webhook subscriptions this install created, so it can find and remove its own
 * and never another's: every row carries the install id of the store that created
 * it, and only this install's rows are listed or removed. The subscription URL
 * carries the per-install secret token, so the store keeps only its SHA-256
 * fingerprint, never the URL.
 */
import type { SqlClient } from "@effect/sql"
import { Clock, Effect, Redacted } from "effect"
import { createHash } from "node:crypto"
import type { System } from "../../schema/index.js"
import type { WriteTransaction } from "./transaction.js"

export interface Subscription {
  readonly system: System
  readonly id: string
  readonly event: string
  /** SHA-256 (hex) of the URL. */
  readonly urlFingerprint: string
  readonly createdAt: number
}

/**
 * SHA-256 hex of the exact URL string. To recognise a subscription listed by a
 * system, fingerprint the listed URL the same way (normalise both sides alike,
 * e.g. Alegra may return it without its scheme).
 */
export const urlFingerprint = (url: string | Redacted.Redacted<string>): string =>
  createHash("sha256").update(Redacted.isRedacted(url) ? Redacted.value(url) : url, "utf8").digest("hex")

interface SubscriptionRecord {
  readonly system: string
  readonly id: string
  readonly event: string
  readonly url_fingerprint: string
  readonly created_at: number
}

const toSubscription = (row: SubscriptionRecord): Subscription => ({
  system: row.system as System,
  id: row.id,
  event: row.event,
  urlFingerprint: row.url_fingerprint,
  createdAt: row.created_at
})

export const makeSubscriptions = (sql: SqlClient.SqlClient, wt: WriteTransaction, installId: string) => ({
  /** Records (or updates) a subscription; only the URL's fingerprint is stored. */
  record: Effect.fn("Store.subscriptions.record")(function*(
    system: System,
    id: string,
    event: string,
    url: string | Redacted.Redacted<string>
  ) {
    const now = yield* Clock.currentTimeMillis
    const fingerprint = urlFingerprint(url)
    yield* wt(sql`INSERT INTO webhook_subscriptions (system, id, event, url_fingerprint, created_at, install_id)
      VALUES (${system}, ${id}, ${event}, ${fingerprint}, ${now}, ${installId})
      ON CONFLICT (system, id) DO UPDATE SET event = excluded.event, url_fingerprint = excluded.url_fingerprint,
        install_id = excluded.install_id`)
  }),

  /** True when it was recorded by this install. */
  remove: Effect.fn("Store.subscriptions.remove")(function*(system: System, id: string) {
    const rows = yield* wt(sql<{ id: string }>`DELETE FROM webhook_subscriptions
      WHERE system = ${system} AND id = ${id} AND install_id = ${installId} RETURNING id`)
    return rows.length > 0
  }),

  /** This install's subscriptions. */
  list: Effect.fn("Store.subscriptions.list")(function*(system: System) {
    const rows = yield* sql<SubscriptionRecord>`SELECT * FROM webhook_subscriptions
      WHERE system = ${system} AND install_id = ${installId} ORDER BY id`
    return rows.map(toSubscription) as ReadonlyArray<Subscription>
  }),

  /** Number of this install's subscriptions, of one system or of all. */
  count: Effect.fn("Store.subscriptions.count")(function*(system?: System) {
    const rows = system === undefined
      ? yield* sql<{ n: number }>`SELECT count(*) AS n FROM webhook_subscriptions WHERE install_id = ${installId}`
      : yield* sql<{ n: number }>`SELECT count(*) AS n FROM webhook_subscriptions
          WHERE system = ${system} AND install_id = ${installId}`
    return rows[0]?.n ?? 0
  })
})

export type Subscriptions = ReturnType<typeof makeSubscriptions>
