/**
 * Reading Stripe objects as canonical records: one object by id (`read`), every object of a kind
 * page by page (`list`), and the completion both share (and writes use on what Stripe answered):
 * the rest of an invoice's or credit note's lines, a customer's further tax ids, a refund's
 * invoice and whether a credit note covers it.
 *
 * Requests per record read (the simulator's counts are the same as Stripe's):
 * customer 1, product 1 (default price expanded), invoice 1 (+1 per 100 lines beyond the first
 * 10), invoice payment 1 (invoice and charge expanded), credit note 1 (invoice expanded), refund 3
 * (the refund, its invoice payment, its invoice's credit notes).
 */
import { Chunk, Effect, Option, Stream } from "effect"
import type Stripe from "stripe"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import type { ConnectorError, ListPage, Observation } from "../../src/ports/connector.js"
import type { Sent, StripeClient } from "./client.js"
import { connectorError } from "./errors.js"
import type { RequestContext } from "./errors.js"
import { isValidId, previewId } from "./ids.js"
import { idOf, Undecodable } from "./mapping/common.js"
import { contactFrom } from "./mapping/contact.js"
import { creditNoteFrom, refundNoteFrom } from "./mapping/credit-note.js"
import { invoiceFrom } from "./mapping/invoice.js"
import { itemFrom } from "./mapping/item.js"
import { isSyncedPayment, paymentFrom } from "./mapping/payment.js"
import { after, listAll, PAGE_LIMIT } from "./paging.js"

/** The kinds the connector syncs, prerequisites first. */
export const STRIPE_KINDS: ReadonlyArray<Kind> = ["contact", "item", "invoice", "payment", "credit-note"]

const CUSTOMER_EXPAND = ["tax_ids"]
const PRODUCT_EXPAND = ["default_price"]
const PAYMENT_EXPAND = ["invoice", "payment.payment_intent.latest_charge", "payment.charge"]
const NOTE_EXPAND = ["invoice"]
const listed = (paths: ReadonlyArray<string>): Array<string> => paths.map((p) => `data.${p}`)

export interface Records {
  readonly read: (kind: Kind, id: string) => Effect.Effect<Observation, ConnectorError>
  readonly list: (kind: Kind, after?: string | null) => Stream.Stream<ListPage, ConnectorError>
  /** The canonical record of an object Stripe answered (None: not one the connector syncs). */
  readonly contact: (customer: Stripe.Customer) => Effect.Effect<CanonicalRecord, ConnectorError>
  readonly item: (product: Stripe.Product) => Effect.Effect<CanonicalRecord, ConnectorError>
  readonly invoice: (invoice: Stripe.Invoice) => Effect.Effect<CanonicalRecord, ConnectorError>
  readonly creditNote: (note: Stripe.CreditNote) => Effect.Effect<CanonicalRecord, ConnectorError>
  readonly refund: (refund: Stripe.Refund) => Effect.Effect<Option.Option<CanonicalRecord>, ConnectorError>
  /** The raw objects of a resource that could carry a marker or SKU in their metadata. */
  readonly customerById: (id: string) => Effect.Effect<Option.Option<Stripe.Customer>, ConnectorError>
  readonly productById: (id: string) => Effect.Effect<Option.Option<Stripe.Product>, ConnectorError>
  readonly invoiceById: (id: string) => Effect.Effect<Option.Option<Stripe.Invoice>, ConnectorError>
}

/** Runs a pure mapping; what does not map fails with reason "decode", naming the object. */
export const decode = <A>(context: RequestContext, what: string, map: () => A): Effect.Effect<A, ConnectorError> =>
  Effect.try({
    try: map,
    catch: (cause) =>
      connectorError(context, "decode", {
        status: 200,
        message: `cannot read ${what}: ${cause instanceof Error ? cause.message : String(cause)}`
      })
  })

/** A kind the connector does not sync, or an id Stripe never issues: refused before anything is sent. */
export const refuse = (kind: Kind, id: string) =>
  Effect.fail(
    connectorError({ method: "GET", path: "/v1" }, "validation", {
      message: STRIPE_KINDS.includes(kind) ? `not a Stripe ${kind} id: ${previewId(id)}` : `the Stripe connector does not sync ${kind} records`
    })
  )

export const makeRecords = (client: StripeClient, paymentMethods: Readonly<Record<string, string>>): Records => {
  /** A list embedded in an object (an invoice's lines), and its further pages when Stripe says there are more. */
  const rest = <T extends { readonly id: string }>(
    embedded: Stripe.ApiList<T>,
    path: string,
    page: (startingAfter: string | undefined) => (stripe: Stripe) => Promise<Stripe.ApiList<T>>
  ): Effect.Effect<ReadonlyArray<T>, ConnectorError> => {
    const last = embedded.data[embedded.data.length - 1]
    return !embedded.has_more || last === undefined
      ? Effect.succeed(embedded.data)
      : Effect.map(listAll(client, path, page, { startingAfter: last.id }), (more) => [...embedded.data, ...more])
  }

  const contact = (customer: Stripe.Customer) =>
    Effect.gen(function*() {
      const path = `/v1/customers/${customer.id}/tax_ids`
      const taxIds = customer.tax_ids === undefined || customer.tax_ids === null
        ? []
        : yield* rest(customer.tax_ids, path, (a) => (s) => s.customers.listTaxIds(customer.id, { limit: PAGE_LIMIT, ...after(a) }))
      const record = yield* decode({ method: "GET", path: `/v1/customers/${customer.id}` }, `customer ${customer.id}`, () => contactFrom(customer, taxIds))
      return { kind: "contact", record } satisfies CanonicalRecord as CanonicalRecord
    })

  const item = (product: Stripe.Product) =>
    Effect.map(
      decode({ method: "GET", path: `/v1/products/${product.id}` }, `product ${product.id}`, () => itemFrom(product)),
      (record): CanonicalRecord => ({ kind: "item", record })
    )

  const invoiceLines = (invoice: Stripe.Invoice) =>
    rest(invoice.lines, `/v1/invoices/${invoice.id}/lines`, (a) => (s) => s.invoices.listLineItems(invoice.id, { limit: PAGE_LIMIT, ...after(a) }))

  const invoice = (invoice: Stripe.Invoice) =>
    Effect.gen(function*() {
      const lines = yield* invoiceLines(invoice)
      const record = yield* decode({ method: "GET", path: `/v1/invoices/${invoice.id}` }, `invoice ${invoice.id}`, () => invoiceFrom(invoice, lines))
      return { kind: "invoice", record } satisfies CanonicalRecord as CanonicalRecord
    })

  const payment = (payment: Stripe.InvoicePayment): Effect.Effect<Option.Option<CanonicalRecord>, ConnectorError> =>
    Effect.gen(function*() {
      if (!isSyncedPayment(payment)) return Option.none()
      const context: RequestContext = { method: "GET", path: `/v1/invoice_payments/${payment.id}` }
      // The invoice comes expanded; an id alone (a page read without expansion) costs one request.
      const customer = typeof payment.invoice === "object"
        ? idOf((payment.invoice as Stripe.Invoice).customer)
        : idOf((yield* client.request({ method: "GET", path: `/v1/invoices/${payment.invoice}`, send: (s) => s.invoices.retrieve(payment.invoice as string) })).value.customer)
      const record = yield* decode(context, `invoice payment ${payment.id}`, () => {
        if (customer === null) throw new Undecodable(`the invoice of ${payment.id} has no customer`)
        return paymentFrom(payment, customer, paymentMethods)
      })
      return Option.some<CanonicalRecord>({ kind: "payment", record })
    })

  const creditNote = (note: Stripe.CreditNote) =>
    Effect.gen(function*() {
      const lines = yield* rest(note.lines, `/v1/credit_notes/${note.id}/lines`, (a) => (s) => s.creditNotes.listLineItems(note.id, { limit: PAGE_LIMIT, ...after(a) }))
      // The invoice lines it credits: the expanded invoice's, and its further pages if one is missing.
      const invoice = typeof note.invoice === "object" ? note.invoice as Stripe.Invoice : null
      const wanted = lines.flatMap((l) => (l.invoice_line_item === undefined ? [] : [l.invoice_line_item]))
      let invoiceLineList: ReadonlyArray<Stripe.InvoiceLineItem> = invoice?.lines.data ?? []
      if (wanted.some((id) => !invoiceLineList.some((l) => l.id === id))) {
        const invoiceId = idOf(note.invoice)!
        const full = invoice ?? (yield* client.request({ method: "GET", path: `/v1/invoices/${invoiceId}`, send: (s) => s.invoices.retrieve(invoiceId) })).value
        invoiceLineList = yield* invoiceLines(full)
      }
      const byId = new Map(invoiceLineList.map((l) => [l.id, l]))
      const record = yield* decode({ method: "GET", path: `/v1/credit_notes/${note.id}` }, `credit note ${note.id}`, () => creditNoteFrom(note, lines, byId))
      return { kind: "credit-note", record } satisfies CanonicalRecord as CanonicalRecord
    })

  /** The invoice payment a payment intent made, with its invoice: where a refund belongs. */
  const paymentOfIntent = (intent: string) =>
    Effect.map(
      client.request({
        method: "GET",
        path: `/v1/invoice_payments?payment[payment_intent]=${intent}`,
        send: (s) => s.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: intent }, limit: 1, expand: listed(["invoice"]) })
      }),
      ({ value }) => Option.fromNullable(value.data[0])
    )

  /** Whether a credit note of the invoice covers (made, or was linked to) the refund. */
  const covered = (invoiceId: string, refundId: string) =>
    Effect.map(
      listAll(client, `/v1/credit_notes?invoice=${invoiceId}`, (a) => (s) => s.creditNotes.list({ invoice: invoiceId, limit: PAGE_LIMIT, ...after(a) })),
      (notes) => notes.some((note) => note.refunds.some((r) => idOf(r.refund) === refundId))
    )

  /**
   * A refund of an invoice's payment that no credit note covers. A refund of anything else (a
   * charge that paid no invoice) is not synced, nor is one a credit note covers: that credit
   * note is the record. Stripe makes a credit note's refund and the note in one request, so a
   * refund is never seen uncovered before its note exists.
   */
  const refund = (refund: Stripe.Refund): Effect.Effect<Option.Option<CanonicalRecord>, ConnectorError> =>
    Effect.gen(function*() {
      const intent = idOf(refund.payment_intent)
      if (intent === null) return Option.none()
      const paid = yield* paymentOfIntent(intent)
      if (Option.isNone(paid)) return Option.none()
      const invoiceId = idOf(paid.value.invoice)!
      if (yield* covered(invoiceId, refund.id)) return Option.none()
      // What it credits depends on the invoice's lines and taxes.
      const invoice = typeof paid.value.invoice === "object"
        ? paid.value.invoice as Stripe.Invoice
        : (yield* client.request({ method: "GET", path: `/v1/invoices/${invoiceId}`, send: (s) => s.invoices.retrieve(invoiceId) })).value
      const lines = yield* invoiceLines(invoice)
      const record = yield* decode({ method: "GET", path: `/v1/refunds/${refund.id}` }, `refund ${refund.id}`, () => refundNoteFrom(refund, invoice, lines))
      return Option.some<CanonicalRecord>({ kind: "credit-note", record })
    })

  /** A customer, gone when deleted (Stripe answers a deleted customer as {deleted: true}). */
  const customerSent = (id: string): Effect.Effect<Sent<Option.Option<Stripe.Customer>>, ConnectorError> =>
    Effect.map(
      client.requestOption({ method: "GET", path: `/v1/customers/${id}`, send: (s) => s.customers.retrieve(id, { expand: CUSTOMER_EXPAND }) }),
      ({ sentAt, value }) => ({ sentAt, value: Option.flatMap(value, (c) => (c.deleted === true ? Option.none() : Option.some(c as Stripe.Customer))) })
    )
  const productSent = (id: string): Effect.Effect<Sent<Option.Option<Stripe.Product>>, ConnectorError> =>
    client.requestOption({ method: "GET", path: `/v1/products/${id}`, send: (s) => s.products.retrieve(id, { expand: PRODUCT_EXPAND }) })
  const invoiceSent = (id: string): Effect.Effect<Sent<Option.Option<Stripe.Invoice>>, ConnectorError> =>
    client.requestOption({ method: "GET", path: `/v1/invoices/${id}`, send: (s) => s.invoices.retrieve(id) })
  const valueOf = <A>(sent: Effect.Effect<Sent<A>, ConnectorError>) => Effect.map(sent, (s) => s.value)

  /** The observation of a read: when it was sent, and the record when there is one to sync. */
  const observe = <A>(
    fetched: Effect.Effect<Sent<Option.Option<A>>, ConnectorError>,
    complete: (a: A) => Effect.Effect<Option.Option<CanonicalRecord>, ConnectorError>
  ): Effect.Effect<Observation, ConnectorError> =>
    Effect.gen(function*() {
      const { sentAt, value } = yield* fetched
      const record = Option.isSome(value) ? yield* complete(value.value) : Option.none()
      return { readAt: sentAt, record }
    })

  const some = <A>(f: (a: A) => Effect.Effect<CanonicalRecord, ConnectorError>) => (a: A) => Effect.map(f(a), Option.some)

  const read = (kind: Kind, id: string): Effect.Effect<Observation, ConnectorError> => {
    if (!isValidId(kind, id)) return refuse(kind, id)
    switch (kind) {
      case "contact":
        return observe(customerSent(id), some(contact))
      case "item":
        return observe(productSent(id), some(item))
      case "invoice":
        return observe(invoiceSent(id), some(invoice))
      case "payment":
        return observe(
          client.requestOption({ method: "GET", path: `/v1/invoice_payments/${id}`, send: (s) => s.invoicePayments.retrieve(id, { expand: PAYMENT_EXPAND }) }),
          payment
        )
      case "credit-note":
        return id.startsWith("re_")
          ? observe(client.requestOption({ method: "GET", path: `/v1/refunds/${id}`, send: (s) => s.refunds.retrieve(id) }), refund)
          : observe(
            client.requestOption({ method: "GET", path: `/v1/credit_notes/${id}`, send: (s) => s.creditNotes.retrieve(id, { expand: NOTE_EXPAND }) }),
            some(creditNote)
          )
      default:
        return refuse(kind, id)
    }
  }

  /**
   * One page of a Stripe list, its objects completed into records; `next` names the page after it
   * (`cursorOf` the last id), or `whenDone` after the last page.
   */
  const pageOf = <T extends { readonly id: string }>(
    path: string,
    send: (startingAfter: string | undefined) => (stripe: Stripe) => Promise<Stripe.ApiList<T>>,
    complete: (t: T) => Effect.Effect<Option.Option<CanonicalRecord>, ConnectorError>,
    startingAfter: string | undefined,
    cursorOf: (lastId: string) => string = (id) => id,
    whenDone: string | null = null
  ): Effect.Effect<ListPage, ConnectorError> =>
    Effect.gen(function*() {
      const { sentAt, value } = yield* client.request({ method: "GET", path, send: send(startingAfter) })
      const records = yield* Effect.forEach(value.data, complete)
      const last = value.data[value.data.length - 1]
      return {
        records: records.flatMap(Option.toArray),
        readAt: sentAt,
        next: !value.has_more || last === undefined ? whenDone : cursorOf(last.id)
      }
    })

  /** A page of a kind, from an opaque cursor (a credit note cursor says which list it is in). */
  const listPage = (kind: Kind, cursor: string | null): Effect.Effect<ListPage, ConnectorError> => {
    const from = cursor ?? undefined
    switch (kind) {
      case "contact":
        return pageOf("/v1/customers", (a) => (s) => s.customers.list({ limit: PAGE_LIMIT, expand: listed(CUSTOMER_EXPAND), ...after(a) }), some(contact), from)
      case "item":
        return pageOf("/v1/products", (a) => (s) => s.products.list({ limit: PAGE_LIMIT, expand: listed(PRODUCT_EXPAND), ...after(a) }), some(item), from)
      case "invoice":
        return pageOf("/v1/invoices", (a) => (s) => s.invoices.list({ limit: PAGE_LIMIT, ...after(a) }), some(invoice), from)
      case "payment":
        return pageOf(
          "/v1/invoice_payments?status=paid",
          (a) => (s) => s.invoicePayments.list({ limit: PAGE_LIMIT, status: "paid", expand: listed(PAYMENT_EXPAND), ...after(a) }),
          payment,
          from
        )
      case "credit-note": {
        // Credit notes first ("cn:<after>"), then refunds ("re:<after>").
        const [list, inner] = cursor === null ? ["cn", ""] : [cursor.slice(0, 2), cursor.slice(3)]
        const innerAfter = inner === "" ? undefined : inner
        return list === "re"
          ? pageOf("/v1/refunds", (a) => (s) => s.refunds.list({ limit: PAGE_LIMIT, ...after(a) }), refund, innerAfter, (id) => `re:${id}`)
          : pageOf(
            "/v1/credit_notes",
            (a) => (s) => s.creditNotes.list({ limit: PAGE_LIMIT, expand: listed(NOTE_EXPAND), ...after(a) }),
            some(creditNote),
            innerAfter,
            (id) => `cn:${id}`,
            "re:"
          )
      }
      default:
        return refuse(kind, "")
    }
  }

  const list = (kind: Kind, after?: string | null): Stream.Stream<ListPage, ConnectorError> =>
    Stream.paginateChunkEffect(after ?? null, (cursor: string | null) =>
      Effect.map(listPage(kind, cursor), (page) => [Chunk.of(page), Option.fromNullable(page.next)] as const))

  return {
    read,
    list,
    contact,
    item,
    invoice,
    creditNote,
    refund,
    customerById: (id) => valueOf(customerSent(id)),
    productById: (id) => valueOf(productSent(id)),
    invoiceById: (id) => valueOf(invoiceSent(id))
  }
}
