/**
 * The HTTP face of the simulator: node:http on loopback, base path /api/v1, Basic auth,
 * rate-limit headers on every answer, fault injection, routing to the engine and webhooks.
 */
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { Engine } from "./engine.js"
import { AlegraSimulatorError, Code, notFound } from "./errors.js"
import type { Faults } from "./faults.js"
import type { RateLimiter } from "./rate-limit.js"
import type { SimKind } from "./records.js"
import { resourceByPath } from "./rules/index.js"
import type { RequestRecord, Stats } from "./stats.js"
import type { Json } from "./util.js"
import type { Webhooks } from "./webhooks.js"

export const BASE_PATH = "/api/v1"
const MAX_BODY_BYTES = 1024 * 1024

export interface ServerDeps {
  /** The only valid Basic credentials, "email:token" (read per request: the token can be regenerated). */
  readonly credentials: () => string
  readonly limiter: RateLimiter
  readonly faults: Faults
  readonly stats: Stats
  readonly engine: Engine
  readonly webhooks: Webhooks
}

interface Answer {
  readonly status: number
  readonly body: Json
  readonly headers?: Readonly<Record<string, string>>
}

const ok = (body: Json, status = 200): Answer => ({ status, body })

const errorAnswer = (e: AlegraSimulatorError, headers?: Record<string, string>): Answer =>
  headers === undefined ? { status: e.status, body: e.toBody() } : { status: e.status, body: e.toBody(), headers }

const methodNotAllowed = (allowed: ReadonlyArray<string>): Answer =>
  errorAnswer(new AlegraSimulatorError(405, Code.methodNotAllowed, "El método no está permitido para este recurso."), {
    Allow: allowed.join(", ")
  })

const MESSAGES = {
  unauthorized: "No se pudo autenticar la petición: revisa el usuario (correo) y el token de la API.",
  rateLimited: "Has superado el límite de peticiones permitidas por minuto. Intenta de nuevo cuando termine la ventana actual.",
  serverError: "Ocurrió un error interno. Intenta de nuevo más tarde.",
  unavailable: "El servicio no está disponible en este momento por mantenimiento. Intenta de nuevo más tarde."
}

const readBody = (req: IncomingMessage): Promise<string | AlegraSimulatorError> =>
  new Promise((resolve) => {
    let text = ""
    let tooBig = false
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => {
      if (tooBig) return
      text += chunk
      if (text.length > MAX_BODY_BYTES) tooBig = true
    })
    req.on("end", () =>
      resolve(tooBig ? new AlegraSimulatorError(400, Code.invalidBody, "El cuerpo de la petición es demasiado grande.") : text)
    )
    req.on("error", () => resolve(""))
  })

const parseJson = (text: string): unknown => {
  if (text.trim() === "") return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new AlegraSimulatorError(400, Code.invalidJson, "El cuerpo de la petición no es un JSON válido.")
  }
}

const authorised = (header: string | undefined, expected: string): boolean => {
  if (header === undefined) return false
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header)
  if (m === null) return false
  return Buffer.from(m[1]!, "base64").toString("utf8") === expected
}

export const createApiServer = (deps: ServerDeps): { server: Server; timers: Set<NodeJS.Timeout> } => {
  const timers = new Set<NodeJS.Timeout>()

  const route = async (method: string, url: URL, rawBody: string): Promise<Answer> => {
    if (url.pathname !== BASE_PATH && !url.pathname.startsWith(`${BASE_PATH}/`)) throw notFound()
    const segments = url.pathname
      .slice(BASE_PATH.length)
      .split("/")
      .filter((s) => s !== "")
      .map((s) => {
        try {
          return decodeURIComponent(s)
        } catch {
          throw notFound()
        }
      })
    const body = (): unknown => parseJson(rawBody)
    const [first, second, third, ...rest] = segments
    if (first === undefined) throw notFound()

    if (first === "webhooks") {
      if (second !== "subscriptions" || rest.length > 0) throw notFound()
      if (third === undefined) {
        if (method === "GET") return ok({ subscriptions: deps.webhooks.list() as unknown as Json })
        if (method === "POST") return ok({ subscription: (await deps.webhooks.create(body())) as unknown as Json }, 201)
        return methodNotAllowed(["GET", "POST"])
      }
      if (method === "GET") return ok({ subscription: deps.webhooks.get(third) as unknown as Json })
      if (method === "PUT") return ok({ subscription: (await deps.webhooks.update(third, body())) as unknown as Json })
      if (method === "DELETE") {
        if (!deps.webhooks.remove(third)) throw notFound(`No se encontró la suscripción con id ${third}.`)
        return ok({ code: 200, message: "La suscripción fue eliminada correctamente." })
      }
      return methodNotAllowed(["GET", "PUT", "DELETE"])
    }

    const resource = resourceByPath(first)
    if (resource === undefined || rest.length > 0) throw notFound()
    const kind: SimKind = resource.kind
    const engine = deps.engine
    if (second === undefined) {
      if (method === "GET") return ok(engine.list(kind, url.searchParams).body)
      if (method === "POST") return ok(engine.create(kind, body()), 201)
      return methodNotAllowed(["GET", "POST"])
    }
    if (third === undefined) {
      const allowed = ["GET", ...(resource.canUpdate ? ["PUT"] : []), ...(resource.canRemove ? ["DELETE"] : [])]
      if (!allowed.includes(method)) return methodNotAllowed(allowed)
      if (method === "GET") return ok(engine.get(kind, second))
      if (method === "PUT") return ok(engine.update(kind, second, body()))
      return ok(engine.remove(kind, second))
    }
    if (!engine.hasAction(kind, third, true)) throw notFound()
    if (method !== "POST") return methodNotAllowed(["POST"])
    return ok(engine.action(kind, second, third, body()))
  }

  const server = createServer((req, res) => {
    const at = Date.now()
    const method = (req.method ?? "GET").toUpperCase()
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const path = `${url.pathname}${url.search}`
    // Decided on arrival, in arrival order: the rate-limit count, the delay and the response fault.
    const rate = deps.limiter.hit(at)
    const delayMs = deps.faults.takeDelay()
    const fault = rate.allowed ? deps.faults.takeResponse() : undefined
    const hold = deps.faults.takeHold(method, path)

    const record = (status: number, faultName?: RequestRecord["fault"]): void =>
      deps.stats.recordRequest(
        faultName === undefined
          ? { at, method, path, status, reset: rate.resetSeconds }
          : { at, method, path, status, reset: rate.resetSeconds, fault: faultName }
      )

    const send = (answer: Answer, faultName?: RequestRecord["fault"]): void => {
      record(answer.status, faultName)
      if (res.destroyed || res.writableEnded) return
      const text = JSON.stringify(answer.body)
      res.writeHead(answer.status, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": String(Buffer.byteLength(text)),
        ...rate.headers,
        ...(answer.headers ?? {})
      })
      res.end(text)
    }

    const respond = async (): Promise<void> => {
      const raw = await readBody(req)
      if (delayMs > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t)
            resolve()
          }, delayMs)
          timers.add(t)
        })
      }
      if (fault?.kind === "reset") {
        record(0, "reset")
        const socket = req.socket as typeof req.socket & { resetAndDestroy?: () => void }
        if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
        else socket.destroy()
        return
      }
      if (!rate.allowed) return send(errorAnswer(new AlegraSimulatorError(429, Code.rateLimited, MESSAGES.rateLimited)))
      if (fault?.kind === "rate-limit") {
        const body = { code: Code.rateLimited, message: MESSAGES.rateLimited }
        return fault.disguised
          ? send({ status: 400, body }, "rate-limit-disguised")
          : send({ status: 429, body }, "rate-limit")
      }
      if (fault?.kind === "server-error") {
        return send(
          { status: fault.status, body: { code: fault.status, message: fault.status === 503 ? MESSAGES.unavailable : MESSAGES.serverError } },
          "server-error"
        )
      }
      if (!authorised(req.headers.authorization, deps.credentials())) {
        return send(errorAnswer(new AlegraSimulatorError(401, Code.unauthorized, MESSAGES.unauthorized)))
      }
      if (raw instanceof AlegraSimulatorError) return send(errorAnswer(raw))
      try {
        const answer = await route(method, url, raw)
        if (hold) {
          // The answer as the state was on arrival, whatever changes while it is held.
          const snapshot: Answer = JSON.parse(JSON.stringify(answer))
          await deps.faults.waitForRelease()
          return send(snapshot)
        }
        send(answer)
      } catch (e) {
        if (e instanceof AlegraSimulatorError) send(errorAnswer(e))
        else send({ status: 500, body: { code: Code.serverError, message: `${MESSAGES.serverError} (${String(e)})` } })
      }
    }
    void respond()
  })
  server.keepAliveTimeout = 5_000
  return { server, timers }
}
