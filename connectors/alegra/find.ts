/**
 * Finding an Alegra record by natural key, before the engine creates one (an upsert), and after a
 * crash (an intent resolved by the marker the created record carries).
 *
 * Alegra's list filters are hints: they match loosely (substrings, case and accents aside, and
 * nothing says how the real API compares), so every candidate is checked here against the key,
 * normalised on both sides as the engine normalises keys (src/engine/sync/natural-keys.ts). Of
 * several matches, the first by id is answered.
 *
 * | kind | key | how |
 * |---|---|---|
 * | contact | identification | `identification=` the normalised number, then its thousands-dotted form ("900.123.456"), then its longest run of digits (an RFC kept as "DNO-040404-GH4" contains "040404"): an account may keep it any way |
 * | contact | email, name | `email=`, `name=` |
 * | item | reference, marker | `reference=` (an item created without a reference of its own carries the marker there) |
 * | contact, invoice, payment, credit note | marker | the newest records first (`order_direction=DESC`), `MARKER_PAGES` pages: the field of ./encode.ts `MARKER_FIELD` |
 *
 * No filter reads `observations` or `anotation`, so a marker is looked for among the newest
 * records of its kind: a record alegra-sync created right before a crash is found when fewer than
 * MARKER_PAGES × 30 others of its kind were created in Alegra before the restart. A contact is also
 * found by its identification, email or name, whatever its age.
 */
import { Effect, Option } from "effect"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import type { ConnectorError, NaturalKey } from "../../src/ports/connector.js"
import type { AlegraApi, RawPage } from "./api.js"
import { MARKER_FIELD } from "./encode.js"

/** How many pages of the newest records a marker is looked for in. */
export const MARKER_PAGES = 2

// The engine's normalisation of natural keys (src/engine/sync/natural-keys.ts), which a connector
// may not import; test/alegra/find.test.ts checks that both agree.
export const normaliseIdentification = (number: string): string =>
  number.trim().toUpperCase().replace(/\s*-\s*[0-9K]$/, "").replace(/[\s.\-_/]/g, "")
export const normaliseEmail = (email: string): string => email.trim().toLowerCase()
export const normaliseName = (name: string): string => name.trim().replace(/\s+/g, " ")

/** "900123456" → "900.123.456": how Colombian and Chilean numbers are often written. */
const thousandsDotted = (digits: string): string | undefined =>
  /^\d{4,}$/.test(digits) ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".") : undefined

/** The longest run of 4 or more digits: what survives any punctuation an account wrote the number with. */
const digitRun = (value: string): string | undefined =>
  (value.match(/\d{4,}/g) ?? []).reduce<string | undefined>((longest, run) => (longest === undefined || run.length > longest.length ? run : longest), undefined)

/** Whether a text field holds the marker as one of its words (a user may have added text around it). */
const carries = (value: unknown, marker: string): boolean =>
  typeof value === "string" && value.trim().split(/\s+/).includes(marker)

interface Candidate {
  readonly raw: unknown
  readonly record: CanonicalRecord
}

export const makeFind = (api: AlegraApi) => {
  /** Every record a filter lists (all its pages, by ascending id), decoded with its raw row. */
  const firstMatch = (kind: Kind, filters: ReadonlyArray<readonly [string, string]>, matches: (c: Candidate) => boolean) =>
    Effect.gen(function*() {
      let start: number | null = 0
      while (start !== null) {
        const page: RawPage = yield* api.listRaw(kind, { start, filters })
        for (const raw of page.rows) {
          const record = yield* api.decode(kind, raw, page.context)
          if (matches({ raw, record })) return Option.some(record)
        }
        start = page.next
      }
      return Option.none<CanonicalRecord>()
    })

  /** The newest records of a kind, newest first, for the one whose marker field carries `marker`. */
  const byMarker = (kind: Kind, marker: string) =>
    Effect.gen(function*() {
      const field = MARKER_FIELD[kind]!
      let start: number | null = 0
      for (let page = 0; page < MARKER_PAGES && start !== null; page++) {
        const listed: RawPage = yield* api.listRaw(kind, { start, order: "desc" })
        const raw = listed.rows.find((row) => carries((row as Record<string, unknown>)[field], marker))
        if (raw !== undefined) return Option.some(yield* api.decode(kind, raw, listed.context))
        start = listed.next
      }
      return Option.none<CanonicalRecord>()
    })

  const contactBy = (test: (contact: Extract<CanonicalRecord, { kind: "contact" }>["record"]) => boolean) => (c: Candidate) =>
    c.record.kind === "contact" && test(c.record.record)

  const byIdentification = (wanted: string) =>
    Effect.gen(function*() {
      const same = contactBy((r) => r.identification !== null && normaliseIdentification(r.identification.number) === wanted)
      const forms = [wanted, thousandsDotted(wanted), digitRun(wanted)]
      for (const [i, form] of forms.entries()) {
        if (form === undefined || forms.indexOf(form) !== i) continue
        const found = yield* firstMatch("contact", [["identification", form]], same)
        if (Option.isSome(found)) return found
      }
      return Option.none<CanonicalRecord>()
    })

  return (kind: Kind, key: NaturalKey): Effect.Effect<Option.Option<CanonicalRecord>, ConnectorError> => {
    const value = key.value.trim()
    if (value === "") return Effect.succeedNone
    switch (`${kind}/${key._tag}`) {
      case "contact/identification":
        return byIdentification(normaliseIdentification(value))
      case "contact/email":
        return firstMatch("contact", [["email", value]], contactBy((r) => r.email !== null && normaliseEmail(r.email) === normaliseEmail(value)))
      case "contact/name":
        return firstMatch("contact", [["name", value]], contactBy((r) => normaliseName(r.name) === normaliseName(value)))
      case "item/reference":
      case "item/marker":
        return firstMatch("item", [["reference", value]], (c) => c.record.kind === "item" && c.record.record.reference?.trim() === value)
      case "contact/marker":
      case "invoice/marker":
      case "payment/marker":
      case "credit-note/marker":
        return byMarker(kind, value)
      default:
        return Effect.succeedNone
    }
  }
}
