/**
 * `alegra-sync dead-letters`: the changes that failed for a reason retrying cannot fix, with
 * the message of the system that refused them; `--replay <id>` or `--replay-all` offers them
 * again once the cause is fixed (the config, or the record at its source). It works on the
 * store only, like `status`: a running daemon picks replayed changes up within a second.
 */
import { Console, Effect, Option } from "effect"
import { loadLocalConfig } from "../config/index.js"
import { type DeadLetter, Store, withStoreErrors } from "../store/index.js"
import { UsageError } from "./failure.js"
import { storeLayer } from "./layers.js"

export interface DeadLettersOptions {
  readonly config: string
  readonly json: boolean
  readonly replay: Option.Option<number>
  readonly replayAll: boolean
}

const describe = (letter: DeadLetter) =>
  `#${letter.id}  ${new Date(letter.createdAt).toISOString()}  ${letter.system} ${letter.kind} ${letter.recordId} (${letter.channel}): ${letter.error.message}`


const deadLetters = (options: DeadLettersOptions) =>
  Effect.gen(function*() {
    const store = yield* Store
    const waiting = yield* store.deadLetters.list({ includeReplayed: false })
    const ids = options.replayAll ? waiting.map((l) => l.id) : Option.toArray(options.replay)
    if (ids.length > 0) {
      for (const id of ids) {
        const replayed = yield* store.deadLetters.replay(id)
        if (Option.isNone(replayed)) return yield* new UsageError({ message: `no dead letter #${id}: \`alegra-sync dead-letters\` lists them` })
      }
      return yield* Console.log(options.json ? JSON.stringify({ replayed: ids }) : `${ids.length} replayed: they are tried again by the daemon`)
    }
    if (options.json) return yield* Console.log(JSON.stringify(waiting, null, 2))
    yield* Console.log(waiting.length === 0 ? "no dead letters" : waiting.map(describe).join("\n"))
  })

export const deadLettersCommand = (options: DeadLettersOptions) =>
  Effect.gen(function*() {
    const config = yield* loadLocalConfig(options.config)
    yield* deadLetters(options).pipe(Effect.provide(storeLayer(config.store.path)), withStoreErrors(config.store.path))
  })
