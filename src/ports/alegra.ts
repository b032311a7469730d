import { Context, Schema } from "effect"
import type { Effect, Option } from "effect"
import type { CanonicalRecord, DateOnly, Kind } from "../../schema/index.js"

/**
 * Why a call to Alegra failed. The engine decides from it: transient reasons are
 * retried later, permanent ones become dead letters, `auth` stops the daemon.
 */
export const AlegraFailure = Schema.Literal(
  "transport", // connection reset, timeout, DNS: transient
  "rate-limit", // 429 (or a 400 carrying code 429) still failing after waiting: transient
  "server", // 5xx still failing after retries: transient
  "auth", // 401/402/403: permanent until the account is fixed
  "validation", // any other 4xx: permanent, carries Alegra's message
  "decode" // a 2xx whose body does not map to the canonical model: permanent
)
export type AlegraFailure = typeof AlegraFailure.Type

/** A failed Alegra call. Never carries credentials: only method, path, status and Alegra's own code and message. */
export class AlegraError extends Schema.TaggedError<AlegraError>()("AlegraError", {
  reason: AlegraFailure,
  method: Schema.String,
  /** Path with query, relative to the base URL; no credentials ever appear in it. */
  path: Schema.String,
  status: Schema.NullOr(Schema.Number),
  code: Schema.NullOr(Schema.Number),
  message: Schema.String
}) {
  get transient(): boolean {
    return this.reason === "transport" || this.reason === "rate-limit" || this.reason === "server"
  }
}

export interface ListOptions {
  /** Offset of the first record (Alegra's `start`). */
  readonly start: number
  /** Order by id; Alegra's default is ascending. */
  readonly order?: "asc" | "desc"
  /** Document date window (inclusive), for kinds that have dates. */
  readonly dateFrom?: DateOnly
  readonly dateTo?: DateOnly
  /**
   * Background reads (the sweep) may only use part of the rate budget, so that
   * webhook work and polling are never starved by them.
   */
  readonly background?: boolean
}

export interface Page {
  /** Records of the page, mapped to the canonical model, deduplicated by id. */
  readonly records: ReadonlyArray<CanonicalRecord>
  /** Offset of the next page, or null when this was the last one. */
  readonly next: number | null
  /**
   * When the request that returned this page was sent (epoch ms, the attempt that
   * succeeded). Observations are ordered by it: the store never replaces a copy read
   * later with one read earlier.
   */
  readonly readAt: number
}

/** One read of a record by id. */
export interface Observation {
  /** When the request was sent (epoch ms, the attempt that succeeded). */
  readonly readAt: number
  /** None when Alegra answered 404 (deleted, or never existed). */
  readonly record: Option.Option<CanonicalRecord>
}

/** How the connection to Alegra is doing, for /health and the logs. */
export type ConnectorState =
  | "starting" // no call made yet
  | "ok" // the last call succeeded
  | "auth-failing" // 401/402/403: nothing will work until the credentials are fixed
  | "rate-limited" // paused until the server's window resets
  | "unreachable" // transport failures or 5xx on the last calls

export interface ConnectorHealth {
  readonly state: ConnectorState
  /** Epoch ms of the last 2xx, null when none yet. */
  readonly lastSuccessAt: number | null
  readonly lastFailure: { readonly at: number; readonly reason: AlegraFailure; readonly message: string } | null
  /** Epoch ms until which no request is sent (a 429 or X-Rate-Limit-Remaining 0), null when not paused. */
  readonly pausedUntil: number | null
}

export interface WebhookSubscription {
  readonly id: string
  readonly event: string
  /** As Alegra returns it (possibly without scheme). */
  readonly url: string
}

/** What a webhook delivery claims; a hint only, the record is re-read by id. */
export interface WebhookHint {
  readonly event: string
  readonly kind: Kind
  readonly action: "created" | "updated" | "deleted"
  readonly id: string
}

/**
 * What a webhook body says: the records it names, and whether part of it (or all of
 * it) could not be read. A delivery with the right token is always answered 2xx;
 * what cannot be read (unknown shape, no id, an id of a shape Alegra never issues)
 * is kept for diagnosis and the kinds it may concern are re-read (a targeted
 * sweep), so the change is not lost.
 */
export interface WebhookReading {
  readonly hints: ReadonlyArray<WebhookHint>
  readonly unreadable: null | { readonly kinds: ReadonlyArray<Kind>; readonly reason: string }
}

/** Counters of the calls made through the client since it was built. */
export interface AlegraUsage {
  readonly requests: number
  readonly rateLimited: number
  readonly retries: number
  /** The most requests sent within any 60 s, to hold against Alegra's per-minute limit. */
  readonly busiestMinute: number
}

export interface AlegraPort {
  /** Kinds this account exposes, prerequisites first. */
  readonly kinds: ReadonlyArray<Kind>
  /** The webhook events Alegra offers (new-/edit-/delete- for invoice, bill, client, item). */
  readonly webhookEvents: ReadonlyArray<string>
  /** The kinds those events are about (what an unreadable delivery may concern). */
  readonly webhookKinds: ReadonlyArray<Kind>
  readonly listPage: (kind: Kind, options: ListOptions) => Effect.Effect<Page, AlegraError>
  /** Re-reads one record; its `record` is None when Alegra answers 404. */
  readonly get: (kind: Kind, id: string) => Effect.Effect<Observation, AlegraError>
  readonly subscriptions: {
    readonly list: Effect.Effect<ReadonlyArray<WebhookSubscription>, AlegraError>
    readonly create: (event: string, url: string) => Effect.Effect<WebhookSubscription, AlegraError>
    readonly remove: (id: string) => Effect.Effect<void, AlegraError>
  }
  /** Reads a delivery body (parsed JSON). Never fails: what it cannot read is `Unreadable`. */
  readonly parseWebhook: (body: unknown) => WebhookReading
  /** Whether `id` has a shape Alegra issues for `kind` (numeric strings, UUIDs): anything else is never sent to Alegra. */
  readonly isValidId: (kind: Kind, id: string) => boolean
  readonly usage: Effect.Effect<AlegraUsage>
  readonly health: Effect.Effect<ConnectorHealth>
}

/** The Alegra account, as the engine sees it. */
export class Alegra extends Context.Tag("alegra-sync/Alegra")<Alegra, AlegraPort>() {}
