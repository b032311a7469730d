/**
 * The one port every system implements (issue 10). The engine knows a system only
 * through it; the Alegra port extends it. See ../shared/DESIGN.md.
 */
import { Context, Schema } from "effect"
import type { Effect, Option, Stream } from "effect"
import { type CanonicalRecord, type Kind, System } from "../../schema/index.js"

// ---------------------------------------------------------------------------------------
// Errors: one shape for every system, so the engine decides retries and dead letters alike.

export const ConnectorFailure = Schema.Literal(
  "transport", // connection reset, timeout, DNS: transient
  "rate-limit", // still limited after waiting (the connector paces and waits itself): transient
  "server", // 5xx after retries: transient
  "auth", // 401/402/403: nothing works until the credentials are fixed
  "validation", // the system refused the data (4xx): permanent, carries the system's message
  "conflict", // a state rule refused the change (e.g. a stamped invoice, a paid invoice): permanent
  "decode" // a 2xx whose body does not map to the canonical model: permanent
)
export type ConnectorFailure = typeof ConnectorFailure.Type

/** A failed call to a system. Never carries credentials. */
export class ConnectorError extends Schema.TaggedError<ConnectorError>()("ConnectorError", {
  system: System,
  reason: ConnectorFailure,
  method: Schema.String,
  /** Path with query, relative to the system's base URL. */
  path: Schema.String,
  status: Schema.NullOr(Schema.Number),
  /** The system's own error code (Alegra's number, Stripe's `code`), as text. */
  code: Schema.NullOr(Schema.String),
  message: Schema.String
}) {
  get transient(): boolean {
    return this.reason === "transport" || this.reason === "rate-limit" || this.reason === "server"
  }
}

// ---------------------------------------------------------------------------------------
// Reading

/** One read of a record: when its request was sent, and what came back (None: not found / deleted). */
export interface Observation {
  readonly readAt: number
  readonly record: Option.Option<CanonicalRecord>
}

/** A page of a listing, with the opaque cursor that resumes after it (null: the last page). */
export interface ListPage {
  readonly records: ReadonlyArray<CanonicalRecord>
  readonly readAt: number
  readonly next: string | null
}

/**
 * What identifies a record across systems, normalised by `naturalKeys` (src/engine/natural-keys.ts):
 * - marker: what a record created by alegra-sync carries (e.g. "alegra-sync:stripe:in_123"),
 *   the first thing looked for after a crash;
 * - identification: tax id, upper-case, without spaces, dots and dashes, check digit apart;
 * - email: trimmed, lower-case; name: trimmed, inner spaces collapsed, exact;
 * - reference: an item's SKU, trimmed.
 */
export type NaturalKey =
  | { readonly _tag: "marker"; readonly value: string }
  | { readonly _tag: "identification"; readonly value: string }
  | { readonly _tag: "email"; readonly value: string }
  | { readonly _tag: "name"; readonly value: string }
  | { readonly _tag: "reference"; readonly value: string }

// ---------------------------------------------------------------------------------------
// Writing

/**
 * A write. Every write carries an idempotency key derived from the engine's intent: systems
 * that honour one (Stripe's Idempotency-Key) send it; Alegra has none, so the engine's intent
 * journal and the marker stand in for it.
 */
export type WriteRequest =
  /** A new record; `record.id` is ignored, every reference in it is already in this system's ids. */
  | { readonly _tag: "Create"; readonly record: CanonicalRecord; readonly marker: string; readonly idempotencyKey: string }
  /** The record as it must be: the fields named in `fields` are written, the rest left as they are. */
  | {
    readonly _tag: "Update"
    readonly record: CanonicalRecord
    readonly fields: ReadonlyArray<string>
    readonly idempotencyKey: string
  }
  | { readonly _tag: "Delete"; readonly kind: Kind; readonly id: string; readonly idempotencyKey: string }
  /** A state change that is not a field: see `Action`. */
  | { readonly _tag: "Act"; readonly kind: Kind; readonly id: string; readonly action: Action; readonly idempotencyKey: string }
  /** Records the Alegra id on the external record (Stripe: metadata.alegra_id) so the link can be recovered. */
  | { readonly _tag: "Tag"; readonly kind: Kind; readonly id: string; readonly alegraId: string; readonly idempotencyKey: string }

export type Action =
  | { readonly _tag: "void" } // an invoice (Alegra, Stripe) or a payment (Alegra)
  | { readonly _tag: "paid-out-of-band" } // a Stripe invoice paid outside Stripe (recorded in Alegra)
  /** Alegra: stamp (CFDI and other e-invoicing) an invoice or credit note, with the fiscal fields the config supplies. */
  | { readonly _tag: "stamp"; readonly fiscal: Readonly<Record<string, string>> }
  | { readonly _tag: "add-role"; readonly role: "client" | "provider" } // Alegra contact: one contact, both roles
  | { readonly _tag: "remove-role"; readonly role: "client" | "provider" }

/** What the system answered to a write: the record as it now is there (None after a delete). */
export type WriteResult = Observation

// ---------------------------------------------------------------------------------------
// Capture: how a system tells the engine that records changed

/** One record that changed; the worker re-reads it (or uses `payload`, read at `readAt`). */
export interface Change {
  readonly kind: Kind
  readonly id: string
  readonly action: "created" | "updated" | "deleted" | "changed"
  /** Identifies the change (an event id, a content hash…): equal keys are one change delivered twice. */
  readonly eventKey: string
  readonly payload?: CanonicalRecord
  readonly readAt?: number
  /**
   * The system says our own write caused this change (Stripe: the event's Idempotency-Key carries
   * alegra-sync's prefix). Still a change: the re-read's hash equals the one recorded after the
   * write, so the echo dies in the plan; the flag lets the engine count or skip it early.
   */
  readonly echo?: boolean
}

export interface Delivery {
  readonly method: string
  /** Path and query, as received. */
  readonly url: string
  readonly params: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The raw body, exactly as received (signatures are checked on these bytes). */
  readonly body: string
}

export type Received =
  /** Not a delivery of this system: 404 for a wrong token (as for an unknown route), 400 for a bad signature. Nothing is recorded. */
  | { readonly _tag: "Rejected"; readonly status: 400 | 401 | 404; readonly reason: string }
  /** A subscription handshake: answered 2xx, nothing recorded. */
  | { readonly _tag: "Handshake" }
  /** Answered 2xx once the changes are recorded; what could not be read is kept and its kinds re-read. */
  | {
    readonly _tag: "Accepted"
    readonly changes: ReadonlyArray<Change>
    readonly unreadable: null | { readonly kinds: ReadonlyArray<Kind>; readonly reason: string }
  }

/**
 * A webhook endpoint of the daemon's HTTP server (src/server/webhooks.ts). Plain and
 * synchronous: it runs on the hot path, before any fiber.
 */
export interface WebhookRoute {
  /**
   * POST path. A path ending in "/:name" takes one more segment as the parameter `name`
   * (Alegra: "/webhooks/alegra/:token"); any other path is taken exactly ("/webhooks/stripe").
   */
  readonly path: string
  /**
   * Checked on the parameter before the body is read (Alegra: the URL's secret token, in
   * constant time). False: answered exactly as an unknown route, so probing finds nothing.
   */
  readonly accepts?: (param: string) => boolean
  readonly receive: (delivery: Delivery) => Received
}

/** What the engine lends a poller: its cursor, and what the store holds of this system. */
export interface PollContext {
  /** This poller's cursor as it last returned it (None the first time). */
  readonly cursor: Option.Option<unknown>
  /** id -> content hash of the records of `kind` the store holds for this system (the mirror, for Alegra). */
  readonly known: (kind: Kind) => Effect.Effect<ReadonlyMap<string, string>>
  /** The content hash `known` holds for a record (the engine's), to tell a changed record from one the store has. */
  readonly hash: (record: CanonicalRecord) => string
  /** The same, for dated kinds, from `dateFrom` (yyyy-MM-dd) on: ids, hashes and dates only. */
  readonly knownFrom: (
    kind: Kind,
    dateFrom: string
  ) => Effect.Effect<ReadonlyArray<{ readonly id: string; readonly hash: string; readonly date: string }>>
  /** Kinds an unreadable delivery asked to re-read (a targeted sweep); empty when none. */
  readonly requested: ReadonlyArray<Kind>
  /** When this system was last read in full (a backfill), epoch ms, or null. */
  readonly lastFullRead: number | null
  /** This install's webhook subscriptions in this system (owned: never another install's). */
  readonly subscriptions: OwnedSubscriptions
}

export interface OwnedSubscriptions {
  readonly list: Effect.Effect<ReadonlyArray<{ readonly id: string; readonly event: string }>>
  readonly record: (id: string, event: string, url: string) => Effect.Effect<void>
  readonly remove: (id: string) => Effect.Effect<void>
}

export interface PollResult {
  readonly changes: ReadonlyArray<Change>
  /** Saved with the changes, in one transaction; undefined keeps the cursor as it is. */
  readonly cursor?: unknown
  /** The requested kinds this poll re-read (they are then no longer requested). */
  readonly served?: ReadonlyArray<Kind>
}

export interface Poller {
  readonly name: string
  /** How often the engine calls `poll` (it also calls it once at start-up: catching up). */
  readonly everyMs: number
  /** Also runs soon after a kind it reads was requested (an unreadable delivery). */
  readonly servesRequests: boolean
  readonly poll: (context: PollContext) => Effect.Effect<PollResult, ConnectorError>
}

export interface Capture {
  readonly routes: ReadonlyArray<WebhookRoute>
  readonly pollers: ReadonlyArray<Poller>
  /** Done once at start-up, before following changes (e.g. register webhook subscriptions). */
  readonly start?: (subscriptions: OwnedSubscriptions) => Effect.Effect<void, ConnectorError>
}

// ---------------------------------------------------------------------------------------
// The port

export type ConnectorState = "starting" | "ok" | "auth-failing" | "rate-limited" | "unreachable"

export interface ConnectorHealth {
  readonly state: ConnectorState
  readonly lastSuccessAt: number | null
  readonly lastFailure: { readonly at: number; readonly reason: ConnectorFailure; readonly message: string } | null
  readonly pausedUntil: number | null
}

/**
 * Which way each synced field of a kind may flow between this system and Alegra
 * (src/engine/sync/plan.ts): "both", "to-alegra", "to-system", or "none" (compared, never
 * written). A kind absent here does not sync with Alegra.
 */
export type Directions = Partial<Record<Kind, Readonly<Record<string, "both" | "to-alegra" | "to-system" | "none">>>>

export interface ConnectorPort {
  readonly system: System
  /** Kinds this connector syncs, prerequisites first. */
  readonly kinds: ReadonlyArray<Kind>
  /** Which way each synced field flows (empty for the hub: Alegra is one end of every pair). */
  readonly directions: Directions
  /** Whether `id` has a shape this system issues for `kind`: anything else is never sent to it. */
  readonly isValidId: (kind: Kind, id: string) => boolean
  /**
   * The record as the system holds it now; None when it does not exist, was deleted, or is not
   * one the connector syncs (Stripe: an unpaid or out-of-band invoice payment). A record that
   * exists but must not be synced yet is answered with its status (a draft invoice: "draft").
   */
  readonly read: (kind: Kind, id: string) => Effect.Effect<Observation, ConnectorError>
  /** The record a natural key identifies, if exactly one does (several: the first, by id). */
  readonly find: (kind: Kind, key: NaturalKey) => Effect.Effect<Option.Option<CanonicalRecord>, ConnectorError>
  readonly write: (request: WriteRequest) => Effect.Effect<WriteResult, ConnectorError>
  /** Every record of a kind, page by page, from `after` (a page's `next`) or the start. */
  readonly list: (kind: Kind, after?: string | null) => Stream.Stream<ListPage, ConnectorError>
  readonly capture: Capture
  readonly health: Effect.Effect<ConnectorHealth>
}

/** The connectors of this install: the hub (Alegra) and every enabled system. */
export interface ConnectorsRegistry {
  readonly hub: ConnectorPort
  readonly systems: ReadonlyArray<ConnectorPort>
  readonly get: (system: System) => Option.Option<ConnectorPort>
}

export class Connectors extends Context.Tag("alegra-sync/Connectors")<Connectors, ConnectorsRegistry>() {}
