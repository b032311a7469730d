import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AlegraSimulator, presets, seedAccount, startAlegraSimulator } from "../../connectors/alegra/simulator/index.js"
import { type CliProcess, runCli, type TestConfig, waitFor, writeConfig } from "../support/process.js"
import { count, cursor, mirrorRecord } from "../support/store.js"

const email = "auditoria@empresa-demo.co"
const token = "sim-token-sweep-a41c77"

describe("the sweep", () => {
  let sim: AlegraSimulator
  let config: TestConfig
  let daemon: CliProcess
  // The sweep is one of the hub's pollers: its cursor is the engine's poll:alegra:sweep.
  const sweeps = () => (cursor(config.storePath, "poll:alegra:sweep") as { finishedAt?: number } | undefined)?.finishedAt ?? 0

  beforeAll(async () => {
    sim = await startAlegraSimulator({ email, token, requestsPerMinute: 6000 })
    seedAccount(sim, presets.small)
    // A sweep every 3 seconds.
    config = await writeConfig({ alegraUrl: sim.url, email, token, polling: { sweepMinutes: 0.05 } })
    daemon = runCli(["run", "--config", config.file], config.env)
    await waitFor("the first sweep", () => sweeps() > 0, { timeoutMs: 60_000 })
  })
  afterAll(async () => {
    await daemon?.stop("SIGKILL")
    await sim?.close()
  })

  it("catches a change and a delete whose webhooks never came", async () => {
    const contact = sim.admin.list("contact")[1] as { id: string }
    const item = sim.admin.create("item", { name: "Broca 1/4", reference: "BRO-14", price: 5600 }, { silent: true }) as {
      id: string
    }
    const delivered = sim.stats.deliveries().length
    sim.faults.dropWebhooks(2)
    sim.admin.update("contact", contact.id, { email: "nuevo-correo@cliente.co" })
    await sim.waitForDeliveries()
    expect(sim.stats.deliveries().length).toBe(delivered)

    await waitFor("the sweep to find the lost change and the silent create", () =>
      (mirrorRecord(config.storePath, "contact", contact.id) as { email?: string })?.email === "nuevo-correo@cliente.co" &&
      mirrorRecord(config.storePath, "item", item.id) !== undefined, { timeoutMs: 30_000 })
    expect(count(config.storePath, "SELECT count(*) AS n FROM inbox WHERE system = 'alegra' AND channel = 'sweep' AND record_id = ?", contact.id))
      .toBeGreaterThan(0)

    sim.faults.dropWebhooks(1)
    sim.admin.remove("item", item.id)
    await waitFor("the sweep to find the lost delete", () => mirrorRecord(config.storePath, "item", item.id) === undefined, {
      timeoutMs: 30_000
    })
  })

  it("re-registers a webhook Alegra dropped", async () => {
    const subscription = sim.admin.subscriptions().find((s) => s.event === "edit-item")!
    sim.admin.removeSubscription(subscription.id)
    await waitFor("edit-item registered again", () => sim.admin.subscriptions().some((s) => s.event === "edit-item"), {
      timeoutMs: 30_000
    })
    expect(sim.admin.subscriptions()).toHaveLength(12)
  })
})
