import { isDeepStrictEqual } from "node:util"
import type { Owner } from "../../../schema/index.js"
import type { LinkBase } from "../../store/index.js"
import type { Projection } from "./projection.js"

/**
 * Which way a field may flow between Alegra and a system (the connector says, per kind):
 * "none" fields are compared but never written (a document's total follows its lines).
 */
export type Direction = "both" | "to-alegra" | "to-system" | "none"

export interface PlanInput {
  /** Each side's synced fields at the last sync; null when the pair was never synced (a match). */
  readonly base: LinkBase | null
  /** The system's record, its references already in Alegra's ids. */
  readonly external: Projection
  readonly alegra: Projection
  readonly fields: ReadonlyArray<string>
  readonly owners: Readonly<Record<string, Owner>>
  readonly directions: Readonly<Record<string, Direction>>
}

export interface FieldConflict {
  readonly field: string
  readonly alegra: unknown
  readonly external: unknown
  /** The value both had at the last sync (undefined: never synced). */
  readonly base: unknown
  readonly winner: Owner
  /** Whether the winner's value was written to the other side (false: it cannot flow that way). */
  readonly applied: boolean
}

/** What to write on each side, and the conflicts found. Empty on both sides: nothing to do. */
export interface SyncPlan {
  readonly toAlegra: Readonly<Record<string, unknown>>
  readonly toSystem: Readonly<Record<string, unknown>>
  readonly conflicts: ReadonlyArray<FieldConflict>
}

const flowsToAlegra = (d: Direction | undefined) => d === "both" || d === "to-alegra"
const flowsToSystem = (d: Direction | undefined) => d === "both" || d === "to-system"

/** A value one side does not hold: filling it from the other side is no conflict. */
const isBlank = (value: unknown): boolean =>
  value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)

const baseOf = (side: unknown, field: string): unknown =>
  side !== null && typeof side === "object" ? (side as Record<string, unknown>)[field] : undefined

/**
 * Decides, field by field, what flows where. Hashes have already said that a side
 * changed; the base says which fields: a field changed on one side only flows to the
 * other (when its direction allows); changed on both sides to different values, it is
 * a conflict and the field's owner wins. A difference neither side made since the last
 * sync (a field that cannot flow) is left alone. A pair never synced (matched by
 * natural key) has no base: a field only one side holds flows to the other, every
 * other difference is a conflict. Pure.
 */
export const planSync = (input: PlanInput): SyncPlan => {
  const toAlegra: Record<string, unknown> = {}
  const toSystem: Record<string, unknown> = {}
  const conflicts: Array<FieldConflict> = []
  for (const field of input.fields) {
    const external = input.external[field]
    const alegra = input.alegra[field]
    if (isDeepStrictEqual(external, alegra)) continue
    const direction = input.directions[field] ?? "none"
    const baseExternal = input.base === null ? undefined : baseOf(input.base.external, field)
    const baseAlegra = input.base === null ? undefined : baseOf(input.base.alegra, field)
    const externalChanged = input.base === null ? !isBlank(external) : !isDeepStrictEqual(external, baseExternal)
    const alegraChanged = input.base === null ? !isBlank(alegra) : !isDeepStrictEqual(alegra, baseAlegra)
    // They already differed at the last sync (a field that cannot flow): nothing new.
    if (!externalChanged && !alegraChanged) continue
    if (externalChanged && !alegraChanged) {
      if (flowsToAlegra(direction)) toAlegra[field] = external
      continue
    }
    if (alegraChanged && !externalChanged) {
      if (flowsToSystem(direction)) toSystem[field] = alegra
      continue
    }
    // Both changed, to different values: the field's owner wins.
    const winner = input.owners[field] ?? "system"
    const applied = winner === "system" ? flowsToAlegra(direction) : flowsToSystem(direction)
    if (applied && winner === "system") toAlegra[field] = external
    if (applied && winner === "alegra") toSystem[field] = alegra
    conflicts.push({ field, alegra, external, base: baseAlegra ?? baseExternal, winner, applied })
  }
  return { toAlegra, toSystem, conflicts }
}

export const isEmpty = (plan: SyncPlan): boolean =>
  Object.keys(plan.toAlegra).length === 0 && Object.keys(plan.toSystem).length === 0 && plan.conflicts.length === 0
