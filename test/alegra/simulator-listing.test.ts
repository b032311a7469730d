/**
 * The simulator's listing cost: paging through a kind costs one pass over it per change to
 * the account, not one per page (which made a 50,000-record backfill quadratic). That a
 * list is never served stale is checked over HTTP in simulator.test.ts ("lists").
 */
import { describe, expect, it } from "vitest"
import { Engine } from "../../connectors/alegra/simulator/engine.js"
import { Store } from "../../connectors/alegra/simulator/state.js"

/** Counts the records a listing visits: the store's map of `kind`, instrumented. */
const countVisits = (store: Store, kind: "contact") => {
  const map = store.map(kind)
  const values = map.values.bind(map)
  const counter = { visited: 0 }
  map.values = function*() {
    for (const value of values()) {
      counter.visited++
      yield value
    }
  } as typeof map.values
  return counter
}

const ids = (body: unknown): Array<string> => (body as Array<{ id: string }>).map((r) => r.id)

describe("listing cost", () => {
  it("pages through 3,000 records with one pass over the kind, and one more after each change", () => {
    const store = new Store(() => new Date("2026-03-10T12:00:00Z"))
    const engine = new Engine(store, () => {})
    for (let i = 0; i < 3000; i++) engine.create("contact", { name: `Cliente ${i}`, type: ["client"] }, { silent: true })
    const visits = countVisits(store, "contact")
    const page = (start: number, extra = "") => engine.list("contact", new URLSearchParams(`start=${start}&limit=30${extra}`)).body

    const listed: Array<string> = []
    for (let start = 0; start < 3000; start += 30) listed.push(...ids(page(start)))
    expect(listed).toEqual(engine.ids("contact"))
    expect(visits.visited).toBe(3000)

    // Another list (another order, a filter) is another pass, once.
    for (let start = 0; start < 90; start += 30) page(start, "&order_direction=DESC")
    expect(visits.visited).toBe(6000)
    expect(ids(page(0, "&order_direction=DESC"))[0]).toBe(listed.at(-1))
    expect(visits.visited).toBe(6000)

    // A change: the next page is read afresh, and shows it.
    const renamed = listed[1500]!
    engine.update("contact", renamed, { name: "Renombrado" })
    const after = page(1500) as Array<{ id: string; name: string }>
    expect(after[0]).toMatchObject({ id: renamed, name: "Renombrado" })
    expect(visits.visited).toBe(9000)
    page(1530)
    expect(visits.visited).toBe(9000)
  })
})
