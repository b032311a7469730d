/**
 * startActivity: a stream of realistic live changes made "by users in the web app" through admin
 * (so webhooks fire for invoices, bills, contacts and items): edit a contact, new invoice, a
 * payment against an open invoice, a credit note, void a payment, delete an item… Used by `demo`.
 */
import { AlegraSimulatorError } from "./errors.js"
import type { SimKind } from "./records.js"
import { makeContact, makeItem, makeLines, Picker } from "./seed.js"
import type { AlegraSimulator } from "./simulator.js"
import { formatDate, type JsonObject, prng } from "./util.js"

export interface ActivityOptions {
  /** One change every `everyMs` milliseconds. */
  readonly everyMs: number
  /** Source of randomness (default: a PRNG seeded with `seed`, so runs are repeatable). */
  readonly random?: () => number
  readonly seed?: number
  /** Called with a one-line description of each change made. */
  readonly onChange?: (description: string) => void
  /** Called when a change was refused by the rules (it is skipped). */
  readonly onError?: (error: unknown) => void
}

export interface Activity {
  stop(): void
  /** Changes made so far. */
  readonly changes: () => number
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v))

export const startActivity = (sim: AlegraSimulator, options: ActivityOptions): Activity => {
  const p = new Picker(options.random ?? prng(options.seed ?? 4242))
  const admin = sim.admin
  let serial = 100_000
  let made = 0
  const today = (): string => formatDate(sim.now())

  /** A random existing record that satisfies `ok` (a bounded number of tries). */
  const sample = (kind: SimKind, ok: (r: JsonObject) => boolean, tries = 25): JsonObject | undefined => {
    const ids = admin.ids(kind)
    if (ids.length === 0) return undefined
    for (let i = 0; i < tries; i++) {
      const r = admin.get(kind, p.pick(ids))
      if (r !== undefined && ok(r)) return r
    }
    return undefined
  }
  const isClient = (c: JsonObject): boolean => {
    const t = c["type"]
    return c["status"] === "active" && (t === "client" || (Array.isArray(t) && t.includes("client")))
  }
  const isProvider = (c: JsonObject): boolean => {
    const t = c["type"]
    return c["status"] === "active" && (t === "provider" || (Array.isArray(t) && t.includes("provider")))
  }
  const activeItems = (): ReadonlyArray<JsonObject> => {
    const out: Array<JsonObject> = []
    for (let i = 0; i < 6; i++) {
      const it = sample("item", (r) => r["status"] === "active")
      if (it !== undefined) out.push(it)
    }
    return out
  }
  const bankAccount = (): string | undefined => sample("bank-account", (b) => b["status"] === "active")?.["id"] as string | undefined

  const actions: ReadonlyArray<readonly [number, () => string | undefined]> = [
    [3, () => {
      const c = sample("contact", () => true)
      if (c === undefined) return undefined
      const field = p.pick(["phonePrimary", "email", "observations", "address"] as const)
      const patch: JsonObject =
        field === "phonePrimary"
          ? { phonePrimary: `+57 601 ${p.digits(3)} ${p.digits(4)}` }
          : field === "email"
            ? { email: `contacto${p.digits(4)}@cliente-actualizado.co` }
            : field === "observations"
              ? { observations: p.pick(["Cliente prefiere factura electrónica.", "Llamar antes de entregar.", "Cupo de crédito ampliado."]) }
              : { address: { address: `Carrera ${p.int(1, 99)} # ${p.int(1, 99)}-${p.int(1, 99)}`, city: "Medellín", department: "Antioquia", country: "Colombia" } }
      admin.update("contact", c["id"] as string, patch)
      return `edited contact ${String(c["id"])} (${field})`
    }],
    [1, () => {
      const rec = admin.create("contact", makeContact(p, ++serial).body)
      return `new contact ${String(rec["id"])} ${String(rec["name"])}`
    }],
    [3, () => {
      const client = sample("contact", isClient)
      const items = activeItems()
      if (client === undefined || items.length === 0) return undefined
      const stamp = p.chance(0.2)
      const rec = admin.create("invoice", {
        date: today(),
        dueDate: today(),
        client: { id: client["id"] as string },
        items: makeLines(p, items, 3),
        status: "open",
        ...(stamp ? { numberTemplate: { id: 1 }, stamp: { generateStamp: true } } : { numberTemplate: { id: 2 } })
      })
      return `new invoice ${String(rec["id"])} for ${String(client["name"])}${stamp ? " (stamped)" : ""}`
    }],
    [3, () => {
      const inv = sample("invoice", (i) => i["status"] === "open" && num(i["balance"]) > 0)
      const bank = bankAccount()
      if (inv === undefined || bank === undefined) return undefined
      const balance = num(inv["balance"])
      const amount = p.chance(0.6) ? balance : Math.max(1, Math.round(balance * 0.4))
      const rec = admin.create("payment", {
        type: "in",
        date: today(),
        bankAccount: { id: bank },
        paymentMethod: p.pick(["transfer", "cash", "deposit", "credit-card"]),
        invoices: [{ id: inv["id"] as string, amount }]
      })
      return `payment ${String(rec["id"])} of ${amount} against invoice ${String(inv["id"])}`
    }],
    [1, () => {
      const bill = sample("bill", (b) => b["status"] === "open" && num(b["balance"]) > 0)
      const bank = bankAccount()
      if (bill === undefined || bank === undefined) return undefined
      const rec = admin.create("payment", {
        type: "out",
        date: today(),
        bankAccount: { id: bank },
        paymentMethod: "transfer",
        bills: [{ id: bill["id"] as string, amount: num(bill["balance"]) }]
      })
      return `payment out ${String(rec["id"])} settling bill ${String(bill["id"])}`
    }],
    [1, () => {
      const inv = sample("invoice", (i) => i["status"] === "open" && num(i["balance"]) > 1000)
      if (inv === undefined) return undefined
      const line = (inv["items"] as ReadonlyArray<JsonObject>)[0]
      if (line === undefined) return undefined
      const price = Math.round(num(inv["balance"]) * 0.2)
      const rec = admin.create("credit-note", {
        date: today(),
        client: { id: (inv["client"] as JsonObject)["id"] as string },
        items: [{ id: line["id"] as string, price, quantity: 1, tax: [] }],
        invoices: [{ id: inv["id"] as string, amount: price }],
        cause: "Descuento comercial"
      })
      return `credit note ${String(rec["id"])} of ${price} on invoice ${String(inv["id"])}`
    }],
    [1, () => {
      const pay = sample("payment", (x) => x["status"] === "open")
      if (pay === undefined) return undefined
      admin.voidPayment(pay["id"] as string)
      return `voided payment ${String(pay["id"])}`
    }],
    [0.5, () => {
      const pay = sample("payment", (x) => x["status"] === "void")
      if (pay === undefined) return undefined
      admin.openPayment(pay["id"] as string)
      return `re-opened payment ${String(pay["id"])}`
    }],
    [1, () => {
      const rec = admin.create("item", makeItem(p, ++serial))
      return `new item ${String(rec["id"])} ${String(rec["name"])}`
    }],
    [1.5, () => {
      const it = sample("item", (r) => r["status"] === "active")
      if (it === undefined) return undefined
      const prices = it["price"] as ReadonlyArray<JsonObject>
      const price = Math.round(num(prices[0]?.["price"] ?? 1000) * (1 + p.int(2, 12) / 100))
      admin.update("item", it["id"] as string, { price })
      return `new price ${price} for item ${String(it["id"])}`
    }],
    [1, () => {
      // Only items no document uses can be deleted: try a few.
      const ids = admin.ids("item")
      for (let i = 0; i < 10 && ids.length > 0; i++) {
        const id = ids[ids.length - 1 - p.int(0, Math.min(ids.length - 1, 40))]!
        try {
          admin.remove("item", id)
          return `deleted item ${id}`
        } catch (e) {
          if (!(e instanceof AlegraSimulatorError)) throw e
        }
      }
      return undefined
    }],
    [1, () => {
      const provider = sample("contact", isProvider)
      const items = activeItems()
      if (provider === undefined || items.length === 0) return undefined
      const rec = admin.create("bill", {
        date: today(),
        dueDate: today(),
        provider: { id: provider["id"] as string },
        purchases: { items: makeLines(p, items, 2) },
        numberTemplate: { number: `FC-${p.digits(6)}` }
      })
      return `new bill ${String(rec["id"])} from ${String(provider["name"])}`
    }],
    [1, () => {
      const inv = sample("invoice", (i) => (i["status"] === "open" || i["status"] === "draft") && i["stamp"] === undefined)
      if (inv === undefined) return undefined
      admin.update("invoice", inv["id"] as string, { observations: `Actualizada: ${p.pick(["cambio de dirección de entrega", "orden de compra OC-" + p.digits(4), "nuevo plazo acordado"])}` })
      return `edited invoice ${String(inv["id"])}`
    }],
    [0.4, () => {
      const inv = sample("invoice", (i) => i["status"] === "open" && i["stamp"] === undefined && num(i["totalPaid"]) === 0 && num(i["balance"]) === num(i["total"]))
      if (inv === undefined) return undefined
      admin.voidInvoice(inv["id"] as string)
      return `voided invoice ${String(inv["id"])}`
    }],
    [0.3, () => {
      const inv = sample("invoice", (i) => i["status"] === "draft")
      if (inv === undefined) return undefined
      admin.remove("invoice", inv["id"] as string)
      return `deleted draft invoice ${String(inv["id"])}`
    }]
  ]
  const totalWeight = actions.reduce((s, [w]) => s + w, 0)

  const tick = (): void => {
    let roll = p.r() * totalWeight
    let action = actions[actions.length - 1]![1]
    for (const [w, f] of actions) {
      if (roll < w) {
        action = f
        break
      }
      roll -= w
    }
    try {
      const description = action()
      if (description !== undefined) {
        made += 1
        options.onChange?.(description)
      }
    } catch (e) {
      if (e instanceof AlegraSimulatorError) options.onError?.(e)
      else throw e
    }
  }

  const timer = setInterval(tick, Math.max(10, options.everyMs))
  timer.unref?.()
  return {
    stop: () => clearInterval(timer),
    changes: () => made
  }
}
