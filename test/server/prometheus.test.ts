import { Effect, Metric, MetricBoundaries } from "effect"
import { describe, expect, it } from "vitest"
import { registryFamilies, renderPrometheus } from "../../src/server/prometheus.js"

/** The registry is global to the process: render only this test's metrics. */
const render = (prefix: string) =>
  renderPrometheus(registryFamilies(Metric.unsafeSnapshot().filter((p) => p.metricKey.name.startsWith(prefix))))

describe("Prometheus text from the Metric registry", () => {
  it("renders counters, gauges, histograms, summaries and frequencies with their tags", async () => {
    const requests = Metric.counter("prom_a.requests-total", { description: "requests\nsent" })
    const depth = Metric.gauge("prom_a_depth")
    const latency = Metric.histogram("prom_a_latency_ms", MetricBoundaries.fromIterable([10, 100]))
    const sizes = Metric.summary({ name: "prom_a_size", maxAge: "1 minute", maxSize: 10, error: 0, quantiles: [0.5] })
    const outcomes = Metric.frequency("prom_a_outcome")
    await Effect.runPromise(Effect.gen(function*() {
      yield* Metric.incrementBy(Metric.tagged(requests, "path", "/a\"b\\c"), 2)
      yield* Metric.set(depth, 4)
      for (const ms of [5, 50, 500]) yield* Metric.update(Metric.tagged(latency, "kind", "invoice"), ms)
      for (const size of [2, 2, 2]) yield* Metric.update(sizes, size)
      for (const outcome of ["ok", "ok", "failed"]) yield* Metric.update(outcomes, outcome)
    }))
    expect(render("prom_a")).toBe([
      "# HELP prom_a_requests_total requests\\nsent",
      "# TYPE prom_a_requests_total counter",
      'prom_a_requests_total{path="/a\\"b\\\\c"} 2',
      "# TYPE prom_a_depth gauge",
      "prom_a_depth 4",
      "# TYPE prom_a_latency_ms histogram",
      'prom_a_latency_ms_bucket{kind="invoice",le="10"} 1',
      'prom_a_latency_ms_bucket{kind="invoice",le="100"} 2',
      'prom_a_latency_ms_bucket{kind="invoice",le="+Inf"} 3',
      'prom_a_latency_ms_sum{kind="invoice"} 555',
      'prom_a_latency_ms_count{kind="invoice"} 3',
      "# TYPE prom_a_size summary",
      'prom_a_size{quantile="0.5"} 2',
      "prom_a_size_sum 6",
      "prom_a_size_count 3",
      "# TYPE prom_a_outcome counter",
      'prom_a_outcome{key="ok"} 2',
      'prom_a_outcome{key="failed"} 1',
      ""
    ].join("\n"))
  })

  it("keeps one family per name, the registered metric before a hand-kept one", async () => {
    await Effect.runPromise(Metric.increment(Metric.counter("prom_b_total")))
    const handKept = { name: "prom_b_total", type: "counter" as const, help: undefined, samples: [{ suffix: "", labels: [], value: 99 }] }
    const text = renderPrometheus([
      ...registryFamilies(Metric.unsafeSnapshot().filter((p) => p.metricKey.name.startsWith("prom_b"))),
      handKept
    ])
    expect(text).toBe("# TYPE prom_b_total counter\nprom_b_total 1\n")
  })
})
