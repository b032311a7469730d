/**
 * /metrics in Prometheus' text format (0.0.4). Everything counted with an Effect
 * `Metric` anywhere in the process appears here without being listed: the registry's
 * snapshot is rendered as it is, labels from the metric's tags.
 */
import { Metric, MetricState, Option } from "effect"
import type { MetricPair } from "effect"

export type FamilyType = "counter" | "gauge" | "histogram" | "summary"

export interface Sample {
  /** Appended to the family's name (`_bucket`, `_sum`, `_count`), or "". */
  readonly suffix: string
  readonly labels: ReadonlyArray<readonly [string, string]>
  readonly value: number | bigint
}

/** One metric name with its type and every labelled sample of it. */
export interface Family {
  readonly name: string
  readonly type: FamilyType
  readonly help: string | undefined
  readonly samples: ReadonlyArray<Sample>
}

/** Prometheus names allow [a-zA-Z_:][a-zA-Z0-9_:]*; anything else (dots, dashes) becomes "_". */
const metricName = (name: string) => name.replace(/[^a-zA-Z0-9_:]/g, "_").replace(/^(?=[0-9])/, "_")
const labelName = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, "_").replace(/^(?=[0-9])/, "_")
const labelValue = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")
const number = (value: number | bigint) =>
  typeof value === "bigint"
    ? value.toString()
    : Number.isNaN(value)
    ? "NaN"
    : value === Infinity
    ? "+Inf"
    : value === -Infinity
    ? "-Inf"
    : String(value)

type Labels = ReadonlyArray<readonly [string, string]>

/** The samples of one registered metric, by the kind of its state. */
const samplesOf = (state: MetricState.MetricState.Untyped, labels: Labels): { type: FamilyType; samples: Array<Sample> } => {
  if (MetricState.isCounterState(state)) return { type: "counter", samples: [{ suffix: "", labels, value: state.count }] }
  if (MetricState.isGaugeState(state)) return { type: "gauge", samples: [{ suffix: "", labels, value: state.value }] }
  if (MetricState.isHistogramState(state)) {
    const buckets = state.buckets.map(([le, n]): Sample => ({ suffix: "_bucket", labels: [...labels, ["le", number(le)]], value: n }))
    // Prometheus needs the +Inf bucket; Effect's boundaries usually end with it already.
    const hasInf = state.buckets.some(([le]) => le === Infinity)
    return {
      type: "histogram",
      samples: [
        ...buckets,
        ...(hasInf ? [] : [{ suffix: "_bucket", labels: [...labels, ["le", "+Inf"]] as Labels, value: state.count }]),
        { suffix: "_sum", labels, value: state.sum },
        { suffix: "_count", labels, value: state.count }
      ]
    }
  }
  if (MetricState.isSummaryState(state)) {
    return {
      type: "summary",
      samples: [
        ...state.quantiles.flatMap(([q, value]) =>
          Option.isSome(value) ? [{ suffix: "", labels: [...labels, ["quantile", String(q)]] as Labels, value: value.value }] : []
        ),
        { suffix: "_sum", labels, value: state.sum },
        { suffix: "_count", labels, value: state.count }
      ]
    }
  }
  if (MetricState.isFrequencyState(state)) {
    // A frequency counts occurrences of each value: one counter sample per value.
    return {
      type: "counter",
      samples: [...state.occurrences].map(([key, n]) => ({ suffix: "", labels: [...labels, ["key", key]] as Labels, value: n }))
    }
  }
  return { type: "gauge", samples: [] }
}

/** Every metric in the registry, grouped into families by name. */
export const registryFamilies = (
  snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped> = Metric.unsafeSnapshot()
): ReadonlyArray<Family> => {
  const families = new Map<string, { type: FamilyType; help: string | undefined; samples: Array<Sample> }>()
  for (const { metricKey, metricState } of snapshot) {
    const name = metricName(metricKey.name)
    const labels: Labels = metricKey.tags.map((tag) => [labelName(tag.key), tag.value] as const)
    const { samples, type } = samplesOf(metricState, labels)
    const family = families.get(name)
    if (family === undefined) {
      families.set(name, { type, help: Option.getOrUndefined(metricKey.description), samples })
    } else {
      family.samples.push(...samples)
    }
  }
  return [...families].map(([name, f]) => ({ name, ...f }))
}

/** The text exposition of `families`; a later family with a name already seen is left out. */
export const renderPrometheus = (families: ReadonlyArray<Family>): string => {
  const seen = new Set<string>()
  const lines: Array<string> = []
  for (const family of families) {
    if (seen.has(family.name)) continue
    seen.add(family.name)
    if (family.help !== undefined) lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`)
    lines.push(`# TYPE ${family.name} ${family.type}`)
    for (const sample of family.samples) {
      const labels = sample.labels.length === 0
        ? ""
        : `{${sample.labels.map(([k, v]) => `${k}="${labelValue(v)}"`).join(",")}}`
      lines.push(`${family.name}${sample.suffix}${labels} ${number(sample.value)}`)
    }
  }
  return `${lines.join("\n")}\n`
}
