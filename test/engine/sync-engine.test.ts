/**
 * The two-way engine's decisions, in-process: the real store (SQLite file), and two
 * in-memory systems behind the connector port (the hub, Alegra, and a Stripe-like
 * system). Seconds, not minutes: the end-to-end tests run the daemon against the
 * simulators.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import type { Amount, CanonicalRecord, DateOnly, Kind } from "../../schema/index.js"
import { resolveConfig, SyncConfig } from "../../src/config/index.js"
import { canonicalize } from "../../src/engine/hash.js"
import { SyncEngine } from "../../src/engine/sync/engine.js"
import { ConnectorError, Connectors, type Directions } from "../../src/ports/connector.js"
import { Store } from "../../src/store/index.js"
import { makeMemoryConnector, type MemoryConnector } from "../support/memory-connector.js"
import { storeLayer, tempDbFile } from "../store/helpers.js"

const stripeDirections: Directions = {
  contact: { name: "both", email: "both", phone: "both", identification: "to-alegra", address: "both" },
  item: { name: "to-alegra", description: "to-alegra", reference: "to-alegra", price: "to-alegra", status: "to-alegra", productKey: "to-alegra" },
  invoice: { contactId: "to-alegra", date: "to-alegra", dueDate: "to-alegra", currency: "to-alegra", lines: "to-alegra", total: "none", state: "both" },
  payment: { contactId: "to-alegra", date: "to-alegra", amount: "to-alegra", currency: "to-alegra", method: "to-alegra", bankAccountId: "none", applications: "to-alegra", state: "none" },
  "credit-note": { contactId: "to-alegra", date: "to-alegra", currency: "to-alegra", lines: "to-alegra", total: "none", applications: "to-alegra", state: "none" }
}

const a = (s: string) => s as Amount
const d = (s: string) => s as DateOnly

const customer = (id: string, patch: Record<string, unknown> = {}): CanonicalRecord => ({
  kind: "contact",
  record: {
    id, name: "Comercializadora Azteca SA de CV", identification: { type: "RFC", number: "CAZ010101AB1", dv: null },
    email: "pagos@azteca.mx", phone: null, mobile: null, roles: ["client"], status: "active", address: null, ...patch
  }
} as CanonicalRecord)
const product = (id: string, price = "100"): CanonicalRecord => ({
  kind: "item",
  record: { id, name: `Producto ${id}`, description: null, reference: null, status: "active", price: a(price), taxIds: [], type: null, productKey: null }
})
const invoice = (id: string, customerId: string, patch: Record<string, unknown> = {}): CanonicalRecord => ({
  kind: "invoice",
  record: {
    id, number: "INV-0001", date: d("2026-11-20"), dueDate: d("2026-12-20"), status: "open", contactId: customerId, currency: "MXN",
    lines: [
      { itemId: "prod_1", accountId: null, description: "Licencia", quantity: a("2"), price: a("100"), discount: a("0"), taxIds: ["txr_iva16"], total: a("232") },
      { itemId: "prod_2", accountId: null, description: "Soporte", quantity: a("1"), price: a("50"), discount: a("0"), taxIds: [], total: a("50") }
    ],
    total: a("282"), balance: a("282"), stamped: false, observations: null, ...patch
  }
} as CanonicalRecord)
const payment = (id: string, invoiceId: string, customerId: string): CanonicalRecord => ({
  kind: "payment",
  record: {
    id, number: null, date: d("2026-11-21"), direction: "in", status: "open", amount: a("282"), contactId: customerId, bankAccountId: null,
    method: "credit-card", currency: "MXN", applications: [{ documentKind: "invoice", documentId: invoiceId, amount: a("282") }]
  }
})

interface World {
  readonly hub: MemoryConnector
  readonly stripe: MemoryConnector
  readonly storeFile: string
  readonly layer: Layer.Layer<SyncEngine | Store | SyncConfig>
}

/** Both connectors and a store; another world over the same ones is the same install with another config. */
const world = (options: {
  readonly stamping?: boolean
  readonly conflicts?: Record<string, unknown>
  readonly hub?: MemoryConnector
  readonly stripe?: MemoryConnector
  readonly storeFile?: string
} = {}): Effect.Effect<World> =>
  Effect.gen(function*() {
    // Every call to Alegra takes a little while, so that concurrent syncs really interleave.
    const hub = options.hub ?? makeMemoryConnector("alegra", { kinds: ["contact", "item", "invoice", "payment", "credit-note"], latencyMs: 2 })
    const stripe = options.stripe ?? makeMemoryConnector("stripe", {
      kinds: ["contact", "item", "invoice", "payment", "credit-note"],
      directions: stripeDirections,
      idPrefix: (kind) => ({ contact: "cus_", item: "prod_", invoice: "in_", payment: "inpay_", "credit-note": "cn_" } as Record<string, string>)[kind] ?? "x_"
    })
    const config = yield* resolveConfig({
      store: { path: options.storeFile ?? tempDbFile() },
      alegra: { email: "a@b.co", token: { env: "T" } },
      stripe: {
        enabled: true, apiKey: { env: "SK" }, webhookSecret: { env: "WH" }, bankAccount: "7", taxRates: { txr_iva16: "3" },
        stamping: { enabled: options.stamping ?? false, paymentForm: "04", cfdiUse: "G03" }
      },
      sync: { conflicts: options.conflicts ?? {} }
    }, { file: "/test/sync.config.ts", env: { T: "t", SK: "sk_test_x", WH: "whsec_x" } }).pipe(Effect.orDie)
    const registry = Layer.succeed(Connectors, {
      hub,
      systems: [stripe],
      get: (system) => (system === "stripe" ? Option.some(stripe) : system === "alegra" ? Option.some(hub) : Option.none())
    })
    const base = Layer.mergeAll(storeLayer(config.store.path), Layer.succeed(SyncConfig, config), registry)
    return { hub, stripe, storeFile: config.store.path, layer: SyncEngine.Default.pipe(Layer.provideMerge(base), Layer.orDie) }
  })

const run = <A, E>(w: World, effect: Effect.Effect<A, E, SyncEngine | Store | SyncConfig>) => Effect.provide(effect, w.layer)

/** Stripe holds a customer, two products and, unless told otherwise, a finalized invoice of them. */
const withSale = (w: World, invoicePatch?: Record<string, unknown> | null): World => {
  w.stripe.put(customer("cus_1"))
  w.stripe.put(product("prod_1"))
  w.stripe.put(product("prod_2", "50"))
  if (invoicePatch !== null) w.stripe.put(invoice("in_1", "cus_1", invoicePatch))
  return w
}

const created = (connector: MemoryConnector, kind: Kind) => connector.writes.filter((w) => w._tag === "Create" && w.record.kind === kind).length

describe("the two-way engine", () => {
  it.live("a paid invoice for a new customer with new products: one contact, the items, one invoice, one payment, prerequisites first", () =>
    Effect.gen(function*() {
      const w = withSale(yield* world())
      w.stripe.put(payment("inpay_1", "in_1", "cus_1"))
      yield* run(w, Effect.gen(function*() {
        const engine = yield* SyncEngine
        const store = yield* Store
        // The payment comes first (events arrive in any order): it brings its invoice, which brings the rest.
        const outcome = yield* engine.syncPair("stripe", "payment", "inpay_1")
        expect(outcome).toMatchObject({ _tag: "Linked", created: true })
        expect([created(w.hub, "contact"), created(w.hub, "item"), created(w.hub, "invoice"), created(w.hub, "payment")]).toEqual([1, 2, 1, 1])
        const order = w.hub.writes.filter((x) => x._tag === "Create").map((x) => x._tag === "Create" ? x.record.kind : "")
        expect(order).toEqual(["contact", "item", "item", "invoice", "payment"])
        // References in Alegra's ids, the config's bank account and tax mapping.
        const hubInvoice = w.hub.all("invoice")[0]!
        const hubContact = w.hub.all("contact")[0]!
        expect(hubInvoice.record).toMatchObject({ contactId: hubContact.record.id, total: "282" })
        expect((hubInvoice.record as unknown as { lines: Array<{ taxIds: Array<string> }> }).lines[0]!.taxIds).toEqual(["3"])
        expect(w.hub.all("payment")[0]!.record).toMatchObject({
          bankAccountId: "7", applications: [{ documentKind: "invoice", documentId: hubInvoice.record.id, amount: "282" }]
        })
        // Every pair linked, with a base; every intent resolved; the Stripe records tagged.
        for (const [kind, id] of [["contact", "cus_1"], ["item", "prod_1"], ["invoice", "in_1"], ["payment", "inpay_1"]] as const) {
          const link = Option.getOrThrow(yield* store.links.get("stripe", kind, id))
          expect(link.base).not.toBeNull()
          expect(w.stripe.tags.get(`${kind}:${id}`)).toBe(link.alegraId)
        }
        expect(yield* store.intents.pending()).toEqual([])
        // The mirror holds what Alegra returned: Alegra's webhook for our own write is an echo.
        expect(Option.isSome(yield* store.mirror.get("invoice", hubInvoice.record.id))).toBe(true)
        // Synced again (a duplicate event, or the echo fanning out): nothing written anywhere.
        const writes = [w.hub.writes.length, w.stripe.writes.length]
        for (const [kind, id] of [["payment", "inpay_1"], ["invoice", "in_1"], ["contact", "cus_1"]] as const) {
          expect((yield* engine.syncPair("stripe", kind, id))._tag).toBe("InSync")
        }
        expect([w.hub.writes.length, w.stripe.writes.length]).toEqual(writes)
      }))
    }))

  it.live("a customer whose tax id matches an Alegra provider gets the client role added: one contact, never two", () =>
    Effect.gen(function*() {
      const w = yield* world()
      w.hub.put(customer("12", { roles: ["provider"], name: "COMERCIALIZADORA AZTECA, S.A. DE C.V.", email: null, identification: { type: "RFC", number: "caz-010101-ab1", dv: null } }))
      w.stripe.put(customer("cus_9"))
      yield* run(w, Effect.gen(function*() {
        const engine = yield* SyncEngine
        const store = yield* Store
        expect(yield* engine.syncPair("stripe", "contact", "cus_9")).toMatchObject({ _tag: "Linked", alegraId: "12", created: false })
        expect(created(w.hub, "contact")).toBe(0)
        expect(w.hub.get("contact", "12")!.record).toMatchObject({ roles: ["client", "provider"] })
        expect(Option.getOrThrow(yield* store.links.get("stripe", "contact", "cus_9"))).toMatchObject({ alegraId: "12", role: "client" })
        // Matched, never synced: the email Alegra lacked is filled, the same RFC written another way
        // is no difference, and the name both hold is a conflict its owner decides, recorded.
        const conflicts = yield* store.conflicts.list()
        expect(conflicts.map((c) => (c.fields as Array<{ field: string; winner: string }>)[0]).map((f) => [f!.field, f!.winner])).toEqual([
          ["name", "system"]
        ])
        expect(w.hub.get("contact", "12")!.record).toMatchObject({ name: "Comercializadora Azteca SA de CV", email: "pagos@azteca.mx" })
        // The Stripe customer is deleted: the contact loses the client role only.
        w.stripe.remove("contact", "cus_9")
        expect((yield* engine.syncPair("stripe", "contact", "cus_9"))._tag).toBe("Unlinked")
        expect(w.hub.get("contact", "12")!.record).toMatchObject({ roles: ["provider"] })
      }))
    }))

  it.live("changes flow field by field both ways; the same field changed on both sides is a recorded conflict the owner wins", () =>
    Effect.gen(function*() {
      const w = yield* world()
      w.stripe.put(customer("cus_1"))
      yield* run(w, Effect.gen(function*() {
        const engine = yield* SyncEngine
        const store = yield* Store
        const { alegraId } = (yield* engine.syncPair("stripe", "contact", "cus_1")) as { alegraId: string }
        // The email changes in Stripe: it flows to Alegra.
        w.stripe.put(customer("cus_1", { email: "tesoreria@azteca.mx" }))
        expect(yield* engine.syncPair("stripe", "contact", "cus_1")).toMatchObject({ _tag: "Synced", toAlegra: 1, toSystem: 0 })
        expect(w.hub.get("contact", alegraId)!.record).toMatchObject({ email: "tesoreria@azteca.mx" })
        // The phone changes in Alegra (the mirror sees it): it flows back to Stripe.
        const changed = { ...w.hub.get("contact", alegraId)!, record: { ...w.hub.get("contact", alegraId)!.record, phone: "+52 55 5555 0000" } } as CanonicalRecord
        w.hub.put(changed)
        yield* store.mirror.put({ kind: "contact", id: alegraId, ...canonical(changed), docDate: null, readAt: Date.now() + 1 })
        expect(yield* engine.syncPair("stripe", "contact", "cus_1")).toMatchObject({ _tag: "Synced", toAlegra: 0, toSystem: 1 })
        expect(w.stripe.get("contact", "cus_1")!.record).toMatchObject({ phone: "+52 55 5555 0000" })
        // The identification changes on both sides: Alegra owns it, the conflict is recorded with both values.
        const before = (yield* store.conflicts.list()).length
        w.stripe.put({ ...w.stripe.get("contact", "cus_1")!, record: { ...w.stripe.get("contact", "cus_1")!.record, identification: { type: "RFC", number: "AAA010101AAA", dv: null } } } as CanonicalRecord)
        const inAlegra = { ...w.hub.get("contact", alegraId)!, record: { ...w.hub.get("contact", alegraId)!.record, identification: { type: "RFC", number: "BBB010101BBB", dv: null } } } as CanonicalRecord
        w.hub.put(inAlegra)
        yield* store.mirror.put({ kind: "contact", id: alegraId, ...canonical(inAlegra), docDate: null, readAt: Date.now() + 2 })
        expect(yield* engine.syncPair("stripe", "contact", "cus_1")).toMatchObject({ _tag: "Synced", conflicts: 1 })
        const conflict = (yield* store.conflicts.list()).slice(before)
        expect(conflict).toHaveLength(1)
        expect(conflict[0]).toMatchObject({
          system: "stripe", kind: "contact", externalId: "cus_1", alegraId,
          fields: [{ field: "identification", winner: "alegra", applied: false, alegra: { number: "BBB010101BBB" }, external: { number: "AAA010101AAA" } }]
        })
        expect(w.hub.get("contact", alegraId)!.record).toMatchObject({ identification: { number: "BBB010101BBB" } })
      }))
    }))

  it.live("an invoice voided in Alegra voids the Stripe invoice; one paid in Alegra is marked paid out of band there", () =>
    Effect.gen(function*() {
      const w = withSale(yield* world())
      w.stripe.put(invoice("in_2", "cus_1", { number: "INV-0002" }))
      yield* run(w, Effect.gen(function*() {
        const engine = yield* SyncEngine
        const store = yield* Store
        const one = (yield* engine.syncPair("stripe", "invoice", "in_1")) as { alegraId: string }
        const two = (yield* engine.syncPair("stripe", "invoice", "in_2")) as { alegraId: string }
        const inAlegra = (id: string, status: string) => {
          const changed = { ...w.hub.get("invoice", id)!, record: { ...w.hub.get("invoice", id)!.record, status } } as CanonicalRecord
          w.hub.put(changed)
          return store.mirror.put({ kind: "invoice", id, ...canonical(changed), docDate: "2026-11-20", readAt: Date.now() + 5 })
        }
        yield* inAlegra(one.alegraId, "void")
        yield* inAlegra(two.alegraId, "closed")
        yield* engine.syncPair("stripe", "invoice", "in_1")
        yield* engine.syncPair("stripe", "invoice", "in_2")
        const acts = w.stripe.writes.filter((x) => x._tag === "Act").map((x) => x._tag === "Act" ? [x.id, x.action._tag] : [])
        expect(acts).toEqual([["in_1", "void"], ["in_2", "paid-out-of-band"]])
        expect((yield* engine.syncPair("stripe", "invoice", "in_1"))._tag).toBe("InSync")
      }))
    }))

  it.live("a stamped invoice is never modified: a later change is a recorded conflict, not a retry", () =>
    Effect.gen(function*() {
      const w = withSale(yield* world({ stamping: true }))
      yield* run(w, Effect.gen(function*() {
        const engine = yield* SyncEngine
        const store = yield* Store
        const { alegraId } = (yield* engine.syncPair("stripe", "invoice", "in_1")) as { alegraId: string }
        const stampAct = w.hub.writes.find((x) => x._tag === "Act" && x.action._tag === "stamp")
        expect(stampAct).toMatchObject({ action: { _tag: "stamp", fiscal: { paymentForm: "04", cfdiUse: "G03" } } })
        expect(w.hub.get("invoice", alegraId)!.record).toMatchObject({ stamped: true })
        // The Stripe invoice is voided after stamping: Alegra's stamped invoice stays as it is.
        w.stripe.put(invoice("in_1", "cus_1", { status: "void" }))
        const writes = w.hub.writes.length
        expect(yield* engine.syncPair("stripe", "invoice", "in_1")).toMatchObject({ _tag: "Synced", conflicts: 1 })
        expect(w.hub.writes.length).toBe(writes)
        expect(w.hub.get("invoice", alegraId)!.record).toMatchObject({ status: "open", stamped: true })
        expect((yield* store.conflicts.list()).at(-1)).toMatchObject({
          kind: "invoice", externalId: "in_1", alegraId, fields: [{ field: "state", external: "void", winner: "alegra", applied: false }]
        })
        // Recorded once, not again at every sync: the next one finds nothing new.
        expect((yield* engine.syncPair("stripe", "invoice", "in_1"))._tag).toBe("InSync")
        expect(w.hub.writes.length).toBe(writes)
      }))
    }))

  it.live("an invoice whose stamping Alegra refused is stamped at the next attempt, never created twice", () =>
    Effect.gen(function*() {
      const w = withSale(yield* world({ stamping: true }))
      yield* run(w, Effect.gen(function*() {
        const engine = yield* SyncEngine
        const refused = new ConnectorError({
          system: "alegra", reason: "validation", method: "POST", path: "/invoices/1/open", status: 400, code: "3061",
          message: "El campo 'numberTemplate.id' debe ser una numeración electrónica para timbrar."
        })
        w.hub.failWrites(1, refused, (request) => request._tag === "Act" && request.action._tag === "stamp")
        const first = yield* Effect.either(engine.syncPair("stripe", "invoice", "in_1"))
        expect(first._tag).toBe("Left")
        expect(created(w.hub, "invoice")).toBe(1)
        // The operator fixes the config; the change is tried again: found by its marker, stamped.
        const again = yield* engine.syncPair("stripe", "invoice", "in_1")
        expect(again).toMatchObject({ _tag: "Linked", created: false })
        expect(created(w.hub, "invoice")).toBe(1)
        const alegraId = (again as { alegraId: string }).alegraId
        expect(w.hub.get("invoice", alegraId)!.record).toMatchObject({ stamped: true })
        expect((yield* engine.syncPair("stripe", "invoice", "in_1"))._tag).toBe("InSync")
      }))
    }))

  it.live("a linked invoice not stamped yet is stamped at its next sync once stamping is on", () =>
    Effect.gen(function*() {
      const off = withSale(yield* world())
      const on = yield* world({ stamping: true, hub: off.hub, stripe: off.stripe, storeFile: off.storeFile })
      const alegraId = yield* run(off, Effect.map(Effect.flatMap(SyncEngine, (engine) => engine.syncPair("stripe", "invoice", "in_1")), (o) => (o as { alegraId: string }).alegraId))
      expect(off.hub.get("invoice", alegraId)!.record).toMatchObject({ stamped: false })
      yield* run(on, Effect.gen(function*() {
        const engine = yield* SyncEngine
        expect((yield* engine.syncPair("stripe", "invoice", "in_1"))._tag).toBe("InSync")
        expect(on.hub.get("invoice", alegraId)!.record).toMatchObject({ stamped: true })
        expect(created(on.hub, "invoice")).toBe(1)
        // The stamped copy is what the store holds now: the next sync stamps nothing again
        // (Alegra refuses a second stamp), before and after Alegra's own webhook of it.
        const stamps = on.hub.writes.filter((x) => x._tag === "Act" && x.action._tag === "stamp").length
        expect((yield* engine.syncPair("stripe", "invoice", "in_1"))._tag).toBe("InSync")
        expect(on.hub.writes.filter((x) => x._tag === "Act" && x.action._tag === "stamp").length).toBe(stamps)
      }))
    }))

  it.live("a payment whose invoice is still a draft waits for it, and is not lost", () =>
    Effect.gen(function*() {
      const w = withSale(yield* world(), { status: "draft" })
      w.stripe.put(payment("inpay_1", "in_1", "cus_1"))
      yield* run(w, Effect.gen(function*() {
        const engine = yield* SyncEngine
        const waited = yield* Effect.flip(engine.syncPair("stripe", "payment", "inpay_1"))
        expect(waited).toMatchObject({ _tag: "Waiting" })
        expect(created(w.hub, "payment")).toBe(0)
        w.stripe.put(invoice("in_1", "cus_1"))
        expect(yield* engine.syncPair("stripe", "payment", "inpay_1")).toMatchObject({ _tag: "Linked", created: true })
      }))
    }))

  it.live("the process dies between the Alegra create and the local record: start-up links it by its marker, never creates it twice", () =>
    Effect.gen(function*() {
      const w = yield* world()
      w.stripe.put(customer("cus_1"))
      yield* run(w, Effect.gen(function*() {
        const engine = yield* SyncEngine
        const store = yield* Store
        w.hub.dieAfterNextCreate()
        const exit = yield* Effect.exit(engine.syncPair("stripe", "contact", "cus_1"))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        expect(created(w.hub, "contact")).toBe(1)
        expect(yield* store.links.get("stripe", "contact", "cus_1")).toEqual(Option.none())
        expect((yield* store.intents.pending()).length).toBe(1)
        // Start-up.
        expect(yield* engine.resolveIntents).toEqual({ linked: 1, abandoned: 0 })
        expect(Option.getOrThrow(yield* store.links.get("stripe", "contact", "cus_1")).alegraId).toBe(w.hub.all("contact")[0]!.record.id)
        expect(yield* store.intents.pending()).toEqual([])
        // Its inbox row syncs it again: found by the link, no second create. The mirror has
        // never seen the contact (its webhook came while the process was down): not knowing a
        // record is not its deletion, so it is read from Alegra and the pair stays linked.
        const alegraId = w.hub.all("contact")[0]!.record.id
        expect(yield* store.mirror.state("contact", alegraId)).toEqual(Option.none())
        expect((yield* engine.syncPair("stripe", "contact", "cus_1"))._tag).not.toBe("Unlinked")
        expect(Option.getOrThrow(yield* store.links.get("stripe", "contact", "cus_1")).alegraId).toBe(alegraId)
        expect(Option.isSome(yield* store.mirror.get("contact", alegraId))).toBe(true)
        yield* engine.syncPair("stripe", "contact", "cus_1")
        expect(created(w.hub, "contact")).toBe(1)
        expect(w.hub.all("contact")).toHaveLength(1)
      }))
    }))

  it.live("a create that failed leaves an intent the start-up abandons (nothing was created), and the retry creates it once", () =>
    Effect.gen(function*() {
      const w = yield* world()
      w.stripe.put(customer("cus_1"))
      yield* run(w, Effect.gen(function*() {
        const engine = yield* SyncEngine
        const store = yield* Store
        w.hub.failWrites(1, new ConnectorError({ system: "alegra", reason: "server", method: "POST", path: "/contacts", status: 503, code: null, message: "mantenimiento" }))
        expect(yield* Effect.flip(engine.syncPair("stripe", "contact", "cus_1"))).toMatchObject({ _tag: "ConnectorError", reason: "server" })
        expect(yield* engine.resolveIntents).toEqual({ linked: 0, abandoned: 1 })
        yield* engine.syncPair("stripe", "contact", "cus_1")
        expect(w.hub.all("contact")).toHaveLength(1)
        expect(yield* store.intents.pending()).toEqual([])
      }))
    }))

  it.live("two invoices of one new customer synced at once create the customer once", () =>
    Effect.gen(function*() {
      const w = withSale(yield* world())
      w.stripe.put(invoice("in_2", "cus_1", { number: "INV-0002" }))
      yield* run(w, Effect.gen(function*() {
        const engine = yield* SyncEngine
        yield* Effect.all([engine.syncPair("stripe", "invoice", "in_1"), engine.syncPair("stripe", "invoice", "in_2")], { concurrency: 2 })
        expect([w.hub.all("contact").length, w.hub.all("item").length, w.hub.all("invoice").length]).toEqual([1, 2, 2])
      }))
    }))

  it.live("a tax rate the config does not map is refused with what to do", () =>
    Effect.gen(function*() {
      const w = yield* world()
      w.stripe.put(customer("cus_1"))
      w.stripe.put(product("prod_1"))
      w.stripe.put(product("prod_2", "50"))
      const taxed = invoice("in_1", "cus_1")
      const lines = (taxed.record as unknown as { lines: Array<Record<string, unknown>> }).lines
      w.stripe.put({ ...taxed, record: { ...taxed.record, lines: [{ ...lines[0]!, taxIds: ["txr_unknown"] }] } } as unknown as CanonicalRecord)
      yield* run(w, Effect.gen(function*() {
        const engine = yield* SyncEngine
        const refused = yield* Effect.flip(engine.syncPair("stripe", "invoice", "in_1"))
        expect(refused).toMatchObject({ _tag: "SyncRefused" })
        expect((refused as { message: string }).message).toMatch(/txr_unknown has no Alegra tax: add it to stripe\.taxRates/)
        expect(w.hub.all("invoice")).toHaveLength(0)
      }))
    }))
})

/** What the mirror stores for a record (its canonical JSON and hash). */
const canonical = (record: CanonicalRecord) => canonicalize(record.record)
