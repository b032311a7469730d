import type { SecretRef, SyncConfigInput } from "./schema.js"

/** Gives sync.config.ts its types; the file is checked again when it is loaded. */
export const defineConfig = (config: SyncConfigInput): SyncConfigInput => config

/** A secret read from an environment variable at start-up. */
export const secret = (env: string): SecretRef => ({ env })

/** A secret read from a file at start-up (Docker and Kubernetes secrets). */
export const secretFile = (file: string): SecretRef => ({ file })

/** A plain setting read from an environment variable at start-up. */
export const env = (name: string): { readonly env: string } => ({ env: name })
