/** Sales invoices. alegra-api.md §5 "Invoice", §6 state rules. */
import { templateById } from "../catalog.js"
import { badRequest, Code, invalidField, invalidState, referenceNotFound } from "../errors.js"
import { date, decimal, has, list, merge, mergeRequired, object, oneOf, type Obj, optText, refId } from "../input.js"
import type { InvoiceRec, InvoiceStatus, NumberingRec, PaymentRec } from "../records.js"
import type { Store } from "../state.js"
import { type JsonObject, toCents } from "../util.js"
import {
  checkDueDate,
  checkEnum,
  contactRef,
  contains,
  dateFilters,
  decimalPrecision,
  inCurrency,
  existingContact,
  itemLines,
  makeStamp,
  money,
  optCurrency,
  parseFiscal,
  prepareStamp,
  renderFiscal,
  renderCurrency,
  renderLines,
  renderNumbering,
  renderStamp,
  stampedImmutable,
  totalsOf,
  wantsStamp
} from "./common.js"
import { invoiceBalance, settleInvoice } from "./ledger.js"
import { existingBankAccount, insertPayment, parsePaymentMethod } from "./payments.js"
import type { Ctx, Prepared, Resource } from "./resource.js"

const LABEL = "la factura de venta"
const STATUSES: ReadonlyArray<InvoiceStatus> = ["draft", "open", "closed", "void"]

interface NumberingInput {
  readonly numbering: NumberingRec
  readonly electronic: boolean
}

const parseNumbering = (v: unknown, store: Store, wantsStamp: boolean): NumberingInput => {
  if (v === undefined || v === null) {
    const t = templateById(wantsStamp ? 1 : 2)!
    return { numbering: { templateId: t.id, prefix: t.prefix, number: null }, electronic: t.isElectronic }
  }
  const o = object(v, "numberTemplate")
  if (has(o, "id") && o["id"] !== null) {
    const id = Number(refId(o["id"], "numberTemplate.id"))
    const t = templateById(id)
    if (t === undefined || t.documentType !== "invoice") {
      throw referenceNotFound("numberTemplate.id", "una numeración de facturas", String(o["id"]))
    }
    return { numbering: { templateId: t.id, prefix: t.prefix, number: null }, electronic: t.isElectronic }
  }
  // Manual numbering: prefix + number.
  if (!has(o, "number")) throw invalidField("numberTemplate", "debe tener 'id' (numeración automática) o 'number' (manual)")
  const raw = o["number"]
  const number = typeof raw === "number" && Number.isInteger(raw) && raw > 0 ? String(raw) : typeof raw === "string" ? raw.trim() : ""
  if (!/^\d{1,10}$/.test(number)) throw invalidField("numberTemplate.number", "debe ser un número entero positivo")
  const prefix = has(o, "prefix") ? (optText(o["prefix"], "numberTemplate.prefix", 10) ?? "") : ""
  for (const inv of store.map("invoice").values()) {
    if (inv.numbering.number !== null && `${inv.numbering.prefix}${inv.numbering.number}` === `${prefix}${number}`) {
      throw badRequest(Code.duplicate, `Ya existe una factura con el número ${prefix}${number}.`)
    }
  }
  return { numbering: { templateId: null, prefix, number }, electronic: false }
}

interface EmbeddedPayment {
  readonly date: string
  readonly bankAccountId: string
  readonly amountCents: number
  readonly paymentMethod: string
}

/** payments[] sent with an invoice: {date?, account|bankAccount: {id}, amount, paymentMethod?}. */
const parseEmbeddedPayments = (v: unknown, store: Store, invoiceDate: string): ReadonlyArray<EmbeddedPayment> =>
  list(v, "payments").map((raw, i) => {
    const f = `payments[${i}]`
    const o = object(raw, f)
    const accountKey = has(o, "account") ? "account" : "bankAccount"
    return {
      date: has(o, "date") ? date(o["date"], `${f}.date`) : invoiceDate,
      bankAccountId: existingBankAccount(store, o[accountKey], `${f}.${accountKey}`),
      amountCents: toCents(decimal(o["amount"] ?? null, `${f}.amount`, { exclusiveMin: 0 })),
      paymentMethod: has(o, "paymentMethod") ? parsePaymentMethod(o["paymentMethod"], `${f}.paymentMethod`) : "cash"
    }
  })

const assignNumber = (store: Store, inv: InvoiceRec): void => {
  if (inv.numbering.number === null && inv.numbering.templateId !== null) {
    inv.numbering.number = store.nextTemplateNumber(inv.numbering.templateId)
  }
}

const isElectronic = (inv: InvoiceRec): boolean =>
  inv.numbering.templateId !== null && templateById(inv.numbering.templateId)?.isElectronic === true

const build = (o: Obj, prev: InvoiceRec | undefined, ctx: Ctx): { record: InvoiceRec; stamp: boolean; payments: ReadonlyArray<EmbeddedPayment> } => {
  const store = ctx.store
  if (prev !== undefined) {
    if (prev.stamp !== null) stampedImmutable(LABEL)
    if (prev.status === "void") throw invalidState("No se puede editar una factura de venta anulada.")
  }
  const invDate = mergeRequired(o, "date", prev?.date, (v) => date(v, "date"))
  const dueDate = mergeRequired(o, "dueDate", prev?.dueDate, (v) => date(v, "dueDate"))
  checkDueDate(invDate, dueDate)
  const clientId = mergeRequired(o, "client", prev?.clientId, (v) => existingContact(store, v, "client"))
  if (prev !== undefined && clientId !== prev.clientId && (prev.paymentIds.length > 0 || prev.creditNoteIds.length > 0)) {
    throw invalidField("client", "no se puede cambiar en una factura con pagos o notas crédito asociadas")
  }
  const currencyCode = optCurrency(o, prev?.currency)
  const lines = inCurrency(mergeRequired(o, "items", prev?.lines, (v) => itemLines(v, "items", store)), currencyCode)
  const stamp = prev === undefined && wantsStamp(o)
  const payments = has(o, "payments") && o["payments"] !== null ? parseEmbeddedPayments(o["payments"], store, invDate) : []

  let status: InvoiceStatus
  if (prev === undefined) {
    const requested = has(o, "status") ? oneOf(o["status"], "status", ["draft", "open"] as const) : undefined
    if (requested === "draft" && (stamp || payments.length > 0)) {
      throw invalidField("status", "no puede ser 'draft' si la factura se timbra o incluye pagos")
    }
    status = requested ?? (stamp || payments.length > 0 ? "open" : "draft")
  } else {
    status = prev.status
    if (has(o, "status") && o["status"] !== prev.status) {
      const requested = oneOf(o["status"], "status", STATUSES)
      if (!(prev.status === "draft" && requested === "open")) {
        throw invalidField("status", `no se puede cambiar de '${prev.status}' a '${requested}' editando; usa las acciones void/open`)
      }
      status = "open"
    }
    if (payments.length > 0 && status === "draft") {
      throw invalidField("payments", "no se pueden registrar pagos en una factura en borrador")
    }
  }

  const { numbering, electronic } =
    prev === undefined
      ? parseNumbering(o["numberTemplate"], store, stamp)
      : { numbering: { ...prev.numbering }, electronic: isElectronic(prev) }
  if (stamp && !electronic) {
    throw invalidField("numberTemplate.id", "debe ser una numeración electrónica para timbrar la factura")
  }

  const totals = totalsOf(lines)
  const paidCents = prev?.paidCents ?? 0
  const creditedCents = prev?.creditedCents ?? 0
  const embeddedCents = payments.reduce((s, p) => s + p.amountCents, 0)
  if (totals.totalCents < paidCents + creditedCents) {
    throw badRequest(Code.totalBelowPaid, "El total de la factura no puede ser menor que el valor ya pagado o acreditado.")
  }
  if (embeddedCents > totals.totalCents - paidCents - creditedCents) {
    throw badRequest(Code.amountExceedsBalance, "La suma de los pagos ('payments') supera el saldo de la factura.")
  }

  const base = prev ?? store.base("invoice", false, ctx.opts.createdAt)
  const text = (k: string, current: string | null | undefined): string | null =>
    merge(o, k, current ?? null, (v) => optText(v, k, 500))
  const record: InvoiceRec = {
    id: base.id,
    seq: base.seq,
    createdAt: base.createdAt,
    updatedAt: store.timestamp(),
    datetime: prev?.datetime ?? base.createdAt,
    date: invDate,
    dueDate,
    clientId,
    lines,
    status,
    numbering,
    stamp: prev?.stamp ?? null,
    observations: text("observations", prev?.observations),
    anotation: text("anotation", prev?.anotation),
    termsConditions: text("termsConditions", prev?.termsConditions),
    ...parseFiscal(o, prev),
    currency: currencyCode,
    ...totals,
    paidCents,
    creditedCents,
    paymentIds: [...(prev?.paymentIds ?? [])],
    creditNoteIds: [...(prev?.creditNoteIds ?? [])]
  }
  return { record, stamp, payments }
}

const commit = (store: Store, inv: InvoiceRec, stamp: boolean, payments: ReadonlyArray<EmbeddedPayment>): void => {
  if (inv.status !== "draft") assignNumber(store, inv)
  if (stamp) inv.stamp = makeStamp(store)
  settleInvoice(inv)
  for (const p of payments) {
    const base = store.base("payment", false)
    const rec: PaymentRec = {
      ...base,
      number: "",
      date: p.date,
      type: "in",
      status: "open",
      contactId: inv.clientId,
      bankAccountId: p.bankAccountId,
      paymentMethod: p.paymentMethod,
      applications: [{ documentId: inv.id, amountCents: p.amountCents }],
      categoryLines: [],
      amountCents: p.amountCents,
      observations: null,
      anotation: null,
      currency: inv.currency
    }
    insertPayment(store, rec)
  }
}

export const renderInvoice = (inv: InvoiceRec, store: Store): JsonObject => {
  const payments = inv.paymentIds
    .map((id) => store.get("payment", id))
    .filter((p): p is PaymentRec => p !== undefined && p.status === "open")
    .map((p, i) => ({
      id: p.id,
      number: p.number,
      date: p.date,
      amount: money("invoice", `${inv.id}:payments.${i}`, "amount", p.applications.find((a) => a.documentId === inv.id)?.amountCents ?? 0),
      paymentMethod: p.paymentMethod,
      status: p.status
    }))
  return {
    id: inv.id,
    date: inv.date,
    dueDate: inv.dueDate,
    datetime: inv.datetime,
    observations: inv.observations,
    anotation: inv.anotation,
    termsConditions: inv.termsConditions,
    status: inv.status,
    client: contactRef(store, inv.clientId),
    numberTemplate: renderNumbering("invoice", inv.id, inv.numbering),
    subtotal: money("invoice", inv.id, "subtotal", inv.subtotalCents),
    discount: money("invoice", inv.id, "discount", inv.discountCents),
    tax: money("invoice", inv.id, "tax", inv.taxCents),
    total: money("invoice", inv.id, "total", inv.totalCents),
    totalPaid: money("invoice", inv.id, "totalPaid", inv.paidCents),
    balance: money("invoice", inv.id, "balance", invoiceBalance(inv)),
    decimalPrecision: decimalPrecision(inv.currency),
    currency: renderCurrency(inv.currency),
    ...renderFiscal(inv),
    items: renderLines("invoice", inv.id, "items", inv.lines),
    payments,
    retentions: [],
    seller: null,
    priceList: { id: 1, name: "General" },
    warehouse: { id: "1", name: "Principal" },
    costCenter: null,
    ...(inv.stamp === null ? {} : { stamp: renderStamp(inv.stamp) })
  }
}

const fullNumber = (inv: InvoiceRec): string | null =>
  inv.numbering.number === null ? null : `${inv.numbering.prefix}${inv.numbering.number}`

export const invoices: Resource<InvoiceRec> = {
  kind: "invoice",
  path: "invoices",
  label: LABEL,
  canUpdate: true,
  canRemove: true,
  webhook: "invoice",
  create: (body, ctx): Prepared<InvoiceRec> => {
    const { record, stamp, payments } = build(body, undefined, ctx)
    return { record, apply: () => commit(ctx.store, record, stamp, payments) }
  },
  update: (current, patch, ctx) => {
    const { record, payments } = build(patch, current, ctx)
    return { record, apply: () => commit(ctx.store, record, false, payments) }
  },
  remove: (inv) => {
    if (inv.stamp !== null) stampedImmutable(LABEL)
    if (inv.paymentIds.length > 0) {
      throw badRequest(Code.hasPayments, "No se puede eliminar la factura de venta porque tiene pagos asociados.")
    }
    if (inv.creditNoteIds.length > 0) {
      throw badRequest(Code.hasPayments, "No se puede eliminar la factura de venta porque tiene notas crédito asociadas.")
    }
    return undefined
  },
  render: renderInvoice,
  filters: {
    status: (inv, v) => inv.status === checkEnum(v, STATUSES, "status"),
    client_id: (inv, v) => inv.clientId === v,
    client_name: (inv, v, store) => contains(store.get("contact", inv.clientId)?.name, v),
    client_identification: (inv, v, store) => contains(store.get("contact", inv.clientId)?.identification?.number, v),
    id: (inv, v) => inv.id === v,
    item_id: (inv, v) => inv.lines.some((l) => l.itemId === v),
    numberTemplate_fullNumber: (inv, v) => fullNumber(inv) === v,
    ...dateFilters<InvoiceRec>("date", (inv) => inv.date),
    ...dateFilters<InvoiceRec>("dueDate", (inv) => inv.dueDate)
  },
  order: {
    id: (inv) => inv.seq,
    date: (inv) => inv.date,
    dueDate: (inv) => inv.dueDate,
    status: (inv) => inv.status,
    name: (inv, store) => (store.get("contact", inv.clientId)?.name ?? "").toLowerCase()
  },
  actions: {
    void: (inv, _body, ctx) => {
      if (inv.stamp !== null) stampedImmutable(LABEL)
      if (inv.status === "void") throw invalidState("La factura de venta ya está anulada.")
      if (inv.paidCents > 0) {
        throw badRequest(Code.hasPayments, "No se puede anular la factura de venta porque tiene pagos asociados; anula primero los pagos.")
      }
      if (inv.creditedCents > 0) {
        throw badRequest(Code.hasPayments, "No se puede anular la factura de venta porque tiene notas crédito aplicadas.")
      }
      return {
        notify: true,
        apply: () => {
          inv.status = "void"
          inv.updatedAt = ctx.store.timestamp()
        }
      }
    },
    // Opens a draft or a voided invoice; with stamp.generateStamp also stamps it (see prepareStamp).
    open: (inv, body, ctx) => {
      const stamp = wantsStamp(body)
      if (!stamp && (inv.status === "open" || inv.status === "closed")) throw invalidState("La factura de venta ya está abierta.")
      const stamping = stamp ? prepareStamp(inv, body, "invoice", LABEL) : undefined
      return {
        notify: true,
        apply: () => {
          if (inv.status === "draft" || inv.status === "void") inv.status = "open"
          stamping?.(ctx.store)
          assignNumber(ctx.store, inv)
          inv.updatedAt = ctx.store.timestamp()
          settleInvoice(inv)
        }
      }
    }
  },
  httpActions: ["void", "open"]
}

