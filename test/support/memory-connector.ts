/**
 * An in-memory system behind the connector port, for the engine's in-process tests:
 * records by kind, our markers, natural-key lookups, every write logged, and faults on
 * demand (a write that fails, a process that dies right after a remote create).
 */
import { Effect, Option, Stream } from "effect"
import type { CanonicalRecord, Kind, System } from "../../schema/index.js"
import { normaliseEmail, normaliseIdentification, normaliseName } from "../../src/engine/sync/natural-keys.js"
import {
  ConnectorError,
  type ConnectorPort,
  type Directions,
  type NaturalKey,
  type Observation,
  type WriteRequest
} from "../../src/ports/connector.js"

export interface MemoryConnector extends ConnectorPort {
  /** Every write received, in order (the faulted ones too). */
  readonly writes: Array<WriteRequest>
  /** Changes made "in the system" by someone else (no write logged). */
  readonly put: (record: CanonicalRecord) => CanonicalRecord
  readonly remove: (kind: Kind, id: string) => void
  readonly get: (kind: Kind, id: string) => CanonicalRecord | undefined
  readonly all: (kind: Kind) => ReadonlyArray<CanonicalRecord>
  readonly tags: Map<string, string>
  /** The next `count` writes (those `when` picks, by default any) fail with `error`, before anything is written. */
  readonly failWrites: (count: number, error: ConnectorError, when?: (request: WriteRequest) => boolean) => void
  /** The next create is done, then the process "dies" (a defect) before the caller hears of it. */
  readonly dieAfterNextCreate: () => void
  /** How many times `read` was called, per kind. */
  readonly reads: Map<Kind, number>
}

const key = (kind: Kind, id: string) => `${kind}:${id}`
const now = () => Date.now()

export const makeMemoryConnector = (
  system: System,
  options: {
    readonly kinds: ReadonlyArray<Kind>
    readonly directions?: Directions
    readonly idPrefix?: (kind: Kind) => string
    /** Every call takes this long (a network round trip), so that concurrent callers interleave. */
    readonly latencyMs?: number
  }
): MemoryConnector => {
  const records = new Map<string, CanonicalRecord>()
  const markers = new Map<string, string>()
  const writes: Array<WriteRequest> = []
  const tags = new Map<string, string>()
  const reads = new Map<Kind, number>()
  let failures: Array<{ readonly error: ConnectorError; readonly when: (request: WriteRequest) => boolean }> = []
  let dieAfterCreate = false
  let next = 1
  const prefix = options.idPrefix ?? (() => "")

  const roundTrip = <A, E>(effect: Effect.Effect<A, E>) =>
    options.latencyMs === undefined ? effect : Effect.delay(effect, `${options.latencyMs} millis`)
  const observed = (record: CanonicalRecord | undefined): Observation => ({ readAt: now(), record: Option.fromNullable(record) })
  const store = (record: CanonicalRecord) => {
    records.set(key(record.kind, record.record.id), record)
    return record
  }
  const matches = (record: CanonicalRecord, k: NaturalKey): boolean => {
    if (k._tag === "marker") return markers.get(key(record.kind, record.record.id)) === k.value
    if (record.kind === "contact") {
      const r = record.record
      if (k._tag === "identification") return r.identification !== null && normaliseIdentification(r.identification.number) === k.value
      if (k._tag === "email") return r.email !== null && normaliseEmail(r.email) === k.value
      if (k._tag === "name") return normaliseName(r.name) === k.value
    }
    if (record.kind === "item" && k._tag === "reference") return record.record.reference?.trim() === k.value
    return false
  }
  const fail = (request: WriteRequest) =>
    new ConnectorError({ system, reason: "validation", method: "POST", path: `/${request._tag}`, status: 404, code: null, message: "not found" })

  const write = (request: WriteRequest): Effect.Effect<Observation, ConnectorError> =>
    Effect.suspend(() => {
      writes.push(request)
      const failing = failures.findIndex((f) => f.when(request))
      if (failing >= 0) {
        const [failure] = failures.splice(failing, 1)
        return Effect.fail(failure!.error)
      }
      switch (request._tag) {
        case "Create": {
          const id = `${prefix(request.record.kind)}${next++}`
          const record = store({ kind: request.record.kind, record: { ...request.record.record, id } } as CanonicalRecord)
          markers.set(key(record.kind, id), request.marker)
          if (dieAfterCreate) {
            dieAfterCreate = false
            return Effect.dieMessage("the process died right after the remote create")
          }
          return Effect.succeed(observed(record))
        }
        case "Update": {
          const current = records.get(key(request.record.kind, request.record.record.id))
          if (current === undefined) return Effect.fail(fail(request))
          const patch = Object.fromEntries(request.fields.map((f) => [f, (request.record.record as Record<string, unknown>)[f]]))
          return Effect.succeed(observed(store({ kind: current.kind, record: { ...current.record, ...patch } } as CanonicalRecord)))
        }
        case "Delete": {
          records.delete(key(request.kind, request.id))
          return Effect.succeed(observed(undefined))
        }
        case "Tag": {
          tags.set(key(request.kind, request.id), request.alegraId)
          return Effect.succeed(observed(records.get(key(request.kind, request.id))))
        }
        case "Act": {
          const current = records.get(key(request.kind, request.id))
          if (current === undefined) return Effect.fail(fail(request))
          const r = current.record as Record<string, unknown>
          const action = request.action
          // As strict as Alegra: a document is stamped once.
          if (action._tag === "stamp" && r["stamped"] === true) {
            return Effect.fail(new ConnectorError({ system, reason: "validation", method: "POST", path: `/${request.kind}/${request.id}/stamp`, status: 400, code: null, message: "ya fue timbrada" }))
          }
          const patch: Record<string, unknown> =
            action._tag === "void" ? { status: "void" }
            : action._tag === "paid-out-of-band" ? { status: "closed", balance: "0" }
            : action._tag === "stamp" ? { stamped: true }
            : action._tag === "add-role" ? { roles: [...new Set([...(r["roles"] as Array<string>), action.role])].sort() }
            : { roles: (r["roles"] as Array<string>).filter((role) => role !== action.role) }
          return Effect.succeed(observed(store({ kind: current.kind, record: { ...r, ...patch } } as CanonicalRecord)))
        }
      }
    })

  return {
    system,
    kinds: options.kinds,
    directions: options.directions ?? {},
    isValidId: (_kind, id) => id.trim() !== "",
    read: (kind, id) =>
      roundTrip(Effect.sync(() => {
        reads.set(kind, (reads.get(kind) ?? 0) + 1)
        return observed(records.get(key(kind, id)))
      })),
    find: (kind, k) =>
      roundTrip(Effect.sync(() => Option.fromNullable([...records.values()].find((r) => r.kind === kind && matches(r, k))))),
    write: (request) => roundTrip(write(request)),
    list: (kind) =>
      Stream.make({ records: [...records.values()].filter((r) => r.kind === kind), readAt: now(), next: null }),
    capture: { routes: [], pollers: [] },
    health: Effect.succeed({ state: "ok", lastSuccessAt: null, lastFailure: null, pausedUntil: null }),
    writes,
    put: (record) => store(record),
    remove: (kind, id) => void records.delete(key(kind, id)),
    get: (kind, id) => records.get(key(kind, id)),
    all: (kind) => [...records.values()].filter((r) => r.kind === kind),
    tags,
    failWrites: (count, error, when = () => true) => {
      failures = [...failures, ...Array.from({ length: count }, () => ({ error, when }))]
    },
    dieAfterNextCreate: () => {
      dieAfterCreate = true
    },
    reads
  }
}
