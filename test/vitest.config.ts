import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    setupFiles: ["test/support/setup.ts"],
    include: ["test/**/*.test.ts", "connectors/**/*.test.ts", "src/**/*.test.ts", "schema/**/*.test.ts"],
    // Integration tests start real processes and HTTP servers: generous, but bounded.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } }
  }
})
