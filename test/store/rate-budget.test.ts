/**
 * The store's RateBudget (one Alegra budget for every process on the store) against
 * the port's contract: two connections on one file stand for two processes.
 */
import { Effect, Layer } from "effect"
import { Store } from "../../src/store/index.js"
import { rateBudgetConformance } from "../alegra/rate-budget-conformance.js"
import { storeLayer, tempDbFile } from "./helpers.js"

rateBudgetConformance("the store (SQLite, two connections on one file)", () =>
  Effect.gen(function*() {
    const file = tempDbFile()
    // Two separately built layers: two connections, as the daemon and a backfill would hold.
    const first = yield* Layer.build(storeLayer(file))
    const second = yield* Layer.build(storeLayer(file))
    return {
      budget: (yield* Effect.provide(Store, first)).rateBudget,
      other: (yield* Effect.provide(Store, second)).rateBudget
    }
  }))
