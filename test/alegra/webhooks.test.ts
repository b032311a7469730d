/** Reading Alegra webhook deliveries: every shape seen in the wild, and what cannot be read. */
import { describe, expect, it } from "vitest"
import { parseWebhook, webhookEvents } from "../../connectors/alegra/index.js"
import type { WebhookHint, WebhookReading } from "../../connectors/alegra/index.js"

const ALL = ["invoice", "bill", "contact", "item"]
const UUID7 = "019a6f2e-8c1b-7d3e-9f40-5b2a1c3d4e5f"

const hint = (event: string, id: string): WebhookHint => {
  const [prefix, resource] = event.split("-") as [string, string]
  return {
    event,
    kind: resource === "client" ? "contact" : resource as WebhookHint["kind"],
    action: prefix === "new" ? "created" : prefix === "edit" ? "updated" : "deleted",
    id
  }
}

describe("parseWebhook", () => {
  it("knows the 12 events", () => {
    expect([...webhookEvents].sort()).toEqual([
      "delete-bill",
      "delete-client",
      "delete-invoice",
      "delete-item",
      "edit-bill",
      "edit-client",
      "edit-invoice",
      "edit-item",
      "new-bill",
      "new-client",
      "new-invoice",
      "new-item"
    ])
  })

  // [what, body, the one hint it gives]
  const readable: ReadonlyArray<readonly [string, unknown, WebhookHint]> = [
    ["the documented shape", { subject: "edit-invoice", message: { invoice: { id: "12", total: 5 } } }, hint("edit-invoice", "12")],
    ["a bill, numeric id", { subject: "new-bill", message: { bill: { id: 3 } } }, hint("new-bill", "3")],
    ["a client", { subject: "new-client", message: { client: { id: "9", name: { firstName: "A" } } } }, hint("new-client", "9")],
    ["an item", { subject: "edit-item", message: { item: { id: 4 } } }, hint("edit-item", "4")],
    ["delete with only message.id", { subject: "delete-item", message: { id: "12" } }, hint("delete-item", "12")],
    ["delete with a numeric message.id", { subject: "delete-item", message: { id: 12 } }, hint("delete-item", "12")],
    ["the resource as a bare id", { subject: "delete-item", message: { item: 12 } }, hint("delete-item", "12")],
    ["a JSON text body", JSON.stringify({ subject: "delete-invoice", message: { id: 7 } }), hint("delete-invoice", "7")],
    ["event instead of subject", { event: "edit-bill", message: { bill: { id: "5" } } }, hint("edit-bill", "5")],
    ["data instead of message", { subject: "edit-item", data: { item: { id: "6" } } }, hint("edit-item", "6")],
    ["{event, data} with data.id", { event: "edit-client", data: { id: "8" } }, hint("edit-client", "8")],
    ["the subject in any case, padded", { subject: " Edit-Invoice ", message: { id: "1" } }, hint("edit-invoice", "1")],
    ["the id at the top level", { subject: "delete-bill", id: "44" }, hint("delete-bill", "44")],
    ["invoiceId at the top level", { subject: "edit-invoice", invoiceId: 45 }, hint("edit-invoice", "45")],
    ["clientId inside message", { subject: "edit-client", message: { clientId: "46" } }, hint("edit-client", "46")],
    ["itemId inside data", { event: "new-item", data: { itemId: "47" } }, hint("new-item", "47")],
    ["billId", { subject: "delete-bill", message: { billId: 48 } }, hint("delete-bill", "48")],
    ["idInvoice", { subject: "new-invoice", message: { idInvoice: "49" } }, hint("new-invoice", "49")],
    ["idClient at the top level", { subject: "delete-client", idClient: 50 }, hint("delete-client", "50")],
    ["idItem", { subject: "delete-item", data: { idItem: "51" } }, hint("delete-item", "51")],
    ["data.id inside message", { subject: "edit-invoice", message: { data: { id: "52" } } }, hint("edit-invoice", "52")],
    ["resource.id at the top level", { subject: "edit-item", resource: { id: 53 } }, hint("edit-item", "53")],
    ["payload.id inside data", { event: "edit-bill", data: { payload: { id: "54" } } }, hint("edit-bill", "54")],
    ["payload.id at the top level", { subject: "edit-client", payload: { id: "55" } }, hint("edit-client", "55")],
    ["a UUID id", { subject: "edit-item", message: { item: { id: UUID7 } } }, hint("edit-item", UUID7)],
    ["the record's id before the body's own id", { id: "evt-1", subject: "edit-invoice", message: { invoice: { id: "56" } } }, hint("edit-invoice", "56")],
    ["message before data", { subject: "edit-item", message: { id: "57" }, data: { id: "58" } }, hint("edit-item", "57")]
  ]
  for (const [what, body, expected] of readable) {
    it(`reads ${what}`, () => {
      expect(parseWebhook(body)).toEqual({ hints: [expected], unreadable: null } satisfies WebhookReading)
    })
  }

  // [what, body, the kinds to re-read]
  const unreadable: ReadonlyArray<readonly [string, unknown, ReadonlyArray<string>]> = [
    ["an event Alegra does not send", { subject: "new-payment", message: { payment: { id: "1" } } }, ALL],
    ["no subject", { message: { invoice: { id: "1" } } }, ALL],
    ["a subject that is not a string", { subject: 5, message: { id: "1" } }, ALL],
    ["an empty object", {}, ALL],
    ["null", null, ALL],
    ["a number", 42, ALL],
    ["an empty text", "", ALL],
    ["a text that is not JSON", "not json", ALL],
    ["an empty array", [], ALL],
    ["a known event without an id", { subject: "edit-invoice", message: {} }, ["invoice"]],
    ["a known event without a message", { subject: "edit-bill" }, ["bill"]],
    ["an empty id", { subject: "edit-invoice", message: { invoice: { id: "" } } }, ["invoice"]],
    ["the id '.'", { subject: "edit-item", message: { item: { id: "." } } }, ["item"]],
    ["the id '..'", { subject: "delete-item", message: { id: ".." } }, ["item"]],
    ["an escaped dot", { subject: "delete-item", message: { id: "%2e" } }, ["item"]],
    ["a path in the id", { subject: "edit-client", message: { client: { id: "1/2" } } }, ["contact"]],
    ["a signed id", { subject: "edit-client", clientId: "-3" }, ["contact"]],
    ["a leading zero", { subject: "edit-bill", billId: "007" }, ["bill"]],
    ["a fractional number", { subject: "edit-bill", message: { id: 1.5 } }, ["bill"]],
    ["more than 20 digits", { subject: "edit-invoice", message: { id: "123456789012345678901" } }, ["invoice"]],
    ["a 100 KB id", { subject: "edit-invoice", message: { invoice: { id: "9".repeat(100_000) } } }, ["invoice"]],
    ["an object as the id", { subject: "edit-invoice", message: { id: { value: 1 } } }, ["invoice"]]
  ]
  for (const [what, body, kinds] of unreadable) {
    it(`does not read ${what}, and names the kinds to re-read`, () => {
      const reading = parseWebhook(body)
      expect(reading.hints).toEqual([])
      expect(reading.unreadable?.kinds).toEqual(kinds)
      expect(reading.unreadable?.reason.length).toBeGreaterThan(0)
      // A reason quotes at most a short preview of what it could not read.
      expect(reading.unreadable!.reason.length).toBeLessThan(300)
    })
  }

  it("reads each delivery of an array on its own", () => {
    const reading = parseWebhook([
      { subject: "edit-item", message: { item: { id: 1 } } },
      { subject: "new-invoice", message: { invoice: { id: "2" } } },
      { subject: "edit-item", message: { item: { id: 1 } } }, // the same delivery twice: one hint
      { subject: "edit-bill", message: {} },
      { subject: "no-such-event", message: { id: "3" } },
      "not an object",
      { subject: "edit-client", message: { id: "../contacts" } }
    ])
    expect(reading.hints).toEqual([hint("edit-item", "1"), hint("new-invoice", "2")])
    expect(reading.unreadable?.kinds).toEqual(ALL)
    expect(reading.unreadable?.reason).toMatch(/^4 of 7 deliveries unreadable/)
  })

  it("names only the kinds of the unreadable deliveries of an array", () => {
    const reading = parseWebhook([
      { subject: "edit-item", message: { item: { id: 1 } } },
      { subject: "edit-bill", message: { bill: { id: "x" } } },
      { subject: "delete-client", message: {} }
    ])
    expect(reading.hints).toEqual([hint("edit-item", "1")])
    expect(reading.unreadable?.kinds).toEqual(["bill", "contact"])
  })

  it("reads an array of readable deliveries with nothing unreadable", () => {
    expect(parseWebhook([{ subject: "delete-item", id: 9 }, { subject: "delete-item", id: 10 }])).toEqual({
      hints: [hint("delete-item", "9"), hint("delete-item", "10")],
      unreadable: null
    })
  })

  it("never throws, even on a hostile object", () => {
    const hostile = {
      get subject(): string {
        throw new Error("boom")
      }
    }
    expect(parseWebhook(hostile)).toEqual({ hints: [], unreadable: { kinds: ALL, reason: "body could not be read" } })
    const deep: Record<string, unknown> = {}
    let node = deep
    for (let i = 0; i < 10_000; i++) node = (node["message"] = {}) as Record<string, unknown>
    expect(parseWebhook({ subject: "edit-item", message: deep }).hints).toEqual([])
  })
})
