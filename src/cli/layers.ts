import type { HttpClient } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Layer } from "effect"
import { type ResolvedConfig, SyncConfig } from "../config/index.js"
import type { Alegra } from "../ports/alegra.js"
import { sqliteLayer, Store } from "../store/index.js"

/**
 * How the composition root (src/main.ts) hands the engine its connectors: the
 * engine never imports connectors/ itself.
 */
export interface Wiring {
  readonly alegra: (config: ResolvedConfig) => Layer.Layer<Alegra, never, HttpClient.HttpClient>
}

/** Config, the SQLite store and the Alegra client: what every command needs. */
export const baseLayer = (config: ResolvedConfig, wiring: Wiring) => {
  // One instance each (layers are memoised by reference).
  const sql = sqliteLayer(config.store.path)
  const store = Store.Default.pipe(Layer.provide(sql))
  const alegra = wiring.alegra(config).pipe(Layer.provide(NodeHttpClient.layerUndici))
  return Layer.mergeAll(Layer.succeed(SyncConfig, config), sql, store, alegra)
}

/** The store only, for commands that do not talk to Alegra. */
export const storeLayer = (file: string) => {
  const sql = sqliteLayer(file)
  return Layer.merge(sql, Store.Default.pipe(Layer.provide(sql)))
}
