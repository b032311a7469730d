/**
 * Leases: one daemon per store (and one backfill). A holder renews its lease well
 * within its time to live; a crashed holder stops renewing and its lease expires,
 * and on the same host a holder whose process is gone is recognised at once (a
 * restarted container is the same host with the same pid: that is us, again).
 */
import type { SqlClient } from "@effect/sql"
import { Clock, Effect, Option, Schema } from "effect"
import { hostname } from "node:os"
import { StoreError } from "./errors.js"
import type { WriteTransaction } from "./transaction.js"

export interface LeaseHolder {
  /** Unique per process start. */
  readonly id: string
  readonly host: string
  readonly pid: number
}

export interface Lease extends LeaseHolder {
  readonly name: string
  readonly acquiredAt: number
  readonly renewedAt: number
  readonly expiresAt: number
}

const LeaseRow = Schema.Struct({
  name: Schema.String,
  holder: Schema.String,
  host: Schema.String,
  pid: Schema.Number,
  acquired_at: Schema.Number,
  renewed_at: Schema.Number,
  expires_at: Schema.Number
})
const decodeLease = (raw: unknown): Lease => {
  const row = Schema.decodeUnknownSync(LeaseRow)(raw)
  return {
    name: row.name,
    id: row.holder,
    host: row.host,
    pid: row.pid,
    acquiredAt: row.acquired_at,
    renewedAt: row.renewed_at,
    expiresAt: row.expires_at
  }
}

/** Whether a process of this host is running (EPERM: it runs, as another user). */
const processRuns = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** The lease can be taken over: expired, or its holder is provably gone. */
const abandoned = (lease: Lease, me: LeaseHolder, now: number): boolean =>
  lease.expiresAt <= now ||
  (lease.host === me.host && (lease.pid === me.pid || !processRuns(lease.pid)))

export const currentHolder = (id: string): LeaseHolder => ({ id, host: hostname(), pid: process.pid })

const describeHolder = (lease: Lease, now: number) =>
  `pid ${lease.pid} on ${lease.host}, last seen ${Math.max(0, Math.round((now - lease.renewedAt) / 1000))} s ago`

export const makeLeases = (sql: SqlClient.SqlClient, wt: WriteTransaction, file: string) => {
  const read = (name: string) =>
    Effect.map(sql`SELECT * FROM leases WHERE name = ${name}`, (rows) => Option.map(Option.fromNullable(rows[0]), decodeLease))

  return {
    get: Effect.fn("Store.leases.get")(function*(name: string) {
      return yield* read(name)
    }),

    /** Leases held now (not expired), by name. */
    held: Effect.fn("Store.leases.held")(function*() {
      const now = yield* Clock.currentTimeMillis
      const rows = yield* sql`SELECT * FROM leases WHERE expires_at > ${now} ORDER BY name`
      return rows.map(decodeLease) as ReadonlyArray<Lease>
    }),

    /**
     * Takes the lease for `ttlMs`, or fails with StoreError "in-use" naming who holds
     * it and what to do. `what` says what the lease guards, for that message.
     */
    acquire: Effect.fn("Store.leases.acquire")(function*(name: string, me: LeaseHolder, ttlMs: number, what: string) {
      const now = yield* Clock.currentTimeMillis
      return yield* wt(Effect.gen(function*() {
        const current = yield* read(name)
        if (Option.isSome(current) && current.value.id !== me.id && !abandoned(current.value, me, now)) {
          return yield* new StoreError({
            reason: "in-use",
            path: file,
            message: `${what} already runs on the store ${file} (${describeHolder(current.value, now)}) — stop it first, or give this one another store.path`
          })
        }
        yield* sql`INSERT INTO leases (name, holder, host, pid, acquired_at, renewed_at, expires_at)
          VALUES (${name}, ${me.id}, ${me.host}, ${me.pid}, ${now}, ${now}, ${now + ttlMs})
          ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, host = excluded.host, pid = excluded.pid,
            acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at, expires_at = excluded.expires_at`
      }))
    }),

    /** Extends the lease; false when it is no longer ours (we were too slow and it was taken over). */
    renew: Effect.fn("Store.leases.renew")(function*(name: string, me: LeaseHolder, ttlMs: number) {
      const now = yield* Clock.currentTimeMillis
      const rows = yield* wt(sql<{ name: string }>`UPDATE leases SET renewed_at = ${now}, expires_at = ${now + ttlMs}
        WHERE name = ${name} AND holder = ${me.id} RETURNING name`)
      return rows.length > 0
    }),

    /** Gives the lease back (only ours). */
    release: Effect.fn("Store.leases.release")(function*(name: string, me: LeaseHolder) {
      yield* wt(sql`DELETE FROM leases WHERE name = ${name} AND holder = ${me.id}`)
    })
  }
}

export type Leases = ReturnType<typeof makeLeases>
