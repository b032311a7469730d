/**
 * Which ids Stripe issues for each kind the connector syncs, and the Idempotency-Key of our writes.
 */
import { createHash } from "node:crypto"
import type { Kind } from "../../schema/index.js"

/**
 * Stripe's ids: a prefix and letters and digits. Products may carry an id their creator chose
 * (letters, digits, `_` and `-`). A credit note is a Stripe credit note (`cn_`) or a refund that
 * no credit note covers (`re_`).
 */
const SHAPES: Partial<Record<Kind, RegExp>> = {
  "contact": /^cus_[A-Za-z0-9]{1,250}$/,
  "item": /^[A-Za-z0-9_-]{1,250}$/,
  "invoice": /^in_[A-Za-z0-9]{1,250}$/,
  "payment": /^inpay_[A-Za-z0-9]{1,250}$/,
  "credit-note": /^(cn|re)_[A-Za-z0-9]{1,250}$/
}

export const isValidId = (kind: Kind, id: string): boolean => SHAPES[kind]?.test(id) ?? false

/** An id for messages: never more than 40 characters of whatever came from outside. */
export const previewId = (id: string): string => JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id)

/**
 * Every write of ours carries an Idempotency-Key with this prefix, so that the events it causes
 * (their `request.idempotency_key`) are known as our own echoes.
 */
export const IDEMPOTENCY_PREFIX = "alegra-sync-"

/** Stripe keeps keys of up to 255 characters: a longer engine key is replaced by its hash. */
export const idempotencyKey = (engineKey: string): string => {
  const key = `${IDEMPOTENCY_PREFIX}${engineKey}`
  return key.length <= 255 ? key : `${IDEMPOTENCY_PREFIX}sha256-${createHash("sha256").update(engineKey).digest("hex")}`
}

export const isOwnIdempotencyKey = (key: string | null | undefined): boolean =>
  typeof key === "string" && key.startsWith(IDEMPOTENCY_PREFIX)
