import Database from "better-sqlite3"

/** Reads the daemon's SQLite file directly, read-only, as an operator would. */
export const readStore = <A>(file: string, read: (db: Database.Database) => A): A => {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    db.pragma("busy_timeout = 5000")
    return read(db)
  } finally {
    db.close()
  }
}

export interface MirrorRow {
  readonly kind: string
  readonly id: string
  readonly content: unknown
  readonly hash: string
}

export const mirrorRows = (file: string, kind?: string): Array<MirrorRow> =>
  readStore(file, (db) =>
    (kind === undefined
      ? db.prepare("SELECT kind, id, content, hash FROM alegra_records WHERE deleted_at IS NULL").all()
      : db.prepare("SELECT kind, id, content, hash FROM alegra_records WHERE kind = ? AND deleted_at IS NULL").all(kind) as Array<any>)
      .map((row: any) => ({ ...row, content: JSON.parse(row.content) })))

export const mirrorRecord = (file: string, kind: string, id: string): unknown =>
  readStore(file, (db) => {
    const row = db.prepare("SELECT content FROM alegra_records WHERE kind = ? AND id = ? AND deleted_at IS NULL").get(kind, id) as
      | { content: string }
      | undefined
    return row === undefined ? undefined : JSON.parse(row.content)
  })

export const cursor = (file: string, name: string): unknown =>
  readStore(file, (db) => {
    const row = db.prepare("SELECT value FROM cursors WHERE name = ?").get(name) as { value: string } | undefined
    return row === undefined ? undefined : JSON.parse(row.value)
  })

export const count = (file: string, sql: string, ...params: Array<unknown>): number =>
  readStore(file, (db) => Number((db.prepare(sql).get(...params) as Record<string, unknown>)["n"] ?? 0))
