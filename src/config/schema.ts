import { Schema } from "effect"

/** What kind of value `actual` is, without any of its content. */
export const describeKind = (actual: unknown): string => {
  if (actual === null) return "null"
  if (actual === undefined) return "nothing"
  if (Array.isArray(actual)) return "an array"
  if (typeof actual === "string") return "a string"
  if (typeof actual === "object") {
    const keys = Object.keys(actual)
    if (keys.length === 0) return "an empty object"
    const ref = keys.length === 1 && (keys[0] === "env" || keys[0] === "file")
    return ref
      ? `{ ${keys[0]}: … } whose value is not a non-empty name`
      : `an object with keys ${keys.join(", ")}`
  }
  return `a ${typeof actual}`
}

/** A value read from an environment variable when the config is loaded. */
export const EnvRef = Schema.Struct({ env: Schema.NonEmptyTrimmedString })
/** A value read from a file (a Docker or Kubernetes secret), trailing newline removed. */
export const FileRef = Schema.Struct({ file: Schema.NonEmptyTrimmedString })

/**
 * Secrets are references, never literals, so that a config file can be committed
 * and shared without leaking anything.
 */
export const SecretRef = Schema.Union(EnvRef, FileRef).annotations({
  identifier: "SecretRef",
  message: (issue) => ({
    // Only the kind of value: what was found may be the secret itself, pasted in.
    message: `expected secret("ENV_VAR") or secretFile("/path/to/file") (secrets are never written in the config), found ${
      describeKind(issue.actual)
    }`,
    override: true
  })
})
export type SecretRef = typeof SecretRef.Type

/** A plain string, or one read from the environment. */
export const Text = Schema.Union(Schema.NonEmptyTrimmedString, EnvRef).annotations({
  message: (issue) => ({
    message: `expected a non-empty string or env("ENV_VAR"), found ${JSON.stringify(issue.actual)}`,
    override: true
  })
})

const Port = Schema.Int.pipe(Schema.between(0, 65535))
const Positive = Schema.Number.pipe(Schema.positive())
const Url = Schema.String.pipe(
  Schema.filter((s) =>
    /^https?:\/\/[^\s/]+/.test(s) || `expected an http(s) URL such as https://sync.example.com, found ${JSON.stringify(s)}`
  )
)

const opt = <S extends Schema.Schema.Any>(schema: S, value: Schema.Schema.Type<S>) =>
  Schema.optionalWith(schema, { default: () => value, exact: true })

export const StoreConfig = Schema.Struct({
  /** SQLite file; created with its folder on first start. */
  path: opt(Schema.NonEmptyTrimmedString, "./data/alegra-sync.db")
})

export const ServerConfig = Schema.Struct({
  port: opt(Port, 8080),
  /** Where Alegra (and later HubSpot and Stripe) can reach this server. */
  publicUrl: opt(Url, "http://127.0.0.1:8080"),
  /** Per-install token in the Alegra webhook URL; derived from the Alegra token when absent. */
  webhookToken: Schema.optionalWith(SecretRef, { exact: true }),
  /** Largest webhook body accepted, in bytes. */
  maxBodyBytes: opt(Schema.Int.pipe(Schema.positive()), 1_048_576)
})

export const AlegraConfig = Schema.Struct({
  email: Text,
  token: SecretRef,
  baseUrl: opt(Url, "https://api.alegra.com/api/v1"),
  requestsPerMinute: opt(Positive, 150),
  /** Alegra counts requests in 60 s windows. Lower it only against the simulator. */
  rateLimitWindowSeconds: opt(Positive, 60),
  /** Register Alegra's webhooks at start-up (needs a publicUrl Alegra can reach). */
  webhooks: opt(Schema.Boolean, true)
})

export const PollingConfig = Schema.Struct({
  /** Payments have no webhooks: how often to look for new and changed ones. */
  paymentsSeconds: opt(Positive, 60),
  /** How many of the newest payments are re-read every time (void/open keep the id). */
  paymentsRecent: opt(Schema.Int.pipe(Schema.positive()), 60),
  creditNotesSeconds: opt(Positive, 300),
  /** Credit notes are polled over a trailing window of document dates. */
  creditNotesWindowDays: opt(Schema.Int.pipe(Schema.positive()), 30),
  /** Full comparison that catches webhooks that never came, including deletes. */
  sweepMinutes: opt(Positive, 60)
})

export const WorkerConfig = Schema.Struct({
  /** Attempts before a change that keeps failing is moved to the dead letters. */
  maxAttempts: opt(Schema.Int.pipe(Schema.positive()), 8),
  /** Inbox rows processed at once. */
  concurrency: opt(Schema.Int.pipe(Schema.between(1, 16)), 2)
})

/** Placeholder sections so the file already has its final shape; later releases fill them in. */
export const HubSpotConfig = Schema.Struct({
  enabled: opt(Schema.Boolean, false),
  accessToken: Schema.optionalWith(SecretRef, { exact: true }),
  clientSecret: Schema.optionalWith(SecretRef, { exact: true })
})
const Mapping = Schema.Record({ key: Schema.NonEmptyTrimmedString, value: Schema.NonEmptyTrimmedString })

/** Which Stripe → Alegra flows run (all by default). */
export const StripeFlows = Schema.Struct({
  /** Customers → Alegra contacts (client role). */
  customers: opt(Schema.Boolean, true),
  /** Products and their default prices → Alegra items. */
  products: opt(Schema.Boolean, true),
  /** Finalized invoices → Alegra invoices. */
  invoices: opt(Schema.Boolean, true),
  /** Payments on invoices → Alegra payments. */
  payments: opt(Schema.Boolean, true),
  /** Refunds and credit notes → Alegra credit notes. */
  refunds: opt(Schema.Boolean, true),
  /** Back to Stripe: a payment recorded in Alegra marks the invoice paid; a void in Alegra voids it. */
  back: opt(Schema.Boolean, true)
})

/** Electronic invoicing (CFDI and others) of what comes from Stripe: off unless turned on. */
export const StampingConfig = Schema.Struct({
  enabled: opt(Schema.Boolean, false),
  /** Alegra's number template (a resolution) for electronic invoices. */
  numberTemplate: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true }),
  /** Mexico: forma de pago (e.g. "04" credit card), método de pago ("PUE"), uso del CFDI ("G03"). */
  paymentForm: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true }),
  paymentMethod: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true }),
  cfdiUse: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true }),
  /** The client's fiscal regime when the contact carries none (e.g. "616"). */
  regime: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true })
})

export const StripeConfig = Schema.Struct({
  enabled: opt(Schema.Boolean, false),
  apiKey: Schema.optionalWith(SecretRef, { exact: true }),
  webhookSecret: Schema.optionalWith(SecretRef, { exact: true }),
  baseUrl: opt(Url, "https://api.stripe.com"),
  /** Stripe allows 100 operations per second in live mode, 25 in test mode. */
  requestsPerSecond: opt(Positive, 25),
  /** The Alegra bank account that Stripe money goes into (its id). */
  bankAccount: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true }),
  /** Stripe payment method type → Alegra payment method (added to the defaults). */
  paymentMethods: opt(Mapping, {}),
  /** Stripe tax rate id → Alegra tax id, for invoice lines that carry taxes. */
  taxRates: opt(Mapping, {}),
  /** The Alegra item for invoice lines without a product (a one-off amount). */
  defaultItem: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true }),
  flows: opt(StripeFlows, { customers: true, products: true, invoices: true, payments: true, refunds: true, back: true }),
  stamping: opt(StampingConfig, { enabled: false })
})

const Owner = Schema.Literal("alegra", "system")
/** A kind's owner, or its owners field by field (fields not named keep their default). */
const KindOwners = Schema.Union(Owner, Schema.Record({ key: Schema.String, value: Owner }))

export const SyncPolicyConfig = Schema.Struct({
  /** Who wins when both sides changed a field since the last sync; see README. */
  conflicts: opt(
    Schema.Struct({
      contact: Schema.optionalWith(KindOwners, { exact: true }),
      item: Schema.optionalWith(KindOwners, { exact: true }),
      invoice: Schema.optionalWith(KindOwners, { exact: true }),
      payment: Schema.optionalWith(KindOwners, { exact: true }),
      "credit-note": Schema.optionalWith(KindOwners, { exact: true })
    }),
    {}
  )
})

export const SyncConfigSchema = Schema.Struct({
  store: opt(StoreConfig, { path: "./data/alegra-sync.db" }),
  server: opt(ServerConfig, { port: 8080, publicUrl: "http://127.0.0.1:8080", maxBodyBytes: 1_048_576 }),
  alegra: AlegraConfig,
  polling: opt(PollingConfig, {
    paymentsSeconds: 60,
    paymentsRecent: 60,
    creditNotesSeconds: 300,
    creditNotesWindowDays: 30,
    sweepMinutes: 60
  }),
  worker: opt(WorkerConfig, { maxAttempts: 8, concurrency: 2 }),
  hubspot: opt(HubSpotConfig, { enabled: false }),
  stripe: opt(StripeConfig, {
    enabled: false,
    baseUrl: "https://api.stripe.com",
    requestsPerSecond: 25,
    paymentMethods: {},
    taxRates: {},
    flows: { customers: true, products: true, invoices: true, payments: true, refunds: true, back: true },
    stamping: { enabled: false }
  }),
  sync: opt(SyncPolicyConfig, { conflicts: {} })
})

/** What a sync.config.ts file exports (defaults may be left out). */
export type SyncConfigInput = typeof SyncConfigSchema.Encoded
/** The config after decoding, defaults filled in, secrets not yet resolved. */
export type SyncConfigDecoded = typeof SyncConfigSchema.Type
