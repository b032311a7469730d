/**
 * Writes into Alegra (the port's `write`): creates, field updates, deletes and actions, each
 * answered with the record as Alegra now holds it.
 *
 * - Create: POST of ./encode.ts `createBody`, the marker where `find` reads it. Never retried
 *   once it may have been processed (Alegra has no idempotency key): the engine's intent
 *   journal decides, by the marker.
 * - Update: PUT of the named fields only (Alegra merges top-level fields and replaces arrays).
 *   A stamped invoice or credit note is refused with reason "conflict" before any request.
 * - Act: `void` (invoices, payments: POST …/void); `stamp` (invoices, credit notes: POST …/open
 *   with `stamp.generateStamp` and the fiscal fields given: numberTemplate, paymentForm,
 *   paymentMethod, cfdiUse, regime); `add-role`/`remove-role` (a contact's `type`: one contact,
 *   both roles). `paid-out-of-band` is not an Alegra action.
 * - Delete: DELETE (already gone is fine). Tag: nothing to record in Alegra, the record answered.
 *
 * Alegra's refusals keep its message: a state rule (a stamped document, a paid invoice) is
 * reason "conflict", any other 4xx "validation".
 */
import { Effect, Either, Option } from "effect"
import type { CanonicalRecord, ContactRole, Kind } from "../../schema/index.js"
import type { Action, ConnectorError, ConnectorFailure, Observation, WriteRequest } from "../../src/ports/connector.js"
import type { AlegraApi } from "./api.js"
import { unwrapRecord } from "./api.js"
import { createBody, mainPrice, updateBody, type Wire, writableKinds } from "./encode.js"
import { alegraError, type ErrorContext } from "./errors.js"
import { isValidId } from "./ids.js"
import { roles } from "./normalise.js"
import { actionPath, recordPath, resources } from "./resources.js"

/** The fiscal fields a stamp may carry, and their wire form. */
const FISCAL: Readonly<Record<string, (value: string) => unknown>> = {
  numberTemplate: (id) => ({ id }),
  paymentForm: (value) => value,
  paymentMethod: (value) => value,
  cfdiUse: (value) => value,
  regime: (value) => value
}

const STAMPABLE: ReadonlyArray<Kind> = ["invoice", "credit-note"]
const VOIDABLE: ReadonlyArray<Kind> = ["invoice", "payment"]

const refuse = (context: ErrorContext, reason: ConnectorFailure, message: string) =>
  Effect.fail(alegraError(context, reason, { message }))

export const makeWrite = (api: AlegraApi) => {
  /** The record a 2xx answer carries, as an observation read when the request was sent. */
  const answered = (kind: Kind, context: ErrorContext, response: { readonly body: unknown; readonly sentAt: number }) =>
    Effect.map(api.decode(kind, unwrapRecord(response.body), context), (record): Observation => ({
      readAt: response.sentAt,
      record: Option.some(record)
    }))

  /** The path of a record, or a validation error when the id is not one Alegra issues. */
  const pathOf = (method: string, kind: Kind, id: string, action?: string) => {
    const path = !isValidId(kind, id) ? Option.none() : action === undefined ? recordPath(kind, id) : actionPath(kind, id, action)
    return Option.isSome(path) ? Effect.succeed(path.value) : api.invalidId(method, resources[kind].path, kind, id)
  }

  const encoded = (context: ErrorContext, body: Either.Either<Wire, string>) =>
    Either.isRight(body) ? Effect.succeed(body.right) : refuse(context, "validation", `cannot write: ${body.left}`)

  const writable = (context: ErrorContext, kind: Kind) =>
    writableKinds.includes(kind) ? Effect.void : refuse(context, "validation", `alegra-sync does not write ${kind} records into Alegra`)

  const create = Effect.fn("Alegra.create")(function*(record: CanonicalRecord, marker: string) {
    const path = resources[record.kind].path
    const context: ErrorContext = { method: "POST", path }
    yield* writable(context, record.kind)
    const body = yield* encoded(context, createBody(record, marker))
    // idempotent: false — a POST that may have been processed is never sent again.
    const response = yield* api.http.request({ method: "POST", path, body, idempotent: false })
    return yield* answered(record.kind, context, response)
  })

  const update = Effect.fn("Alegra.update")(function*(record: CanonicalRecord, fields: ReadonlyArray<string>) {
    const { kind } = record
    const path = yield* pathOf("PUT", kind, record.record.id)
    const context: ErrorContext = { method: "PUT", path }
    yield* writable(context, kind)
    if ((record.kind === "invoice" || record.kind === "credit-note") && record.record.stamped) {
      return yield* refuse(context, "conflict", `the ${kind} is stamped (electronic): Alegra never changes it; correct it with a credit note`)
    }
    const body: Record<string, unknown> = { ...yield* encoded(context, updateBody(record, fields)) }
    if (record.kind === "item" && typeof body.price === "number") {
      // PUT replaces the price lists whole: keep the others, set the main one.
      const current = yield* api.readRaw("item", record.record.id)
      if (Option.isNone(current.raw)) return { readAt: current.readAt, record: Option.none() } satisfies Observation
      body.price = mainPrice((current.raw.value as Record<string, unknown>).price, body.price)
    }
    // Only computed fields named (a total): nothing to write, the record as it is.
    if (Object.keys(body).length === 0) return yield* api.read(kind, record.record.id)
    const response = yield* api.http.request({ method: "PUT", path, body })
    return yield* answered(kind, context, response)
  })

  const remove = Effect.fn("Alegra.delete")(function*(kind: Kind, id: string) {
    const path = yield* pathOf("DELETE", kind, id)
    yield* writable({ method: "DELETE", path }, kind)
    const response = yield* api.http.request({ method: "DELETE", path, notFoundIsAnswer: true })
    return { readAt: response.sentAt, record: Option.none() } satisfies Observation
  })

  /** A contact's roles as Alegra holds them, with `role` added or taken away. */
  const setRole = (id: string, role: ContactRole, present: boolean) =>
    Effect.gen(function*() {
      const path = yield* pathOf("PUT", "contact", id)
      const context: ErrorContext = { method: "PUT", path }
      const current = yield* api.readRaw("contact", id)
      if (Option.isNone(current.raw)) return yield* refuse(context, "validation", `contact ${id} does not exist in Alegra`)
      const raw = current.raw.value as Record<string, unknown>
      const held = roles(
        Array.isArray(raw.type) ? raw.type.filter((t): t is string => typeof t === "string") : typeof raw.type === "string" ? raw.type : null
      )
      if (held.includes(role) === present) return yield* answered("contact", context, { body: raw, sentAt: current.readAt })
      const type = present ? [...held, role].sort() : held.filter((r) => r !== role)
      const response = yield* api.http.request({ method: "PUT", path, body: { type } })
      return yield* answered("contact", context, response)
    })

  const act = Effect.fn("Alegra.act")(function*(kind: Kind, id: string, action: Action) {
    const context: ErrorContext = { method: "POST", path: `${resources[kind].path}/${action._tag}` }
    switch (action._tag) {
      case "void": {
        if (!VOIDABLE.includes(kind)) return yield* refuse(context, "validation", `Alegra voids invoices and payments, not ${kind} records`)
        const path = yield* pathOf("POST", kind, id, "void")
        const response = yield* api.http.request({ method: "POST", path, body: {} })
        return yield* answered(kind, { method: "POST", path }, response)
      }
      case "stamp": {
        if (!STAMPABLE.includes(kind)) return yield* refuse(context, "validation", `Alegra stamps invoices and credit notes, not ${kind} records`)
        const unknown = Object.keys(action.fiscal).filter((key) => FISCAL[key] === undefined)
        if (unknown.length > 0) {
          return yield* refuse(context, "validation", `unknown fiscal fields ${unknown.join(", ")} (known: ${Object.keys(FISCAL).join(", ")})`)
        }
        const fiscal = Object.fromEntries(Object.entries(action.fiscal).map(([key, value]) => [key, FISCAL[key]!(value)]))
        const path = yield* pathOf("POST", kind, id, "open")
        const response = yield* api.http.request({ method: "POST", path, body: { ...fiscal, stamp: { generateStamp: true } } })
        return yield* answered(kind, { method: "POST", path }, response)
      }
      case "add-role":
      case "remove-role":
        if (kind !== "contact") return yield* refuse(context, "validation", `only contacts have roles, not ${kind} records`)
        return yield* setRole(id, action.role, action._tag === "add-role")
      case "paid-out-of-band":
        return yield* refuse(
          context,
          "validation",
          "paid-out-of-band is not an Alegra action: money received is recorded in Alegra as a payment (a Create)"
        )
    }
  })

  return (request: WriteRequest): Effect.Effect<Observation, ConnectorError> => {
    switch (request._tag) {
      case "Create":
        return create(request.record, request.marker)
      case "Update":
        return update(request.record, request.fields)
      case "Delete":
        return remove(request.kind, request.id)
      case "Act":
        return act(request.kind, request.id, request.action)
      case "Tag":
        // Links live in the store; Alegra's record is only answered.
        return api.read(request.kind, request.id)
    }
  }
}
