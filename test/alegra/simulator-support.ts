/** Helpers for the Alegra simulator tests: HTTP calls, a webhook receiver, polling, fixtures. */
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import type { AlegraSimulator, AlegraSimulatorOptions } from "../../connectors/alegra/simulator/index.js"
import { startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"

export const EMAIL = "contabilidad@ferreteria-andina.co"
export const TOKEN = "sim-token-0f9e8d7c6b5a"
export const AUTH = `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString("base64")}`

export const start = (options: Partial<AlegraSimulatorOptions> = {}): Promise<AlegraSimulator> =>
  startAlegraSimulator({ email: EMAIL, token: TOKEN, requestsPerMinute: 100_000, ...options })

export interface Reply {
  readonly status: number
  readonly headers: Headers
  // Tests read wire JSON loosely on purpose.
  readonly body: any
  readonly ms: number
}

export const call = async (
  sim: AlegraSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: AUTH }
): Promise<Reply> => {
  const started = Date.now()
  const init: RequestInit = { method, headers: { ...headers, accept: "application/json" } }
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body)
    init.headers = { ...headers, "content-type": "application/json" }
  }
  const res = await fetch(`${sim.url}${path}`, init)
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed, ms: Date.now() - started }
}

export const api = (sim: AlegraSimulator) => ({
  get: (path: string) => call(sim, "GET", path),
  post: (path: string, body?: unknown) => call(sim, "POST", path, body ?? {}),
  put: (path: string, body: unknown) => call(sim, "PUT", path, body),
  del: (path: string) => call(sim, "DELETE", path)
})

/** Polls until `check` returns a truthy value (never a fixed sleep). */
export const waitFor = async <T>(what: string, check: () => T | Promise<T>, timeoutMs = 5000): Promise<NonNullable<T>> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export interface Received {
  readonly at: number
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface Receiver {
  /** "http://127.0.0.1:PORT/hook" */
  readonly url: string
  /** The same without scheme, as the connector registers it. */
  readonly bare: string
  readonly received: Array<Received>
  /** Deliveries (non-empty bodies) parsed. */
  deliveries(): Array<any>
  /** Answer status and delay for the next requests. */
  mode: { status: number; delayMs: number }
  close(): Promise<void>
}

export const startReceiver = async (path = "/hook"): Promise<Receiver> => {
  const received: Array<Received> = []
  const mode = { status: 200, delayMs: 0 }
  const server = createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (c: string) => (body += c))
    req.on("end", () => {
      received.push({ at: Date.now(), method: req.method ?? "", path: req.url ?? "", headers: req.headers, body })
      const { status, delayMs } = mode
      const answer = () => {
        if (!res.destroyed) {
          res.writeHead(status, { "content-type": "text/plain" })
          res.end("ok")
        }
      }
      if (delayMs > 0) setTimeout(answer, delayMs)
      else answer()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${path}`,
    bare: `127.0.0.1:${port}${path}`,
    received,
    deliveries: () => received.filter((r) => r.body !== "").map((r) => JSON.parse(r.body)),
    mode,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** A bank account, a client, a provider and two items, created silently. */
export const fixtures = (sim: AlegraSimulator) => {
  const silent = { silent: true }
  const bank = sim.admin.create("bank-account", { name: "Bancolombia", type: "bank", initialBalance: 0 }, silent)
  const client = sim.admin.create(
    "contact",
    { name: "Tienda El Progreso S.A.S.", identification: { type: "NIT", number: "900123456", dv: "8" }, type: ["client"] },
    silent
  )
  const provider = sim.admin.create("contact", { name: "Papelería Central Ltda.", type: ["provider"] }, silent)
  const item = sim.admin.create("item", { name: "Resma carta", reference: "PAP-001", price: 10000, tax: [{ id: 1 }] }, silent)
  const service = sim.admin.create("item", { name: "Instalación", reference: "SRV-001", price: 50000 }, silent)
  return {
    bankId: bank["id"] as string,
    clientId: client["id"] as string,
    providerId: provider["id"] as string,
    itemId: item["id"] as string,
    serviceId: service["id"] as string
  }
}

export const num = (v: unknown): number => (typeof v === "number" ? v : Number(v))
