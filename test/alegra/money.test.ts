/**
 * Money through the connector: invoices written in MXN, COP, CLP and USD, with taxes, read back
 * with the totals their lines say — computed as Stripe computes them (the Stripe simulator's
 * arithmetic, in the currency's minor unit: CLP has none, so a tax is rounded to whole pesos),
 * so that an invoice's total in Alegra equals Stripe's.
 */
import { describe, expect, it } from "vitest"
import { lineAmount, percentOf } from "../../connectors/stripe/simulator/money.js"
import { fromMinor, minorDigits } from "../../connectors/stripe/money.js"
import type { Amount, Line } from "../../schema/index.js"
import { TAXES } from "../../connectors/alegra/simulator/catalog.js"
import { account, recordOf } from "./connector-support.js"
import { contactRecord, invoiceRecord, itemRecord, line } from "./records.js"

const a = account()

/** A line as Stripe totals it: round(unit × quantity), then each exclusive tax rounded once, in minor units. */
const stripeLineTotal = (l: Line, currency: string): number => {
  const digits = minorDigits(currency)
  const [whole = "0", fraction = ""] = l.price.split(".")
  const unitMinor = `${whole}${fraction.padEnd(digits, "0").slice(0, digits)}${fraction.length > digits ? `.${fraction.slice(digits)}` : ""}`
  const amount = lineAmount(unitMinor, l.quantity)
  const taxes = l.taxIds.map((id) => percentOf(amount, String(TAXES.find((t) => String(t.id) === id)!.percentage)))
  return amount + taxes.reduce((s, t) => s + t, 0)
}

const stripeTotal = (lines: ReadonlyArray<Line>, currency: string): Amount =>
  fromMinor(lines.reduce((sum, l) => sum + stripeLineTotal(l, currency), 0), currency)!

const cases: ReadonlyArray<{ readonly currency: string; readonly lines: (item: string) => ReadonlyArray<Line> }> = [
  {
    currency: "MXN",
    lines: (item) => [
      line(item, { price: "1234.56" as Amount, quantity: "2" as Amount, discount: "0" as Amount, taxIds: ["3"] }),
      // 0.335 × 3 = 1.005: a float product would round it down.
      line(item, { price: "0.335" as Amount, quantity: "3" as Amount, discount: "0" as Amount, taxIds: ["3"] })
    ]
  },
  {
    currency: "COP",
    lines: (item) => [
      line(item, { price: "119900" as Amount, quantity: "7" as Amount, discount: "0" as Amount, taxIds: ["1"] }),
      line(item, { price: "45000.5" as Amount, quantity: "1" as Amount, discount: "0" as Amount, taxIds: ["1", "5"] })
    ]
  },
  {
    currency: "CLP",
    lines: (item) => [
      // 19 % of 29 970 is 5 694.3: 5 694 pesos. 19 % of 50 is 9.5: 10 pesos (half away from zero).
      line(item, { price: "9990" as Amount, quantity: "3" as Amount, discount: "0" as Amount, taxIds: ["1"] }),
      line(item, { price: "50" as Amount, quantity: "1" as Amount, discount: "0" as Amount, taxIds: ["1"] }),
      line(item, { price: "1333" as Amount, quantity: "1" as Amount, discount: "0" as Amount, taxIds: ["2"] })
    ]
  },
  {
    currency: "USD",
    lines: (item) => [
      line(item, { price: "19.99" as Amount, quantity: "3" as Amount, discount: "0" as Amount, taxIds: ["5"] }),
      line(item, { price: "0.07" as Amount, quantity: "1" as Amount, discount: "0" as Amount, taxIds: ["1"] })
    ]
  }
]

describe("invoice totals in the currency's decimals, equal to Stripe's", () => {
  for (const { currency, lines: linesOf } of cases) {
    it(`${currency}: the total and the taxes are what the lines say`, async () => {
      const contact = recordOf(await a.run((alegra) =>
        alegra.write({ _tag: "Create", record: contactRecord({ name: `Cliente ${currency}`, identification: null }), marker: `m-c-${currency}`, idempotencyKey: "k" })))
      const item = recordOf(await a.run((alegra) =>
        alegra.write({ _tag: "Create", record: itemRecord({ reference: `MON-${currency}` }), marker: `m-i-${currency}`, idempotencyKey: "k" })))
      const lines = linesOf(item.record.id)
      const invoice = recordOf(await a.run((alegra) =>
        alegra.write({
          _tag: "Create",
          record: invoiceRecord(contact.record.id, lines, { currency }),
          marker: `m-f-${currency}`,
          idempotencyKey: "k"
        })))
      if (invoice.kind !== "invoice") throw new Error("not an invoice")
      expect(invoice.record.currency).toBe(currency)
      expect(invoice.record.total).toBe(stripeTotal(lines, currency))
      expect(invoice.record.lines.map((l) => l.total)).toEqual(lines.map((l) => fromMinor(stripeLineTotal(l, currency), currency)))
      const raw = a.sim.admin.get("invoice", invoice.record.id)!
      expect(raw["decimalPrecision"]).toBe(currency === "CLP" ? "0" : "2")
      if (currency === "CLP") {
        // Whole pesos everywhere: the total, each line, each tax.
        expect(invoice.record.total).toBe("37124")
        const taxes = (raw["items"] as Array<{ tax: Array<{ amount: number | string }> }>).flatMap((i) => i.tax.map((t) => Number(t.amount)))
        expect(taxes).toEqual([5694, 10, 67])
      }
    })
  }
})
