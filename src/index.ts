/** What the package exports for sync.config.ts files. */
export { defineConfig, env, secret, secretFile } from "./config/define.js"
export type { SyncConfigInput } from "./config/schema.js"
