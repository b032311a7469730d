/** Bank accounts (bank, credit card, cash). List/get/create; an opening balance is required (alegra-api.md §5). */
import { requiredField } from "../errors.js"
import { date, decimal, has, nonBlank, oneOf, optText } from "../input.js"
import type { BankAccountRec } from "../records.js"
import type { Store } from "../state.js"
import { type JsonObject, toCents, wireMoney } from "../util.js"
import { checkEnum, contains } from "./common.js"
import { cannot, type Resource } from "./resource.js"

const TYPES = ["bank", "credit-card", "cash"] as const

const balanceCents = (a: BankAccountRec, store: Store): number => {
  let cents = toCents(a.initialBalance)
  for (const p of store.map("payment").values()) {
    if (p.bankAccountId === a.id && p.status === "open") cents += p.type === "in" ? p.amountCents : -p.amountCents
  }
  return cents
}

export const bankAccounts: Resource<BankAccountRec> = {
  kind: "bank-account",
  path: "bank-accounts",
  label: "la cuenta bancaria",
  canUpdate: false,
  canRemove: false,
  webhook: null,
  create: (o, ctx) => {
    const store = ctx.store
    if (!has(o, "name")) throw requiredField("name")
    if (!has(o, "type")) throw requiredField("type")
    if (!has(o, "initialBalance") || o["initialBalance"] === null) throw requiredField("initialBalance")
    const base = store.base("bank-account", false, ctx.opts.createdAt)
    return {
      record: {
        ...base,
        name: nonBlank(o["name"], "name", 100),
        number: has(o, "number") ? optText(typeof o["number"] === "number" ? String(o["number"]) : o["number"], "number", 40) : null,
        description: has(o, "description") ? optText(o["description"], "description", 500) : null,
        type: oneOf(o["type"], "type", TYPES),
        status: has(o, "status") ? oneOf(o["status"], "status", ["active", "inactive"] as const) : "active",
        initialBalance: decimal(o["initialBalance"], "initialBalance"),
        initialBalanceDate: has(o, "initialBalanceDate") ? date(o["initialBalanceDate"], "initialBalanceDate") : store.today()
      }
    }
  },
  update: cannot,
  remove: cannot,
  render: (a, store): JsonObject => ({
    id: a.id,
    name: a.name,
    number: a.number,
    description: a.description,
    type: a.type,
    status: a.status,
    initialBalance: wireMoney(toCents(a.initialBalance), `bank-account:${a.id}:initialBalance`),
    initialBalanceDate: a.initialBalanceDate,
    balance: wireMoney(balanceCents(a, store), `bank-account:${a.id}:balance`),
    currency: { code: "COP", symbol: "$" }
  }),
  // Inactive accounts are listed only with includeInactive=true (alegra-api.md §5, ANON).
  baseFilter: (a, query) => a.status === "active" || query.get("includeInactive") === "true",
  filters: {
    type: (a, v) => a.type === checkEnum(v, TYPES, "type"),
    name: (a, v) => contains(a.name, v)
  },
  order: {
    id: (a) => a.seq,
    name: (a) => a.name.toLowerCase()
  },
  actions: {},
  httpActions: []
}
