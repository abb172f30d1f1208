/**
 * Bounded work: a synchronous function run within a limit of CPU time, and refusals remembered by the
 * digest of what was refused.
 *
 * The markdown parser (micromark) is superlinear on some inputs: nested emphasis
 * (`'*a **a '` runs, then their closers), `'a*'.repeat(20000)`, runs of 1 to 1,000 backticks,
 * a list of 300,000 items. No pre-scan can name every such input, so the parse runs with a
 * limit of CPU time: `runWithin` (the platform's: `src/platform/vm.ts` in Node) calls the function inside a `node:vm` context with a
 * `timeout`, whose watchdog stops the JavaScript running on this thread when the time is up
 * (also code defined outside the context, such as the parser), and the call throws
 * `ERR_SCRIPT_EXECUTION_TIMEOUT`. A stack overflow (`RangeError`) inside the function is a
 * refusal too. The function must leave no shared state half-written when it is stopped: the
 * parser builds everything afresh per call.
 *
 * @module
 */
import { sha256 } from '../platform/index.js'
import type { Diagnostic } from '../types.js'
import { diagnostic } from './diagnostics.js'

export { runWithin } from '../platform/index.js'

/** Why a bounded run was stopped: it ran past its limit of CPU time, it overflowed the stack, or (off the event loop) it needed more memory than its worker has. */
export type RefusalReason = 'time' | 'depth' | 'memory'

/** A run stopped by `runWithin`. */
export interface Refusal {
  /** Why it was stopped. */
  reason: RefusalReason
  /** The limit it ran under, in milliseconds of CPU time. */
  limitMs: number
}

/** The outcome of `runWithin`: the function's value, or why it was stopped. */
export type Bounded<T> = { ok: true; value: T } | { ok: false; refusal: Refusal }

/** How many refusals a {@link RefusalMemo} keeps by default. */
export const REFUSAL_MEMO_ENTRIES = 256

/**
 * Refusals remembered by the SHA-256 of the refused text (and the limit it ran under),
 * least recently used first out: asking again for a text that was refused costs a digest,
 * not another run to the limit. Only digests are kept, never the texts.
 */
export class RefusalMemo {
  readonly #entries = new Map<string, Refusal>()
  readonly #max: number

  /** @param max Most refusals kept. Default {@link REFUSAL_MEMO_ENTRIES}. */
  constructor(max: number = REFUSAL_MEMO_ENTRIES) {
    this.#max = max
  }

  /** The key of `text` parsed under `limitMs` (the digest is computed once per call). */
  key(text: string, limitMs: number): string {
    return `${limitMs}:${sha256(text, 'hex')}`
  }

  /** The refusal remembered for `key`, if any. */
  get(key: string): Refusal | undefined {
    const found = this.#entries.get(key)
    if (found !== undefined) {
      this.#entries.delete(key)
      this.#entries.set(key, found)
    }
    return found
  }

  /** Remember `refusal` for `key`. */
  set(key: string, refusal: Refusal): void {
    this.#entries.delete(key)
    this.#entries.set(key, refusal)
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
    }
  }

  /** How many refusals are kept. */
  get size(): number {
    return this.#entries.size
  }

  /** Forget every refusal. */
  clear(): void {
    this.#entries.clear()
  }
}

/**
 * A refused parse in words (the message of a `PARSE_LIMIT` diagnostic): the one place that
 * words it.
 */
export function describeRefusal(refusal: Refusal): string {
  const why =
    refusal.reason === 'time'
      ? `the markdown could not be parsed within ${refusal.limitMs} ms of CPU time (some constructs, such as long runs of unmatched emphasis or backticks, make the parser superlinear)`
      : refusal.reason === 'memory'
        ? 'the markdown could not be parsed within the memory of the parser'
        : 'the markdown nests too deeply to be parsed'
  return `${why[0]?.toUpperCase()}${why.slice(1)}: the body is kept as plain text, its sections and references were not read`
}

/**
 * The diagnostic of a refused parse: `PARSE_LIMIT` (error), worded by {@link describeRefusal},
 * at the first line of the body.
 *
 * @param refusal Why the body was refused.
 * @param where The document's file and the line its body starts on.
 */
export function refusalDiagnostic(refusal: Refusal, where: { file?: string | undefined; line?: number | undefined } = {}): Diagnostic {
  return diagnostic('PARSE_LIMIT', 'error', describeRefusal(refusal), where)
}
