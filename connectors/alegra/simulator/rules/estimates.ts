/** Estimates (quotes). New ones get UUIDv7 ids (alegra-api.md §2). No webhooks. */
import { invalidField } from "../errors.js"
import { date, merge, mergeRequired, oneOf, type Obj, optText } from "../input.js"
import type { EstimateRec } from "../records.js"
import type { Store } from "../state.js"
import type { JsonObject } from "../util.js"
import {
  checkEnum,
  contactRef,
  dateFilters,
  decimalPrecision,
  existingContact,
  inCurrency,
  itemLines,
  money,
  optCurrency,
  renderCurrency,
  renderLines,
  totalsOf
} from "./common.js"
import type { Ctx, Resource } from "./resource.js"

const build = (o: Obj, prev: EstimateRec | undefined, ctx: Ctx): EstimateRec => {
  const store = ctx.store
  const estDate = mergeRequired(o, "date", prev?.date, (v) => date(v, "date"))
  const dueDate = merge(o, "dueDate", prev?.dueDate ?? null, (v) => (v === null ? null : date(v, "dueDate")))
  if (dueDate !== null && dueDate < estDate) throw invalidField("dueDate", "debe ser igual o posterior a la fecha del documento ('date')")
  const clientId = mergeRequired(o, "client", prev?.clientId, (v) => existingContact(store, v, "client"))
  const currencyCode = optCurrency(o, prev?.currency)
  const lines = inCurrency(mergeRequired(o, "items", prev?.lines, (v) => itemLines(v, "items", store)), currencyCode)
  const base = prev ?? store.base("estimate", ctx.opts.legacy === true, ctx.opts.createdAt)
  return {
    id: base.id,
    seq: base.seq,
    createdAt: base.createdAt,
    updatedAt: store.timestamp(),
    number: prev?.number ?? "",
    date: estDate,
    dueDate,
    clientId,
    lines,
    status: merge(o, "status", prev?.status ?? "unbilled", (v) => oneOf(v, "status", ["billed", "unbilled"] as const)),
    observations: merge(o, "observations", prev?.observations ?? null, (v) => optText(v, "observations", 500)),
    currency: currencyCode,
    ...totalsOf(lines)
  }
}

export const renderEstimate = (e: EstimateRec, store: Store): JsonObject => ({
  id: e.id,
  number: e.number,
  date: e.date,
  dueDate: e.dueDate,
  status: e.status,
  client: contactRef(store, e.clientId),
  subtotal: money("estimate", e.id, "subtotal", e.subtotalCents),
  discount: money("estimate", e.id, "discount", e.discountCents),
  tax: money("estimate", e.id, "tax", e.taxCents),
  total: money("estimate", e.id, "total", e.totalCents),
  decimalPrecision: decimalPrecision(e.currency),
  currency: renderCurrency(e.currency),
  items: renderLines("estimate", e.id, "items", e.lines),
  observations: e.observations,
  seller: null,
  warehouse: { id: "1", name: "Principal" }
})

export const estimates: Resource<EstimateRec> = {
  kind: "estimate",
  path: "estimates",
  label: "la cotización",
  canUpdate: true,
  canRemove: true,
  webhook: null,
  create: (body, ctx) => {
    const record = build(body, undefined, ctx)
    return {
      record,
      apply: () => {
        record.number = ctx.store.nextEstimateNumber()
      }
    }
  },
  update: (current, patch, ctx) => ({ record: build(patch, current, ctx) }),
  remove: () => undefined,
  render: renderEstimate,
  filters: {
    client_id: (e, v) => e.clientId === v,
    status: (e, v) => e.status === checkEnum(v, ["billed", "unbilled"] as const, "status"),
    id: (e, v) => e.id === v,
    ...dateFilters<EstimateRec>("date", (e) => e.date),
    ...dateFilters<EstimateRec>("dueDate", (e) => e.dueDate)
  },
  order: {
    id: (e) => e.seq,
    date: (e) => e.date,
    number: (e) => Number(e.number)
  },
  actions: {},
  httpActions: []
}
