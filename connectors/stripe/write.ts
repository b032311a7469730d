/**
 * Writes into Stripe: only what flows back from Alegra.
 *
 * | write | Stripe |
 * |---|---|
 * | Act paid-out-of-band on an invoice | POST /v1/invoices/:id/pay paid_out_of_band (a payment recorded in Alegra) |
 * | Act void on an invoice | POST /v1/invoices/:id/void (voided in Alegra before payment) |
 * | Tag a contact, item, invoice or credit note | metadata.alegra_id on the customer, product, invoice, credit note or refund |
 * | Update a contact | name, email, phone, address of the customer (other fields are not Stripe's to take) |
 *
 * A Stripe invoice payment has no metadata: tagging one writes nothing and answers the payment.
 * Creates, deletes and anything else are refused ("validation"): alegra-sync makes no Stripe records.
 *
 * Every write sends `alegra-sync-<the engine's key>` as its Idempotency-Key: a retry (ours, or the
 * SDK's after a network failure) is answered the first response again, never a second change,
 * and the events the write causes are known as echoes. A state the invoice is already in is
 * success: paying an invoice already paid, voiding a void one.
 */
import { Effect, Option } from "effect"
import type Stripe from "stripe"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import type { ConnectorError, WriteRequest, WriteResult } from "../../src/ports/connector.js"
import type { Sent, StripeClient } from "./client.js"
import { connectorError } from "./errors.js"
import { idempotencyKey, isValidId, previewId } from "./ids.js"
import { customerParams, WRITABLE_CONTACT_FIELDS } from "./mapping/contact.js"
import type { Records } from "./records.js"

const refused = (method: string, path: string, message: string) => Effect.fail(connectorError({ method, path }, "validation", { message }))

export const makeWrite = (client: StripeClient, records: Records) => {
  /** The observation of a write: sent when Stripe was asked, and the record it answered. */
  const answered = <A>(sent: Sent<A>, record: (a: A) => Effect.Effect<CanonicalRecord, ConnectorError>): Effect.Effect<WriteResult, ConnectorError> =>
    Effect.map(record(sent.value), (r) => ({ readAt: sent.sentAt, record: Option.some(r) }))

  /**
   * An invoice action; when Stripe refuses it because of the invoice's state, the invoice is read
   * and the refusal stands only if the invoice is not already where the action leads.
   */
  const invoiceAction = (
    id: string,
    path: string,
    send: (stripe: Stripe) => Promise<Stripe.Invoice>,
    reached: (status: string) => boolean
  ): Effect.Effect<WriteResult, ConnectorError> =>
    client.request({ method: "POST", path, send }).pipe(
      Effect.flatMap((sent) => answered(sent, records.invoice)),
      Effect.catchIf(
        (error) => error.reason === "conflict",
        (error) =>
          Effect.flatMap(records.read("invoice", id), (now) =>
            Option.isSome(now.record) && now.record.value.kind === "invoice" && reached(now.record.value.record.status) ? Effect.succeed(now) : Effect.fail(error))
      )
    )

  const act = (kind: Kind, id: string, action: string, key: string) => {
    if (kind !== "invoice") return refused("POST", "/v1", `the Stripe connector takes no ${action} action on ${kind} records`)
    switch (action) {
      case "paid-out-of-band":
        // Paid by card meanwhile is paid too: the invoice is closed either way.
        return invoiceAction(id, `/v1/invoices/${id}/pay`, (s) => s.invoices.pay(id, { paid_out_of_band: true }, { idempotencyKey: key }), (status) => status === "closed")
      case "void":
        return invoiceAction(id, `/v1/invoices/${id}/void`, (s) => s.invoices.voidInvoice(id, {}, { idempotencyKey: key }), (status) => status === "void")
      default:
        return refused("POST", `/v1/invoices/${id}`, `the Stripe connector takes no ${action} action on invoices`)
    }
  }

  const tag = (kind: Kind, id: string, alegraId: string, key: string): Effect.Effect<WriteResult, ConnectorError> => {
    const metadata = { alegra_id: alegraId }
    const options = { idempotencyKey: key }
    switch (kind) {
      case "contact":
        return Effect.flatMap(
          client.request({ method: "POST", path: `/v1/customers/${id}`, send: (s) => s.customers.update(id, { metadata, expand: ["tax_ids"] }, options) }),
          (sent) => answered(sent, records.contact)
        )
      case "item":
        return Effect.flatMap(
          client.request({ method: "POST", path: `/v1/products/${id}`, send: (s) => s.products.update(id, { metadata, expand: ["default_price"] }, options) }),
          (sent) => answered(sent, records.item)
        )
      case "invoice":
        return Effect.flatMap(
          client.request({ method: "POST", path: `/v1/invoices/${id}`, send: (s) => s.invoices.update(id, { metadata }, options) }),
          (sent) => answered(sent, records.invoice)
        )
      case "credit-note":
        return id.startsWith("re_")
          ? Effect.flatMap(
            client.request({ method: "POST", path: `/v1/refunds/${id}`, send: (s) => s.refunds.update(id, { metadata }, options) }),
            (sent) => Effect.map(records.refund(sent.value), (record) => ({ readAt: sent.sentAt, record }))
          )
          : Effect.flatMap(
            client.request({ method: "POST", path: `/v1/credit_notes/${id}`, send: (s) => s.creditNotes.update(id, { metadata, expand: ["invoice"] }, options) }),
            (sent) => answered(sent, records.creditNote)
          )
      case "payment":
        // Invoice payments carry no metadata; a payment's link is recovered through its invoice's.
        return records.read("payment", id)
      default:
        return refused("POST", "/v1", `the Stripe connector does not sync ${kind} records`)
    }
  }

  const update = (record: CanonicalRecord, fields: ReadonlyArray<string>, key: string): Effect.Effect<WriteResult, ConnectorError> => {
    if (record.kind !== "contact") return refused("POST", "/v1", `the Stripe connector does not update ${record.kind} records`)
    const id = record.record.id
    const writable = fields.filter((f) => WRITABLE_CONTACT_FIELDS.includes(f))
    if (writable.length === 0) return records.read("contact", id)
    const params = { ...customerParams(record.record, writable), expand: ["tax_ids"] }
    return Effect.flatMap(
      client.request({ method: "POST", path: `/v1/customers/${id}`, send: (s) => s.customers.update(id, params, { idempotencyKey: key }) }),
      (sent) => answered(sent, records.contact)
    )
  }

  return (request: WriteRequest): Effect.Effect<WriteResult, ConnectorError> => {
    if (request._tag === "Create") return refused("POST", "/v1", `alegra-sync creates no Stripe records (asked to create a ${request.record.kind})`)
    const kind = request._tag === "Update" ? request.record.kind : request.kind
    const id = request._tag === "Update" ? request.record.record.id : request.id
    if (!isValidId(kind, id)) return refused("POST", "/v1", `not a Stripe ${kind} id: ${previewId(id)}`)
    const key = idempotencyKey(request.idempotencyKey)
    switch (request._tag) {
      case "Delete":
        return refused("DELETE", "/v1", `alegra-sync deletes no Stripe records (asked to delete ${kind} ${id})`)
      case "Act":
        return act(kind, id, request.action._tag, key)
      case "Tag":
        return tag(kind, id, request.alegraId, key)
      case "Update":
        return update(request.record, request.fields, key)
    }
  }
}
