/**
 * seedAccount: a deterministic, realistic account built through admin with { silent: true }.
 * Colombian and Mexican contacts (NIT with check digit, CC, RFC), some both client and provider,
 * items with SKUs and price lists, invoices in every state (draft, open, closed, void, stamped),
 * bills, payments in and out applied to documents (some voided, some against several category
 * lines), credit notes, estimates (old numeric ids and new UUIDv7 ids), a chart of accounts and
 * bank accounts.
 */
import { AlegraSimulatorError } from "./errors.js"
import {
  BANK_ACCOUNTS,
  CHART,
  CO_CITIES,
  CO_COMPANY_SUFFIXES,
  CO_FIRST_NAMES,
  CO_STREETS,
  CO_SURNAMES,
  COMPANY_PREFIXES,
  COMPANY_WORDS,
  EMAIL_DOMAINS_CO,
  EMAIL_DOMAINS_MX,
  MX_CITIES,
  MX_COMPANY_SUFFIXES,
  MX_FIRST_NAMES,
  MX_STREETS,
  MX_SURNAMES,
  nitDv,
  OBSERVATIONS,
  PRODUCT_FAMILIES
} from "./seed-data.js"
import type { AlegraSimulator } from "./simulator.js"
import { addDays, formatDate, type JsonObject, prng } from "./util.js"

export interface SeedSizes {
  readonly categories: number
  readonly bankAccounts: number
  readonly contacts: number
  readonly items: number
  readonly invoices: number
  readonly bills: number
  readonly payments: number
  readonly creditNotes: number
  readonly estimates: number
}

export const presets: { readonly small: SeedSizes; readonly large: SeedSizes } = {
  // ≈ 300 records
  small: { categories: 24, bankAccounts: 4, contacts: 60, items: 45, invoices: 85, bills: 25, payments: 45, creditNotes: 8, estimates: 12 },
  // ≈ 5,000 records
  large: { categories: 40, bankAccounts: 6, contacts: 700, items: 450, invoices: 2000, bills: 600, payments: 900, creditNotes: 150, estimates: 200 }
}

export interface SeedSummary {
  readonly counts: Readonly<Record<string, number>>
  readonly elapsedMs: number
}

type Rand = () => number

export class Picker {
  constructor(readonly r: Rand) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.r() * (max - min + 1))
  }
  pick<T>(xs: ReadonlyArray<T>): T {
    return xs[Math.floor(this.r() * xs.length)]!
  }
  chance(p: number): boolean {
    return this.r() < p
  }
  digits(n: number): string {
    let s = String(this.int(1, 9))
    while (s.length < n) s += String(this.int(0, 9))
    return s
  }
  letters(n: number): string {
    const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    let s = ""
    while (s.length < n) s += abc[this.int(0, 25)]
    return s
  }
}

const slug = (s: string): string =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ".")
    .replace(/^\.|\.$/g, "")
    .slice(0, 24)

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v))
const cents = (v: unknown): number => Math.round(num(v) * 100)

interface ContactInfo {
  readonly id: string
  readonly roles: ReadonlyArray<string>
  readonly mexican: boolean
}

export interface ContactSpec {
  readonly body: JsonObject
  readonly mexican: boolean
  readonly legacy: boolean
}

/** A realistic contact body (also used by activity.ts). */
export const makeContact = (p: Picker, serial: number): ContactSpec => {
  const mexican = p.chance(0.35)
  const company = p.chance(0.6)
  const rolesRoll = p.r()
  const roles =
    rolesRoll < 0.55 ? ["client"] : rolesRoll < 0.8 ? ["provider"] : rolesRoll < 0.95 ? ["client", "provider"] : []
  let name: JsonObject | string
  let display: string
  let identification: JsonObject | string
  if (mexican) {
    const first = p.pick(MX_FIRST_NAMES)
    const last = p.pick(MX_SURNAMES)
    const last2 = p.pick(MX_SURNAMES)
    const date = `${p.int(60, 99)}${String(p.int(1, 12)).padStart(2, "0")}${String(p.int(1, 28)).padStart(2, "0")}`
    if (company) {
      display = `${p.pick(COMPANY_PREFIXES)} ${p.pick(COMPANY_WORDS)} ${p.pick(MX_COMPANY_SUFFIXES)}`
      name = display
      identification = { type: "RFC", number: `${p.letters(3)}${date}${p.letters(1)}${p.digits(2)}` }
    } else {
      display = `${first} ${last} ${last2}`
      name = p.chance(0.5) ? { firstName: first, lastName: last, secondLastName: last2 } : display
      identification = { type: "RFC", number: `${p.letters(4)}${date}${p.letters(2)}${p.digits(1)}` }
    }
  } else if (company) {
    display = `${p.pick(COMPANY_PREFIXES)} ${p.pick(COMPANY_WORDS)} ${p.pick(CO_COMPANY_SUFFIXES)}`
    name = display
    const nit = `${p.pick(["800", "830", "860", "890", "900", "901"])}${String(100000 + ((serial * 7919) % 900000)).padStart(6, "0")}`
    identification = { type: "NIT", number: nit, dv: nitDv(nit) }
  } else {
    const first = p.pick(CO_FIRST_NAMES)
    const last = p.pick(CO_SURNAMES)
    const last2 = p.pick(CO_SURNAMES)
    display = `${first} ${last} ${last2}`
    name = p.chance(0.5) ? { firstName: first, lastName: last, secondLastName: last2 } : display
    identification = { type: "CC", number: `${p.int(10, 1199)}${String(100000 + ((serial * 104729) % 900000)).padStart(6, "0")}` }
  }
  // A few accounts store the identification as a bare string.
  if (p.chance(0.05) && typeof identification !== "string") identification = String(identification["number"])
  const body: Record<string, unknown> = {
    name,
    identification,
    kindOfPerson: company ? "LEGAL_ENTITY" : "PERSON_ENTITY",
    type: roles
  }
  if (!mexican) body["regime"] = company ? "RESPONSIBLE_FOR_IVA" : "NOT_RESPONSIBLE_FOR_IVA"
  if (p.chance(0.9)) body["email"] = `${slug(display)}${serial}@${p.pick(mexican ? EMAIL_DOMAINS_MX : EMAIL_DOMAINS_CO)}`
  if (mexican) {
    const c = p.pick(MX_CITIES)
    body["phonePrimary"] = `+52 ${c.phone} ${p.digits(4)} ${p.digits(4)}`
    body["address"] = {
      street: p.pick(MX_STREETS),
      exteriorNumber: String(p.int(1, 3500)),
      colony: c.colony,
      municipality: c.city,
      state: c.state,
      country: "México",
      zipCode: c.zip
    }
  } else {
    const c = p.pick(CO_CITIES)
    body["phonePrimary"] = `+57 ${c.phone} ${p.digits(3)} ${p.digits(4)}`
    if (p.chance(0.6)) body["mobile"] = `+57 3${p.int(0, 2)}${p.int(0, 9)} ${p.digits(3)} ${p.digits(4)}`
    body["address"] = {
      address: `${p.pick(CO_STREETS)} ${p.int(1, 170)} # ${p.int(1, 99)}-${p.int(1, 99)}`,
      city: c.city,
      department: c.department,
      country: "Colombia",
      zipCode: c.zip
    }
  }
  if (p.chance(0.05)) body["status"] = "inactive"
  return { body: body as JsonObject, mexican, legacy: roles.length === 1 && p.chance(0.15) }
}

/** A realistic item body (also used by activity.ts). */
export const makeItem = (p: Picker, serial: number): JsonObject => {
  const family = p.pick(PRODUCT_FAMILIES)
  const variant = p.pick(family.variants)
  const name = `${p.pick(family.names)}${variant === "" ? "" : ` ${variant}`}`
  const base = Math.round((family.minPrice + p.r() * (family.maxPrice - family.minPrice)) / 100) * 100
  const body: Record<string, unknown> = {
    name,
    reference: p.chance(0.9) ? `${family.code}-${String(serial).padStart(5, "0")}` : null,
    description: p.chance(0.5) ? `${name} — ${family.service ? "servicio" : "producto"} de catálogo` : null,
    price: p.chance(0.6)
      ? base
      : [
          { idPriceList: 1, price: base },
          { idPriceList: 2, price: Math.round(base * 0.9) },
          ...(p.chance(0.3) ? [{ idPriceList: 3, price: Math.round(base * 0.85) }] : [])
        ],
    tax: p.chance(0.75) ? [{ id: 1 }] : p.chance(0.5) ? [{ id: 2 }] : p.chance(0.5) ? [{ id: 3 }] : [],
    type: p.chance(0.05) ? "kit" : "simple"
  }
  if (p.chance(0.3)) body["productKey"] = family.productKey
  if (!family.service && p.chance(0.5)) {
    body["inventory"] = { unit: "unit", unitCost: Math.round(base * 0.6), initialQuantity: p.int(0, 250) }
  }
  if (p.chance(0.03)) body["status"] = "inactive"
  return body as JsonObject
}

/** Document lines from the catalog. */
export const makeLines = (p: Picker, items: ReadonlyArray<JsonObject>, max: number): ReadonlyArray<JsonObject> => {
  const n = p.int(1, max)
  const lines: Array<JsonObject> = []
  for (let i = 0; i < n; i++) {
    const item = p.pick(items)
    const prices = item["price"] as ReadonlyArray<JsonObject>
    const price = num(prices[0]?.["price"] ?? 1000)
    lines.push({
      id: item["id"] as string,
      price: p.chance(0.85) ? price : Math.round(price * (0.8 + p.r() * 0.4)),
      quantity: p.chance(0.85) ? p.int(1, 12) : p.int(1, 40) / 4,
      ...(p.chance(0.25) ? { discount: p.pick([5, 10, 15]) } : {})
    })
  }
  return lines
}

export const picker = (seed: number): Picker => new Picker(prng(seed))

/** Builds the account. Synchronous; a few thousand records take well under a second. */
export const seedAccount = (sim: AlegraSimulator, sizes: SeedSizes, seed = 20250601): SeedSummary => {
  const started = Date.now()
  const p = picker(seed)
  const admin = sim.admin
  const silent = { silent: true } as const
  const today = formatDate(sim.now())
  const firstDay = addDays(today, -540)
  const at = (date: string, hour = 9): Date => new Date(`${date}T${String(hour).padStart(2, "0")}:${String(p.int(0, 59)).padStart(2, "0")}:00Z`)
  const dayBetween = (from: string, to: string): string => {
    const span = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000))
    return addDays(from, p.int(0, span))
  }
  const minDate = (a: string, b: string): string => (a < b ? a : b)

  // Chart of accounts and bank accounts.
  const categoryIds = new Map<string, string>()
  const categories: Array<{ id: string; type: string; leaf: boolean; code: string }> = []
  for (const c of CHART.slice(0, Math.min(CHART.length, sizes.categories))) {
    const parentId = c.parent === null ? undefined : categoryIds.get(c.parent)
    if (c.parent !== null && parentId === undefined) continue
    const rec = admin.create(
      "category",
      { name: c.name, code: c.code, type: c.type, ...(parentId === undefined ? {} : { idParent: parentId }), ...(c.description === undefined ? {} : { description: c.description }) },
      { ...silent, createdAt: at(firstDay, 8) }
    )
    categoryIds.set(c.code, rec["id"] as string)
    categories.push({ id: rec["id"] as string, type: c.type, leaf: c.parent !== null, code: c.code })
  }
  const expenseCategories = categories.filter((c) => c.leaf && (c.type === "expense" || c.type === "cost")).map((c) => c.id)
  const incomeCategories = categories.filter((c) => c.leaf && c.type === "income").map((c) => c.id)

  const bankIds: Array<string> = []
  for (let i = 0; i < sizes.bankAccounts; i++) {
    const b = BANK_ACCOUNTS[i % BANK_ACCOUNTS.length]!
    const rec = admin.create(
      "bank-account",
      {
        name: i < BANK_ACCOUNTS.length ? b.name : `${b.name} ${Math.floor(i / BANK_ACCOUNTS.length) + 1}`,
        number: b.number,
        type: b.type,
        initialBalance: b.initialBalance,
        initialBalanceDate: firstDay,
        description: b.description
      },
      { ...silent, createdAt: at(firstDay, 8) }
    )
    bankIds.push(rec["id"] as string)
  }

  // Contacts and items, created over the first months.
  const contacts: Array<ContactInfo> = []
  for (let i = 0; i < sizes.contacts; i++) {
    const spec = makeContact(p, i + 1)
    const rec = admin.create("contact", spec.body, {
      ...silent,
      legacy: spec.legacy,
      createdAt: at(addDays(firstDay, Math.floor((i * 200) / Math.max(1, sizes.contacts))), p.int(8, 18))
    })
    contacts.push({ id: rec["id"] as string, roles: spec.body["type"] as ReadonlyArray<string>, mexican: spec.mexican })
  }
  const clients = contacts.filter((c) => c.roles.includes("client"))
  const providers = contacts.filter((c) => c.roles.includes("provider"))
  if (clients.length === 0 && sizes.invoices + sizes.creditNotes + sizes.estimates > 0) {
    const rec = admin.create("contact", { name: "Cliente de contado", type: ["client"] }, silent)
    clients.push({ id: rec["id"] as string, roles: ["client"], mexican: false })
  }
  if (providers.length === 0 && sizes.bills > 0) {
    const rec = admin.create("contact", { name: "Proveedor general", type: ["provider"] }, silent)
    providers.push({ id: rec["id"] as string, roles: ["provider"], mexican: false })
  }

  const items: Array<JsonObject> = []
  for (let i = 0; i < sizes.items; i++) {
    items.push(admin.create("item", makeItem(p, i + 1), { ...silent, createdAt: at(addDays(firstDay, Math.floor((i * 120) / Math.max(1, sizes.items))), 10) }))
  }
  const activeItems = items.filter((it) => it["status"] === "active")
  const catalog = activeItems.length > 0 ? activeItems : items
  if (catalog.length === 0 && sizes.invoices + sizes.bills + sizes.creditNotes + sizes.estimates > 0) {
    catalog.push(admin.create("item", { name: "Producto genérico", reference: "GEN-00001", price: 10000, tax: [{ id: 1 }] }, silent))
  }

  // Invoices, oldest first: drafts, open, stamped, and a few voided.
  const invoiceDates = Array.from({ length: sizes.invoices }, () => dayBetween(addDays(firstDay, 30), today)).sort()
  const openInvoices: Array<{ id: string; clientId: string; date: string }> = []
  invoiceDates.forEach((date, i) => {
    const client = p.pick(clients)
    const roll = p.r()
    const stamped = roll >= 0.13 && p.chance(0.25)
    const body: Record<string, unknown> = {
      date,
      dueDate: addDays(date, p.pick([0, 15, 30, 30, 60])),
      client: p.chance(0.9) ? { id: client.id } : client.id,
      items: makeLines(p, catalog, 4),
      status: roll < 0.08 ? "draft" : "open",
      paymentForm: p.chance(0.3) ? "CASH" : "CREDIT",
      ...(client.mexican ? { currency: { code: "MXN" } } : {}),
      ...(p.chance(0.3) ? { observations: `${p.pick(OBSERVATIONS)}${p.chance(0.2) ? String(4000 + i) : ""}` } : {}),
      ...(p.chance(0.1) ? { anotation: "Documento generado desde el punto de venta." } : {}),
      ...(stamped ? { numberTemplate: { id: 1 }, stamp: { generateStamp: true } } : { numberTemplate: { id: 2 } })
    }
    const rec = admin.create("invoice", body, { ...silent, createdAt: at(date, p.int(8, 19)) })
    const id = rec["id"] as string
    if (roll >= 0.08 && roll < 0.13) admin.voidInvoice(id, silent)
    else if (rec["status"] === "open") openInvoices.push({ id, clientId: client.id, date })
  })

  // Bills.
  const billDates = Array.from({ length: sizes.bills }, () => dayBetween(addDays(firstDay, 30), today)).sort()
  const openBills: Array<{ id: string; providerId: string; date: string }> = []
  billDates.forEach((date, i) => {
    const provider = p.pick(providers)
    const useItems = expenseCategories.length === 0 || p.chance(0.6)
    const useCategories = expenseCategories.length > 0 && (!useItems || p.chance(0.3))
    const purchases: Record<string, unknown> = {}
    if (useItems) purchases["items"] = makeLines(p, catalog, 3).map((l) => ({ ...l, price: Math.round(num(l["price"]) * 0.65) }))
    if (useCategories) {
      purchases["categories"] = Array.from({ length: p.int(1, 2) }, () => ({
        id: p.pick(expenseCategories),
        price: p.int(20, 2500) * 1000,
        quantity: 1,
        ...(p.chance(0.5) ? { tax: [{ id: 1 }] } : {}),
        ...(p.chance(0.4) ? { observations: "Según factura del proveedor" } : {})
      }))
    }
    const rec = admin.create(
      "bill",
      {
        date,
        dueDate: addDays(date, p.pick([0, 30, 45, 60])),
        provider: { id: provider.id },
        purchases,
        numberTemplate: { number: `FC-${String(10000 + i * 7)}` },
        ...(p.chance(0.03) ? { status: "draft" } : {}),
        ...(p.chance(0.2) ? { observations: "Factura de compra recibida por correo." } : {})
      },
      { ...silent, createdAt: at(date, p.int(8, 18)) }
    )
    const id = rec["id"] as string
    if (rec["status"] === "open" && p.chance(0.04)) admin.voidBill(id, silent)
    else if (rec["status"] === "open") openBills.push({ id, providerId: provider.id, date })
  })

  // Payments: in against invoices, out against bills, and against categories.
  const payments: Array<string> = []
  const methods = ["cash", "transfer", "transfer", "deposit", "check", "credit-card", "debit-card"]
  const balanceOf = (kind: "invoice" | "bill", id: string): number => cents(admin.get(kind, id)?.["balance"] ?? 0)
  for (let i = 0; i < sizes.payments; i++) {
    const roll = p.r()
    let body: Record<string, unknown> | undefined
    let date = today
    if (roll < 0.6 && openInvoices.length > 0) {
      const idx = p.int(0, openInvoices.length - 1)
      const inv = openInvoices[idx]!
      const balance = balanceOf("invoice", inv.id)
      if (balance <= 0) {
        openInvoices.splice(idx, 1)
        continue
      }
      const full = p.chance(0.6)
      const amount = full ? balance : Math.max(100, Math.round((balance * (0.3 + p.r() * 0.4)) / 100) * 100)
      const applications = [{ id: inv.id, amount: Math.min(amount, balance) / 100 }]
      // Sometimes one payment settles two invoices of the same client.
      const sibling = openInvoices.find((o) => o.id !== inv.id && o.clientId === inv.clientId)
      if (sibling !== undefined && p.chance(0.15)) {
        const b2 = balanceOf("invoice", sibling.id)
        if (b2 > 0) applications.push({ id: sibling.id, amount: b2 / 100 })
      }
      date = minDate(today, addDays(inv.date > (sibling?.date ?? "") ? inv.date : (sibling?.date ?? inv.date), p.int(0, 45)))
      body = { type: "in", invoices: applications, client: { id: inv.clientId } }
    } else if (roll < 0.85 && openBills.length > 0) {
      const idx = p.int(0, openBills.length - 1)
      const bill = openBills[idx]!
      const balance = balanceOf("bill", bill.id)
      if (balance <= 0) {
        openBills.splice(idx, 1)
        continue
      }
      const amount = p.chance(0.7) ? balance : Math.max(100, Math.round((balance * 0.5) / 100) * 100)
      date = minDate(today, addDays(bill.date, p.int(0, 40)))
      body = { type: "out", bills: [{ id: bill.id, amount: Math.min(amount, balance) / 100 }], client: { id: bill.providerId } }
    } else {
      const out = p.chance(0.6)
      const pool = out ? expenseCategories : incomeCategories
      if (pool.length === 0) continue
      date = dayBetween(addDays(firstDay, 30), today)
      body = {
        type: out ? "out" : "in",
        categories: Array.from({ length: p.int(1, 3) }, () => ({
          id: p.pick(pool),
          price: p.int(5, 900) * 1000,
          quantity: 1,
          ...(p.chance(0.3) ? { observations: out ? "Pago de servicio" : "Ingreso no operacional" } : {})
        })),
        ...(p.chance(0.5) && contacts.length > 0 ? { client: { id: p.pick(contacts).id } } : {})
      }
    }
    body["date"] = date
    body["bankAccount"] = { id: p.pick(bankIds) }
    body["paymentMethod"] = p.pick(methods)
    if (p.chance(0.2)) body["observations"] = "Pago registrado desde extracto bancario."
    try {
      const rec = admin.create("payment", body, { ...silent, createdAt: at(date, p.int(8, 18)) })
      payments.push(rec["id"] as string)
    } catch (e) {
      if (!(e instanceof AlegraSimulatorError)) throw e
    }
  }
  for (const id of payments) if (p.chance(0.08)) admin.voidPayment(id, silent)

  // Credit notes, mostly applied to invoices with a balance.
  for (let i = 0; i < sizes.creditNotes; i++) {
    const target = openInvoices.length > 0 && p.chance(0.8) ? p.pick(openInvoices) : undefined
    const invoice = target === undefined ? undefined : admin.get("invoice", target.id)
    const balance = invoice === undefined ? 0 : cents(invoice["balance"])
    const clientId = target?.clientId ?? p.pick(clients).id
    const date = target === undefined ? dayBetween(addDays(firstDay, 60), today) : minDate(today, addDays(target.date, p.int(1, 20)))
    const line = (invoice?.["items"] as ReadonlyArray<JsonObject> | undefined)?.[0]
    const itemId = (line?.["id"] as string | undefined) ?? (p.pick(catalog)["id"] as string)
    const price = Math.max(1000, Math.round((balance > 0 ? balance * 0.25 : p.int(10, 300) * 100000) / 100 / 100) * 100)
    const applied = invoice !== undefined && balance > 0 ? Math.min(balance, price * 100) : 0
    const stamped = p.chance(0.25)
    const body: Record<string, unknown> = {
      date,
      client: { id: clientId },
      // Without taxes the note's total is exactly the price, so the applied amount fits.
      items: [{ id: itemId, price, quantity: 1, tax: [] }],
      cause: p.pick(["Devolución de mercancía", "Descuento comercial", "Error en el precio facturado", "Anulación parcial"]),
      ...(applied > 0 && invoice !== undefined ? { invoices: [{ id: invoice["id"] as string, amount: applied / 100 }] } : {}),
      ...(stamped ? { numberTemplate: { id: 3 }, stamp: { generateStamp: true } } : {})
    }
    try {
      const rec = admin.create("credit-note", body, { ...silent, createdAt: at(date, 11) })
      if (!stamped && p.chance(0.06)) admin.voidCreditNote(rec["id"] as string, silent)
    } catch (e) {
      if (!(e instanceof AlegraSimulatorError)) throw e
    }
  }

  // Estimates: the older ones predate UUIDv7 ids.
  const estimateDates = Array.from({ length: sizes.estimates }, () => dayBetween(addDays(firstDay, 30), today)).sort()
  estimateDates.forEach((date, i) => {
    admin.create(
      "estimate",
      {
        date,
        dueDate: addDays(date, 30),
        client: { id: p.pick(clients).id },
        items: makeLines(p, catalog, 3),
        status: p.chance(0.35) ? "billed" : "unbilled",
        ...(p.chance(0.3) ? { observations: "Cotización válida por 30 días." } : {})
      },
      { ...silent, legacy: i < sizes.estimates * 0.4, createdAt: at(date, 10) }
    )
  })

  const counts: Record<string, number> = {}
  for (const kind of ["category", "bank-account", "contact", "item", "invoice", "bill", "payment", "credit-note", "estimate"] as const) {
    counts[kind] = admin.count(kind)
  }
  return { counts, elapsedMs: Date.now() - started }
}
