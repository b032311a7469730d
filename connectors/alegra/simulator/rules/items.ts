/** Items (products and services). alegra-api.md §5 "Item". */
import { PRICE_LISTS, priceListById } from "../catalog.js"
import { badRequest, Code, invalidField, referenceNotFound, requiredField } from "../errors.js"
import { decimal, has, list, merge, nonBlank, object, oneOf, type Obj, optText, refId } from "../input.js"
import type { ItemRec, PriceRec } from "../records.js"
import type { Store } from "../state.js"
import { type JsonObject, wireDecimal } from "../util.js"
import { checkEnum, contains, enumFilter, parseTaxes, renderTaxes } from "./common.js"
import type { Ctx, Resource } from "./resource.js"

const ITEM_TYPES = ["simple", "kit", "variant", "product", "service"] as const

/** A number (price on the main list) or [{idPriceList, price}]; always answered as an array. */
const parsePrice = (v: unknown): ReadonlyArray<PriceRec> => {
  if (v === null) throw requiredField("price")
  if (!Array.isArray(v)) return [{ idPriceList: 1, price: decimal(v, "price", { min: 0 }) }]
  const prices = list(v, "price").map((raw, i) => {
    const o = object(raw, `price[${i}]`)
    const listId = Number(has(o, "idPriceList") ? refId(o["idPriceList"], `price[${i}].idPriceList`) : "1")
    if (priceListById(listId) === undefined) {
      throw referenceNotFound(`price[${i}].idPriceList`, "una lista de precios", String(o["idPriceList"]))
    }
    if (!has(o, "price")) throw requiredField(`price[${i}].price`)
    return { idPriceList: listId, price: decimal(o["price"], `price[${i}].price`, { min: 0 }) }
  })
  const seen = new Set<number>()
  for (const p of prices) {
    if (seen.has(p.idPriceList)) throw invalidField("price", `repite la lista de precios ${p.idPriceList}`)
    seen.add(p.idPriceList)
  }
  if (!seen.has(1)) throw invalidField("price", "debe incluir el precio de la lista general (idPriceList 1)")
  return [...prices].sort((a, b) => a.idPriceList - b.idPriceList)
}

const parseInventory = (v: unknown): ItemRec["inventory"] => {
  if (v === null) return null
  const o = object(v, "inventory")
  return {
    unit: has(o, "unit") ? nonBlank(o["unit"], "inventory.unit", 30) : "unit",
    unitCost: has(o, "unitCost") ? decimal(o["unitCost"], "inventory.unitCost", { min: 0 }) : 0,
    initialQuantity: has(o, "initialQuantity") ? decimal(o["initialQuantity"], "inventory.initialQuantity", { min: 0 }) : 0
  }
}

const build = (o: Obj, prev: ItemRec | undefined, ctx: Ctx): ItemRec => {
  const store = ctx.store
  if (prev === undefined) {
    if (!has(o, "name")) throw requiredField("name")
    if (!has(o, "price")) throw requiredField("price")
  }
  const base = prev ?? store.base("item", false, ctx.opts.createdAt)
  return {
    id: base.id,
    seq: base.seq,
    createdAt: base.createdAt,
    updatedAt: ctx.opts.createdAt !== undefined ? base.updatedAt : store.timestamp(),
    name: merge(o, "name", prev?.name ?? "", (v) => nonBlank(v, "name", 150)),
    description: merge(o, "description", prev?.description ?? null, (v) => optText(v, "description", 500)),
    reference: merge(o, "reference", prev?.reference ?? null, (v) => optText(v, "reference", 45)),
    status: merge(o, "status", prev?.status ?? "active", (v) => oneOf(v, "status", ["active", "inactive"] as const)),
    type: merge(o, "type", prev?.type ?? "simple", (v) => oneOf(v, "type", ITEM_TYPES)),
    prices: merge(o, "price", prev?.prices ?? [], parsePrice),
    taxIds: merge(o, "tax", prev?.taxIds ?? [], (v) => parseTaxes(v, "tax")),
    productKey: merge(o, "productKey", prev?.productKey ?? null, (v) => {
      const key = optText(v, "productKey", 8)
      if (key !== null && !/^\d{8}$/.test(key)) throw invalidField("productKey", "debe ser una clave SAT de 8 dígitos")
      return key
    }),
    categoryId: merge(o, "category", prev?.categoryId ?? null, (v) => {
      if (v === null) return null
      const id = refId(v, "category")
      if (store.get("category", id) === undefined) throw referenceNotFound("category.id", "una categoría", id)
      return id
    }),
    inventory: merge(o, "inventory", prev?.inventory ?? null, parseInventory)
  }
}

const usedBy = (store: Store, id: string): string | null => {
  for (const inv of store.map("invoice").values()) if (inv.lines.some((l) => l.itemId === id)) return "facturas de venta"
  for (const b of store.map("bill").values()) if (b.itemLines.some((l) => l.itemId === id)) return "facturas de proveedor"
  for (const cn of store.map("credit-note").values()) if (cn.lines.some((l) => l.itemId === id)) return "notas crédito"
  for (const e of store.map("estimate").values()) if (e.lines.some((l) => l.itemId === id)) return "cotizaciones"
  return null
}

export const renderItem = (it: ItemRec, store: Store): JsonObject => {
  const category = it.categoryId === null ? undefined : store.get("category", it.categoryId)
  return {
    id: it.id,
    name: it.name,
    description: it.description,
    reference: it.reference,
    status: it.status,
    type: it.type,
    price: it.prices.map((p) => ({
      idPriceList: p.idPriceList,
      name: PRICE_LISTS.find((l) => l.id === p.idPriceList)?.name ?? null,
      price: wireDecimal(p.price, `item:${it.id}:price.${p.idPriceList}`)
    })),
    tax: renderTaxes(it.taxIds, null, `item:${it.id}`),
    productKey: it.productKey,
    category: category === undefined ? null : { id: Number(category.id), name: category.name },
    inventory:
      it.inventory === null
        ? null
        : {
            unit: it.inventory.unit,
            unitCost: wireDecimal(it.inventory.unitCost, `item:${it.id}:unitCost`),
            initialQuantity: it.inventory.initialQuantity,
            availableQuantity: it.inventory.initialQuantity
          },
    customFields: [],
    created_at: it.createdAt,
    updated_at: it.updatedAt
  }
}

export const items: Resource<ItemRec> = {
  kind: "item",
  path: "items",
  label: "el ítem",
  canUpdate: true,
  canRemove: true,
  webhook: "item",
  create: (body, ctx) => ({ record: build(body, undefined, ctx) }),
  update: (current, patch, ctx) => ({ record: build(patch, current, ctx) }),
  remove: (current, ctx) => {
    const used = usedBy(ctx.store, current.id)
    if (used !== null) throw badRequest(Code.inUse, `No se puede eliminar el ítem porque está asociado a ${used}.`)
    return undefined
  },
  render: renderItem,
  filters: {
    query: (it, v) => contains(it.name, v) || contains(it.reference, v),
    name: (it, v) => contains(it.name, v),
    reference: (it, v) => contains(it.reference, v),
    status: enumFilter(["active", "inactive"], (it: ItemRec) => it.status, "status"),
    type: (it, v) => it.type === checkEnum(v, ITEM_TYPES, "type"),
    priceList_id: (it, v) => it.prices.some((p) => String(p.idPriceList) === v)
  },
  order: {
    id: (it) => it.seq,
    name: (it) => it.name.toLowerCase(),
    reference: (it) => (it.reference ?? "").toLowerCase(),
    description: (it) => (it.description ?? "").toLowerCase()
  },
  actions: {},
  httpActions: []
}

