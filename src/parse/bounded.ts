/**
 * Bounded work: a synchronous function run within a limit of CPU time, and refusals remembered by the
 * digest of what was refused.
 *
 * The markdown parser (micromark) is superlinear on some inputs: nested emphasis
 * (`'*a **a '` runs, then their closers), `'a*'.repeat(20000)`, runs of 1 to 1,000 backticks,
 * a list of 300,000 items. No pre-scan can name every such input, so the parse runs with a
 * limit of CPU time: {@link runWithin} calls the function inside a `node:vm` context with a
 * `timeout`, whose watchdog stops the JavaScript running on this thread when the time is up
 * (also code defined outside the context, such as the parser), and the call throws
 * `ERR_SCRIPT_EXECUTION_TIMEOUT`. A stack overflow (`RangeError`) inside the function is a
 * refusal too. The function must leave no shared state half-written when it is stopped: the
 * parser builds everything afresh per call.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { createContext, type Context, Script } from 'node:vm'
import type { Diagnostic } from '../types.js'
import { diagnostic } from './diagnostics.js'

/** Why a bounded run was stopped: it ran past its limit of CPU time, it overflowed the stack, or (off the event loop) it needed more memory than its worker has. */
export type RefusalReason = 'time' | 'depth' | 'memory'

/** A run stopped by {@link runWithin}. */
export interface Refusal {
  /** Why it was stopped. */
  reason: RefusalReason
  /** The limit it ran under, in milliseconds of CPU time. */
  limitMs: number
}

/** The outcome of {@link runWithin}: the function's value, or why it was stopped. */
export type Bounded<T> = { ok: true; value: T } | { ok: false; refusal: Refusal }

/** The largest `timeout` `node:vm` takes (a 32-bit unsigned number of milliseconds). */
const MAX_VM_TIMEOUT = 2 ** 32 - 1

let context: Context | undefined
let script: Script | undefined
/** The function the next run of {@link script} calls (read once, synchronously, as the script starts). */
let pending: (() => unknown) | undefined

/** Whether `error` is the `node:vm` timeout. */
function isTimeout(error: unknown): boolean {
  return error !== null && typeof error === 'object' && (error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT'
}

/** Most runs of one call of {@link runWithin} (the first, and reruns after the machine was busy). */
const MAX_ATTEMPTS = 3

/** Share of a run's limit that it must have had as CPU time for a timeout to count (below: the machine was busy, run again). */
const FAIR_SHARE = 0.8

/** CPU time (user and system, all threads of the process) since `start`, in milliseconds. */
function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start)
  return (d.user + d.system) / 1000
}

/**
 * Run `fn` synchronously, stopping it once it has had `limitMs` milliseconds of CPU time, or
 * when it overflows the stack. Other errors are thrown as they are. `Infinity` (or any limit
 * past 2^32 - 1 ms) runs it with no limit (a stack overflow is still a refusal).
 *
 * The stop is a wall-clock watchdog (`node:vm`'s `timeout`), so the limit is checked against
 * the CPU time the process had meanwhile: when a run is stopped having had less than 80 % of
 * `limitMs` (other processes had the cores), it starts again from scratch with a wall-clock
 * timeout stretched by the share of a core it had (at most 3 runs, at most 20 times the
 * limit). On an idle machine the limit is wall-clock time; on a busy one a body is refused
 * for the work it needs, not for the load, and takes longer to refuse. Each call with a limit
 * costs a watchdog thread's start and stop (tens of microseconds).
 *
 * @param fn The work; it must not keep state that a stop would leave half-written (it may run more than once).
 * @param limitMs The limit, a positive number of milliseconds of CPU time.
 */
export function runWithin<T>(fn: () => T, limitMs: number): Bounded<T> {
  try {
    if (!(limitMs <= MAX_VM_TIMEOUT)) return { ok: true, value: fn() }
    context ??= createContext({ call: () => (pending as () => unknown)() })
    script ??= new Script('call()', { filename: 'promptfold-bounded.vm' })
    let timeout = Math.max(1, Math.ceil(limitMs))
    for (let attempt = 1; ; attempt++) {
      const cpu = process.cpuUsage()
      const wall = performance.now()
      pending = fn
      try {
        return { ok: true, value: script.runInContext(context, { timeout }) as T }
      } catch (error) {
        if (!isTimeout(error)) throw error
        const used = cpuSince(cpu)
        const share = used / Math.max(1, performance.now() - wall)
        if (used >= FAIR_SHARE * limitMs || attempt >= MAX_ATTEMPTS) return { ok: false, refusal: { reason: 'time', limitMs } }
        timeout = Math.min(MAX_VM_TIMEOUT, Math.ceil(limitMs * 20), Math.ceil(limitMs / Math.max(share, 0.05)))
      } finally {
        pending = undefined
      }
    }
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) return { ok: false, refusal: { reason: 'depth', limitMs } }
    throw error
  }
}

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
    return `${limitMs}:${createHash('sha256').update(text).digest('hex')}`
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
