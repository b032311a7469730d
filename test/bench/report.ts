/** Figures, each with its baseline, ratio and goal; the summary table and the JSON output. */

/** The issue's sections, numbered as in its goals; the summary keeps this order. */
export const Section = {
  startup: "1 start-up",
  memory: "2 memory",
  cpu: "3 cpu",
  reruns: "4 re-runs",
  ingest: "5 ingest",
  rateLimit: "6 rate limit",
  realLimit: "7 real limit",
  beside: "8 beside the daemon"
} as const

export type Comparison = "<" | "<=" | ">=" | "="

export interface GoalSpec {
  /** What the goal is about: the figure itself or its ratio to the baseline. */
  readonly on: "value" | "ratio"
  readonly op: Comparison
  readonly target: number
}

export interface Figure {
  readonly section: string
  readonly name: string
  readonly value: number
  readonly unit: string
  readonly baseline: { readonly name: string; readonly value: number } | null
  readonly ratio: number | null
  readonly goal: (GoalSpec & { readonly text: string; readonly pass: boolean }) | null
}

const compare = (x: number, op: Comparison, target: number): boolean =>
  Number.isFinite(x) && (op === "<" ? x < target : op === "<=" ? x <= target : op === ">=" ? x >= target : x === target)

const opText: Record<Comparison, string> = { "<": "<", "<=": "≤", ">=": "≥", "=": "=" }

export const formatNumber = (x: number): string => {
  if (!Number.isFinite(x)) return "n/a"
  const abs = Math.abs(x)
  if (abs >= 100 || Number.isInteger(x)) return Math.round(x).toLocaleString("en-US")
  if (abs >= 10) return x.toFixed(1)
  if (abs >= 1) return x.toFixed(2)
  return x.toPrecision(2)
}

const withUnit = (x: number, unit: string) => `${formatNumber(x)}${unit === "" ? "" : ` ${unit}`}`

export const makeFigure = (
  section: string,
  name: string,
  value: number,
  unit: string,
  options: { readonly baseline?: { readonly name: string; readonly value: number }; readonly goal?: GoalSpec } = {}
): Figure => {
  const baseline = options.baseline ?? null
  const ratio = baseline === null ? null : value / baseline.value
  const goal = options.goal
  return {
    section,
    name,
    value,
    unit,
    baseline,
    ratio,
    goal: goal === undefined ? null : {
      ...goal,
      text: goal.on === "ratio" ? `ratio ${opText[goal.op]} ${goal.target}` : `${opText[goal.op]} ${withUnit(goal.target, unit)}`,
      pass: compare(goal.on === "ratio" ? ratio ?? Number.NaN : value, goal.op, goal.target)
    }
  }
}

/** One line per figure as it is measured. */
export const describeFigure = (f: Figure): string => {
  const parts = [`  ${f.name}: ${withUnit(f.value, f.unit)}`]
  if (f.baseline !== null) parts.push(`vs ${f.baseline.name} ${withUnit(f.baseline.value, f.unit)} → ratio ${formatNumber(f.ratio ?? Number.NaN)}`)
  if (f.goal !== null) parts.push(`(goal ${f.goal.text}: ${f.goal.pass ? "PASS" : "FAIL"})`)
  return parts.join("  ")
}

const pad = (s: string, n: number) => s + " ".repeat(Math.max(0, n - [...s].length))

/** The summary table: every figure, its baseline and ratio, its goal and PASS/FAIL. */
export const summaryTable = (figures: ReadonlyArray<Figure>): string => {
  const ordered = [...figures].sort((a, b) => parseInt(a.section, 10) - parseInt(b.section, 10))
  const rows = ordered.map((f) => [
    f.section,
    f.name,
    withUnit(f.value, f.unit),
    f.baseline === null ? "" : withUnit(f.baseline.value, f.unit),
    f.ratio === null ? "" : formatNumber(f.ratio),
    f.goal?.text ?? "",
    f.goal === null ? "" : f.goal.pass ? "PASS" : "FAIL"
  ])
  const header = ["section", "figure", "measured", "baseline", "ratio", "goal", "result"]
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...r[i]!].length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => pad(c, widths[i]!)).join("  ").trimEnd()
  const goals = figures.filter((f) => f.goal !== null)
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    `${goals.filter((f) => f.goal!.pass).length} of ${goals.length} goals met`
  ].join("\n")
}

/** Collects figures and details; prints each figure as it comes (to stderr under --json, keeping stdout for the JSON). */
export class Recorder {
  readonly figures: Array<Figure> = []
  readonly details: Record<string, unknown> = {}

  constructor(private readonly json: boolean) {}

  log(line: string): void {
    ;(this.json ? process.stderr : process.stdout).write(`${line}\n`)
  }

  add(...args: Parameters<typeof makeFigure>): Figure {
    const figure = makeFigure(...args)
    this.figures.push(figure)
    this.log(describeFigure(figure))
    return figure
  }

  detail(key: string, value: unknown): void {
    this.details[key] = value
  }
}
