/** Contacts (clients and/or providers). alegra-api.md §5 "Contact", §6 "Contacts". */
import { priceListById } from "../catalog.js"
import { badRequest, Code, invalidField, requiredField } from "../errors.js"
import { email, has, isObj, merge, nonBlank, oneOf, type Obj, optText, refId } from "../input.js"
import type { ContactRec, IdentificationRec, NameParts, Role } from "../records.js"
import type { Store } from "../state.js"
import type { Json, JsonObject } from "../util.js"
import { checkEnum, contains, enumFilter } from "./common.js"
import type { Ctx, Prepared, Resource } from "./resource.js"

const ROLES: ReadonlyArray<Role> = ["client", "provider"]
const isRole = (v: unknown): v is Role => v === "client" || v === "provider"

/** Invalid values are silently dropped (LOD); a valid bare string is remembered as string-style. */
const parseType = (v: unknown): { types: ReadonlyArray<Role>; asString: boolean } => {
  if (v === null || v === "") return { types: [], asString: false }
  if (typeof v === "string") return isRole(v) ? { types: [v], asString: true } : { types: [], asString: false }
  if (Array.isArray(v)) return { types: ROLES.filter((r) => v.includes(r)), asString: false }
  throw invalidField("type", "debe ser una lista con los valores client y/o provider")
}

const idPart = (v: unknown, field: string): string => {
  if (typeof v === "number" && Number.isFinite(v)) return String(v)
  if (typeof v === "string") return v.trim()
  throw invalidField(field, "debe ser un texto")
}

/** Written as {type, number, dv?} (or a bare string); read back as a string plus identificationObject. */
const parseIdentification = (v: unknown): IdentificationRec | null => {
  if (v === null || v === "") return null
  if (typeof v === "string" || typeof v === "number") {
    const number = idPart(v, "identification")
    if (number === "") return null
    return { type: null, number, dv: null }
  }
  if (!isObj(v)) throw invalidField("identification", "debe ser un objeto {type, number} o un texto")
  if (!has(v, "number") || v["number"] === null) throw requiredField("identification.number")
  const number = idPart(v["number"], "identification.number")
  if (number === "") throw requiredField("identification.number")
  // Digits and letters, with the dots and dashes people write them with ("900.123.456").
  if (!/^[0-9A-Za-z&Ññ.-]{3,20}$/.test(number)) throw invalidField("identification.number", "no tiene un formato válido")
  const type = has(v, "type") && v["type"] !== null ? nonBlank(v["type"], "identification.type", 10) : null
  const dv = has(v, "dv") && v["dv"] !== null && v["dv"] !== "" ? idPart(v["dv"], "identification.dv") : null
  if (dv !== null && !/^\d$/.test(dv)) throw invalidField("identification.dv", "debe ser un dígito")
  return { type, number, dv }
}

const parseName = (v: unknown): { name: string; nameObject: NameParts | null } => {
  if (isObj(v)) {
    const firstName = nonBlank(v["firstName"], "name.firstName", 100)
    const part = (k: string): string | null => (has(v, k) ? optText(v[k], `name.${k}`, 100) : null)
    const nameObject: NameParts = {
      firstName,
      secondName: part("secondName"),
      lastName: part("lastName") ?? "",
      secondLastName: part("secondLastName")
    }
    const name = [nameObject.firstName, nameObject.secondName, nameObject.lastName, nameObject.secondLastName]
      .filter((s): s is string => s !== null && s !== "")
      .join(" ")
    return { name, nameObject }
  }
  return { name: nonBlank(v, "name", 200), nameObject: null }
}

const ADDRESS_KEYS = [
  "address",
  "city",
  "department",
  "country",
  "zipCode",
  "street",
  "exteriorNumber",
  "interiorNumber",
  "colony",
  "locality",
  "municipality",
  "state",
  "description"
]

const parseAddress = (v: unknown): Readonly<Record<string, string | null>> | null => {
  if (v === null) return null
  if (!isObj(v)) throw invalidField("address", "debe ser un objeto")
  const out: Record<string, string | null> = {}
  for (const k of ADDRESS_KEYS) if (has(v, k)) out[k] = optText(v[k], `address.${k}`, 250)
  return out
}

const build = (o: Obj, prev: ContactRec | undefined, ctx: Ctx): ContactRec => {
  const store = ctx.store
  const base = prev ?? store.base("contact", ctx.opts.legacy === true, ctx.opts.createdAt)
  if (prev === undefined && !has(o, "name")) throw requiredField("name")
  const { name, nameObject } = has(o, "name") ? parseName(o["name"]) : { name: prev!.name, nameObject: prev!.nameObject }
  const typed = has(o, "type") ? parseType(o["type"]) : undefined
  const types = typed?.types ?? prev?.types ?? []
  let asString = typed?.asString ?? prev?.typeAsString ?? false
  if (prev === undefined && ctx.opts.legacy === true && types.length === 1) asString = true
  if (asString && types.length !== 1) asString = false
  const str = (k: string, max: number, current: string | null | undefined): string | null =>
    merge(o, k, current ?? null, (v) => optText(v, k, max))
  const rec: ContactRec = {
    id: base.id,
    seq: base.seq,
    createdAt: base.createdAt,
    updatedAt: ctx.opts.createdAt !== undefined ? base.updatedAt : store.timestamp(),
    name,
    nameObject,
    identification: merge(o, "identification", prev?.identification ?? null, parseIdentification),
    email: merge(o, "email", prev?.email ?? null, (v) => email(v, "email")),
    phonePrimary: str("phonePrimary", 50, prev?.phonePrimary),
    phoneSecondary: str("phoneSecondary", 50, prev?.phoneSecondary),
    mobile: str("mobile", 50, prev?.mobile),
    fax: str("fax", 50, prev?.fax),
    observations: str("observations", 500, prev?.observations),
    address: merge(o, "address", prev?.address ?? null, parseAddress),
    types,
    typeAsString: asString,
    status: merge(o, "status", prev?.status ?? "active", (v) => oneOf(v, "status", ["active", "inactive"] as const)),
    kindOfPerson: merge(o, "kindOfPerson", prev?.kindOfPerson ?? null, (v) =>
      v === null ? null : oneOf(v, "kindOfPerson", ["PERSON_ENTITY", "LEGAL_ENTITY"] as const)
    ),
    regime: str("regime", 60, prev?.regime),
    priceListId: merge(o, "priceList", prev?.priceListId ?? null, (v) => {
      if (v === null) return null
      const id = Number(refId(v, "priceList"))
      if (priceListById(id) === undefined) throw invalidField("priceList.id", "no corresponde a una lista de precios")
      return id
    })
  }
  return rec
}

const usedBy = (store: Store, id: string): string | null => {
  for (const inv of store.map("invoice").values()) if (inv.clientId === id) return "facturas de venta"
  for (const b of store.map("bill").values()) if (b.providerId === id) return "facturas de proveedor"
  for (const p of store.map("payment").values()) if (p.contactId === id) return "pagos"
  for (const cn of store.map("credit-note").values()) if (cn.clientId === id) return "notas crédito"
  for (const e of store.map("estimate").values()) if (e.clientId === id) return "cotizaciones"
  return null
}

export const renderContact = (c: ContactRec): JsonObject => {
  const ident = c.identification
  const identificationObject: Json =
    ident === null
      ? null
      : ident.dv === null
        ? { type: ident.type, number: ident.number }
        : { type: ident.type, number: ident.number, dv: ident.dv }
  const priceList = c.priceListId === null ? null : priceListById(c.priceListId)
  return {
    id: c.id,
    name: c.name,
    ...(c.nameObject === null ? {} : { nameObject: { ...c.nameObject } }),
    identification: ident?.number ?? null,
    identificationObject,
    email: c.email,
    phonePrimary: c.phonePrimary,
    phoneSecondary: c.phoneSecondary,
    fax: c.fax,
    mobile: c.mobile,
    observations: c.observations,
    address: c.address === null ? { address: null, city: null } : { ...c.address },
    type: c.typeAsString && c.types.length === 1 ? c.types[0]! : [...c.types],
    status: c.status,
    kindOfPerson: c.kindOfPerson,
    regime: c.regime,
    seller: null,
    term: null,
    priceList: priceList === undefined || priceList === null ? null : { id: priceList.id, name: priceList.name },
    internalContacts: [],
    created_at: c.createdAt,
    updated_at: c.updatedAt
  }
}

export const contacts: Resource<ContactRec> = {
  kind: "contact",
  path: "contacts",
  label: "el contacto",
  canUpdate: true,
  canRemove: true,
  webhook: "client",
  create: (body, ctx): Prepared<ContactRec> => ({ record: build(body, undefined, ctx) }),
  update: (current, patch, ctx) => ({ record: build(patch, current, ctx) }),
  remove: (current, ctx) => {
    const used = usedBy(ctx.store, current.id)
    if (used !== null) {
      throw badRequest(Code.inUse, `No se puede eliminar el contacto porque está asociado a ${used}.`)
    }
    return undefined
  },
  render: (c) => renderContact(c),
  filters: {
    query: (c, v) => contains(c.name, v) || contains(c.identification?.number, v) || contains(c.email, v),
    name: (c, v) => contains(c.name, v),
    identification: (c, v) => contains(c.identification?.number, v),
    email: (c, v) => contains(c.email, v),
    type: (c, v) => c.types.includes(checkEnum(v, ["client", "provider"] as const, "type")),
    status: enumFilter(["active", "inactive"], (c: ContactRec) => c.status, "status")
  },
  order: {
    id: (c) => c.seq,
    name: (c) => c.name.toLowerCase()
  },
  actions: {},
  httpActions: []
}
