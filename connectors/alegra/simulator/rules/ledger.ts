/** Balances of sales invoices and bills, and how payments and credit notes move them. */
import { badRequest, Code, invalidField, invalidState, referenceNotFound } from "../errors.js"
import type { ApplicationRec, BillRec, CreditNoteRec, InvoiceRec, PaymentRec } from "../records.js"
import type { Store } from "../state.js"

export const invoiceBalance = (inv: InvoiceRec): number => inv.totalCents - inv.paidCents - inv.creditedCents
export const billBalance = (b: BillRec): number => b.totalCents - b.paidCents

/** open <-> closed follows the balance; draft and void are left alone. */
export const settleInvoice = (inv: InvoiceRec): void => {
  if (inv.status === "open" || inv.status === "closed") inv.status = invoiceBalance(inv) <= 0 ? "closed" : "open"
}
export const settleBill = (b: BillRec): void => {
  if (b.status === "open" || b.status === "closed") b.status = billBalance(b) <= 0 ? "closed" : "open"
}
export const settleCreditNote = (cn: CreditNoteRec): void => {
  if (cn.status !== "void") cn.status = cn.totalCents - cn.appliedCents - cn.refundedCents <= 0 ? "closed" : "open"
}

type DocKind = "invoice" | "bill"

const docLabel = (kind: DocKind): string => (kind === "invoice" ? "una factura de venta" : "una factura de proveedor")

/**
 * Checks applications (`invoices[]`/`bills[]` of a payment, `invoices[]` of a credit note) against the
 * documents' current balances. `own` holds amounts this same record already applies (on update / re-open
 * they are released first).
 */
export const checkApplications = (
  store: Store,
  kind: DocKind,
  field: string,
  apps: ReadonlyArray<ApplicationRec>,
  own: ReadonlyMap<string, number>,
  contactId: string | null
): void => {
  const seen = new Set<string>()
  apps.forEach((a, i) => {
    const f = `${field}[${i}]`
    if (seen.has(a.documentId)) throw invalidField(`${f}.id`, `repite el documento ${a.documentId}`)
    seen.add(a.documentId)
    const doc = kind === "invoice" ? store.get("invoice", a.documentId) : store.get("bill", a.documentId)
    if (doc === undefined) throw referenceNotFound(`${f}.id`, docLabel(kind), a.documentId)
    if (doc.status === "draft" || doc.status === "void") {
      throw invalidState(`No se puede aplicar un valor a ${docLabel(kind)} en estado '${doc.status}' (id ${a.documentId}).`)
    }
    const docContact = kind === "invoice" ? (doc as InvoiceRec).clientId : (doc as BillRec).providerId
    if (contactId !== null && docContact !== contactId) {
      throw invalidField(`${f}.id`, `pertenece a otro contacto (id ${docContact})`)
    }
    const balance =
      (kind === "invoice" ? invoiceBalance(doc as InvoiceRec) : billBalance(doc as BillRec)) + (own.get(a.documentId) ?? 0)
    if (a.amountCents > balance) {
      throw badRequest(
        Code.amountExceedsBalance,
        `El valor aplicado en '${f}.amount' (${(a.amountCents / 100).toFixed(2)}) supera el saldo pendiente del documento ${a.documentId} (${(balance / 100).toFixed(2)}).`
      )
    }
  })
}

export const ownAmounts = (apps: ReadonlyArray<ApplicationRec>): Map<string, number> => {
  const m = new Map<string, number>()
  for (const a of apps) m.set(a.documentId, (m.get(a.documentId) ?? 0) + a.amountCents)
  return m
}

/** Applies (+1) or releases (-1) a payment's amounts on its documents. */
export const movePayment = (store: Store, p: PaymentRec, sign: 1 | -1): void => {
  for (const a of p.applications) {
    if (p.type === "in") {
      const inv = store.get("invoice", a.documentId)
      if (inv === undefined) continue
      inv.paidCents += sign * a.amountCents
      settleInvoice(inv)
    } else {
      const bill = store.get("bill", a.documentId)
      if (bill === undefined) continue
      bill.paidCents += sign * a.amountCents
      settleBill(bill)
    }
  }
}

export const moveCreditNote = (store: Store, cn: CreditNoteRec, sign: 1 | -1): void => {
  for (const a of cn.applications) {
    const inv = store.get("invoice", a.documentId)
    if (inv === undefined) continue
    inv.creditedCents += sign * a.amountCents
    settleInvoice(inv)
  }
}

export const linkPayment = (store: Store, p: PaymentRec): void => {
  for (const a of p.applications) {
    const doc = p.type === "in" ? store.get("invoice", a.documentId) : store.get("bill", a.documentId)
    if (doc !== undefined && !doc.paymentIds.includes(p.id)) doc.paymentIds.push(p.id)
  }
}

export const unlinkPayment = (store: Store, p: PaymentRec): void => {
  for (const a of p.applications) {
    const doc = p.type === "in" ? store.get("invoice", a.documentId) : store.get("bill", a.documentId)
    if (doc !== undefined) doc.paymentIds = doc.paymentIds.filter((id) => id !== p.id)
  }
}
