import { Effect, Layer, Option, type Scope } from "effect"
import { type ResolvedConfig, SyncConfig } from "../config/index.js"
import { Alegra } from "../ports/alegra.js"
import { type ConnectorPort, Connectors } from "../ports/connector.js"
import { RateBudget } from "../ports/rate-budget.js"
import { sqliteLayer, Store } from "../store/index.js"

/**
 * How the composition root (src/main.ts) hands the engine its connectors: the
 * engine never imports connectors/ itself.
 */
export interface Wiring {
  /** The Alegra connector; it takes the account's shared request budget from `RateBudget` when provided. */
  readonly alegra: (config: ResolvedConfig) => Layer.Layer<Alegra, never, RateBudget>
  /** The other systems the config enables (Stripe…), each behind the connector port. */
  readonly systems: (config: ResolvedConfig) => Effect.Effect<ReadonlyArray<ConnectorPort>, never, Scope.Scope>
}

/** Config, the SQLite store and the Alegra client: what every command needs. */
export const baseLayer = (config: ResolvedConfig, wiring: Wiring) => {
  // One instance each (layers are memoised by reference).
  const sql = sqliteLayer(config.store.path)
  const store = Store.Default.pipe(Layer.provide(sql))
  // One Alegra budget for every process on this store (the daemon, a backfill beside it).
  const budget = Layer.effect(RateBudget, Effect.map(Store, (s) => s.rateBudget)).pipe(Layer.provide(store))
  const alegra = wiring.alegra(config).pipe(Layer.provide(budget))
  return Layer.mergeAll(Layer.succeed(SyncConfig, config), sql, store, alegra)
}

/** The store only, for commands that do not talk to Alegra. */
export const storeLayer = (file: string) => {
  const sql = sqliteLayer(file)
  return Layer.merge(sql, Store.Default.pipe(Layer.provide(sql)))
}

/**
 * The connectors of this install: the hub (Alegra) and every system the config enables.
 * The registry exists only when at least one system is enabled: an Alegra-only install
 * runs no two-way engine at all.
 */
export const connectorsLayer = (config: ResolvedConfig, wiring: Wiring) =>
  Layer.scoped(
    Connectors,
    Effect.gen(function*() {
      const hub = yield* Alegra
      const systems = yield* wiring.systems(config)
      return {
        hub,
        systems,
        get: (system) => system === "alegra" ? Option.some(hub) : Option.fromNullable(systems.find((c) => c.system === system))
      }
    })
  )
