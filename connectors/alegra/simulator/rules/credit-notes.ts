/** Credit notes against sales invoices. alegra-api.md §5 "Credit note"; stamped ones are immutable. No webhooks. */
import { templateById } from "../catalog.js"
import { badRequest, Code, invalidField, invalidState, referenceNotFound } from "../errors.js"
import { date, decimal, has, list, merge, mergeRequired, object, type Obj, optText, refId } from "../input.js"
import type { ApplicationRec, CreditNoteRec, NumberingRec, RefundRec } from "../records.js"
import type { Store } from "../state.js"
import { type JsonObject, toCents } from "../util.js"
import {
  checkEnum,
  contactRef,
  dateFilters,
  decimalPrecision,
  existingContact,
  inCurrency,
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
import { checkApplications, moveCreditNote, ownAmounts, settleCreditNote } from "./ledger.js"
import { existingBankAccount } from "./payments.js"
import type { Ctx, Resource } from "./resource.js"

const LABEL = "la nota crédito"

const parseApplications = (v: unknown): ReadonlyArray<ApplicationRec> =>
  list(v, "invoices").map((raw, i) => {
    const o = object(raw, `invoices[${i}]`)
    return {
      documentId: refId(o["id"], `invoices[${i}].id`),
      amountCents: toCents(decimal(o["amount"] ?? null, `invoices[${i}].amount`, { exclusiveMin: 0 }))
    }
  })

/** `refunds[]`: money returned to the client, each from an existing bank account. */
const parseRefunds = (v: unknown, store: Store): ReadonlyArray<RefundRec> =>
  list(v, "refunds").map((raw, i) => {
    const o = object(raw, `refunds[${i}]`)
    return {
      date: date(o["date"] ?? null, `refunds[${i}].date`),
      accountId: existingBankAccount(store, o["account"] ?? null, `refunds[${i}].account`),
      amountCents: toCents(decimal(o["amount"] ?? null, `refunds[${i}].amount`, { exclusiveMin: 0 })),
      observations: optText(o["observations"] ?? null, `refunds[${i}].observations`, 500)
    }
  })

const parseNumbering = (v: unknown, stamp: boolean): NumberingRec => {
  let id = stamp ? 3 : 4
  if (v !== undefined && v !== null) {
    const o = object(v, "numberTemplate")
    if (has(o, "id") && o["id"] !== null) id = Number(refId(o["id"], "numberTemplate.id"))
  }
  const t = templateById(id)
  if (t === undefined || t.documentType !== "creditNote") {
    throw referenceNotFound("numberTemplate.id", "una numeración de notas crédito", String(id))
  }
  if (stamp && !t.isElectronic) throw invalidField("numberTemplate.id", "debe ser una numeración electrónica para timbrar")
  return { templateId: t.id, prefix: t.prefix, number: null }
}

const build = (o: Obj, prev: CreditNoteRec | undefined, ctx: Ctx): { record: CreditNoteRec; stamp: boolean } => {
  const store = ctx.store
  if (prev !== undefined) {
    if (prev.stamp !== null) stampedImmutable(LABEL)
    if (prev.status === "void") throw invalidState("No se puede editar una nota crédito anulada.")
  }
  const cnDate = mergeRequired(o, "date", prev?.date, (v) => date(v, "date"))
  const clientId = mergeRequired(o, "client", prev?.clientId, (v) => existingContact(store, v, "client"))
  const currencyCode = optCurrency(o, prev?.currency)
  const lines = inCurrency(mergeRequired(o, "items", prev?.lines, (v) => itemLines(v, "items", store)), currencyCode)
  const applications = merge(o, "invoices", prev?.applications ?? [], (v) => (v === null ? [] : parseApplications(v)))
  const own = prev === undefined ? new Map<string, number>() : ownAmounts(prev.applications)
  checkApplications(store, "invoice", "invoices", applications, own, clientId)
  const totals = totalsOf(lines)
  const appliedCents = applications.reduce((s, a) => s + a.amountCents, 0)
  if (appliedCents > totals.totalCents) {
    throw badRequest(Code.amountExceedsBalance, "La suma aplicada a facturas ('invoices') supera el total de la nota crédito.")
  }
  const refunds = merge(o, "refunds", prev?.refunds ?? [], (v) => (v === null ? [] : parseRefunds(v, store)))
  const refundedCents = refunds.reduce((s, r) => s + r.amountCents, 0)
  if (appliedCents + refundedCents > totals.totalCents) {
    throw badRequest(Code.amountExceedsBalance, "La suma aplicada a facturas y devoluciones ('refunds') supera el total de la nota crédito.")
  }
  const stamp = prev === undefined && wantsStamp(o)
  const base = prev ?? store.base("credit-note", false, ctx.opts.createdAt)
  const record: CreditNoteRec = {
    id: base.id,
    seq: base.seq,
    createdAt: base.createdAt,
    updatedAt: store.timestamp(),
    datetime: prev?.datetime ?? base.createdAt,
    date: cnDate,
    clientId,
    lines,
    status: prev?.status ?? "open",
    numbering: prev === undefined ? parseNumbering(o["numberTemplate"], stamp) : { ...prev.numbering },
    stamp: prev?.stamp ?? null,
    applications,
    appliedCents,
    refunds,
    refundedCents,
    observations: merge(o, "observations", prev?.observations ?? null, (v) => optText(v, "observations", 500)),
    cause: merge(o, "cause", prev?.cause ?? null, (v) => optText(v, "cause", 500)),
    currency: currencyCode,
    ...parseFiscal(o, prev),
    ...totals
  }
  return { record, stamp }
}

const link = (store: Store, cn: CreditNoteRec): void => {
  for (const a of cn.applications) {
    const inv = store.get("invoice", a.documentId)
    if (inv !== undefined && !inv.creditNoteIds.includes(cn.id)) inv.creditNoteIds.push(cn.id)
  }
}
const unlink = (store: Store, cn: CreditNoteRec): void => {
  for (const a of cn.applications) {
    const inv = store.get("invoice", a.documentId)
    if (inv !== undefined) inv.creditNoteIds = inv.creditNoteIds.filter((id) => id !== cn.id)
  }
}

export const renderCreditNote = (cn: CreditNoteRec, store: Store): JsonObject => ({
  id: cn.id,
  date: cn.date,
  datetime: cn.datetime,
  status: cn.status,
  client: contactRef(store, cn.clientId),
  numberTemplate: renderNumbering("credit-note", cn.id, cn.numbering),
  subtotal: money("credit-note", cn.id, "subtotal", cn.subtotalCents),
  discount: money("credit-note", cn.id, "discount", cn.discountCents),
  tax: money("credit-note", cn.id, "tax", cn.taxCents),
  total: money("credit-note", cn.id, "total", cn.totalCents),
  totalApplied: money("credit-note", cn.id, "totalApplied", cn.appliedCents),
  balance: money("credit-note", cn.id, "balance", cn.totalCents - cn.appliedCents - cn.refundedCents),
  decimalPrecision: decimalPrecision(cn.currency),
  currency: renderCurrency(cn.currency),
  items: renderLines("credit-note", cn.id, "items", cn.lines),
  invoices: cn.applications.map((a, i) => {
    const inv = store.get("invoice", a.documentId)
    return {
      id: a.documentId,
      prefix: inv?.numbering.prefix ?? null,
      number: inv?.numbering.number ?? null,
      date: inv?.date ?? null,
      amount: money("credit-note", `${cn.id}:invoices.${i}`, "amount", a.amountCents)
    }
  }),
  refunds: cn.refunds.map((r, i) => {
    const bank = store.get("bank-account", r.accountId)
    return {
      date: r.date,
      account: bank === undefined ? { id: r.accountId } : { id: bank.id, name: bank.name },
      amount: money("credit-note", `${cn.id}:refunds.${i}`, "amount", r.amountCents),
      observations: r.observations
    }
  }),
  observations: cn.observations,
  cause: cn.cause,
  warehouse: { id: "1", name: "Principal" },
  costCenter: null,
  ...renderFiscal(cn),
  ...(cn.stamp === null ? {} : { stamp: renderStamp(cn.stamp) })
})

export const creditNotes: Resource<CreditNoteRec> = {
  kind: "credit-note",
  path: "credit-notes",
  label: LABEL,
  canUpdate: true,
  canRemove: true,
  webhook: null,
  create: (body, ctx) => {
    const { record, stamp } = build(body, undefined, ctx)
    return {
      record,
      apply: () => {
        record.numbering.number = ctx.store.nextTemplateNumber(record.numbering.templateId ?? 4)
        if (stamp) record.stamp = makeStamp(ctx.store)
        link(ctx.store, record)
        moveCreditNote(ctx.store, record, 1)
        settleCreditNote(record)
      }
    }
  },
  update: (current, patch, ctx) => {
    const { record } = build(patch, current, ctx)
    return {
      record,
      apply: () => {
        moveCreditNote(ctx.store, current, -1)
        unlink(ctx.store, current)
        link(ctx.store, record)
        moveCreditNote(ctx.store, record, 1)
        settleCreditNote(record)
      }
    }
  },
  remove: (cn, ctx) => {
    if (cn.stamp !== null) stampedImmutable(LABEL)
    return () => {
      if (cn.status !== "void") moveCreditNote(ctx.store, cn, -1)
      unlink(ctx.store, cn)
    }
  },
  render: renderCreditNote,
  filters: {
    status: (cn, v) => cn.status === checkEnum(v, ["open", "closed", "void"] as const, "status"),
    client_id: (cn, v) => cn.clientId === v,
    id: (cn, v) => cn.id === v,
    ...dateFilters<CreditNoteRec>("date", (cn) => cn.date)
  },
  order: {
    id: (cn) => cn.seq,
    date: (cn) => cn.date,
    status: (cn) => cn.status
  },
  actions: {
    // Stamping an unstamped credit note, as invoices are stamped (POST …/open with stamp.generateStamp):
    // the notes name no endpoint for it, so the simulator offers the invoices' one.
    open: (cn, body, ctx) => {
      if (!wantsStamp(body)) throw invalidState("La nota crédito ya está abierta.")
      if (cn.status === "void") throw invalidState("No se puede timbrar la nota crédito porque está anulada.")
      const stamping = prepareStamp(cn, body, "creditNote", LABEL)
      return {
        notify: false,
        apply: () => {
          stamping(ctx.store)
          cn.updatedAt = ctx.store.timestamp()
        }
      }
    },
    // Not an HTTP endpoint in the notes: voiding as a user would in the web app (admin only).
    void: (cn, _body, ctx) => {
      if (cn.stamp !== null) stampedImmutable(LABEL)
      if (cn.status === "void") throw invalidState("La nota crédito ya está anulada.")
      return {
        notify: false,
        apply: () => {
          moveCreditNote(ctx.store, cn, -1)
          cn.status = "void"
          cn.updatedAt = ctx.store.timestamp()
        }
      }
    }
  },
  httpActions: ["open"]
}
