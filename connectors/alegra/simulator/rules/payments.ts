/**
 * Payments: in (received, against invoices[]), out (paid, against bills[]), or against categories[].
 * alegra-api.md §5 "Payment", §6 "Payments". No webhooks exist for payments.
 */
import { badRequest, Code, invalidField, invalidState, referenceNotFound, requiredField } from "../errors.js"
import { date, decimal, has, isObj, list, mergeRequired, object, oneOf, type Obj, optText, refId } from "../input.js"
import type { ApplicationRec, CategoryLineRec, PaymentRec } from "../records.js"
import type { Store } from "../state.js"
import { hash32, type Json, type JsonObject, toCents, wireDecimal } from "../util.js"
import { computeLine, contactRef, enumFilter, existingContact, money, optCurrency, parseTaxes, renderCurrency, renderTaxes } from "./common.js"
import { billBalance, checkApplications, invoiceBalance, linkPayment, movePayment, ownAmounts, unlinkPayment } from "./ledger.js"
import type { Ctx, Prepared, Resource } from "./resource.js"

export const PAYMENT_METHODS = ["cash", "check", "transfer", "deposit", "credit-card", "debit-card"] as const

export const parsePaymentMethod = (v: unknown, field: string): string => {
  const name = isObj(v) ? v["name"] ?? v["id"] : v
  return oneOf(name, isObj(v) ? `${field}.name` : field, PAYMENT_METHODS)
}

export const existingBankAccount = (store: Store, v: unknown, field: string): string => {
  const id = refId(v, field)
  const account = store.get("bank-account", id)
  if (account === undefined) throw referenceNotFound(field, "una cuenta bancaria", id)
  if (account.status !== "active") throw invalidField(field, `corresponde a una cuenta bancaria inactiva (id ${id})`)
  return id
}

const parseApplications = (v: unknown, field: string): ReadonlyArray<ApplicationRec> =>
  list(v, field).map((raw, i) => {
    const o = object(raw, `${field}[${i}]`)
    if (!has(o, "amount")) throw requiredField(`${field}[${i}].amount`)
    return {
      documentId: refId(o["id"], `${field}[${i}].id`),
      amountCents: toCents(decimal(o["amount"], `${field}[${i}].amount`, { exclusiveMin: 0 }))
    }
  })

const parseCategoryLines = (v: unknown, store: Store): ReadonlyArray<CategoryLineRec> =>
  list(v, "categories").map((raw, i) => {
    const f = `categories[${i}]`
    const o = object(raw, f)
    const categoryId = refId(o["id"], `${f}.id`)
    if (store.get("category", categoryId) === undefined) throw referenceNotFound(`${f}.id`, "una categoría", categoryId)
    if (!has(o, "price")) throw requiredField(`${f}.price`)
    const price = decimal(o["price"], `${f}.price`, { exclusiveMin: 0 })
    const quantity = has(o, "quantity") ? decimal(o["quantity"], `${f}.quantity`, { exclusiveMin: 0 }) : 1
    const taxIds = has(o, "tax") ? parseTaxes(o["tax"], `${f}.tax`) : []
    const line = computeLine({ itemId: null, categoryId, name: "", description: null, reference: null, price, quantity, discount: 0, taxIds })
    return {
      categoryId,
      price,
      quantity,
      taxIds,
      observations: has(o, "observations") ? optText(o["observations"], `${f}.observations`, 500) : null,
      totalCents: line.totalCents
    }
  })

const build = (o: Obj, prev: PaymentRec | undefined, ctx: Ctx): PaymentRec => {
  const store = ctx.store
  if (prev !== undefined && prev.status === "void") throw invalidState("No se puede editar un pago anulado; ábrelo primero.")
  const type = prev?.type ?? (has(o, "type") ? oneOf(o["type"], "type", ["in", "out"] as const) : "in")
  if (prev !== undefined && has(o, "type") && o["type"] !== prev.type) throw invalidField("type", "no se puede cambiar")
  const docField = type === "in" ? "invoices" : "bills"
  const otherField = type === "in" ? "bills" : "invoices"
  if (has(o, otherField) && !(Array.isArray(o[otherField]) && (o[otherField] as unknown[]).length === 0)) {
    throw invalidField(otherField, `no aplica a pagos de tipo '${type}'`)
  }
  const paymentDate = mergeRequired(o, "date", prev?.date, (v) => date(v, "date"))
  const bankAccountId = mergeRequired(o, "bankAccount", prev?.bankAccountId, (v) => existingBankAccount(store, v, "bankAccount"))
  const applications = has(o, docField) ? parseApplications(o[docField], docField) : (prev?.applications ?? [])
  const categoryLines = has(o, "categories") ? parseCategoryLines(o["categories"], store) : (prev?.categoryLines ?? [])
  if (applications.length === 0 && categoryLines.length === 0) {
    throw badRequest(
      Code.paymentWithoutDocuments,
      `El pago debe estar asociado al menos a una factura ('${docField}') o a una categoría ('categories').`
    )
  }
  const contactKey = has(o, "client") ? "client" : has(o, "provider") ? "provider" : null
  let contactId = contactKey === null ? (prev?.contactId ?? null) : o[contactKey] === null ? null : existingContact(store, o[contactKey], contactKey)
  if (contactId === null && applications.length > 0) {
    const first = applications[0]!
    const doc = type === "in" ? store.get("invoice", first.documentId) : store.get("bill", first.documentId)
    if (doc !== undefined) contactId = "clientId" in doc ? doc.clientId : doc.providerId
  }
  const own = prev !== undefined && prev.status === "open" ? ownAmounts(prev.applications) : new Map<string, number>()
  checkApplications(store, type === "in" ? "invoice" : "bill", docField, applications, own, contactId)
  const amountCents =
    applications.reduce((s, a) => s + a.amountCents, 0) + categoryLines.reduce((s, l) => s + l.totalCents, 0)
  if (has(o, "amount")) {
    const sent = toCents(decimal(o["amount"], "amount", { exclusiveMin: 0 }))
    if (sent !== amountCents) {
      throw invalidField("amount", `debe ser igual a la suma de los valores asociados (${(amountCents / 100).toFixed(2)})`)
    }
  }
  const base = prev ?? store.base("payment", false, ctx.opts.createdAt)
  return {
    id: base.id,
    seq: base.seq,
    createdAt: base.createdAt,
    updatedAt: store.timestamp(),
    number: prev?.number ?? "",
    date: paymentDate,
    type,
    status: prev?.status ?? "open",
    contactId,
    bankAccountId,
    paymentMethod: has(o, "paymentMethod") ? parsePaymentMethod(o["paymentMethod"], "paymentMethod") : (prev?.paymentMethod ?? "cash"),
    applications,
    categoryLines,
    amountCents,
    observations: has(o, "observations") ? optText(o["observations"], "observations", 500) : (prev?.observations ?? null),
    anotation: has(o, "anotation") ? optText(o["anotation"], "anotation", 500) : (prev?.anotation ?? null),
    currency: optCurrency(o, prev?.currency)
  }
}

/** Stores a new payment and applies it (also used by invoices created with payments[]). */
export const insertPayment = (store: Store, p: PaymentRec): void => {
  store.map("payment").set(p.id, p)
  commitNewPayment(store, p)
}

const commitNewPayment = (store: Store, p: PaymentRec): void => {
  p.number = store.nextPaymentNumber(p.type)
  linkPayment(store, p)
  movePayment(store, p, 1)
}

/** Builds (validated) a payment from a body, as POST /payments does. */
export const buildPayment = (body: Obj, ctx: Ctx): PaymentRec => build(body, undefined, ctx)

const docSummary = (store: Store, p: PaymentRec, a: ApplicationRec, i: number): JsonObject => {
  const key = `${p.id}:${p.type === "in" ? "invoices" : "bills"}.${i}`
  if (p.type === "in") {
    const inv = store.get("invoice", a.documentId)
    if (inv === undefined) return { id: a.documentId, amount: money("payment", key, "amount", a.amountCents) }
    return {
      id: inv.id,
      number: inv.numbering.number === null ? null : `${inv.numbering.prefix}${inv.numbering.number}`,
      date: inv.date,
      dueDate: inv.dueDate,
      total: money("payment", key, "total", inv.totalCents),
      totalPaid: money("payment", key, "totalPaid", inv.paidCents),
      balance: money("payment", key, "balance", invoiceBalance(inv)),
      amount: money("payment", key, "amount", a.amountCents)
    }
  }
  const bill = store.get("bill", a.documentId)
  if (bill === undefined) return { id: a.documentId, amount: money("payment", key, "amount", a.amountCents) }
  return {
    id: bill.id,
    number: bill.billNumber,
    date: bill.date,
    dueDate: bill.dueDate,
    total: money("payment", key, "total", bill.totalCents),
    totalPaid: money("payment", key, "totalPaid", bill.paidCents),
    balance: money("payment", key, "balance", billBalance(bill)),
    amount: money("payment", key, "amount", a.amountCents)
  }
}

export const renderPayment = (p: PaymentRec, store: Store): JsonObject => {
  const bank = store.get("bank-account", p.bankAccountId)
  const docs: ReadonlyArray<Json> = p.applications.map((a, i) => docSummary(store, p, a, i))
  return {
    id: p.id,
    number: p.number,
    date: p.date,
    amount: money("payment", p.id, "amount", p.amountCents),
    type: p.type,
    status: p.status,
    // a string for most payments, an object with a name for some (alegra-api.md §5 "Payment")
    paymentMethod: hash32(`payment:${p.id}:paymentMethod`) % 4 === 0 ? { name: p.paymentMethod } : p.paymentMethod,
    bankAccount: bank === undefined ? { id: p.bankAccountId } : { id: bank.id, name: bank.name, type: bank.type },
    client: contactRef(store, p.contactId),
    currency: renderCurrency(p.currency),
    observations: p.observations,
    anotation: p.anotation,
    ...(p.type === "in" ? { invoices: docs } : { bills: docs }),
    categories: p.categoryLines.map((l, i) => {
      const category = store.get("category", l.categoryId)
      const key = `payment:${p.id}:categories.${i}`
      return {
        id: l.categoryId,
        name: category?.name ?? null,
        price: wireDecimal(l.price, `${key}.price`),
        quantity: wireDecimal(l.quantity, `${key}.quantity`),
        tax: renderTaxes(l.taxIds, Math.round(l.price * l.quantity * 100), key),
        observations: l.observations,
        total: money("payment", `${p.id}:categories.${i}`, "total", l.totalCents)
      }
    })
  }
}

export const payments: Resource<PaymentRec> = {
  kind: "payment",
  path: "payments",
  label: "el pago",
  canUpdate: true,
  canRemove: true,
  webhook: null,
  create: (body, ctx): Prepared<PaymentRec> => {
    const record = build(body, undefined, ctx)
    return { record, apply: () => commitNewPayment(ctx.store, record) }
  },
  update: (current, patch, ctx) => {
    const record = build(patch, current, ctx)
    return {
      record,
      apply: () => {
        movePayment(ctx.store, current, -1)
        unlinkPayment(ctx.store, current)
        linkPayment(ctx.store, record)
        movePayment(ctx.store, record, 1)
      }
    }
  },
  remove: (current, ctx) => () => {
    if (current.status === "open") movePayment(ctx.store, current, -1)
    unlinkPayment(ctx.store, current)
  },
  render: renderPayment,
  listRows: (p) => Math.max(1, p.categoryLines.length),
  filters: {
    type: enumFilter(["in", "out"], (p: PaymentRec) => p.type, "type"),
    client_id: (p, v) => p.contactId === v,
    id: (p, v) => p.id === v,
    status: enumFilter(["open", "void"], (p: PaymentRec) => p.status, "status"),
    bankAccount_id: (p, v) => p.bankAccountId === v,
    number: (p, v) => p.number === v
    // Date filters are deliberately absent: the real API ignores them on /payments
    // (alegra-api.md §3, quirk), so unknown parameters are ignored here too.
  },
  order: {
    id: (p) => p.seq,
    number: (p) => Number(p.number),
    date: (p) => p.date,
    type: (p) => p.type
  },
  actions: {
    void: (p, _body, ctx) => {
      if (p.status === "void") throw invalidState("El pago ya está anulado.")
      return {
        notify: false,
        apply: () => {
          movePayment(ctx.store, p, -1)
          p.status = "void"
          p.updatedAt = ctx.store.timestamp()
        }
      }
    },
    open: (p, _body, ctx) => {
      if (p.status === "open") throw invalidState("El pago ya está abierto.")
      checkApplications(
        ctx.store,
        p.type === "in" ? "invoice" : "bill",
        p.type === "in" ? "invoices" : "bills",
        p.applications,
        new Map(),
        p.contactId
      )
      return {
        notify: false,
        apply: () => {
          p.status = "open"
          p.updatedAt = ctx.store.timestamp()
          movePayment(ctx.store, p, 1)
        }
      }
    }
  },
  httpActions: ["void", "open"]
}

