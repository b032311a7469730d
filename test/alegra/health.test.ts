/** The connector's health, from real answers of the Alegra simulator (and a hostile server for scrubbing). */
import { Effect, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { BASIC, harness, json, options, TOKEN, withAlegra } from "./support.js"

const { serve, simulator } = harness()

/** Polls `check` on the live clock (never a fixed sleep racing a timer). */
const until = <A>(check: Effect.Effect<A>, done: (a: A) => boolean): Effect.Effect<A> =>
  Effect.flatMap(check, (a) => done(a) ? Effect.succeed(a) : Effect.zipRight(Effect.sleep("10 millis"), until(check, done)))

describe("connector health", () => {
  it("is starting before any call, ok after a 2xx; auth-failing from a refused token until the next 2xx, through 5xx and 429s", async () => {
    const sim = await simulator(6000, 1)
    const contact = sim.admin.create("contact", { name: "Ana" }, { silent: true })
    const id = String(contact["id"])
    await withAlegra(options(sim.url, { requestsPerMinute: 6000, rateLimitWindowSeconds: 1, maxRetries: 0 }), (alegra) =>
      Effect.gen(function*() {
        expect(yield* alegra.health).toEqual({ state: "starting", lastSuccessAt: null, lastFailure: null, pausedUntil: null })

        const before = Date.now()
        yield* alegra.read("contact", id)
        const ok = yield* alegra.health
        expect(ok).toMatchObject({ state: "ok", lastFailure: null, pausedUntil: null })
        expect(ok.lastSuccessAt).toBeGreaterThanOrEqual(before)

        // The user regenerates the token in Alegra: the one configured here is refused.
        sim.admin.setToken("regenerated-token-5566")
        const refused = yield* Effect.flip(alegra.read("contact", id))
        expect(refused.reason).toBe("auth")
        const failing = yield* alegra.health
        expect(failing).toMatchObject({ state: "auth-failing", lastSuccessAt: ok.lastSuccessAt })
        expect(failing.lastFailure).toMatchObject({ reason: "auth", message: refused.message })
        expect(failing.lastFailure!.at).toBeGreaterThanOrEqual(ok.lastSuccessAt!)

        // Outages and rate limits meanwhile do not hide that the credentials are refused.
        sim.faults.serverError(1, 503)
        yield* Effect.flip(alegra.read("contact", id))
        expect(yield* alegra.health).toMatchObject({ state: "auth-failing", lastFailure: { reason: "server" } })
        sim.faults.rateLimit(1)
        yield* Effect.flip(alegra.read("contact", id)) // 429, waited out, then 401 again
        expect((yield* alegra.health).state).toBe("auth-failing")

        // Fixed: the configured token is valid again.
        sim.admin.setToken(TOKEN)
        yield* alegra.read("contact", id)
        const fixed = yield* alegra.health
        expect(fixed.state).toBe("ok")
        expect(fixed.lastSuccessAt).toBeGreaterThan(ok.lastSuccessAt!)
        expect(fixed.lastFailure?.reason).toBe("auth") // the last failure stays on record
      }))
  })

  it("is rate-limited while paused by a 429, with the end of the pause; ok once it passed", async () => {
    const server = await serve((a, res) =>
      a.index === 0
        ? json(res, 429, { code: 429, message: "Demasiadas peticiones" }, { "x-rate-limit-reset": "3" })
        : json(res, 200, [])
    )
    await withAlegra(options(server.url), (alegra) =>
      Effect.gen(function*() {
        const pending = yield* Effect.fork(alegra.listPage("contact", { start: 0 }))
        const paused = yield* until(alegra.health, (h) => h.state === "rate-limited")
        // Until the reset the server announced, counted from when the 429 came back.
        expect(paused.pausedUntil).toBeGreaterThanOrEqual(server.arrivals[0]!.at + 3000)
        expect(paused.lastFailure).toMatchObject({ reason: "rate-limit", message: "Demasiadas peticiones" })
        const page = yield* Fiber.join(pending)
        expect(page.readAt).toBeGreaterThanOrEqual(paused.pausedUntil!)
        expect(yield* alegra.health).toMatchObject({ state: "ok", pausedUntil: null })
      }))
  })

  it("is unreachable after 5xx or transport failures, and ok again after a 2xx", async () => {
    const sim = await simulator(6000, 1)
    const opts = options(sim.url, { requestsPerMinute: 6000, rateLimitWindowSeconds: 1, maxRetries: 1 })
    sim.faults.serverError(2, 503)
    await withAlegra(opts, (alegra) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(alegra.listPage("contact", { start: 0 }))
        expect(error.reason).toBe("server")
        expect(yield* alegra.health).toMatchObject({ state: "unreachable", lastFailure: { reason: "server" } })
        yield* alegra.listPage("contact", { start: 0 })
        expect((yield* alegra.health).state).toBe("ok")
      }))
    const url = sim.url
    await sim.close()
    const health = await withAlegra({ ...opts, baseUrl: url, maxRetries: 0 }, (alegra) =>
      Effect.zipRight(Effect.flip(alegra.read("contact", "1")), alegra.health))
    expect(health).toMatchObject({ state: "unreachable", lastSuccessAt: null, lastFailure: { reason: "transport" } })
    expect(health.lastFailure!.message).toContain("ECONNREFUSED")
  })

  it("a 2xx that cannot be read is a decode failure, not an outage", async () => {
    const server = await serve((_a, res) => json(res, 200, { unexpected: true }))
    const health = await withAlegra(options(server.url), (alegra) =>
      Effect.zipRight(Effect.flip(alegra.listPage("contact", { start: 0 })), alegra.health))
    expect(health).toMatchObject({ state: "ok", lastFailure: { reason: "decode" } })
    expect(health.lastSuccessAt).not.toBeNull()
  })

  it("never carries the credentials, even when the server echoes them", async () => {
    const server = await serve((a, res) =>
      json(res, 401, { code: 401, message: `Credenciales inválidas: ${a.headers.authorization} (${TOKEN})` })
    )
    const health = await withAlegra(options(server.url), (alegra) =>
      Effect.zipRight(Effect.flip(alegra.read("contact", "1")), alegra.health))
    expect(health.state).toBe("auth-failing")
    const text = JSON.stringify(health)
    expect(text).toContain("Credenciales inválidas")
    expect(text).not.toContain(TOKEN)
    expect(text).not.toContain(BASIC)
  })
})
