/** The whole Alegra connector against a fresh simulator account, over real HTTP, for one test file. */
import { Effect, Either, ManagedRuntime, Option, Redacted } from "effect"
import { afterAll, beforeAll } from "vitest"
import { AlegraLive, decodeRecord } from "../../connectors/alegra/index.js"
import type { AlegraCaptureOptions } from "../../connectors/alegra/index.js"
import { type AlegraSimulator, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import { Alegra, type AlegraPort } from "../../src/ports/alegra.js"
import type { Observation } from "../../src/ports/connector.js"
import { EMAIL, TOKEN } from "./support.js"

export interface Account {
  readonly sim: AlegraSimulator
  /** Runs with the connector (built once for the file). */
  readonly run: <A, E>(f: (alegra: AlegraPort) => Effect.Effect<A, E>) => Promise<A>
  /** Runs and answers the failure (the test expects one). */
  readonly fail: <A, E>(f: (alegra: AlegraPort) => Effect.Effect<A, E>) => Promise<E>
  /** An active bank account of the account. */
  readonly bankAccount: () => string
  /** A record as the simulator holds it now, as the connector maps it. */
  readonly held: (kind: Kind, id: string) => CanonicalRecord | undefined
  /** Requests the simulator received since `since` (an index into its log). */
  readonly requestsSince: (since: number) => ReadonlyArray<{ readonly method: string; readonly path: string }>
  readonly requestCount: () => number
}

/**
 * A fresh account (a few accounts and bank accounts, no documents) and the connector on it,
 * with the capture options `capture` gives once the file's other set-ups ran.
 */
export const account = (capture?: () => AlegraCaptureOptions): Account => {
  let sim: AlegraSimulator
  let runtime: ManagedRuntime.ManagedRuntime<Alegra, never>
  beforeAll(async () => {
    sim = await startAlegraSimulator({ email: EMAIL, token: TOKEN, requestsPerMinute: 60_000 })
    seedAccount(sim, { categories: 6, bankAccounts: 2, contacts: 0, items: 0, invoices: 0, bills: 0, payments: 0, creditNotes: 0, estimates: 0 })
    runtime = ManagedRuntime.make(
      AlegraLive({
        baseUrl: sim.url,
        email: EMAIL,
        token: Redacted.make(TOKEN),
        requestsPerMinute: 60_000,
        rateLimitWindowSeconds: 60,
        retryBaseDelayMs: 10,
        ...(capture === undefined ? {} : { capture: capture() })
      })
    )
  })
  afterAll(async () => {
    await runtime?.dispose()
    await sim?.close()
  })
  return {
    get sim() {
      return sim
    },
    run: (f) => runtime.runPromise(Effect.flatMap(Alegra, f)),
    fail: (f) => runtime.runPromise(Effect.flip(Effect.flatMap(Alegra, f))),
    bankAccount: () => (sim.admin.list("bank-account").find((b) => b["status"] === "active")!)["id"] as string,
    held: (kind, id) => {
      const raw = sim.admin.get(kind, id)
      return raw === undefined ? undefined : Either.getOrThrow(decodeRecord(kind, raw))
    },
    requestsSince: (since) => sim.stats.requests().slice(since),
    requestCount: () => sim.stats.requests().length
  }
}

/** The record an observation carries (a write's answer). */
export const recordOf = (observed: Observation): CanonicalRecord => Option.getOrThrow(observed.record)
