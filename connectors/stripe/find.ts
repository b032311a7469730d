/**
 * Finding a Stripe record by natural key. alegra-sync creates nothing in Stripe, so what it looks
 * for is a link it recorded: the Alegra id it wrote into `metadata.alegra_id` (a `Tag` write), found
 * by the key `{_tag: "marker", value: alegraId}`; and the keys of customers and products.
 *
 * | kind | keys |
 * |---|---|
 * | contact | marker, email, name, identification |
 * | item | marker, reference (metadata.sku), name |
 * | invoice | marker |
 *
 * Stripe's search lags behind writes (about a minute, up to an hour in an outage), so a metadata
 * key not found there is looked for in the last hour of `*.created`/`*.updated` events, which are
 * exact; every candidate is read again by id before it is answered. An email is looked up in the
 * customers list (exact, case-sensitive, no lag) before search (case-insensitive). A tax id cannot
 * be searched: identification reads every customer, a page of 100 per request. Other kinds and
 * keys answer None.
 */
import { Clock, Effect, Option } from "effect"
import type Stripe from "stripe"
import type { CanonicalRecord, Kind } from "../../schema/index.js"
import type { ConnectorError, NaturalKey } from "../../src/ports/connector.js"
import type { StripeClient } from "./client.js"
import { identificationOf } from "./mapping/tax-ids.js"
import { after, listAll, PAGE_LIMIT } from "./paging.js"
import type { Records } from "./records.js"

/** How far back recent events are read for a metadata key search does not show yet. */
const RECENT_SECONDS = 3600
/** At most this many pages of recent events (100 each) per lookup. */
const RECENT_PAGES = 10

/** A value quoted for Stripe's search language. */
const quoted = (value: string): string => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`

/** As the engine normalises identifications: upper case, without spaces, dots and dashes. */
const normalisedId = (value: string): string => value.toUpperCase().replace(/[\s.-]/g, "")

/** As the engine normalises names: trimmed, inner spaces collapsed. */
const normalisedName = (value: string): string => value.trim().replace(/\s+/g, " ")

type Searchable = "customer" | "product" | "invoice"

interface Resource<T extends { readonly id: string; readonly metadata: Stripe.Metadata | null }> {
  readonly object: Searchable
  readonly search: (stripe: Stripe, query: string) => Promise<Stripe.ApiSearchResult<T>>
  /** The object as it is now (None: gone). */
  readonly byId: (id: string) => Effect.Effect<Option.Option<T>, ConnectorError>
  readonly record: (object: T) => Effect.Effect<CanonicalRecord, ConnectorError>
}

export const makeFind = (client: StripeClient, records: Records) => {
  const customers: Resource<Stripe.Customer> = {
    object: "customer",
    search: (s, query) => s.customers.search({ query, limit: PAGE_LIMIT }),
    byId: records.customerById,
    record: records.contact
  }
  const products: Resource<Stripe.Product> = {
    object: "product",
    search: (s, query) => s.products.search({ query, limit: PAGE_LIMIT }),
    byId: records.productById,
    record: records.item
  }
  const invoices: Resource<Stripe.Invoice> = {
    object: "invoice",
    search: (s, query) => s.invoices.search({ query, limit: PAGE_LIMIT }),
    byId: records.invoiceById,
    record: records.invoice
  }

  const search = <T extends { readonly id: string; readonly metadata: Stripe.Metadata | null }>(resource: Resource<T>, query: string) =>
    Effect.map(
      client.request({ method: "GET", path: `/v1/${resource.object}s/search`, search: true, send: (s) => resource.search(s, query) }),
      ({ value }) => value.data
    )

  /** Ids of objects whose recent created/updated events carried `metadata[key] = value`. */
  const recentWithMetadata = (object: Searchable, key: string, value: string) =>
    Effect.gen(function*() {
      const since = Math.floor((yield* Clock.currentTimeMillis) / 1000) - RECENT_SECONDS
      const types = [`${object}.created`, `${object}.updated`]
      const events = yield* listAll(
        client,
        `/v1/events?types[]=${types.join("&types[]=")}`,
        (a) => (s) => s.events.list({ types, created: { gte: since }, limit: PAGE_LIMIT, ...after(a) }),
        { maxPages: RECENT_PAGES }
      )
      return events.flatMap((event) => {
        const o = event.data.object as unknown as { id?: unknown; metadata?: Record<string, unknown> | null }
        return typeof o.id === "string" && o.metadata?.[key] === value ? [o.id] : []
      })
    })

  /**
   * The first (by id) of the candidates that, read again now, still pass `keep`: search answers
   * what an object was when indexed, and may still list a deleted one.
   */
  const firstFresh = <T extends { readonly id: string; readonly metadata: Stripe.Metadata | null }>(
    resource: Resource<T>,
    candidates: ReadonlyArray<string>,
    keep: (t: T) => boolean
  ) =>
    Effect.gen(function*() {
      for (const id of [...new Set(candidates)].sort()) {
        const current = yield* resource.byId(id)
        if (Option.isSome(current) && keep(current.value)) return Option.some(yield* resource.record(current.value))
      }
      return Option.none<CanonicalRecord>()
    })

  /** The first (by id) object whose metadata says `key = value`. */
  const byMetadata = <T extends { readonly id: string; readonly metadata: Stripe.Metadata | null }>(resource: Resource<T>, key: string, value: string) =>
    Effect.gen(function*() {
      const hits = yield* search(resource, `metadata[${quoted(key)}]:${quoted(value)}`)
      const candidates = hits.length > 0 ? hits.map((h) => h.id) : yield* recentWithMetadata(resource.object, key, value)
      return yield* firstFresh(resource, candidates, (t) => t.metadata?.[key] === value)
    })

  const contactByEmail = (email: string) =>
    Effect.gen(function*() {
      const same = (c: Stripe.Customer) => c.email?.trim().toLowerCase() === email.trim().toLowerCase()
      const { value } = yield* client.request({
        method: "GET",
        path: "/v1/customers?email=…",
        send: (s) => s.customers.list({ email, limit: PAGE_LIMIT })
      })
      const listed = value.data.filter(same).map((c) => c.id)
      const candidates = listed.length > 0 ? listed : (yield* search(customers, `email:${quoted(email)}`)).map((c) => c.id)
      return yield* firstFresh(customers, candidates, same)
    })

  /** Every customer is read (tax ids cannot be searched): the first match by id. */
  const contactByIdentification = (wanted: string) =>
    Effect.gen(function*() {
      const matches = (c: Stripe.Customer) =>
        (c.tax_ids?.data ?? []).some((t) => normalisedId(identificationOf(t).number) === wanted || normalisedId(t.value) === wanted)
      const customers = yield* listAll(client, "/v1/customers", (a) => (s) => s.customers.list({ limit: PAGE_LIMIT, expand: ["data.tax_ids"], ...after(a) }))
      const first = customers.filter(matches).sort((a, b) => (a.id < b.id ? -1 : 1))[0]
      return first === undefined ? Option.none<CanonicalRecord>() : Option.some(yield* records.contact(first))
    })

  const byName = <T extends { readonly id: string; readonly name?: string | null; readonly metadata: Stripe.Metadata | null }>(resource: Resource<T>, name: string) => {
    const same = (t: T) => normalisedName(t.name ?? "") === normalisedName(name)
    return Effect.flatMap(search(resource, `name:${quoted(normalisedName(name))}`), (hits) => firstFresh(resource, hits.filter(same).map((h) => h.id), same))
  }

  return (kind: Kind, key: NaturalKey): Effect.Effect<Option.Option<CanonicalRecord>, ConnectorError> => {
    switch (`${kind}/${key._tag}`) {
      case "contact/marker":
        return byMetadata(customers, "alegra_id", key.value)
      case "contact/email":
        return contactByEmail(key.value)
      case "contact/name":
        return byName(customers, key.value)
      case "contact/identification":
        return contactByIdentification(normalisedId(key.value))
      case "item/marker":
        return byMetadata(products, "alegra_id", key.value)
      case "item/reference":
        return byMetadata(products, "sku", key.value.trim())
      case "item/name":
        return byName(products, key.value)
      case "invoice/marker":
        return byMetadata(invoices, "alegra_id", key.value)
      default:
        return Effect.succeedNone
    }
  }
}
