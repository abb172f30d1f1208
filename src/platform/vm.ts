/**
 * A synchronous call run with a limit of CPU time, in Node: inside a `node:vm` context whose
 * `timeout` watchdog stops the JavaScript running on this thread (see `src/parse/bounded.ts`).
 *
 * @module
 */
import { createContext, type Context, Script } from 'node:vm'
import type { Bounded } from '../parse/bounded.js'

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
