#!/usr/bin/env node
// Node 20 cannot run TypeScript, and sync.config.ts has to be loaded through tsx
// anyway: register it once here, relative to this file, then start the CLI.
import { register } from "tsx/esm/api"

register()
await import("./main.ts")
