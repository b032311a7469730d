import type { CanonicalRecord } from "../../../schema/index.js"
import type { NaturalKey } from "../../ports/connector.js"

/**
 * Identification numbers as people write them differ in case, spaces, dots and
 * dashes ("900.123.456-7", "900123456"): compared without them, and without the check
 * digit, which Colombia's NIT and Chile's RUT carry after a dash ("-7", "-K") and which
 * Alegra keeps apart (`dv`).
 */
export const normaliseIdentification = (number: string): string =>
  number.trim().toUpperCase().replace(/\s*-\s*[0-9K]$/, "").replace(/[\s.\-_/]/g, "")

export const normaliseEmail = (email: string): string => email.trim().toLowerCase()

/** Names match exactly, but for surrounding and repeated white space. */
export const normaliseName = (name: string): string => name.trim().replace(/\s+/g, " ")

/** What a record created by alegra-sync carries, so that it can be found after a crash. */
export const markerOf = (system: string, kind: string, externalId: string): string => `alegra-sync:${system}:${kind}:${externalId}`

/**
 * The keys to look a record up by in Alegra before creating it, most specific first:
 * our marker (looked for only when the record was attempted before), then the
 * identification, the email, the exact name (contacts), the SKU
 * (items). Documents (invoices, payments, credit notes) are found by their marker only:
 * two invoices with the same customer and amount are two invoices.
 */
export const naturalKeys = (system: string, { kind, record }: CanonicalRecord, externalId: string): ReadonlyArray<NaturalKey> => {
  const keys: Array<NaturalKey> = [{ _tag: "marker", value: markerOf(system, kind, externalId) }]
  if (kind === "contact") {
    if (record.identification !== null && record.identification.number.trim() !== "") {
      keys.push({ _tag: "identification", value: normaliseIdentification(record.identification.number) })
    }
    if (record.email !== null && record.email.trim() !== "") keys.push({ _tag: "email", value: normaliseEmail(record.email) })
    if (record.name.trim() !== "") keys.push({ _tag: "name", value: normaliseName(record.name) })
  }
  if (kind === "item" && record.reference !== null && record.reference.trim() !== "") {
    keys.push({ _tag: "reference", value: record.reference.trim() })
  }
  return keys
}
