/**
 * The two-way engine: one path for every system (src/ports/connector.ts).
 *
 * A change of a record in system S (a webhook, a poll, or an Alegra change fanning out
 * to the records linked to it) is synced as a pair: S's record and its Alegra record.
 *
 *   read S's record -> translate its references into Alegra's ids, ensuring each
 *   prerequisite first -> no link: upsert into Alegra (under an intent: find by our
 *   marker, then by natural key, then create) | a link: plan field by field against
 *   the base snapshot -> apply (network, never inside a transaction) -> record the
 *   link, both sides' hashes and base, the mirror, the intent and the conflicts in one
 *   transaction.
 *
 * Alegra has no idempotency keys: before a create, an intent row is committed; after a
 * crash at any point, `resolveIntents` finds the record by the marker it carries
 * before anything else runs, and never creates it twice.
 */
import type { SqlError } from "@effect/sql/SqlError"
import { Clock, Effect, Option, Schema } from "effect"
import {
  type Application,
  type CanonicalRecord,
  type CreditNoteRefund,
  type Kind,
  type Line,
  recordSchemas,
  type SyncedKind,
  type System
} from "../../../schema/index.js"
import { SyncConfig } from "../../config/index.js"
import {
  type ConnectorError,
  type ConnectorPort,
  Connectors,
  type NaturalKey,
  type Observation
} from "../../ports/connector.js"
import { type Intent, type Link, type LinkBase, type LinkRole, Store } from "../../store/index.js"
import { mirrorWrite, recordAlegraObservation } from "../apply.js"
import { contentHash } from "../hash.js"
import { SyncRefused, Waiting } from "./errors.js"
import { makeKeyedLock } from "./lock.js"
import { markerOf, naturalKeys } from "./natural-keys.js"
import { type Direction, type FieldConflict, planSync, type SyncPlan } from "./plan.js"
import { fieldsOf, isSynced, type Projection, project } from "./projection.js"
import { type SystemSettings, systemSettings } from "./settings.js"

/** What syncing a pair did. `Linked` and `Synced` recorded `within` with the pair; the others recorded nothing. */
export type PairOutcome =
  | { readonly _tag: "Linked"; readonly alegraId: string; readonly created: boolean; readonly conflicts: number }
  | { readonly _tag: "Synced"; readonly alegraId: string; readonly toAlegra: number; readonly toSystem: number; readonly conflicts: number }
  | { readonly _tag: "InSync"; readonly alegraId: string }
  | { readonly _tag: "Unlinked"; readonly alegraId: string }
  | { readonly _tag: "Skipped"; readonly reason: string }

export type SyncFailure = ConnectorError | Waiting | SyncRefused | SqlError

const CREATE = "create-in-alegra"

const decodeCanonical = (kind: Kind, content: unknown): Option.Option<CanonicalRecord> =>
  Option.map(
    Schema.decodeUnknownOption(recordSchemas[kind] as Schema.Schema<any>)(content),
    (record) => ({ kind, record }) as CanonicalRecord
  )

const hashOf = (projection: Projection) => contentHash(projection)

/** A record with some of its synced fields replaced (plain fields only: `state` is an action). */
const withFields = (target: CanonicalRecord, fields: Readonly<Record<string, unknown>>): CanonicalRecord =>
  ({ kind: target.kind, record: { ...target.record, ...fields } }) as CanonicalRecord

const isStamped = ({ kind, record }: CanonicalRecord): boolean =>
  (kind === "invoice" || kind === "credit-note") && record.stamped

export class SyncEngine extends Effect.Service<SyncEngine>()("alegra-sync/SyncEngine", {
  effect: Effect.gen(function*() {
    const store = yield* Store
    const connectors = yield* Connectors
    const config = yield* SyncConfig
    const lock = yield* makeKeyedLock
    const hub = connectors.hub

    const connectorOf = (system: System): Effect.Effect<ConnectorPort, SyncRefused> =>
      Option.match(connectors.get(system), {
        onNone: () => Effect.fail(new SyncRefused({ message: `${system} is not enabled in the config` })),
        onSome: Effect.succeed
      })

    const settingsOf = (system: System): SystemSettings =>
      systemSettings(config, system) ?? {
        kinds: new Set(),
        back: false,
        contactRole: "client",
        bankAccount: null,
        taxRates: {},
        defaultItem: null,
        stamping: null
      }

    const roleOf = (kind: Kind, settings: SystemSettings): LinkRole => (kind === "contact" ? settings.contactRole : "")

    const directionsOf = (connector: ConnectorPort, kind: SyncedKind, settings: SystemSettings) => {
      const given: Readonly<Record<string, Direction>> = connector.directions[kind] ?? {}
      if (settings.back) return given
      // Nothing flows back when the config says so.
      return Object.fromEntries(
        Object.entries(given).map(([field, d]) => [field, d === "both" ? "to-alegra" : d === "to-system" ? "none" : d])
      ) as Record<string, Direction>
    }

    /**
     * The Alegra record a link points at, as the mirror holds it (None: gone from Alegra, a
     * tombstone). A record the mirror does not know yet — linked at start-up after a crash,
     * its webhook sent while the daemon was down — is not a deleted one: it is read from
     * Alegra and recorded.
     */
    const alegraRecord = (kind: Kind, alegraId: string) =>
      Effect.flatMap(store.mirror.state(kind, alegraId), (state) =>
        Option.match(state, {
          onSome: (s) => Effect.succeed(s.deleted ? Option.none() : decodeCanonical(kind, s.content)),
          onNone: () =>
            Effect.gen(function*() {
              const observed = yield* hub.read(kind, alegraId)
              yield* store.writeTransaction(recordAlegraObservation(kind, alegraId, observed)).pipe(
                Effect.provideService(Store, store)
              )
              return observed.record
            })
        }))

    /** Writes into Alegra and keeps the mirror in step with what Alegra returned (in the caller's transaction). */
    const recordAlegra = (observed: Observation) =>
      Option.match(observed.record, {
        onNone: () => Effect.void,
        onSome: (record) => Effect.asVoid(store.mirror.put(mirrorWrite(record, observed.readAt)))
      })

    // -------------------------------------------------------------------------------------
    // References: the system's ids -> Alegra's, prerequisites first.

    const alegraIdOf = (system: System, kind: Kind, externalId: string): Effect.Effect<string, SyncFailure> =>
      Effect.gen(function*() {
        const linked = yield* store.links.get(system, kind, externalId)
        if (Option.isSome(linked)) return linked.value.alegraId
        // A prerequisite first: the customer of an invoice, the invoice of a payment.
        yield* syncPair(system, kind, externalId)
        const after = yield* store.links.get(system, kind, externalId)
        if (Option.isSome(after)) return after.value.alegraId
        return yield* new Waiting({ message: `${system} ${kind} ${externalId} is not in Alegra yet` })
      })

    /** The system's record in Alegra's ids, with what the config supplies (bank account, taxes, role). */
    const translate = (system: System, { kind, record }: CanonicalRecord, settings: SystemSettings) =>
      Effect.gen(function*() {
        const taxes = (ids: ReadonlyArray<string>) =>
          Effect.forEach(ids, (id) => {
            const mapped = settings.taxRates[id]
            return mapped === undefined
              ? Effect.fail(
                new SyncRefused({
                  message: `${system} tax rate ${id} has no Alegra tax: add it to ${system}.taxRates in the config (its id → the Alegra tax id)`
                })
              )
              : Effect.succeed(mapped)
          })
        const line = (l: Line) =>
          Effect.gen(function*() {
            const itemId = l.itemId !== null
              ? yield* alegraIdOf(system, "item", l.itemId)
              : settings.defaultItem ?? (yield* new SyncRefused({
                message: `a ${system} line without a product ("${l.description ?? ""}"): set ${system}.defaultItem in the config to the Alegra item for such lines`
              }))
            return { ...l, itemId, taxIds: yield* taxes(l.taxIds) }
          })
        const applications = (list: ReadonlyArray<Application>) =>
          Effect.forEach(list, (a) => Effect.map(alegraIdOf(system, a.documentKind, a.documentId), (documentId) => ({ ...a, documentId })))
        // Money a credit note returns leaves the account the system's money goes into.
        const refunds = (list: ReadonlyArray<CreditNoteRefund>) =>
          list.length === 0
            ? Effect.succeed(list)
            : settings.bankAccount === null
            ? Effect.fail(new SyncRefused({ message: `a ${system} refund needs the Alegra bank account it leaves from: set ${system}.bankAccount in the config` }))
            : Effect.succeed(list.map((r) => ({ ...r, bankAccountId: settings.bankAccount })))
        switch (kind) {
          case "contact":
            return { kind, record: { ...record, id: "", roles: [settings.contactRole] } } as CanonicalRecord
          case "item":
            return { kind, record: { ...record, id: "" } } as CanonicalRecord
          case "invoice":
            return {
              kind,
              record: {
                ...record,
                id: "",
                contactId: yield* alegraIdOf(system, "contact", record.contactId),
                lines: yield* Effect.forEach(record.lines, line)
              }
            } as CanonicalRecord
          case "credit-note":
            return {
              kind,
              record: {
                ...record,
                id: "",
                contactId: yield* alegraIdOf(system, "contact", record.contactId),
                lines: yield* Effect.forEach(record.lines, line),
                applications: yield* applications(record.applications),
                ...(record.refunds === undefined ? {} : { refunds: yield* refunds(record.refunds) })
              }
            } as CanonicalRecord
          case "payment":
            return {
              kind,
              record: {
                ...record,
                id: "",
                contactId: record.contactId === null ? null : yield* alegraIdOf(system, "contact", record.contactId),
                bankAccountId: settings.bankAccount,
                applications: yield* applications(record.applications)
              }
            } as CanonicalRecord
          default:
            return yield* new SyncRefused({ message: `${kind} records do not sync with ${system}` })
        }
      })

    // -------------------------------------------------------------------------------------
    // Upsert into Alegra: find by marker, then natural key; else create, under an intent.

    const findInAlegra = (kind: Kind, keys: ReadonlyArray<NaturalKey>) =>
      Effect.gen(function*() {
        for (const key of keys) {
          const found = yield* hub.find(kind, key)
          if (Option.isSome(found)) return Option.some({ record: found.value, key })
        }
        return Option.none<{ readonly record: CanonicalRecord; readonly key: NaturalKey }>()
      })

    /** A matched contact gets this system's role added (one contact, both roles), never a second contact. */
    const ensureRole = (found: CanonicalRecord, role: LinkRole, idempotencyKey: string) =>
      Effect.gen(function*() {
        if (found.kind !== "contact" || role === "" || found.record.roles.includes(role)) {
          return { readAt: yield* Clock.currentTimeMillis, record: Option.some(found) } satisfies Observation
        }
        return yield* hub.write({
          _tag: "Act",
          kind: "contact",
          id: found.record.id,
          action: { _tag: "add-role", role },
          idempotencyKey: `${idempotencyKey}-role`
        })
      })

    const stamp = (created: Observation, settings: SystemSettings, idempotencyKey: string) =>
      Effect.gen(function*() {
        if (settings.stamping === null || Option.isNone(created.record)) return created
        const record = created.record.value
        if ((record.kind !== "invoice" && record.kind !== "credit-note") || record.record.stamped) return created
        // A draft is not a legal document yet, a void one no longer is.
        if (record.record.status === "void" || record.record.status === "draft") return created
        return yield* hub.write({
          _tag: "Act",
          kind: record.kind,
          id: record.record.id,
          action: { _tag: "stamp", fiscal: settings.stamping },
          idempotencyKey: `${idempotencyKey}-stamp`
        })
      })

    /**
     * The pair has no link yet: find the record in Alegra or create it. The intent is
     * committed before anything is created; the keyed lock keeps two changes from
     * creating the same record at once.
     */
    const linkNew = (
      system: System,
      external: CanonicalRecord,
      translated: CanonicalRecord,
      observed: Observation,
      settings: SystemSettings,
      connector: ConnectorPort,
      within: Effect.Effect<unknown, SqlError> | undefined
    ) => {
      const kind = external.kind
      const externalId = external.record.id
      const keys = naturalKeys(system, translated, externalId)
      const lockKey = `upsert:${kind}:${keys.find((k) => k._tag !== "marker")?.value ?? keys[0]!.value}`
      return lock(lockKey, Effect.gen(function*() {
        const { firstAttempt, intent } = yield* store.intents.begin({
          system,
          kind,
          externalId,
          operation: CREATE,
          naturalKey: keys
        })
        // The marker is looked for only when an earlier attempt may have created the record:
        // on a first attempt no record carries it yet (a document is then created at once).
        const found = yield* findInAlegra(kind, firstAttempt ? keys.filter((k) => k._tag !== "marker") : keys)
        const role = roleOf(kind, settings)
        let alegra: Observation
        let created = false
        if (Option.isSome(found)) {
          // A document is found by its marker only: ours, created by an attempt that failed
          // before it was stamped (stamping refused, a crash): stamped now.
          alegra = yield* stamp(yield* ensureRole(found.value.record, role, intent.idempotencyKey), settings, intent.idempotencyKey)
        } else {
          const made = yield* hub.write({
            _tag: "Create",
            record: translated,
            marker: markerOf(system, kind, externalId),
            idempotencyKey: intent.idempotencyKey
          })
          alegra = yield* stamp(made, settings, intent.idempotencyKey)
          created = true
        }
        const alegraRecord = Option.getOrThrowWith(
          alegra.record,
          () => new SyncRefused({ message: `Alegra returned no ${kind} after writing it` })
        )
        // A match may differ from the system's record: decide field by field (no base yet).
        let plan: SyncPlan = { toAlegra: {}, toSystem: {}, conflicts: [] }
        let finalAlegra = alegraRecord
        let finalExternal = external
        if (!created && isSynced(kind)) {
          plan = planSync({
            base: null,
            external: project(translated),
            alegra: project(alegraRecord),
            fields: fieldsOf(kind),
            owners: config.sync.conflicts[kind],
            directions: directionsOf(connector, kind, settings)
          })
          const applied = yield* applyPlan(connector, plan, external, alegraRecord, intent.idempotencyKey)
          finalAlegra = applied.alegra
          finalExternal = applied.external
          alegra = applied.alegraObservation ?? alegra
        }
        // The system's record carries the link too, so that it can be recovered there.
        yield* connector.write({ _tag: "Tag", kind, id: externalId, alegraId: alegraRecord.record.id, idempotencyKey: `${intent.idempotencyKey}-tag` })
        const totals = created ? totalsConflict(translated, alegraRecord) : []
        yield* recordPair({
          system,
          external: finalExternal,
          translated: yield* translateAgain(system, finalExternal, settings, translated),
          alegra: finalAlegra,
          alegraObservation: alegra,
          role,
          intent,
          conflicts: [...plan.conflicts, ...totals],
          resolution: created ? "created" : `matched by ${Option.getOrThrow(found).key._tag}`,
          readAt: observed.readAt,
          within
        })
        return {
          _tag: "Linked",
          alegraId: alegraRecord.record.id,
          created,
          conflicts: plan.conflicts.length + totals.length
        } satisfies PairOutcome
      }))
    }

    /** After writing to the system, its record as returned, in Alegra's ids (references are already linked). */
    const translateAgain = (system: System, external: CanonicalRecord, settings: SystemSettings, fallback: CanonicalRecord) =>
      Effect.orElseSucceed(translate(system, external, settings), () => fallback)

    /** Alegra computes a document's total itself: a different total is recorded, never written over. */
    const totalsConflict = (translated: CanonicalRecord, alegra: CanonicalRecord): ReadonlyArray<FieldConflict> => {
      if (!("total" in translated.record) || !("total" in alegra.record)) return []
      const external = translated.record.total
      const computed = alegra.record.total
      return external === computed
        ? []
        : [{ field: "total", alegra: computed, external, base: undefined, winner: "alegra", applied: false }]
    }

    // -------------------------------------------------------------------------------------
    // Applying a plan (network)

    const applyPlan = (
      connector: ConnectorPort,
      plan: SyncPlan,
      external: CanonicalRecord,
      alegra: CanonicalRecord,
      idempotencyKey: string
    ) =>
      Effect.gen(function*() {
        let alegraNow = alegra
        let externalNow = external
        let alegraObservation: Observation | undefined
        const stampedConflicts: Array<FieldConflict> = []
        const { state: alegraState, ...alegraFields } = plan.toAlegra
        const { state: systemState, ...systemFields } = plan.toSystem
        if (Object.keys(alegraFields).length > 0) {
          if (isStamped(alegraNow)) {
            // A stamped document is immutable: recorded, never retried.
            for (const [field, value] of Object.entries(alegraFields)) {
              stampedConflicts.push({ field, alegra: (alegraNow.record as Record<string, unknown>)[field], external: value, base: undefined, winner: "alegra", applied: false })
            }
          } else {
            alegraObservation = yield* hub.write({
              _tag: "Update",
              record: withFields(alegraNow, alegraFields),
              fields: Object.keys(alegraFields),
              idempotencyKey: `${idempotencyKey}-a`
            })
            alegraNow = Option.getOrElse(alegraObservation.record, () => alegraNow)
          }
        }
        if (alegraState === "void" && isStamped(alegraNow)) {
          // A stamped invoice is cancelled with the tax authority, not voided from here.
          stampedConflicts.push({ field: "state", alegra: "open", external: "void", base: undefined, winner: "alegra", applied: false })
        } else if (alegraState === "void") {
          alegraObservation = yield* hub.write({
            _tag: "Act", kind: alegraNow.kind, id: alegraNow.record.id, action: { _tag: "void" }, idempotencyKey: `${idempotencyKey}-av`
          })
          alegraNow = Option.getOrElse(alegraObservation.record, () => alegraNow)
        }
        if (Object.keys(systemFields).length > 0) {
          const written = yield* connector.write({
            _tag: "Update",
            record: withFields(externalNow, systemFields),
            fields: Object.keys(systemFields),
            idempotencyKey: `${idempotencyKey}-s`
          })
          externalNow = Option.getOrElse(written.record, () => externalNow)
        }
        if (systemState === "void" || systemState === "paid") {
          const written = yield* connector.write({
            _tag: "Act",
            kind: externalNow.kind,
            id: externalNow.record.id,
            action: systemState === "void" ? { _tag: "void" } : { _tag: "paid-out-of-band" },
            idempotencyKey: `${idempotencyKey}-s${systemState}`
          })
          externalNow = Option.getOrElse(written.record, () => externalNow)
        }
        return { alegra: alegraNow, external: externalNow, alegraObservation, stampedConflicts }
      })

    // -------------------------------------------------------------------------------------
    // Recording (one transaction)

    const recordPair = (input: {
      readonly system: System
      readonly external: CanonicalRecord
      readonly translated: CanonicalRecord
      readonly alegra: CanonicalRecord
      readonly alegraObservation: Observation | undefined
      readonly role: LinkRole
      readonly intent?: Intent
      readonly conflicts: ReadonlyArray<FieldConflict>
      readonly resolution: string
      readonly readAt: number
      /** Recorded in the same transaction (the inbox row's completion). */
      readonly within?: Effect.Effect<unknown, SqlError> | undefined
    }) =>
      store.writeTransaction(Effect.gen(function*() {
        if (input.within !== undefined) yield* input.within
        const kind = input.external.kind
        const externalProjection = project(input.translated)
        const alegraProjection = project(input.alegra)
        const base: LinkBase = { external: externalProjection, alegra: alegraProjection }
        yield* store.links.put({
          system: input.system,
          kind,
          externalId: input.external.record.id,
          alegraId: input.alegra.record.id,
          role: input.role,
          externalHash: hashOf(externalProjection),
          alegraHash: hashOf(alegraProjection),
          base
        })
        if (input.alegraObservation !== undefined) yield* recordAlegra(input.alegraObservation)
        if (input.intent !== undefined) {
          yield* store.intents.resolve(input.intent.id, input.alegra.record.id, input.external.record.id)
        }
        for (const conflict of input.conflicts) {
          yield* store.conflicts.record({
            system: input.system,
            kind,
            externalId: input.external.record.id,
            alegraId: input.alegra.record.id,
            fields: [conflict],
            resolution: conflict.applied ? `${conflict.winner} wins` : `${conflict.winner} kept (${input.resolution})`
          })
        }
      }))

    // -------------------------------------------------------------------------------------
    // A linked pair

    const syncLinked = (
      system: System,
      connector: ConnectorPort,
      link: Link,
      external: CanonicalRecord,
      translated: CanonicalRecord,
      settings: SystemSettings,
      within: Effect.Effect<unknown, SqlError> | undefined
    ) =>
      Effect.gen(function*() {
        const kind = external.kind
        const current = yield* alegraRecord(kind, link.alegraId)
        if (Option.isNone(current)) {
          // Deleted in Alegra: the pair is gone. The system's record is left as it is.
          yield* store.links.remove(system, kind, external.record.id)
          yield* Effect.logInfo("linked record deleted in Alegra: link removed").pipe(
            Effect.annotateLogs({ system, kind, id: external.record.id, alegraId: link.alegraId })
          )
          return { _tag: "Unlinked", alegraId: link.alegraId } satisfies PairOutcome
        }
        if (!isSynced(kind)) return { _tag: "Skipped", reason: `${kind} does not sync` } satisfies PairOutcome
        // With stamping on, a linked document not stamped yet (its stamping was refused, then
        // the config fixed) is stamped at its next sync. Stamping changes no synced field.
        const observed = yield* stamp(
          { readAt: yield* Clock.currentTimeMillis, record: current },
          settings,
          `stamp-${system}-${kind}-${external.record.id}`
        )
        // What the stamp returned is what Alegra holds now: the mirror takes it whatever follows,
        // or the next sync would find the document unstamped and stamp it again (Alegra refuses).
        const stamped = observed.record === current ? undefined : observed
        const alegraNow = Option.getOrElse(observed.record, () => current.value)
        const externalProjection = project(translated)
        const alegraProjection = project(alegraNow)
        if (link.externalHash === hashOf(externalProjection) && link.alegraHash === hashOf(alegraProjection)) {
          // Both sides as they were at the last sync: our own write coming back, or no news.
          if (stamped !== undefined) yield* store.writeTransaction(recordAlegra(stamped))
          return { _tag: "InSync", alegraId: link.alegraId } satisfies PairOutcome
        }
        const plan = planSync({
          base: link.base,
          external: externalProjection,
          alegra: alegraProjection,
          fields: fieldsOf(kind),
          owners: config.sync.conflicts[kind],
          directions: directionsOf(connector, kind, settings)
        })
        const key = `sync-${system}-${kind}-${external.record.id}-${hashOf({ externalProjection, alegraProjection }).slice(0, 16)}`
        const applied = yield* applyPlan(connector, plan, external, alegraNow, key)
        yield* recordPair({
          system,
          external: applied.external,
          translated: yield* translateAgain(system, applied.external, settings, translated),
          alegra: applied.alegra,
          alegraObservation: applied.alegraObservation ?? stamped,
          role: link.role,
          conflicts: [...plan.conflicts, ...applied.stampedConflicts],
          resolution: "synced",
          readAt: Date.now(),
          within
        })
        return {
          _tag: "Synced",
          alegraId: link.alegraId,
          toAlegra: Object.keys(plan.toAlegra).length,
          toSystem: Object.keys(plan.toSystem).length,
          conflicts: plan.conflicts.length + applied.stampedConflicts.length
        } satisfies PairOutcome
      })

    /**
     * The system's record is gone (deleted there, or no longer one it syncs: a refund a
     * credit note now covers). The link goes; a contact loses this system's role, and only
     * that; a document the system no longer has is voided in Alegra — unless it is
     * stamped, which is recorded as a conflict instead.
     */
    const unlink = (system: System, kind: Kind, externalId: string, link: Link) =>
      Effect.gen(function*() {
        const refused = (e: ConnectorError) =>
          Effect.as(
            Effect.logWarning("could not follow a deletion in Alegra").pipe(
              Effect.annotateLogs({ system, kind, id: externalId, error: e.message })
            ),
            undefined
          )
        let written: Observation | undefined
        if (kind === "contact" && link.role !== "") {
          const others = (yield* store.links.ofAlegra("contact", link.alegraId)).filter((l) => l.role === link.role && l.externalId !== externalId)
          if (others.length === 0) {
            written = yield* hub.write({
              _tag: "Act",
              kind: "contact",
              id: link.alegraId,
              action: { _tag: "remove-role", role: link.role },
              idempotencyKey: `unlink-${system}-${externalId}`
            }).pipe(Effect.catchIf((e) => e.reason === "validation" || e.reason === "conflict", refused))
          }
        }
        const conflicts: Array<FieldConflict> = []
        if (kind === "invoice" || kind === "payment" || kind === "credit-note") {
          const current = yield* alegraRecord(kind, link.alegraId)
          if (Option.isSome(current) && isStamped(current.value)) {
            conflicts.push({ field: "state", alegra: "open", external: "deleted", base: undefined, winner: "alegra", applied: false })
          } else if (Option.isSome(current) && current.value.record.status !== "void") {
            written = yield* hub.write({
              _tag: "Act",
              kind,
              id: link.alegraId,
              action: { _tag: "void" },
              idempotencyKey: `unlink-${system}-${externalId}`
            }).pipe(Effect.catchIf((e) => e.reason === "validation" || e.reason === "conflict", refused))
          }
        }
        yield* store.writeTransaction(Effect.gen(function*() {
          yield* store.links.remove(system, kind, externalId)
          if (written !== undefined) yield* recordAlegra(written)
          for (const conflict of conflicts) {
            yield* store.conflicts.record({
              system, kind, externalId, alegraId: link.alegraId, fields: [conflict], resolution: "alegra kept (stamped)"
            })
          }
        }))
        return { _tag: "Unlinked", alegraId: link.alegraId } satisfies PairOutcome
      })

    // -------------------------------------------------------------------------------------

    /**
     * Syncs one record of `system` with its Alegra record (see the module comment).
     * `within` is recorded in the same transaction as the pair (the inbox row's
     * completion), when anything is recorded; the outcome says whether it was.
     */
    const syncPair = (
      system: System,
      kind: Kind,
      externalId: string,
      within?: Effect.Effect<unknown, SqlError>
    ): Effect.Effect<PairOutcome, SyncFailure> =>
      lock(`pair:${system}:${kind}:${externalId}`, Effect.gen(function*() {
        const connector = yield* connectorOf(system)
        const settings = settingsOf(system)
        const observed = yield* connector.read(kind, externalId)
        const link = yield* store.links.get(system, kind, externalId)
        if (Option.isNone(observed.record)) {
          return Option.isSome(link)
            ? yield* unlink(system, kind, externalId, link.value)
            : ({ _tag: "Skipped", reason: "not found" } satisfies PairOutcome)
        }
        const external = observed.record.value
        if (!settings.kinds.has(kind)) return { _tag: "Skipped", reason: `${system} ${kind} flow is off` } satisfies PairOutcome
        if ((external.kind === "invoice" || external.kind === "credit-note") && external.record.status === "draft") {
          return { _tag: "Skipped", reason: "a draft" } satisfies PairOutcome
        }
        const translated = yield* translate(system, external, settings)
        return Option.isNone(link)
          ? yield* linkNew(system, external, translated, observed, settings, connector, within)
          : yield* syncLinked(system, connector, link.value, external, translated, settings, within)
      }))

    /**
     * Resolves every intent a crash left pending, before anything else runs: the record
     * is looked up by the marker it carries (and its natural keys); found, the link is
     * recorded; not found, the create never happened and the intent is abandoned (its
     * inbox row creates it). Never by a second create.
     */
    const resolveIntents = Effect.gen(function*() {
      const pending = yield* store.intents.pending()
      let linked = 0
      let abandoned = 0
      for (const intent of pending) {
        if (intent.operation !== CREATE || intent.externalId === null) continue
        const keys = (intent.naturalKey as ReadonlyArray<NaturalKey>).filter((k) => k._tag === "marker")
        const found = yield* findInAlegra(intent.kind, keys)
        if (Option.isNone(found)) {
          yield* store.intents.abandon(intent.id)
          abandoned++
          continue
        }
        const record = found.value.record
        yield* store.writeTransaction(Effect.gen(function*() {
          // The pair is linked; its base comes with the next sync of the record.
          yield* store.links.put({
            system: intent.system,
            kind: intent.kind,
            externalId: intent.externalId!,
            alegraId: record.record.id,
            role: roleOf(intent.kind, settingsOf(intent.system))
          })
          yield* store.intents.resolve(intent.id, record.record.id, intent.externalId!)
          yield* store.inbox.offer({
            system: intent.system,
            kind: intent.kind,
            recordId: intent.externalId!,
            channel: "replay",
            action: "changed",
            eventKey: `intent:${intent.id}`
          })
        }))
        linked++
      }
      if (linked + abandoned > 0) {
        yield* Effect.logInfo("pending intents resolved").pipe(Effect.annotateLogs({ linked, abandoned }))
      }
      return { linked, abandoned }
    })

    return { syncPair, resolveIntents } as const
  })
}) {}
