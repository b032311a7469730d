import type { Redacted } from "effect"

/** How Alegra's changes are captured: the config's `server`, `alegra.webhooks` and `polling` values. */
export interface AlegraCaptureOptions {
  /** The secret last segment of the webhook URL (`server.webhookToken`). */
  readonly webhookToken: Redacted.Redacted<string>
  /** Where Alegra reaches this install (`server.publicUrl`), without a trailing slash. */
  readonly publicUrl: string
  /** Register Alegra's webhooks at start-up and keep them registered (`alegra.webhooks`). */
  readonly registerWebhooks: boolean
  readonly paymentsSeconds: number
  /** How many of the newest payments are re-read every time (void/open keep the id). */
  readonly paymentsRecent: number
  readonly creditNotesSeconds: number
  readonly creditNotesWindowDays: number
  readonly sweepMinutes: number
}

/** The path Alegra delivers to; the token makes it unguessable. */
export const WEBHOOK_PATH = "/webhooks/alegra/"
