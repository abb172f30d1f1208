/**
 * `assemble`: a document in, a prompt and its report out, in named phases over plain
 * data (each in its own module, each testable alone):
 *
 * 1. settings: options checked, defaults applied ({@link settingsFrom});
 * 2. fetch: resolver calls under limits and timeouts, parsed through a bounded cache ({@link createFetcher});
 * 3. expand: the assembly tree, a row and a cause for every reference ({@link expandTree});
 * 4. measure: exact token counts of bodies, marginal costs, values ({@link measureTree});
 * 5. choose: greedy or optimal under the budget ({@link choose});
 * 6. render: the text (`renderChunks`);
 * 7. report: outcomes settled, reasons written from causes ({@link buildReport}).
 *
 * @module
 */
import type { InvalidOptionError } from '../errors.js'
import type { PromptDocument } from '../parse/document.js'
import { renderChunks } from '../render/render.js'
import { buildSourceMap, type SourceMap, withSourceMap } from '../render/source-map.js'
import type { AssemblyReport } from '../report/schema.js'
import { choose } from './choose.js'
import { expandTree } from './expand.js'
import { createFetcher } from './fetch.js'
import { measureTree } from './measure.js'
import { buildReport, settleCandidates } from './report.js'
import { type AssembleOptions, rootDocument, settingsFrom } from './settings.js'

export { fillPlaceholders } from './expand.js'
export { clearParseCache, type ParseCacheStats, parseCacheStats } from './parse-cache.js'
export type { AssembleOptions, MatchFunction } from './settings.js'

/** The timings of a report assembled with `timings: false`. */
const NO_TIMINGS = { resolveMs: 0, measureMs: 0, selectMs: 0, totalMs: 0 } as const

/** Result of {@link assemble}. */
export interface Assembly {
  /** The assembled prompt. */
  text: string
  /** What was done and why, with exact token counts. */
  report: AssemblyReport
  /**
   * Where every span of `text` came from: a file and its line and column range, or what
   * promptfold wrote itself (pointers, section headers, closing lines, separators). Computed on
   * first read; not an own enumerable property (JSON and snapshots of an assembly leave it out).
   */
  readonly sourceMap: SourceMap
}

/**
 * Assemble a prompt from a document under a token budget.
 *
 * The core is always kept; slots are inlined by value while the exactly counted text
 * fits `budget`. Throws {@link BudgetExceededError} when the core alone does not fit,
 * {@link IncludeError} when a forced `include` cannot be inlined, and
 * {@link InvalidOptionError} for bad options. Content problems never throw: they are
 * report rows with a `cause` and diagnostics.
 *
 * @param doc A document from `parseDocument`, or markdown source.
 * @param options Budget, resolver, counter, strategy, limits (see {@link AssembleOptions}).
 * @example
 * const { text, report } = await assemble(doc, { budget: 3000, resolver: fileSystemResolver({ root }) })
 */
export async function assemble(doc: PromptDocument<unknown> | string, options: AssembleOptions = {}): Promise<Assembly> {
  const t0 = performance.now()
  const settings = settingsFrom(options)
  const root = rootDocument(doc, settings)

  const fetcher = createFetcher(settings)
  const tree = await expandTree(root, settings, fetcher)
  const t1 = performance.now()

  const measured = measureTree(tree, settings)
  const t2 = performance.now()

  const choice = choose(tree, measured, settings, root.path)
  const t3 = performance.now()

  const text = renderChunks(tree.root, choice.chosen).join('')
  const totalTokens = measured.total(choice.chosen)
  settleCandidates(tree, measured, choice, settings, totalTokens)
  // `timings: false`: all 0, so that identical runs give identical reports.
  const timings = settings.timings ? { resolveMs: t1 - t0, measureMs: t2 - t1, selectMs: t3 - t2, totalMs: performance.now() - t0 } : NO_TIMINGS
  const report = buildReport(root, tree, measured, settings, totalTokens, [...tree.diagnostics, ...choice.diagnostics], timings)
  return withSourceMap({ text, report }, () => buildSourceMap(tree.root, choice.chosen))
}

