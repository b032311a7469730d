import type { Kind, System } from "../../../schema/index.js"
import type { ResolvedConfig } from "../../config/index.js"
import type { LinkRole } from "../../store/index.js"

/** What the config says about syncing one system with Alegra. */
export interface SystemSettings {
  /** Kinds whose records flow from this system into Alegra. */
  readonly kinds: ReadonlySet<Kind>
  /** Whether Alegra changes flow back into this system (payments, voids, contact fields). */
  readonly back: boolean
  /** The role this system's contacts give an Alegra contact (Stripe customers: client). */
  readonly contactRole: Exclude<LinkRole, "">
  /** The Alegra bank account this system's money goes into. */
  readonly bankAccount: string | null
  /** This system's tax rate id → Alegra tax id. */
  readonly taxRates: Readonly<Record<string, string>>
  /** The Alegra item for document lines without one. */
  readonly defaultItem: string | null
  /** Fiscal fields to stamp invoices with, when stamping is on. */
  readonly stamping: null | Readonly<Record<string, string>>
}

export const systemSettings = (config: ResolvedConfig, system: System): SystemSettings | undefined => {
  if (system !== "stripe" || !config.stripe.enabled) return undefined
  const { flows, stamping } = config.stripe
  const kinds = new Set<Kind>([
    ...(flows.customers ? ["contact" as const] : []),
    ...(flows.products ? ["item" as const] : []),
    ...(flows.invoices ? ["invoice" as const] : []),
    ...(flows.payments ? ["payment" as const] : []),
    ...(flows.refunds ? ["credit-note" as const] : [])
  ])
  const fiscal: Record<string, string> = {}
  for (const key of ["numberTemplate", "paymentForm", "paymentMethod", "cfdiUse", "regime"] as const) {
    const value = stamping[key]
    if (value !== undefined) fiscal[key] = value
  }
  return {
    kinds,
    back: flows.back,
    contactRole: "client",
    bankAccount: config.stripe.bankAccount,
    taxRates: config.stripe.taxRates,
    defaultItem: config.stripe.defaultItem,
    stamping: stamping.enabled ? fiscal : null
  }
}
