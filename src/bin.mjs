#!/usr/bin/env node
// The alegra-sync command: runs the compiled CLI that `npm run build` writes to dist/.
import module from "node:module"

// Most of a short command's start-up is V8 compiling the bundle; Node 22.1+ can keep the
// compiled code between runs (the container's Node does; Node 20 has no such API).
module.enableCompileCache?.()

try {
  await import("../dist/main.js")
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/main.js")) {
    process.stderr.write("alegra-sync: the compiled program (dist/) is missing — run `npm run build` first\n")
    process.exit(1)
  }
  throw error
}
