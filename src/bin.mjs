#!/usr/bin/env node
// The alegra-sync command: runs the compiled CLI that `npm run build` writes to dist/.
import module from "node:module"
import { setFlagsFromString } from "node:v8"

// Most of a short command's start-up is V8 compiling the bundle; Node 22.1+ can keep the
// compiled code between runs (the container's Node does; Node 20 has no such API).
module.enableCompileCache?.()

// A backfill's live heap stays small (about 30 MB for 50,000 records), but V8 lets the old
// space grow to about four times the live size between full collections, so memory grew
// with the account. Growing it by a third instead keeps the peak flat for a little more
// CPU (test/bench: backfill peak RSS, 5,000 vs 50,000 records).
setFlagsFromString("--heap-growing-percent=30")

// The bundle is minified: a debug log's stack traces are mapped back to the sources.
if (process.env.LOG_LEVEL?.toLowerCase() === "debug") process.setSourceMapsEnabled(true)

try {
  await import("../dist/main.js")
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/main.js")) {
    process.stderr.write("alegra-sync: the compiled program (dist/) is missing — run `npm run build` first\n")
    process.exit(1)
  }
  throw error
}
