/**
 * Async counters (`{ count(text): Promise<number> }`, what Anthropic's and Google's
 * count-tokens endpoints are) in an assembly. Selection cannot call a remote API for each
 * candidate, so {@link assembleWithCounter} chooses with a local proxy counter, then
 * verifies the final text with the async counter and drops the lowest-value inlined
 * references until the verified count fits, with a bounded number of remote calls. Counts
 * are cached by content digest (sha256) per counter ({@link cachedCounter}).
 *
 * It runs `assemble`'s phases itself (expand once, measure with the proxy, choose, then
 * verify), so the report is `assemble`'s, with `report.counter` saying which counter
 * decided what.
 *
 * @module
 */
import { sha256 } from '../platform/index.js'
import { choose } from '../assemble/choose.js'
import { expandTree, fix } from '../assemble/expand.js'
import { createFetcher } from '../assemble/fetch.js'
import { measureTree, type Measurement } from '../assemble/measure.js'
import { buildReport, settleCandidates } from '../assemble/report.js'
import { type AssembleOptions, rootDocument, type Settings, settingsFrom } from '../assemble/settings.js'
import type { AssemblyTree } from '../assemble/tree.js'
import type { Assembly } from '../assemble/index.js'
import { BudgetExceededError, IncludeError, InvalidOptionError, LimitExceededError } from '../errors.js'
import { findModelInfo } from '../models/index.js'
import type { PromptDocument } from '../parse/document.js'
import { renderChunks } from '../render/render.js'
import { buildSourceMap, withSourceMap } from '../render/source-map.js'
import type { ReportCounter, ReportCounterCheck } from '../report/schema.js'
import type { EncodingName } from './encodings.js'
import { isEncodingName } from './encodings.js'

/** A counter whose `count` may answer later (a remote API) or at once. */
export interface AsyncTokenCounter {
  /** How reports name it, e.g. `'anthropic/claude-sonnet-4-5'`. Default: `encoding`, else `'custom'`. */
  readonly name?: string
  /** Its encoding's name, when it has one. */
  readonly encoding?: string
  /** The model it counts for; its local proxy encoding (see `modelInfo`) is the default proxy. */
  readonly model?: string
  /** Tokens of `text`: a whole number >= 0, or a promise of one. */
  count(text: string): Promise<number> | number
}

/** Options of {@link assembleWithCounter}: `assemble`'s, with an async `counter`. */
export interface AssembleWithCounterOptions extends Omit<AssembleOptions, 'counter' | 'encoding' | 'model'> {
  /** The counter that verifies the final text against `budget`. Required. */
  counter: AsyncTokenCounter
  /**
   * The local counter that measures and chooses: an encoding name or a synchronous counter.
   * Default: the local proxy encoding of `counter.model` when the model registry knows it
   * (`modelInfo(model).tokenizer.encoding`), else `'o200k_base'`.
   */
  proxy?: EncodingName | { count(text: string): number; encoding?: string }
  /**
   * Most requests `counter` may make for one assembly (counts found in the cache are free).
   * Default {@link ASYNC_DEFAULTS}.maxRemoteCalls (4). The last one allowed checks the text
   * with every reference that may be dropped dropped.
   */
  maxRemoteCalls?: number
}

/** Defaults of {@link assembleWithCounter} and {@link cachedCounter}. */
export const ASYNC_DEFAULTS = { maxRemoteCalls: 4, cacheEntries: 1000 } as const

/** A counter with its counts cached by content digest, and how the cache did. */
export interface CachedCounter extends AsyncTokenCounter {
  /** Tokens of `text`, from the cache when this text (by sha256 of its UTF-8) was counted before. */
  count(text: string): Promise<number>
  /** Counts asked for so far, found in the cache (`hits`) and sent to the counter (`misses`). */
  stats(): { hits: number; misses: number; size: number }
  /** Whether `text`'s count is in the cache (settled or on its way). */
  has(text: string): boolean
}

const cached = new WeakMap<object, CachedCounter>()

/**
 * The caching wrapper of `counter`: one per counter object (so every assembly with the same
 * counter shares it), keyed by the sha256 digest of the text, at most
 * {@link ASYNC_DEFAULTS}.cacheEntries (1,000) counts, oldest out first. A failed count is not
 * cached. An answer that is not a whole number >= 0 rejects with {@link InvalidOptionError}.
 *
 * @param counter - Any counter with `count(text)` (sync or async).
 * @returns The shared caching wrapper (the same object for the same `counter`).
 * @throws {@link InvalidOptionError} when `counter` has no `count` method.
 */
export function cachedCounter(counter: AsyncTokenCounter): CachedCounter {
  if (!counter || typeof counter.count !== 'function') throw new InvalidOptionError('counter', 'must have a count(text) method')
  if (cached.has(counter)) return cached.get(counter) as CachedCounter
  const counts = new Map<string, Promise<number>>()
  let hits = 0
  let misses = 0
  const key = (text: string) => sha256(text, 'hex')
  const wrapper: CachedCounter = {
    name: counterName(counter),
    ...(counter.encoding !== undefined ? { encoding: counter.encoding } : {}),
    ...(counter.model !== undefined ? { model: counter.model } : {}),
    count(text: string): Promise<number> {
      const k = key(text)
      const found = counts.get(k)
      if (found) {
        hits++
        return found
      }
      misses++
      const p = Promise.resolve()
        .then(() => counter.count(text))
        .then((n) => {
          if (!Number.isSafeInteger(n) || n < 0) throw new InvalidOptionError('counter', `count() must give a whole number of tokens >= 0, got ${String(n)}`)
          return n
        })
      p.catch(() => counts.delete(k))
      if (counts.size >= ASYNC_DEFAULTS.cacheEntries) counts.delete(counts.keys().next().value as string)
      counts.set(k, p)
      return p
    },
    stats: () => ({ hits, misses, size: counts.size }),
    has: (text: string) => counts.has(key(text)),
  }
  cached.set(counter, wrapper)
  cached.set(wrapper, wrapper)
  return wrapper
}

/** How a report names a counter. */
function counterName(c: AsyncTokenCounter): string {
  return typeof c.name === 'string' && c.name !== '' ? c.name : typeof c.encoding === 'string' && c.encoding !== '' ? c.encoding : 'custom'
}

/** The checked options: settings for the proxy, the verifier, the call bound. */
interface AsyncSettings {
  settings: Settings
  verifier: CachedCounter
  maxRemoteCalls: number
}

function asyncSettings(options: AssembleWithCounterOptions): AsyncSettings {
  if (!options || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object with a counter')
  const { counter, proxy, maxRemoteCalls = ASYNC_DEFAULTS.maxRemoteCalls, ...rest } = options
  if (!counter || typeof counter.count !== 'function') throw new InvalidOptionError('counter', 'must have a count(text) method (assembleWithCounter needs the counter that verifies)')
  if (!Number.isInteger(maxRemoteCalls) || maxRemoteCalls < 1) throw new InvalidOptionError('maxRemoteCalls', `must be an integer >= 1, got ${String(maxRemoteCalls)}`)
  const chosen = proxy ?? findModelInfo(counter.model ?? '')?.tokenizer.encoding ?? 'o200k_base'
  let proxyOptions: Pick<AssembleOptions, 'encoding' | 'counter'>
  if (typeof chosen === 'string') {
    if (!isEncodingName(chosen)) throw new InvalidOptionError('proxy', `must be an encoding name (o200k_base, cl100k_base) or a counter, got ${JSON.stringify(chosen)}`)
    proxyOptions = { encoding: chosen }
  } else proxyOptions = { counter: chosen }
  return { settings: settingsFrom({ ...rest, ...proxyOptions }), verifier: cachedCounter(counter), maxRemoteCalls }
}

/** The verification loop's state. */
interface Verification {
  checks: ReportCounterCheck[]
  remoteCalls: number
  cachedCounts: number
  dropped: number[]
}

/**
 * Assemble with an async counter: choose with a local proxy, verify with `counter`.
 *
 * 1. The document tree is expanded once and measured with the proxy (see
 *    {@link AssembleWithCounterOptions.proxy}); the selection is `assemble`'s under `budget`.
 *    When the proxy finds the core alone over `budget`, the core is counted by `counter`:
 *    over the budget it is {@link BudgetExceededError} (with the verified minimum), else the
 *    choice is made again under the budget scaled by the core's calibration.
 * 2. The chosen text is counted by `counter`. While it is over `budget`, the lowest-value
 *    inlined references (later first on ties, each with what is nested in it; never an
 *    `include`d one) are dropped until the proxy count times the calibration of the last
 *    check (verified / proxy) fits, and the text is counted again.
 * 3. At most `maxRemoteCalls` requests; the last one allowed checks the text with every
 *    droppable reference dropped. Counts are cached by sha256 per counter, so texts seen
 *    before cost nothing.
 *
 * The report is `assemble`'s, its counts in the proxy's encoding (`report.encoding`);
 * `report.counter` names the proxy and the verifier and gives the verified total, the
 * calibration, the remote calls, the cache hits, the dropped URIs and every check. With a
 * verifier, `BUDGET` reasons are in its tokens: `left` is the budget minus the verified
 * total, `needs` the proxy's marginal cost times the calibration, rounded up.
 *
 * @param doc - A document from `parseDocument`, or markdown source.
 * @param options - `assemble`'s options (without `encoding`/`model`), `counter` (required), `proxy`, `maxRemoteCalls`.
 * @returns The assembly: text and report, `report.counter` set.
 * @throws {@link BudgetExceededError} when the core alone does not fit by `counter`'s count;
 *   {@link IncludeError} when `include`d references do not fit; {@link LimitExceededError}
 *   (`LIMIT_EXCEEDED`, limit `maxRemoteCalls`) when the text is over the budget and no call is
 *   left to check a smaller one; the counter's own errors (`RemoteCounterError`); and
 *   {@link InvalidOptionError} for bad options.
 * @example
 * const counter = anthropicCounter({ apiKey, model: 'claude-sonnet-4-5' })
 * const { text, report } = await assembleWithCounter(doc, { counter, budget: 8000, resolver })
 * report.counter // { proxy: 'o200k_base', verifier: 'anthropic/claude-sonnet-4-5', verifiedTokens: 7912, ... }
 */
export async function assembleWithCounter(doc: PromptDocument<unknown> | string, options: AssembleWithCounterOptions): Promise<Assembly> {
  const t0 = performance.now()
  const { settings, verifier, maxRemoteCalls } = asyncSettings(options)
  const root = rootDocument(doc, settings)
  const tree = await expandTree(root, settings, createFetcher(settings))
  const t1 = performance.now()
  const m = measureTree(tree, settings)
  const t2 = performance.now()
  const v: Verification = { checks: [], remoteCalls: 0, cachedCounts: 0, dropped: [] }
  const check = async (set: ReadonlySet<number>): Promise<number> => {
    const text = renderChunks(tree.root, set).join('')
    if (verifier.has(text)) v.cachedCounts++
    else if (v.remoteCalls >= maxRemoteCalls) throw noCallLeft(v, verifier, settings.budget, maxRemoteCalls)
    else v.remoteCalls++
    const verifiedTokens = await verifier.count(text)
    v.checks.push({ proxyTokens: m.total(set), verifiedTokens })
    return verifiedTokens
  }
  const first = await firstChoice(tree, m, settings, root.path, check)
  const { chosen, forced } = first
  const verifiedTokens = await verifyLoop(tree, m, settings, { chosen, forced, maxRemoteCalls, v, verifier }, check)
  const t3 = performance.now()
  const totalTokens = m.total(chosen)
  settleCandidates(tree, m, { ...first, chosen }, settings, totalTokens)
  const calibration = totalTokens > 0 ? Math.round((verifiedTokens / totalTokens) * 1000) / 1000 : null
  restateBudgetRows(tree, m, settings, verifiedTokens, calibration)
  // `timings: false` (an assemble option): all 0, as assemble does.
  const measured = (settings as { timings?: boolean }).timings !== false
  const timings = measured ? { resolveMs: t1 - t0, measureMs: t2 - t1, selectMs: t3 - t2, totalMs: performance.now() - t0 } : { resolveMs: 0, measureMs: 0, selectMs: 0, totalMs: 0 }
  const report = buildReport(root, tree, m, settings, totalTokens, [...tree.diagnostics, ...first.diagnostics], timings)
  const counter: ReportCounter = {
    proxy: settings.counter.encoding ?? 'custom',
    verifier: verifier.name ?? 'custom',
    verifiedTokens,
    calibration,
    remoteCalls: v.remoteCalls,
    cachedCounts: v.cachedCounts,
    dropped: v.dropped.map((i) => tree.candidates[i]?.uri ?? ''),
    checks: v.checks,
  }
  return withSourceMap({ text: renderChunks(tree.root, chosen).join(''), report: { ...report, counter } }, () => buildSourceMap(tree.root, chosen))
}

type Check = (set: ReadonlySet<number>) => Promise<number>

/**
 * The proxy's choice under the budget; when the proxy finds the core over the budget, the
 * core's verified count decides: over, {@link BudgetExceededError}; else the choice under the
 * budget scaled by the core's calibration.
 */
async function firstChoice(tree: AssemblyTree, m: Measurement, settings: Settings, file: string | undefined, check: Check): Promise<ReturnType<typeof choose>> {
  try {
    return choose(tree, m, settings, file)
  } catch (err) {
    if (!(err instanceof BudgetExceededError) || !Number.isFinite(settings.budget)) throw err
    const core = await check(new Set())
    if (core > settings.budget) throw new BudgetExceededError(settings.budget, core, { file })
    const scaled = Math.floor((settings.budget * m.coreTokens) / Math.max(1, core))
    return choose(tree, m, { ...settings, budget: scaled }, file)
  }
}

/**
 * Checks the chosen text with the verifier and drops references until it fits; `chosen`
 * is changed in place. Returns the verified tokens of the final text.
 */
async function verifyLoop(
  tree: AssemblyTree,
  m: Measurement,
  settings: Settings,
  state: { chosen: Set<number>; forced: ReadonlySet<number>; maxRemoteCalls: number; v: Verification; verifier: CachedCounter },
  check: Check,
): Promise<number> {
  const { chosen, forced, v } = state
  const budget = settings.budget
  let verified = await check(chosen)
  while (verified > budget) {
    const droppable = [...chosen].filter((i) => !forced.has(i))
    if (droppable.length === 0) {
      if (forced.size > 0) {
        const uris = [...settings.include].join(', ')
        throw new IncludeError(uris, `Cannot include ${uris}: the text with them counts ${verified} tokens by ${state.verifier.name ?? 'custom'}, over the budget of ${budget}`)
      }
      throw new BudgetExceededError(budget, verified)
    }
    const ratio = verified / Math.max(1, m.total(chosen))
    const last = v.remoteCalls + 1 >= state.maxRemoteCalls
    v.dropped.push(...dropLowest(tree, m, chosen, forced, (set) => !last && m.total(set) * ratio <= budget))
    verified = await check(chosen)
  }
  return verified
}

/** The error when the text is over the budget and no remote call is left to check a smaller one. */
function noCallLeft(v: Verification, verifier: CachedCounter, budget: number, maxRemoteCalls: number): LimitExceededError {
  const last = v.checks[v.checks.length - 1]
  const counted = last ? `The text counts ${last.verifiedTokens} tokens by ${verifier.name ?? 'custom'}, over the budget of ${budget}, and` : 'No text was checked yet and'
  return new LimitExceededError('maxRemoteCalls', `${counted} maxRemoteCalls (${maxRemoteCalls}) leaves no call to check a smaller one`)
}

/**
 * Drops chosen candidates, lowest value first (later first on ties), each with the chosen
 * candidates nested in it, until `fits` holds or nothing droppable is left; at least one is
 * dropped. Returns the dropped candidates in the order dropped.
 */
function dropLowest(tree: AssemblyTree, m: Measurement, chosen: Set<number>, forced: ReadonlySet<number>, fits: (set: ReadonlySet<number>) => boolean): number[] {
  const order = [...chosen].filter((i) => !forced.has(i)).sort((a, b) => (m.values[a] ?? 0) - (m.values[b] ?? 0) || b - a)
  const dropped: number[] = []
  for (const i of order) {
    if (!chosen.has(i)) continue
    chosen.delete(i)
    dropped.push(i)
    for (const c of tree.candidates) {
      if (chosen.has(c.index) && m.ancestorsOf(c.index).has(i)) {
        chosen.delete(c.index)
        dropped.push(c.index)
      }
    }
    if (fits(chosen)) break
  }
  return dropped
}

/** `BUDGET` rows restated in the verifier's tokens (see {@link assembleWithCounter}). */
function restateBudgetRows(tree: AssemblyTree, m: Measurement, settings: Settings, verifiedTokens: number, calibration: number | null): void {
  if (!Number.isFinite(settings.budget)) return
  for (const c of tree.candidates) {
    if (c.row.cause !== 'BUDGET') continue
    const weight = m.weights[c.index] ?? 0
    fix(c.row, 'BUDGET', { needs: calibration === null ? weight : Math.ceil(weight * calibration), left: Math.max(0, Math.floor(settings.budget) - verifiedTokens) })
  }
}

