/**
 * The ids Alegra issues, and putting an id into a URL path.
 *
 * Ids reach us from outside (webhook bodies, the store, Alegra's own lists); only shapes
 * Alegra issues are ever sent back to it, so a hostile or garbled id cannot make the
 * client read another path ("." would list the whole kind, ".." the API root).
 */
import { Option } from "effect"
import type { Kind } from "../../schema/index.js"

/** Numeric strings as Alegra issues them: no sign, no leading zero, at most 20 digits. */
const NUMERIC_ID = /^[1-9][0-9]{0,19}$/

/** An RFC 4122 / 9562 UUID (versions 1–8, variant 10xx); estimates get UUIDv7 ids. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

/**
 * Whether `id` has a shape Alegra issues. Every kind accepts both shapes: Alegra has moved
 * kinds from numeric ids to UUIDs before (estimates), and will again.
 */
export const isValidId = (_kind: Kind, id: string): boolean => isAlegraId(id)

/** The same check for ids that belong to no kind (webhook subscriptions). */
export const isAlegraId = (id: string): boolean => NUMERIC_ID.test(id) || UUID.test(id)

/**
 * One path segment, escaped: `encodeURIComponent` plus `.` (which it leaves alone).
 * None for a value that cannot be a single segment whatever the escaping: URL parsers
 * resolve "", ".", "..", "%2E" and "%2E%2E" as empty or dot segments (WHATWG URL), so
 * such a value would walk the path instead of naming a record.
 */
export const pathSegment = (value: string): Option.Option<string> =>
  /^\.*$/.test(value) ? Option.none() : Option.some(encodeURIComponent(value).replace(/\./g, "%2E"))

/** A short, JSON-quoted preview of an untrusted id for error messages (a 100 KB id stays short). */
export const previewId = (id: string): string =>
  id.length <= 40 ? JSON.stringify(id) : `${JSON.stringify(id.slice(0, 40))}… (${id.length} characters)`
