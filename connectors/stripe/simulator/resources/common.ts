/** Parameter shapes several resources share: addresses, emails, countries, list envelopes of one kind. */
import type Stripe from "stripe"
import { type Account, type Call, existing, labelOf } from "../api.js"
import { invalidParams } from "../errors.js"
import { listPage, type Page, pageInOrder, readPage } from "../listing.js"
import { Params } from "../params.js"
import { matches, parseQuery } from "../search.js"
import type { Kind, Objects } from "../state.js"
import { clone, type Wire } from "../wire.js"

export const checkCountry = (value: string, param: string): string => {
  if (!/^[A-Z]{2}$/.test(value)) {
    throw invalidParams(`Country '${value}' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'MX', or 'CO'.`, param)
  }
  return value
}

export const checkEmail = (value: string, param: string): string => {
  if (value.length > 512 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw invalidParams(`Invalid email address: ${value}`, param, "email_invalid")
  }
  return value
}

export const readAddress = (p: Params<Stripe.AddressParam>): Wire<Stripe.Address> => {
  const country = p.string("country", { unsettable: true, maxLength: 2 })
  const text = (key: "city" | "line1" | "line2" | "postal_code" | "state"): string | null => p.string(key, { unsettable: true }) ?? null
  return {
    city: text("city"),
    country: country === null || country === undefined ? null : checkCountry(country, p.name("country")),
    line1: text("line1"),
    line2: text("line2"),
    postal_code: text("postal_code"),
    state: text("state")
  }
}

/** One page of a kind's objects that pass `keep`, newest first. */
export const pageOf = <K extends Kind>(
  account: Account,
  call: Call,
  kind: K,
  page: Page,
  keep: (o: Objects[K]) => boolean
): Stripe.ApiList<Objects[K]> => {
  const result = listPage(
    {
      items: account.store.all(kind).filter(keep),
      rank: (id) => account.store.rankOf(kind, id),
      label: labelOf(kind),
      url: call.url
    },
    page
  )
  return { ...result, data: result.data.map((o) => account.renderer.view(kind, o)) }
}

interface SearchParams {
  query: string
  limit?: number
  page?: string
}

const pageToken = (query: string, offset: number): string => Buffer.from(JSON.stringify({ q: query, o: offset })).toString("base64url")

const readPageToken = (token: string, query: string): number => {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { q?: unknown; o?: unknown }
    if (parsed.q === query && typeof parsed.o === "number" && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o
  } catch {
    // fall through to the error below
  }
  throw invalidParams("Invalid page: it does not belong to this query (pass next_page from the previous result, with the same query).", "page")
}

/** `/v1/<resource>/search`: the index as of now − lag, newest first, paged by opaque `next_page` tokens. */
export const searchHandler =
  <K extends Kind>(kind: K) =>
  (account: Account, call: Call): Stripe.ApiSearchResult<Objects[K]> => {
    const p = new Params<SearchParams>(call.form)
    const query = p.string("query", { required: true })!
    const limit = p.integer("limit", { min: 1, max: 100 }) ?? 10
    const token = p.string("page")
    p.done()
    const offset = token === undefined || token === null ? 0 : readPageToken(token, query)
    const q = parseQuery(query, kind)
    const hits = account.search.visible(kind, account.clock.nowMs()).filter((o) => !account.store.hidden.has(String(o["id"])) && matches(q, kind, o))
    const slice = hits.slice(offset, offset + limit) as unknown as Array<Objects[K]>
    const hasMore = hits.length > offset + limit
    return {
      object: "search_result",
      data: slice.map((o) => account.renderer.view(kind, o)),
      has_more: hasMore,
      next_page: hasMore ? pageToken(query, offset + limit) : null,
      url: call.url
    }
  }

/** `GET /v1/<resource>/:id` for kinds whose retrieve takes nothing but `expand`. */
export const retrieveHandler =
  <K extends Kind>(kind: K) =>
  (account: Account, call: Call): Objects[K] => {
    new Params<Record<string, never>>(call.form).done()
    return account.renderer.view(kind, existing(account, kind, call.path["id"]!))
  }

/** Stores a changed object, records `<kind>.updated` with what changed (nothing when nothing did), answers its view. */
export const commitUpdate = <K extends Kind>(account: Account, call: Call, kind: K, before: Objects[K], after: Objects[K], event: string): Objects[K] => {
  account.store.put(kind, after)
  account.events.emitUpdate(event, kind, before, after, call.cause)
  return account.renderer.view(kind, after)
}

/** `GET /v1/<invoices|credit_notes>/:id/lines`: the document's lines in their own order. */
export const linesHandler =
  <K extends "invoice" | "credit_note">(kind: K, label: string) =>
  (account: Account, call: Call): Stripe.ApiList<Objects[K]["lines"]["data"][number]> => {
    const document = existing(account, kind, call.path["id"]!)
    const p = new Params<Stripe.PaginationParams>(call.form)
    const page = readPage(p)
    p.done()
    return pageInOrder(clone(document.lines.data) as Array<Objects[K]["lines"]["data"][number]>, page, label, call.url)
  }
