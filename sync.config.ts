/**
 * alegra-sync configuration. Every field but alegra.email and alegra.token has a
 * default; the values below are those defaults unless a comment says otherwise.
 *
 * Secrets are never written here: secret("VAR") reads an environment variable and
 * secretFile("/run/secrets/x") reads a file, when the daemon starts.
 * Check the file with `alegra-sync status --config sync.config.ts`.
 */
import { defineConfig, env, secret } from "alegra-sync"

export default defineConfig({
  // The SQLite file holding links, the inbox and the mirror of Alegra (relative to this file).
  store: { path: "./data/alegra-sync.db" },

  server: {
    // Webhooks, /health and /metrics are served on this port.
    port: 8080,
    // Where Alegra can reach this server. Alegra only delivers over HTTPS: put the
    // daemon behind a TLS proxy and give its public address here.
    publicUrl: "http://127.0.0.1:8080"
    // webhookToken: secret("ALEGRA_SYNC_WEBHOOK_TOKEN"), // default: derived from the Alegra token
  },

  alegra: {
    // Settings → Integraciones → Integración manual (API) in Alegra.
    email: env("ALEGRA_EMAIL"),
    token: secret("ALEGRA_TOKEN"),
    baseUrl: "https://api.alegra.com/api/v1",
    // Alegra allows 150 requests per minute per user; the daemon never goes above this.
    requestsPerMinute: 150,
    // Register Alegra's 12 webhooks (invoices, bills, contacts, items) at start-up.
    webhooks: true
  },

  polling: {
    // Alegra has no webhooks for payments and credit notes: they are polled.
    paymentsSeconds: 60,
    paymentsRecent: 60,
    creditNotesSeconds: 300,
    creditNotesWindowDays: 30,
    // A full comparison with Alegra that catches lost webhooks, including deletes.
    sweepMinutes: 60
  },

  worker: { maxAttempts: 8, concurrency: 2 },

  // Coming next: two-way sync with HubSpot.
  hubspot: { enabled: false },

  // Stripe ↔ Alegra (see the README's direction table). Off until enabled.
  stripe: {
    enabled: false
    // apiKey: secret("STRIPE_API_KEY"),
    // webhookSecret: secret("STRIPE_WEBHOOK_SECRET"), // the endpoint <publicUrl>/webhooks/stripe
    // requestsPerSecond: 25,                          // 100 in live mode
    // bankAccount: "1",                               // Alegra bank account for Stripe money
    // taxRates: { "txr_…": "3" },                     // Stripe tax rate → Alegra tax
    // defaultItem: "1",                               // Alegra item for lines without a product
    // stamping: { enabled: false }
  }
})
