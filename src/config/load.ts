import { createHmac } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { Context, Data, Effect, Either, ParseResult, Redacted, Schema } from "effect"
import { defaultOwners, type Owner, type SyncedKind, syncedFields, syncedKinds } from "../../schema/index.js"
import { type SecretRef, SyncConfigSchema, type SyncConfigDecoded } from "./schema.js"

/** The Stripe section, decoded; its secrets resolved only in `ResolvedConfig`. */
export type StripeSettings =
  | { readonly enabled: false }
  | {
    readonly enabled: true
    readonly baseUrl: string
    readonly requestsPerSecond: number
    /** The Alegra bank account for Stripe money; null when payments do not flow. */
    readonly bankAccount: string | null
    readonly paymentMethods: Readonly<Record<string, string>>
    readonly taxRates: Readonly<Record<string, string>>
    readonly defaultItem: string | null
    readonly flows: SyncConfigDecoded["stripe"]["flows"]
    readonly stamping: SyncConfigDecoded["stripe"]["stamping"]
  }

/** Who wins a conflict, for every synced kind and field (the defaults filled in). */
export type ConflictOwners = { readonly [K in SyncedKind]: Readonly<Record<string, Owner>> }

/**
 * The config decoded and checked, without its secrets: what commands that never
 * contact Alegra (`status`) need. Nothing in it comes from the environment.
 */
export interface LocalConfig {
  readonly file: string
  readonly store: { readonly path: string }
  readonly server: {
    readonly port: number
    readonly publicUrl: string
    readonly maxBodyBytes: number
  }
  readonly alegra: {
    readonly baseUrl: string
    readonly requestsPerMinute: number
    readonly rateLimitWindowSeconds: number
    readonly webhooks: boolean
  }
  readonly polling: SyncConfigDecoded["polling"]
  readonly worker: SyncConfigDecoded["worker"]
  readonly hubspot: { readonly enabled: boolean }
  readonly stripe: StripeSettings
  readonly sync: { readonly conflicts: ConflictOwners }
}

/** The config with every secret (and every `env(...)` value) resolved. Secrets are Redacted. */
export interface ResolvedConfig extends LocalConfig {
  readonly server: LocalConfig["server"] & { readonly webhookToken: Redacted.Redacted<string> }
  readonly alegra: LocalConfig["alegra"] & {
    readonly email: string
    readonly token: Redacted.Redacted<string>
  }
  readonly stripe:
    | { readonly enabled: false }
    | (Extract<StripeSettings, { enabled: true }> & {
      readonly apiKey: Redacted.Redacted<string>
      readonly webhookSecret: Redacted.Redacted<string>
    })
}

export class SyncConfig extends Context.Tag("alegra-sync/SyncConfig")<SyncConfig, ResolvedConfig>() {}

/** A config that cannot be used; one line per problem, each naming the field. */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly file: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message(): string {
    return `invalid config ${this.file}:\n${this.problems.map((p) => `  - ${p}`).join("\n")}`
  }
}

type Env = Readonly<Record<string, string | undefined>>

/** Extensions the loader knows. Only TypeScript needs tsx; everything else is plain Node. */
const typescript = new Set([".ts", ".mts", ".cts"])
const javascript = new Set([".js", ".mjs", ".cjs"])

/**
 * What a config file exports. TypeScript goes through tsx (Node 20 cannot import
 * it), imported here and only here so that a `.js`/`.mjs`/`.json` config, and every
 * command that reads none, never loads it. A `.ts` file is compiled to CommonJS
 * in this thread (tsx's require): its ESM loader would start a hooks thread that
 * stays for the daemon's life (about 20 MB and 0.1 s more). Only `.mts`, which is
 * ESM by definition (top-level await), takes that path.
 */
const importConfig = async (absolute: string): Promise<unknown> => {
  const extension = path.extname(absolute)
  if (extension === ".json") {
    try {
      return JSON.parse(readFileSync(absolute, "utf8"))
    } catch (error) {
      // V8's message quotes the text around the error, which may be a pasted secret.
      if (error instanceof SyntaxError) throw new Error("not valid JSON")
      throw error
    }
  }
  const url = pathToFileURL(absolute).href
  if (extension === ".mts") return withoutLastingSourceMaps(async () => {
    const { tsImport } = await import("tsx/esm/api")
    return unwrapDefault(((await tsImport(url, import.meta.url)) as { default?: unknown }).default)
  })
  if (typescript.has(extension)) return withoutLastingSourceMaps(async () => {
    const tsx = await import("tsx/cjs/api")
    return unwrapDefault(tsx.require(absolute, import.meta.url))
  })
  return unwrapDefault(((await import(url)) as { default?: unknown }).default)
}

/**
 * tsx turns Node's source maps on and leaves them on: every chunk loaded after the config
 * would then have its map (several MB) read, parsed and kept, about 20 MB of a daemon's
 * memory. They go back to what they were once the config is read (LOG_LEVEL=debug turns
 * them on, src/bin.mjs).
 */
const withoutLastingSourceMaps = async <A>(load: () => Promise<A>): Promise<A> => {
  const enabled = process.sourceMapsEnabled
  try {
    return await load()
  } finally {
    // In Node since 16.6, missing from @types/node's Process.
    ;(process as { setSourceMapsEnabled?: (on: boolean) => void }).setSourceMapsEnabled?.(enabled)
  }
}

/** Imports the file and checks that it has a default export; nothing is decoded yet. */
const readConfigFile = (file: string): Effect.Effect<unknown, ConfigError> =>
  Effect.gen(function*() {
    const absolute = path.resolve(file)
    if (!existsSync(absolute)) {
      return yield* new ConfigError({ file, problems: [`file not found: ${absolute} (pass --config <path>)`] })
    }
    const extension = path.extname(absolute)
    if (!typescript.has(extension) && !javascript.has(extension) && extension !== ".json") {
      return yield* new ConfigError({
        file: absolute,
        problems: [`expected a .ts, .mts, .js, .mjs or .json file, found ${extension === "" ? "no extension" : extension}`]
      })
    }
    const exported = yield* Effect.tryPromise({
      try: () => importConfig(absolute),
      catch: (cause) => new ConfigError({ file: absolute, problems: [`cannot load the file: ${loadFailure(cause, absolute)}`] })
    })
    if (exported === undefined) {
      return yield* new ConfigError({
        file: absolute,
        problems: ["expected a default export (export default defineConfig({ ... })), found none"]
      })
    }
    return exported
  })

/** Imports a config file (see `importConfig`) and resolves it, secrets included. */
export const loadConfigFile = (file: string, env: Env = process.env): Effect.Effect<ResolvedConfig, ConfigError> =>
  Effect.flatMap(readConfigFile(file), (input) => resolveConfig(input, { file: path.resolve(file), env }))

/** Imports a config file and checks it all, without reading any secret or environment variable. */
export const loadLocalConfig = (file: string): Effect.Effect<LocalConfig, ConfigError> =>
  Effect.flatMap(readConfigFile(file), (input) => resolveLocalConfig(input, { file: path.resolve(file) }))

/**
 * Outside a `"type": "module"` package tsx loads the file as CommonJS, and the
 * default export arrives wrapped in an `__esModule` namespace.
 */
const unwrapDefault = (value: unknown): unknown =>
  value !== null && typeof value === "object" && "__esModule" in value
    ? (value as { default?: unknown }).default
    : value

/** Schema decoding plus the checks that need no environment. */
const decode = (input: unknown, file: string): Either.Either<SyncConfigDecoded, ConfigError> => {
  const decoded = Schema.decodeUnknownEither(SyncConfigSchema, { errors: "all", onExcessProperty: "error" })(input)
  if (Either.isLeft(decoded)) {
    // A union reports once per member: keep one line per field and message.
    const problems = [
      ...new Set(ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((issue) =>
        `${issue.path.length === 0 ? "(config)" : issue.path.join(".")}: ${issue.message}`
      ))
    ]
    return Either.left(new ConfigError({ file, problems }))
  }
  const config = decoded.right
  const problems: Array<string> = []
  if (config.hubspot.enabled) problems.push("hubspot.enabled: the HubSpot connector is not available in this release yet")
  if (config.stripe.enabled) {
    if (config.stripe.apiKey === undefined) problems.push(`stripe.apiKey: expected secret("STRIPE_API_KEY") when stripe is enabled, found none`)
    if (config.stripe.webhookSecret === undefined) {
      problems.push(`stripe.webhookSecret: expected secret("STRIPE_WEBHOOK_SECRET") when stripe is enabled, found none`)
    }
    if (config.stripe.flows.payments && config.stripe.bankAccount === undefined) {
      problems.push("stripe.bankAccount: expected the id of the Alegra bank account Stripe money goes into (payments flow), found none")
    }
  }
  for (const kind of syncedKinds) {
    const given = config.sync.conflicts[kind]
    if (given === undefined || typeof given === "string") continue
    const known: ReadonlyArray<string> = syncedFields[kind]
    for (const field of Object.keys(given)) {
      if (!known.includes(field)) {
        problems.push(`sync.conflicts.${kind}.${field}: expected one of ${known.join(", ")}, found ${JSON.stringify(field)}`)
      }
    }
  }
  return problems.length > 0 ? Either.left(new ConfigError({ file, problems })) : Either.right(config)
}

/** Every synced kind's owners, field by field: the config's choices over the defaults. */
const conflictOwners = (conflicts: SyncConfigDecoded["sync"]["conflicts"]): ConflictOwners => {
  const owners = {} as Record<SyncedKind, Record<string, Owner>>
  for (const kind of syncedKinds) {
    const given = conflicts[kind]
    const defaults: Readonly<Record<string, Owner>> = defaultOwners[kind]
    owners[kind] = typeof given === "string"
      ? Object.fromEntries(Object.keys(defaults).map((field) => [field, given]))
      : { ...defaults, ...given }
  }
  return owners
}

const stripeView = (stripe: SyncConfigDecoded["stripe"]): StripeSettings =>
  stripe.enabled
    ? {
      enabled: true,
      baseUrl: stripe.baseUrl.replace(/\/+$/, ""),
      requestsPerSecond: stripe.requestsPerSecond,
      bankAccount: stripe.bankAccount ?? null,
      paymentMethods: stripe.paymentMethods,
      taxRates: stripe.taxRates,
      defaultItem: stripe.defaultItem ?? null,
      flows: stripe.flows,
      stamping: stripe.stamping
    }
    : { enabled: false }

const localView = (config: SyncConfigDecoded, file: string): LocalConfig => ({
  file,
  store: { path: path.resolve(path.dirname(file), config.store.path) },
  server: {
    port: config.server.port,
    publicUrl: config.server.publicUrl.replace(/\/+$/, ""),
    maxBodyBytes: config.server.maxBodyBytes
  },
  alegra: {
    baseUrl: config.alegra.baseUrl.replace(/\/+$/, ""),
    requestsPerMinute: config.alegra.requestsPerMinute,
    rateLimitWindowSeconds: config.alegra.rateLimitWindowSeconds,
    webhooks: config.alegra.webhooks
  },
  polling: config.polling,
  worker: config.worker,
  hubspot: { enabled: config.hubspot.enabled },
  stripe: stripeView(config.stripe),
  sync: { conflicts: conflictOwners(config.sync.conflicts) }
})

/** Decodes a config object (as exported by sync.config.ts) without touching secrets or the environment. */
export const resolveLocalConfig = (
  input: unknown,
  options: { readonly file: string }
): Effect.Effect<LocalConfig, ConfigError> => Effect.map(decode(input, options.file), (c) => localView(c, options.file))

/** Decodes a config object (as exported by sync.config.ts) and resolves its secrets. */
export const resolveConfig = (
  input: unknown,
  options: { readonly file: string; readonly env?: Env }
): Effect.Effect<ResolvedConfig, ConfigError> =>
  Effect.gen(function*() {
    const env = options.env ?? process.env
    const config = yield* decode(input, options.file)
    const problems: Array<string> = []
    const text = (field: string, value: string | { readonly env: string }): string => {
      if (typeof value === "string") return value
      const found = env[value.env]?.trim()
      if (!found) problems.push(`${field}: expected environment variable ${value.env} to be set, found it unset or empty`)
      return found ?? ""
    }
    const secretOf = (field: string, ref: SecretRef): Redacted.Redacted<string> => {
      if ("env" in ref) return Redacted.make(text(field, ref))
      try {
        const value = readFileSync(ref.file, "utf8").replace(/\r?\n$/, "")
        if (value === "") problems.push(`${field}: expected a secret in ${ref.file}, found an empty file`)
        return Redacted.make(value)
      } catch {
        problems.push(`${field}: expected a readable secret file at ${ref.file}, found none`)
        return Redacted.make("")
      }
    }
    const email = text("alegra.email", config.alegra.email)
    const token = secretOf("alegra.token", config.alegra.token)
    const webhookToken = config.server.webhookToken === undefined
      ? deriveWebhookToken(email, token)
      : secretOf("server.webhookToken", config.server.webhookToken)
    const stripeSecrets = config.stripe.enabled && config.stripe.apiKey !== undefined && config.stripe.webhookSecret !== undefined
      ? { apiKey: secretOf("stripe.apiKey", config.stripe.apiKey), webhookSecret: secretOf("stripe.webhookSecret", config.stripe.webhookSecret) }
      : undefined
    if (problems.length > 0) return yield* new ConfigError({ file: options.file, problems })
    const local = localView(config, options.file)
    return {
      ...local,
      server: { ...local.server, webhookToken },
      alegra: { ...local.alegra, email, token },
      stripe: local.stripe.enabled && stripeSecrets !== undefined ? { ...local.stripe, ...stripeSecrets } : { enabled: false }
    } satisfies ResolvedConfig
  })

/**
 * A stable, unguessable token for the webhook URL, so a fresh install needs no extra
 * secret and nothing has to be stored: it changes only when the Alegra token does.
 */
const deriveWebhookToken = (email: string, token: Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.make(
    createHmac("sha256", Redacted.value(token)).update(`alegra-sync webhook v1 ${email}`).digest("base64url").slice(0, 32)
  )

/**
 * Why a file could not be imported, in one line with its position. What the file
 * contains is never quoted: it may be a secret pasted in, with or without quotes
 * (esbuild's "but found …" and V8's "… is not defined" both quote it).
 */
const loadFailure = (cause: unknown, absolute: string): string => {
  const message = cause instanceof Error ? cause.message : String(cause)
  const syntax = /:(\d+):(\d+): ERROR: (.*)$/m.exec(message)
  if (syntax !== null) return `line ${syntax[1]}:${syntax[2]}: ${syntax[3]!.replace(/\s+but found .*$/, "")}`
  const at = cause instanceof Error ? new RegExp(`${escapeRegExp(absolute)}(?:\\?[^:\\s]*)?:(\\d+):(\\d+)`).exec(cause.stack ?? "") : null
  const where = at === null ? "" : `line ${at[1]}:${at[2]}: `
  if (cause instanceof ReferenceError) return `${where}a name that is not defined (a value missing its quotes?)`
  return `${where}${message.split("\n")[0] ?? "unknown error"}`
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
