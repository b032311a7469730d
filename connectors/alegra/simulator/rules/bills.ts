/** Bills (supplier invoices): lines against items or accounts; editable while open. alegra-api.md §5 "Bill". */
import { badRequest, Code, invalidField, invalidState, requiredField } from "../errors.js"
import { date, has, merge, mergeRequired, object, oneOf, type Obj, optText } from "../input.js"
import type { BillRec, InvoiceStatus, PaymentRec } from "../records.js"
import type { Store } from "../state.js"
import type { JsonObject } from "../util.js"
import {
  categoryLines,
  checkDueDate,
  checkEnum,
  contactRef,
  contains,
  dateFilters,
  decimalPrecision,
  existingContact,
  inCurrency,
  itemLines,
  money,
  optCurrency,
  renderCurrency,
  renderLines,
  renderNumbering,
  totalsOf
} from "./common.js"
import { billBalance, settleBill } from "./ledger.js"
import type { Ctx, Resource } from "./resource.js"

const STATUSES: ReadonlyArray<InvoiceStatus> = ["draft", "open", "closed", "void"]

const parsePurchases = (v: unknown, store: Store): Pick<BillRec, "itemLines" | "categoryLines"> => {
  if (v === null) throw requiredField("purchases")
  const o = object(v, "purchases")
  const items = has(o, "items") && o["items"] !== null ? itemLines(o["items"], "purchases.items", store, true) : []
  const categories = has(o, "categories") && o["categories"] !== null ? categoryLines(o["categories"], "purchases.categories", store) : []
  if (items.length + categories.length === 0) {
    throw invalidField("purchases", "debe contener al menos una línea en 'items' o 'categories'")
  }
  return { itemLines: items, categoryLines: categories }
}

const parseBillNumber = (v: unknown): string | null => {
  if (v === null) return null
  const o = object(v, "numberTemplate")
  if (!has(o, "number") || o["number"] === null) return null
  const raw = o["number"]
  if (typeof raw === "number") return String(raw)
  return optText(raw, "numberTemplate.number", 30)
}

const build = (o: Obj, prev: BillRec | undefined, ctx: Ctx): BillRec => {
  const store = ctx.store
  if (prev !== undefined && prev.status !== "open" && prev.status !== "draft") {
    throw invalidState(`Solo se pueden editar facturas de proveedor abiertas; esta está en estado '${prev.status}'.`)
  }
  const billDate = mergeRequired(o, "date", prev?.date, (v) => date(v, "date"))
  const dueDate = mergeRequired(o, "dueDate", prev?.dueDate, (v) => date(v, "dueDate"))
  checkDueDate(billDate, dueDate)
  const providerKey = has(o, "provider") || !has(o, "client") ? "provider" : "client"
  const providerId = mergeRequired(o, providerKey, prev?.providerId, (v) => existingContact(store, v, providerKey))
  if (prev !== undefined && providerId !== prev.providerId && prev.paymentIds.length > 0) {
    throw invalidField(providerKey, "no se puede cambiar en una factura de proveedor con pagos asociados")
  }
  const parsed = has(o, "purchases")
    ? parsePurchases(o["purchases"], store)
    : prev !== undefined
      ? { itemLines: prev.itemLines, categoryLines: prev.categoryLines }
      : (() => {
          throw requiredField("purchases")
        })()
  const currencyCode = optCurrency(o, prev?.currency)
  const lines = { itemLines: inCurrency(parsed.itemLines, currencyCode), categoryLines: inCurrency(parsed.categoryLines, currencyCode) }
  let status: InvoiceStatus = prev?.status ?? "open"
  if (has(o, "status") && o["status"] !== status) {
    const requested = oneOf(o["status"], "status", STATUSES)
    if (prev === undefined && requested === "draft") status = "draft"
    else if (requested === "open" && status === "draft") status = "open"
    else throw invalidField("status", `no se puede cambiar a '${requested}' editando`)
  }
  const totals = totalsOf([...lines.itemLines, ...lines.categoryLines])
  const paidCents = prev?.paidCents ?? 0
  if (totals.totalCents < paidCents) {
    throw badRequest(Code.totalBelowPaid, "El total de la factura de proveedor no puede ser menor que el valor ya pagado.")
  }
  const base = prev ?? store.base("bill", false, ctx.opts.createdAt)
  return {
    id: base.id,
    seq: base.seq,
    createdAt: base.createdAt,
    updatedAt: store.timestamp(),
    datetime: prev?.datetime ?? base.createdAt,
    date: billDate,
    dueDate,
    providerId,
    ...lines,
    status,
    billNumber: merge(o, "numberTemplate", prev?.billNumber ?? null, parseBillNumber),
    observations: merge(o, "observations", prev?.observations ?? null, (v) => optText(v, "observations", 500)),
    currency: currencyCode,
    ...totals,
    paidCents,
    paymentIds: [...(prev?.paymentIds ?? [])]
  }
}

export const renderBill = (b: BillRec, store: Store): JsonObject => ({
  id: b.id,
  date: b.date,
  dueDate: b.dueDate,
  datetime: b.datetime,
  observations: b.observations,
  status: b.status,
  type: "bill",
  provider: contactRef(store, b.providerId),
  numberTemplate: renderNumbering("bill", b.id, { templateId: null, prefix: "", number: b.billNumber }),
  subtotal: money("bill", b.id, "subtotal", b.subtotalCents),
  discount: money("bill", b.id, "discount", b.discountCents),
  tax: money("bill", b.id, "tax", b.taxCents),
  total: money("bill", b.id, "total", b.totalCents),
  totalPaid: money("bill", b.id, "totalPaid", b.paidCents),
  balance: money("bill", b.id, "balance", billBalance(b)),
  decimalPrecision: decimalPrecision(b.currency),
  currency: renderCurrency(b.currency),
  purchases: {
    items: renderLines("bill", b.id, "purchases.items", b.itemLines),
    categories: renderLines("bill", b.id, "purchases.categories", b.categoryLines)
  },
  payments: b.paymentIds
    .map((id) => store.get("payment", id))
    .filter((p): p is PaymentRec => p !== undefined && p.status === "open")
    .map((p, i) => ({
      id: p.id,
      number: p.number,
      date: p.date,
      amount: money("bill", `${b.id}:payments.${i}`, "amount", p.applications.find((a) => a.documentId === b.id)?.amountCents ?? 0),
      paymentMethod: p.paymentMethod
    })),
  retentions: [],
  warehouse: { id: "1", name: "Principal" },
  costCenter: null
})

export const bills: Resource<BillRec> = {
  kind: "bill",
  path: "bills",
  label: "la factura de proveedor",
  canUpdate: true,
  canRemove: true,
  webhook: "bill",
  create: (body, ctx) => {
    const record = build(body, undefined, ctx)
    return { record, apply: () => settleBill(record) }
  },
  update: (current, patch, ctx) => {
    const record = build(patch, current, ctx)
    return { record, apply: () => settleBill(record) }
  },
  remove: (b) => {
    if (b.paymentIds.length > 0) {
      throw badRequest(Code.hasPayments, "No se puede eliminar la factura de proveedor porque tiene pagos asociados.")
    }
    return undefined
  },
  render: renderBill,
  filters: {
    status: (b, v) => b.status === checkEnum(v, STATUSES, "status"),
    client_id: (b, v) => b.providerId === v,
    provider_id: (b, v) => b.providerId === v,
    provider_name: (b, v, store) => contains(store.get("contact", b.providerId)?.name, v),
    billNumber: (b, v) => b.billNumber === v,
    id: (b, v) => b.id === v,
    type: (_b, v) => checkEnum(v, ["bill", "supportDocument", "all"] as const, "type") !== "supportDocument",
    ...dateFilters<BillRec>("date", (b) => b.date),
    ...dateFilters<BillRec>("dueDate", (b) => b.dueDate)
  },
  order: {
    id: (b) => b.seq,
    date: (b) => b.date,
    dueDate: (b) => b.dueDate,
    status: (b) => b.status
  },
  actions: {
    // Not an HTTP endpoint: "void" a bill as a user would in the web app (admin only).
    void: (b, _body, ctx) => {
      if (b.status === "void") throw invalidState("La factura de proveedor ya está anulada.")
      if (b.paidCents > 0) {
        throw badRequest(Code.hasPayments, "No se puede anular la factura de proveedor porque tiene pagos asociados.")
      }
      return {
        notify: true,
        apply: () => {
          b.status = "void"
          b.updatedAt = ctx.store.timestamp()
        }
      }
    }
  },
  httpActions: []
}
