/**
 * The simulator as `alegra-sync demo` uses it (src/main.ts imports this lazily): a seeded
 * account on a free loopback port, with live activity on demand. Structurally matches the
 * DemoSimulator interface of src/cli/demo.ts (not imported: connectors never import the engine).
 */
import { randomBytes } from "node:crypto"
import { startActivity } from "./activity.js"
import { KINDS, type SimKind } from "./records.js"
import { presets, seedAccount } from "./seed.js"
import { startAlegraSimulator } from "./simulator.js"

export interface DemoSimulatorOptions {
  readonly size: "small" | "large"
  readonly requestsPerMinute: number
  /** Port of the simulator; default any free port. (Other fields of the demo's options are ignored.) */
  readonly simulatorPort?: number
}

export interface DemoSimulatorHandle {
  readonly url: string
  readonly email: string
  readonly token: string
  readonly counts: () => Readonly<Record<SimKind, number>>
  readonly startActivity: (everyMs: number, onChange: (description: string) => void) => { readonly stop: () => void }
  /** The bank account that money from other systems goes into. */
  readonly bankAccount: string
  /** The account's tax ids for IVA 16% (Mexico) and IVA 19% (Colombia). */
  readonly taxes: { readonly mx16: string; readonly co19: string }
  /** Records, as an accountant would, a transfer paying what is due on an invoice; its description. */
  readonly recordPayment: (invoiceId: string) => string | undefined
  readonly close: () => Promise<void>
}

export const startDemoSimulator = async (options: DemoSimulatorOptions): Promise<DemoSimulatorHandle> => {
  const email = "demo@empresa-demo.co"
  const token = `demo-${randomBytes(12).toString("hex")}`
  const sim = await startAlegraSimulator({
    email,
    token,
    requestsPerMinute: options.requestsPerMinute,
    ...(options.simulatorPort === undefined ? {} : { port: options.simulatorPort })
  })
  seedAccount(sim, presets[options.size])
  const bankAccount = String(sim.admin.list("bank-account")[0]!["id"])
  return {
    url: sim.url,
    email,
    token,
    counts: () => Object.fromEntries(KINDS.map((k) => [k, sim.admin.count(k)])) as Record<SimKind, number>,
    startActivity: (everyMs, onChange) => startActivity(sim, { everyMs, onChange, seed: Date.now() & 0xffff }),
    bankAccount,
    taxes: { mx16: "3", co19: "1" },
    recordPayment: (invoiceId) => {
      const invoice = sim.admin.get("invoice", invoiceId) as { balance?: string | number; numberTemplate?: unknown } | undefined
      const balance = Number(invoice?.balance ?? 0)
      if (invoice === undefined || !(balance > 0)) return undefined
      const payment = sim.admin.create("payment", {
        type: "in",
        date: new Date().toISOString().slice(0, 10),
        bankAccount: { id: bankAccount },
        paymentMethod: "transfer",
        invoices: [{ id: invoiceId, amount: balance }]
      })
      return `payment ${String(payment["id"])} of ${balance} by transfer on invoice ${invoiceId}`
    },
    close: () => sim.close()
  }
}
