/**
 * Markdown parsed off the event loop: a worker thread that runs the parser, driven step by
 * step by the segmented parse of `markdown.ts`, within the same limit of CPU time as a parse on
 * the calling thread. A server uses it to parse documents in the background without holding
 * its event loop; what it finds (a tree, or a refusal) is handed to the next synchronous parse
 * of the same body (see `parseMarkdownOffThread` in `markdown.ts`).
 *
 * The worker is started on first use with the markdown stack the calling code uses: the
 * bundled `markdown-engine.cjs` next to the built code, or (running from source) the packages
 * themselves. One body is parsed at a time. The limit counts the CPU time of the process less
 * the time the calling thread's event loop was busy (the worker's own CPU time is not available
 * in Node 20); past it, or past 512 MB of heap, the worker is terminated and the body refused.
 *
 * @module
 */
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Root } from 'mdast'
import type { EncodingName } from '../count/encodings.js'
import { type RankTable, type RankTableFields, tableFromFields } from '../count/ranks.js'
import { localRequire } from '../platform/require.js'
import type { Bounded, Refusal } from './bounded.js'

/** Heap limit of the parser's worker, in MB (a body that needs more is refused for `memory`). */
export const OFF_THREAD_HEAP_MB = 512

/** How often the limit is checked while the worker parses, in milliseconds. */
const CHECK_EVERY_MS = 25

/** The worker's code (CommonJS, evaluated): load the stack, then parse each batch of texts it is sent. */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads')
const load = workerData.cjs
  ? Promise.resolve(require(workerData.cjs))
  : Promise.all(workerData.esm.map((u) => import(u))).then(([u, r]) => ({ unified: u.unified, remarkParse: r.default }))
load.then((engine) => {
  const processor = engine.unified().use(engine.remarkParse).freeze()
  parentPort.on('message', (m) => {
    if (m.ranks !== undefined) {
      try {
        parentPort.postMessage({ id: m.id, fields: require(workerData.ranks).rankTableFieldsOf(m.ranks) })
      } catch (error) {
        parentPort.postMessage({ id: m.id, error: String(error && error.message) })
      }
      return
    }
    try {
      parentPort.postMessage({ id: m.id, trees: m.texts.map((t) => processor.parse(t)) })
    } catch (error) {
      const depth = error instanceof RangeError && /call stack/i.test(error.message)
      parentPort.postMessage({ id: m.id, error: depth ? 'depth' : String(error && error.message) })
    }
  })
  parentPort.postMessage({ ready: true })
}, (error) => parentPort.postMessage({ failed: String(error && error.message) }))
`

/** The built module that gives the worker a rank table (`dist/rank-table.cjs`, src/count/rank-table-worker.ts), when there is one next to the running code. */
function ranksSource(): string | undefined {
  try {
    return localRequire().resolve('./rank-table.cjs')
  } catch {
    return undefined
  }
}

/** Where the worker loads the markdown stack from, or undefined when it cannot be found. */
function engineSource(): { cjs: string } | { esm: string[] } | undefined {
  const require = localRequire()
  try {
    return { cjs: require.resolve('./markdown-engine.cjs') }
  } catch {
    // Running from source: the packages themselves.
  }
  try {
    return { esm: [require.resolve('unified'), require.resolve('remark-parse')].map((p) => pathToFileURL(p).href) }
  } catch {
    return undefined
  }
}

/** A started worker and the answers it owes. */
interface Running {
  worker: Worker
  ready: Promise<boolean>
  /** Whether the worker can build rank tables (see {@link rankTableOffThread}). */
  ranks: boolean
  pending: Map<number, { resolve: (answer: unknown) => void; reject: (error: unknown) => void }>
}

let running: Running | undefined
let nextId = 1
/** Bodies parse one at a time: the limit of one must not count another's work. */
let queue: Promise<unknown> = Promise.resolve()

class Stopped extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.reason)
  }
}

function start(): Running | undefined {
  if (running) return running
  const source = engineSource()
  if (source === undefined) return undefined
  const ranks = ranksSource()
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: { ...source, ranks }, resourceLimits: { maxOldGenerationSizeMb: OFF_THREAD_HEAP_MB } })
  const pending = new Map<number, { resolve: (answer: unknown) => void; reject: (error: unknown) => void }>()
  let settle: (ok: boolean) => void = () => undefined
  const ready = new Promise<boolean>((resolve) => {
    settle = resolve
  })
  const self: Running = { worker, ready, ranks: ranks !== undefined, pending }
  worker.on('message', (m: { ready?: true; failed?: string; id?: number; trees?: Root[]; fields?: RankTableFields; error?: string }) => {
    if (m.ready) return settle(true)
    if (m.failed !== undefined) return settle(false)
    const waiting = m.id === undefined ? undefined : pending.get(m.id)
    if (!waiting || m.id === undefined) return
    pending.delete(m.id)
    if (m.trees) waiting.resolve(m.trees)
    else if (m.fields) waiting.resolve(m.fields)
    else waiting.reject(m.error === 'depth' ? new Stopped({ reason: 'depth', limitMs: 0 }) : new Error(m.error))
  })
  const fail = (error: unknown) => {
    settle(false)
    if (running === self) running = undefined
    const memory = (error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
    for (const w of pending.values()) w.reject(memory ? new Stopped({ reason: 'memory', limitMs: 0 }) : error)
    pending.clear()
  }
  worker.on('error', fail)
  worker.on('exit', () => fail(new Error('the parser worker stopped')))
  // Never what keeps a process alive (after the listeners: adding one refs the worker again).
  worker.unref()
  running = self
  return self
}

/**
 * The rank table of `encoding` built on the worker thread (started if need be), the same table
 * `loadRankTable` builds here: for a server that would otherwise build it on its event loop
 * when it first counts (see `expectRankTable`). `undefined` when no worker can be started or
 * the built package has no `rank-table.cjs` (running from the sources), or it fails.
 *
 * @param encoding - A supported encoding.
 */
export async function rankTableOffThread(encoding: EncodingName): Promise<RankTable | undefined> {
  const r = start()
  if (!r || !r.ranks || !(await r.ready)) return undefined
  const id = nextId++
  try {
    const fields = await new Promise<unknown>((resolve, reject) => {
      r.pending.set(id, { resolve, reject })
      r.worker.postMessage({ id, ranks: encoding })
    })
    return tableFromFields(fields as RankTableFields)
  } catch {
    return undefined
  }
}

/** Stop the worker (it is started again on the next parse). */
export function stopParseWorker(): void {
  const r = running
  running = undefined
  if (r) void r.worker.terminate()
}

/**
 * Drive `steps` (the segmented parse of a body) with the worker, within `limitMs` of CPU time.
 * Resolves to the tree, a refusal, or undefined when no worker can be started here or the tree
 * is too deep to send back (the caller then parses on its own thread).
 */
export function driveOffThread(steps: Generator<string[], Root, Root[]>, limitMs: number): Promise<Bounded<Root> | undefined> {
  const run = queue.then(() => drive(steps, limitMs))
  queue = run.catch(() => undefined)
  return run
}

async function drive(steps: Generator<string[], Root, Root[]>, limitMs: number): Promise<Bounded<Root> | undefined> {
  const r = start()
  if (!r || !(await r.ready)) return undefined
  const cpu = process.cpuUsage()
  const loop = performance.eventLoopUtilization()
  let timer: NodeJS.Timeout | undefined
  const overLimit = new Promise<never>((_, reject) => {
    if (!(limitMs <= 2 ** 31)) return
    timer = setInterval(() => {
      const used = process.cpuUsage(cpu)
      const busy = performance.eventLoopUtilization(loop).active
      if ((used.user + used.system) / 1000 - busy >= limitMs) reject(new Stopped({ reason: 'time', limitMs }))
    }, CHECK_EVERY_MS)
    timer.unref()
  })
  overLimit.catch(() => undefined)
  try {
    let step = steps.next()
    while (!step.done) {
      const id = nextId++
      const texts = step.value
      const trees = new Promise<Root[]>((resolve, reject) => {
        r.pending.set(id, { resolve: (answer) => resolve(answer as Root[]), reject })
        r.worker.postMessage({ id, texts })
      })
      step = steps.next(await Promise.race([trees, overLimit]))
    }
    return { ok: true, value: step.value }
  } catch (error) {
    if (!(error instanceof Stopped)) throw error
    // Too deep for the worker (its parse, or the copy of the tree sent back, overflowed the
    // stack): the calling thread decides, by parsing the body itself.
    if (error.refusal.reason === 'depth') return undefined
    stopParseWorker()
    return { ok: false, refusal: { ...error.refusal, limitMs } }
  } finally {
    if (timer !== undefined) clearInterval(timer)
  }
}
