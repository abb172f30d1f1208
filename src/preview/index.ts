/**
 * `fitPreview`: one pass over a document for several models at once. The document tree is
 * expanded (every resolver call made) once; it is then measured once per distinct local
 * counter, and chosen under each budget, giving a table of the core, each reference and
 * everything embedded, in each model's tokens, and which references each budget inlines.
 *
 * @module
 */
import { choose } from '../assemble/choose.js'
import { expandTree } from '../assemble/expand.js'
import { createFetcher } from '../assemble/fetch.js'
import { measureTree } from '../assemble/measure.js'
import { type AssembleOptions, rootDocument, type Settings, settingsFrom } from '../assemble/settings.js'
import type { AssemblyTree } from '../assemble/tree.js'
import { createTokenCounter, type TokenCounter } from '../count/index.js'
import { isEncodingName } from '../count/encodings.js'
import { BudgetExceededError, IncludeError, InvalidOptionError } from '../errors.js'
import { modelInfo } from '../models/index.js'
import type { PromptDocument } from '../parse/document.js'
import type { ReportDocument } from '../report/schema.js'

export { type FormatFitPreviewOptions, formatFitPreview } from './format.js'

/** Options of {@link fitPreview}: `assemble`'s (without `budget` and the counter options), models and budgets. */
export interface FitPreviewOptions extends Omit<AssembleOptions, 'budget' | 'counter' | 'encoding' | 'model'> {
  /**
   * The models to count for, in the table's column order: registry ids (`'openai/gpt-4o'`,
   * `'claude-sonnet-4-5'`, `'llama-3.1-8b-instruct'`; see `modelInfo`) or encoding names
   * (`'o200k_base'`). Required, at least one, no repeats.
   */
  models: readonly string[]
  /** Budgets to choose under, in tokens of each model. Default `[]` (the table only). */
  budgets?: readonly number[]
  /**
   * Local counters to use instead of a model's proxy encoding, by the id as given in
   * `models` (e.g. a counter built from the model's `tokenizer.json`). A counter given here
   * is taken as exact. Default `{}`.
   */
  counters?: Readonly<Record<string, { count(text: string): number; encoding?: string }>>
}

/** One model of a {@link FitPreview}: how its tokens were counted. */
export interface FitPreviewModel {
  /** The id as given in `models`. */
  id: string
  /** The registry's canonical id (`'anthropic/claude-sonnet-4-5'`); `null` for an encoding name. */
  model: string | null
  /** What counted: an encoding name, or the name of a counter from `counters` (`'custom'` without one). */
  counter: string
  /** Whether the counts are the model's own: `false` when a proxy encoding stands in for its tokenizer. */
  exact: boolean
  /** The model's context window when documented; `null` otherwise. */
  contextWindow: number | null
}

/** One row of the table: tokens by model, in the order of {@link FitPreview.models}. */
export interface FitPreviewRow {
  /** `core` (every slot deferred), `reference` (one inlinable slot) or `all` (every slot inlined). */
  kind: 'core' | 'reference' | 'all'
  /** The reference's target URI; `null` for `core` and `all`. */
  uri: string | null
  /** 1 for a slot of the document, 2 for a slot inside an inlined document, ...; `null` for `core` and `all`. */
  depth: number | null
  /**
   * Tokens of the assembled text, by model: `core` every slot deferred; `reference` the core
   * with this reference (and the ones holding it) inlined; `all` everything inlined.
   */
  tokens: number[]
  /** By model: tokens this reference adds to the core with the ones holding it; `null` for `core` and `all`. */
  adds: number[] | null
}

/** What one budget inlines for one model. */
export interface FitPreviewFit {
  /** The model's id as given. */
  model: string
  /** The budget, in the model's tokens. */
  budget: number
  /** Whether the core (with any `include`) fits: `false` means `assemble` would throw. */
  fits: boolean
  /** Tokens of the text `assemble` would return; `null` when it does not fit. */
  totalTokens: number | null
  /** URIs of the references inlined, in document order. */
  inlined: string[]
  /** URIs of the inlinable references left out, in document order. */
  deferred: string[]
  /** Whether the counts are the model's own (see {@link FitPreviewModel.exact}). */
  exact: boolean
}

/** The result of {@link fitPreview}. */
export interface FitPreview {
  /** The document previewed. */
  document: ReportDocument
  /** The models, in column order. */
  models: FitPreviewModel[]
  /** `core`, each inlinable reference in document order, `all`. */
  rows: FitPreviewRow[]
  /** For each budget (in the order given), each model (in column order). */
  fits: FitPreviewFit[]
}

/** A model with the counter its tokens are counted with. */
interface Column {
  info: FitPreviewModel
  counter: TokenCounter | { count(text: string): number; encoding?: string }
}

/**
 * The fit preview of a document for several models: its core, each inlinable reference
 * and everything embedded, counted for each model, and which references each budget
 * inlines for each model, as `assemble` would choose them (same strategy, query, include,
 * exclude).
 *
 * One pass: every document is resolved and parsed once; the text is measured once per
 * distinct local counter (models sharing an encoding share the counts). Models whose
 * tokenizer promptfold does not count exactly (Claude, Gemini, Llama, ...) are counted with
 * their proxy encoding and marked `exact: false`; give `counters` for exact local counts.
 *
 * @param doc - A document from `parseDocument`, or markdown source.
 * @param options - `models` (required), `budgets`, `counters`, and `assemble`'s options.
 * @returns The preview.
 * @throws `UnknownModelError` (`UNKNOWN_MODEL`) for an id the registry does not know;
 *   {@link InvalidOptionError} for bad options.
 * @example
 * const p = await fitPreview(doc, { models: ['gpt-4o', 'claude-sonnet-4-5'], budgets: [2000, 4000], resolver })
 * p.fits.filter((f) => f.budget === 2000).map((f) => f.inlined)
 */
export async function fitPreview(doc: PromptDocument<unknown> | string, options: FitPreviewOptions): Promise<FitPreview> {
  if (!options || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object with models')
  const { models, budgets = [], counters = {}, ...rest } = options
  const columns = columnsOf(models, counters)
  checkBudgets(budgets)
  const settings = settingsFrom({ ...rest, counter: createTokenCounter() })
  const root = rootDocument(doc, settings)
  const tree = await expandTree(root, settings, createFetcher(settings))
  // Stand-in lines state each deferred document's tokens in the counter measuring, so all
  // of one counter's figures are taken before the tree is measured with the next.
  const counted = new Map<object, Counted>()
  for (const c of columns) if (!counted.has(c.counter)) counted.set(c.counter, countWith(tree, settings, c.counter, budgets, root.path))
  const byColumn = columns.map((c) => counted.get(c.counter) as Counted)
  const id = (root.meta as { id?: unknown } | undefined)?.id
  return {
    document: { uri: root.uri ?? null, path: root.path ?? null, id: typeof id === 'string' ? id : null, title: root.title },
    models: columns.map((c) => c.info),
    rows: [
      { kind: 'core', uri: null, depth: null, tokens: byColumn.map((x) => x.core), adds: null },
      ...tree.candidates.map((c, k): FitPreviewRow => ({ kind: 'reference', uri: c.uri, depth: c.row.depth, tokens: byColumn.map((x) => x.withCore[k] ?? 0), adds: byColumn.map((x) => x.adds[k] ?? 0) })),
      { kind: 'all', uri: null, depth: null, tokens: byColumn.map((x) => x.all), adds: null },
    ],
    fits: budgets.flatMap((budget, b) => columns.map((c, i) => fitOf(tree, c, budget, byColumn[i]?.choices[b]))),
  }
}

/** Everything one counter gives: the table's figures and each budget's choice. */
interface Counted {
  core: number
  /** By candidate: the core with it and the ones holding it. */
  withCore: number[]
  /** By candidate: its marginal cost. */
  adds: number[]
  all: number
  /** By budget: the chosen candidates and their total, or `null` when the core does not fit. */
  choices: Array<{ chosen: Set<number>; totalTokens: number } | null>
}

function countWith(tree: AssemblyTree, settings: Settings, counter: Column['counter'], budgets: readonly number[], file: string | undefined): Counted {
  const counting = { ...settings, counter: counter as TokenCounter }
  const m = measureTree(tree, counting)
  return {
    core: m.coreTokens,
    withCore: tree.candidates.map((c) => m.total(new Set(m.ancestorsOf(c.index)).add(c.index))),
    adds: tree.candidates.map((c) => m.weights[c.index] ?? 0),
    all: m.traditional,
    choices: budgets.map((budget) => {
      try {
        const { chosen } = choose(tree, m, { ...counting, budget }, file)
        return { chosen, totalTokens: m.total(chosen) }
      } catch (err) {
        if (err instanceof BudgetExceededError || err instanceof IncludeError) return null
        throw err
      }
    }),
  }
}

function columnsOf(models: unknown, counters: FitPreviewOptions['counters']): Column[] {
  if (!Array.isArray(models) || models.length === 0 || models.some((m) => typeof m !== 'string' || m.trim() === '')) {
    throw new InvalidOptionError('models', 'must be a non-empty array of model ids or encoding names')
  }
  if (new Set(models).size !== models.length) throw new InvalidOptionError('models', 'must not name a model twice')
  if (!counters || typeof counters !== 'object') throw new InvalidOptionError('counters', 'must be an object of counters by model id')
  for (const [key, c] of Object.entries(counters)) {
    if (!models.includes(key)) throw new InvalidOptionError('counters', `${JSON.stringify(key)} is not one of models`)
    if (!c || typeof c.count !== 'function') throw new InvalidOptionError('counters', `${JSON.stringify(key)} must have a count(text) method`)
  }
  return (models as string[]).map((id): Column => {
    const own = counters[id]
    const trimmed = id.trim()
    const info = isEncodingName(trimmed) ? undefined : modelInfo(trimmed)
    const encoding = isEncodingName(trimmed) ? trimmed : (info?.tokenizer.encoding ?? 'o200k_base')
    return {
      info: {
        id,
        model: info?.id ?? null,
        counter: own ? (typeof own.encoding === 'string' ? own.encoding : 'custom') : encoding,
        exact: own !== undefined || info === undefined || info.tokenizer.exact,
        contextWindow: info?.contextWindow ?? null,
      },
      counter: own ? checkedCounter(own) : createTokenCounter({ encoding }),
    }
  })
}

/** One checking wrapper per caller's counter, as `assemble` wraps its own. */
const wrapped = new WeakMap<object, TokenCounter>()
function checkedCounter(c: { count(text: string): number; encoding?: string }): TokenCounter {
  let w = wrapped.get(c)
  if (!w) {
    w = {
      encoding: typeof c.encoding === 'string' ? c.encoding : 'custom',
      count: (t: string) => {
        const n = c.count(t)
        if (!Number.isSafeInteger(n) || n < 0) throw new InvalidOptionError('counters', `count() must return a whole number of tokens >= 0, got ${String(n)}`)
        return n
      },
    }
    wrapped.set(c, w)
  }
  return w
}

function checkBudgets(budgets: unknown): void {
  if (!Array.isArray(budgets) || budgets.some((b) => typeof b !== 'number' || Number.isNaN(b) || b < 0)) {
    throw new InvalidOptionError('budgets', 'must be an array of budgets in tokens (numbers >= 0)')
  }
}

/** What one budget inlines for one model. */
function fitOf(tree: AssemblyTree, c: Column, budget: number, choice: Counted['choices'][number] | undefined): FitPreviewFit {
  const base = { model: c.info.id, budget, exact: c.info.exact }
  if (!choice) return { ...base, fits: false, totalTokens: null, inlined: [], deferred: tree.candidates.map((x) => x.uri) }
  const uris = (inlined: boolean) => tree.candidates.filter((x) => choice.chosen.has(x.index) === inlined).map((x) => x.uri)
  return { ...base, fits: true, totalTokens: choice.totalTokens, inlined: uris(true), deferred: uris(false) }
}

