import type { BackfillProgress, BackfillSummary } from "../backfill/backfill.js"

const pad = (text: string | number, width: number, right = false) =>
  right ? String(text).padStart(width) : String(text).padEnd(width)

/** A one-line live progress display for a terminal (rewritten in place). */
export const progressLine = (totals: ReadonlyMap<string, number>, current: BackfillProgress, startedAt: number) => {
  const done = [...totals.values()].reduce((a, b) => a + b, 0)
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(0)
  return `\r\x1b[2Kbackfill: ${current.kind} ${current.read} read${current.done ? " ✓" : "…"}  (${done} records, ${seconds}s)`
}

/** The final summary: per kind the records read and stored, requests, 429s and time. */
export const formatSummary = (summary: BackfillSummary): string => {
  const header = `${pad("kind", 14)}${pad("read", 8, true)}${pad("stored", 8, true)}${pad("removed", 9, true)}${
    pad("requests", 10, true)
  }${pad("429s", 6, true)}${pad("seconds", 9, true)}`
  const rows = summary.kinds.map((k) =>
    `${pad(k.kind, 14)}${pad(k.read, 8, true)}${pad(k.stored, 8, true)}${pad(k.removed, 9, true)}${
      pad(k.requests, 10, true)
    }${pad(k.rateLimited, 6, true)}${pad((k.elapsedMs / 1000).toFixed(1), 9, true)}${k.resumedDone ? "  (done earlier)" : ""}`
  )
  const total = `${pad("total", 14)}${pad(summary.records, 8, true)}${
    pad(summary.kinds.reduce((s, k) => s + k.stored, 0), 8, true)
  }${pad(summary.kinds.reduce((s, k) => s + k.removed, 0), 9, true)}${pad(summary.requests, 10, true)}${
    pad(summary.rateLimited, 6, true)
  }${pad((summary.elapsedMs / 1000).toFixed(1), 9, true)}`
  return [
    header,
    ...rows,
    total,
    `${summary.requests} requests in ${(summary.elapsedMs / 1000).toFixed(1)} s; busiest minute ${summary.busiestMinute} requests, Alegra allows ${summary.limitPerMinute}${
      summary.resumed ? "; resumed from a checkpoint" : ""
    }`
  ].join("\n")
}
