/**
 * The raw pipeline floor for the backfill: the same list GETs the product made, to the same
 * simulator, done with raw parts only — undici's request() on one keep-alive connection (the
 * HTTP client under the product's, so the ratio is about what runs above it), JSON.parse,
 * canonical JSON (keys sorted at every level), sha256, and better-sqlite3 prepared statements:
 * one transaction per page holding its rows and a checkpoint row, like the product's store.
 * Plain JavaScript, so that nothing but this work runs.
 *
 *   BENCH_AUTH="Basic …" node --import test/bench/probe.mjs test/bench/raw-backfill.mjs <plan.json> <store.db>
 *
 * plan.json: { "origin": "http://127.0.0.1:PORT", "paths": ["/api/v1/invoices?start=0&limit=30…", …] }
 * Prints { records, pages } as JSON.
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import Database from "better-sqlite3"
import { Agent, request } from "undici"

const [planFile, storePath] = process.argv.slice(2)
if (planFile === undefined || storePath === undefined) {
  process.stderr.write("usage: raw-backfill.mjs <plan.json> <store.db>\n")
  process.exit(2)
}
const plan = JSON.parse(readFileSync(planFile, "utf8"))
const auth = process.env.BENCH_AUTH ?? ""

const db = new Database(storePath)
db.pragma("journal_mode = WAL")
db.pragma("synchronous = NORMAL")
db.exec(`CREATE TABLE IF NOT EXISTS records (
  kind TEXT NOT NULL, id TEXT NOT NULL, content TEXT NOT NULL, hash TEXT NOT NULL,
  seen_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (kind, id))`)
db.exec("CREATE INDEX IF NOT EXISTS records_seen ON records (kind, seen_at)")
db.exec("CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, updated_at INTEGER NOT NULL)")
const upsert = db.prepare(`INSERT INTO records (kind, id, content, hash, seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (kind, id) DO UPDATE SET content = excluded.content, hash = excluded.hash,
  seen_at = excluded.seen_at, updated_at = excluded.updated_at`)
const checkpoint = db.prepare(`INSERT INTO cursors (name, value, updated_at) VALUES ('raw-backfill', ?, ?)
  ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
const writePage = db.transaction((rows, path, now) => {
  for (const row of rows) upsert.run(row.kind, row.id, row.content, row.hash, now, now)
  checkpoint.run(path, now)
})

const sortKeys = (value) => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== "object") return value
  const sorted = {}
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key])
  return sorted
}

const agent = new Agent({ connections: 1 })
const get = async (path) => {
  const response = await request(`${plan.origin}${path}`, { dispatcher: agent, headers: { authorization: auth, accept: "application/json" } })
  const text = await response.body.text()
  if (response.statusCode !== 200) throw new Error(`GET ${path}: ${response.statusCode} ${text.slice(0, 200)}`)
  return text
}

const seen = new Map()
let records = 0
for (const path of plan.paths) {
  const kind = new URL(path, plan.origin).pathname.split("/").pop()
  const body = JSON.parse(await get(path))
  const list = Array.isArray(body) ? body : body.data
  const ids = seen.get(kind) ?? new Set()
  seen.set(kind, ids)
  const rows = []
  for (const record of list) {
    const id = String(record.id)
    // A payment is listed once per category line: store it once, as the product does.
    if (ids.has(id)) continue
    ids.add(id)
    const content = JSON.stringify(sortKeys(record))
    rows.push({ kind, id, content, hash: createHash("sha256").update(content).digest("hex") })
  }
  writePage(rows, path, Date.now())
  records += rows.length
}
await agent.close()
db.close()
process.stdout.write(`${JSON.stringify({ records, pages: plan.paths.length })}\n`)
