/** Categories: the chart of accounts (cuentas contables). List/get/create only (alegra-api.md §5). */
import { badRequest, Code, referenceNotFound, requiredField } from "../errors.js"
import { has, nonBlank, oneOf, optText, refId } from "../input.js"
import type { CategoryRec } from "../records.js"
import type { JsonObject } from "../util.js"
import { cannot, type Resource } from "./resource.js"
import { checkEnum, contains } from "./common.js"

export const CATEGORY_TYPES = ["asset", "liability", "equity", "income", "expense", "cost"] as const

export const categories: Resource<CategoryRec> = {
  kind: "category",
  path: "categories",
  label: "la categoría",
  canUpdate: false,
  canRemove: false,
  webhook: null,
  create: (o, ctx) => {
    const store = ctx.store
    if (!has(o, "name")) throw requiredField("name")
    const name = nonBlank(o["name"], "name", 100)
    let parent: CategoryRec | undefined
    if (has(o, "idParent") && o["idParent"] !== null && o["idParent"] !== "") {
      const pid = refId(o["idParent"], "idParent")
      parent = store.get("category", pid)
      if (parent === undefined) throw referenceNotFound("idParent", "una categoría", pid)
    }
    if (!has(o, "type") && parent === undefined) throw requiredField("type")
    const type = has(o, "type") ? oneOf(o["type"], "type", CATEGORY_TYPES) : parent!.type
    if (parent !== undefined && parent.type !== type) {
      throw badRequest(Code.invalidField, `El campo 'type' debe coincidir con el de la categoría padre ('${parent.type}').`)
    }
    const code = has(o, "code") ? optText(o["code"], "code", 20) : null
    if (code !== null) {
      for (const c of store.map("category").values()) {
        if (c.code === code) throw badRequest(Code.duplicate, `Ya existe una categoría con el código ${code}.`)
      }
    }
    const base = store.base("category", false, ctx.opts.createdAt)
    return {
      record: {
        ...base,
        parentId: parent?.id ?? null,
        name,
        code,
        description: has(o, "description") ? optText(o["description"], "description", 500) : null,
        type,
        nature: type === "asset" || type === "expense" || type === "cost" ? "debit" : "credit",
        status: "active",
        readOnly: parent === undefined
      }
    }
  },
  update: cannot,
  remove: cannot,
  render: (c): JsonObject => ({
    id: c.id,
    // root accounts carry an empty string, not null (LOD live fixture get.categories.json)
    idParent: c.parentId ?? "",
    name: c.name,
    code: c.code,
    description: c.description ?? "",
    type: c.type,
    nature: c.nature,
    status: c.status,
    readOnly: c.readOnly,
    use: c.parentId === null ? "accumulative" : "movement"
  }),
  filters: {
    type: (c, v) => c.type === checkEnum(v, CATEGORY_TYPES, "type"),
    name: (c, v) => contains(c.name, v),
    idParent: (c, v) => (c.parentId ?? "") === v
  },
  order: {
    id: (c) => c.seq,
    name: (c) => c.name.toLowerCase(),
    code: (c) => c.code ?? ""
  },
  actions: {},
  httpActions: []
}
