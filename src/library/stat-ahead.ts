/**
 * Stats taken ahead: the files a stored library index lists, statted on a worker thread while
 * the calling thread walks the root (see `loadLibrary`). A module of its own, so that what
 * imports the walk alone (serve's early listing) loads no worker_threads.
 *
 * @module
 */
import { availableParallelism } from 'node:os'
import * as nodePath from 'node:path'
import { Worker } from 'node:worker_threads'
import type { ReadStat } from './scan.js'

/**
 * Stats of listed files taken ahead on another thread (see {@link statAhead}), as `statSync`
 * gives them, for a caller that goes through the same files in list order and stats each one
 * the thread has not reached yet itself.
 */
export interface StatsAhead {
  /**
   * The stat of file `i` of the list (size, modification and change times, inode: `out`
   * filled, `true`) when the thread took it and found a regular file; `false` otherwise (stat it
   * yourself). The thread stops before the files asked for, so they are never statted twice.
   */
  take(i: number, out: ReadStat): boolean
  /** Stop the thread (its stats are no longer needed). */
  stop(): void
  /** Whether the thread has published a result for every file (none is left for the caller). */
  finished(): boolean
  /** Settles when the thread has ended (its last stat published, or stopped, or failed). */
  readonly ended: Promise<void>
}

/** Fewest files for which {@link statAhead} starts a thread: below it, a walk ends before a thread has started. */
export const STAT_AHEAD_MIN_FILES = 8192

/**
 * The thread's code (CommonJS, evaluated): stat each file from the last one back, publishing
 * each result (`state[i]`: 1 a regular file, its stat in `values`, 2 anything else), until it
 * reaches the files the caller has gone through (`state[n]`, written by the caller). A path with
 * a `..` segment is not statted (it would lead out of the root); nothing is when the list does
 * not have `n` paths.
 */
const STAT_AHEAD_CODE = `
const { workerData } = require('node:worker_threads')
const { statSync } = require('node:fs')
const { prefix, paths, n, values, state } = workerData
const list = paths.split('\\n')
const options = { throwIfNoEntry: false }
const up = /(^|\\/)\\.\\.(\\/|$)/
for (let i = n - 1; list.length === n && i >= 0 && i >= Atomics.load(state, n); i--) {
  let s
  try {
    s = up.test(list[i]) ? undefined : statSync(prefix + list[i], options)
  } catch {
    s = undefined
  }
  if (s !== undefined && s.isFile()) {
    values[4 * i] = s.size
    values[4 * i + 1] = s.mtimeMs
    values[4 * i + 2] = s.ctimeMs
    values[4 * i + 3] = s.ino
    Atomics.store(state, i, 1)
  } else Atomics.store(state, i, 2)
}
`

/**
 * Start statting the `count` files at `paths` (one a line, relative to the real root `base`,
 * `/`-separated, not through a symbolic link) on a worker thread, from the last one back, while
 * the calling thread walks the root: a caller that then goes through them in order (see
 * {@link StatsAhead.take}) finds the later ones already statted. A stat is taken as `statSync`
 * takes it, when the thread gets to it (before the caller asks, never before this call): a file
 * changed after that is seen as changed by the next load, as one changed after a stat on the
 * calling thread. `undefined` when there are fewer than `minFiles` files, when the process has
 * one CPU to run on (the thread would take turns with the caller), or no thread can be started.
 */
export function statAhead(base: string, paths: string, count: number, minFiles = STAT_AHEAD_MIN_FILES): StatsAhead | undefined {
  const n = count
  if (!Number.isInteger(n) || n <= 0 || n < minFiles || typeof SharedArrayBuffer !== 'function' || availableParallelism() < 2) return undefined
  const values = new Float64Array(new SharedArrayBuffer(8 * 4 * n))
  const state = new Int32Array(new SharedArrayBuffer(4 * (n + 1)))
  let worker: Worker
  try {
    const prefix = base.endsWith(nodePath.sep) ? base : base + nodePath.sep
    worker = new Worker(STAT_AHEAD_CODE, { eval: true, workerData: { prefix, paths, n, values, state }, resourceLimits: { maxOldGenerationSizeMb: 64 } })
  } catch {
    return undefined
  }
  // Its stats are a help, never needed: it keeps no process alive, and a failure of it is ignored (the caller stats what it did not).
  worker.unref()
  worker.on('error', () => undefined)
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  let stopped = false
  return {
    ended,
    // The thread goes from the last file back: the first one's result is published last.
    finished: () => !stopped && Atomics.load(state, 0) !== 0,
    take(i, out) {
      if (stopped || i < 0 || i >= n) return false
      // Claimed first: the thread starts no stat of a file at or before `i` from now on.
      if (Atomics.load(state, n) <= i) Atomics.store(state, n, i + 1)
      if (Atomics.load(state, i) !== 1) return false
      out.size = values[4 * i] as number
      out.mtimeMs = values[4 * i + 1] as number
      out.ctimeMs = values[4 * i + 2] as number
      out.ino = values[4 * i + 3] as number
      return true
    },
    stop() {
      if (stopped) return
      stopped = true
      Atomics.store(state, n, n)
      void worker.terminate().catch(() => undefined)
    },
  }
}
