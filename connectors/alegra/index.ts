/** The Alegra connector: the REST client implementing the `Alegra` port. */
export { makeAlegraHttp } from "./client.js"
export type { AlegraClientOptions, AlegraHttp, AlegraRequest } from "./client.js"
export { AlegraLive, makeAlegra, makeAlegraPort } from "./layer.js"
export { decodeRecord, fromWire } from "./mapping.js"
export { listQuery, PAGE_LIMIT, resources } from "./resources.js"
export { eventFor, parseWebhook, stripScheme, webhookEvents } from "./webhooks.js"
