/**
 * `skillCatalog`: the block of a system prompt that lets a model choose skills (Agent Skills
 * "tier 1": each skill's name, description and location), listing the skills most relevant to
 * a query that fit a token budget, with a report of what was listed and left out and why.
 *
 * Exactness: every line of the block starts with `<` (XML) or `-`/`#` (markdown) and every
 * skill's block ends with a line break, so with the built-in encodings no token spans two
 * blocks (see `isSafeCut` in src/render/measure.ts) and the text's count is exactly the
 * wrapper's tokens plus the listed skills' tokens. A custom counter that does not add up that
 * way is detected (the sum differs from a fresh count of the text, or the sums fitted no skill
 * under a budget) and the selection is then made again with a fresh count of the whole text for
 * every candidate.
 *
 * @module
 */
import { createTokenCounter, type TokenCounter } from '../count/index.js'
import { InvalidOptionError } from '../errors.js'
import type { Library, LibraryEntry } from './library.js'

/** How the catalog is written: `<available_skills>` XML (the Agent Skills recommendation) or a markdown list. */
export type CatalogFormat = 'xml' | 'markdown'

/** Formats of {@link skillCatalog}, in documentation order. */
export const CATALOG_FORMATS: readonly CatalogFormat[] = ['xml', 'markdown']

/** Whether a skill is in the catalog. */
export type CatalogDecision = 'listed' | 'omitted'

/**
 * Why a skill was listed or left out:
 * - `FITS`: listed; it fitted in what the skills before it left of the budget.
 * - `BUDGET`: omitted; it did not fit in what the skills ranked before it left (without a
 *   query every omission is `BUDGET`; with one, those of skills that match the query).
 * - `NOT_RELEVANT`: omitted; it matches nothing of the query, so it came after every skill
 *   that does, and it did not fit in what they left. A skill that matches nothing but fits is
 *   still listed (`FITS`, `score` 0).
 * - `NO_DESCRIPTION`: omitted; its `SKILL.md` has no description (missing or blank), and a
 *   model chooses skills by their descriptions (clients skip such skills, as the Agent
 *   Skills integration guide advises).
 */
export type CatalogCause = 'FITS' | 'BUDGET' | 'NOT_RELEVANT' | 'NO_DESCRIPTION'

/** Every {@link CatalogCause}, in documentation order. */
export const CATALOG_CAUSES: readonly CatalogCause[] = ['FITS', 'BUDGET', 'NOT_RELEVANT', 'NO_DESCRIPTION']

/**
 * What a skill's location says: `'path'` its `SKILL.md` path relative to the library root
 * (`documents/pdf-processing/SKILL.md`), `'absolute'` the absolute path of that file (below the
 * library's real root), or a function of the entry returning the text to show (a URL, a
 * `skill://` URI, a path in a sandbox).
 */
export type CatalogLocation = 'path' | 'absolute' | ((entry: LibraryEntry) => string)

/** What {@link skillCatalog} uses of a library: a loaded `Library` has it all. */
export type CatalogLibrary = Pick<Library, 'root' | 'entries' | 'match'>

/** Options of {@link skillCatalog}. */
export interface SkillCatalogOptions {
  /** Most tokens of the whole text, the wrapper included. Default: no limit (every skill with a description is listed). */
  budget?: number
  /**
   * The task: skills are ranked by `library.match(query)` (best first, ties by name), and
   * skills that match nothing come after them in name order. Default (or blank): every skill
   * in name order.
   */
  query?: string
  /** `'xml'` (default) or `'markdown'`. */
  format?: CatalogFormat
  /** Counter to measure with. Default: the shared `o200k_base` counter (`createTokenCounter()`). */
  counter?: TokenCounter
  /** What each skill's location says. Default `'path'`. */
  location?: CatalogLocation
}

/** One skill in a {@link CatalogReport}. */
export interface CatalogSkillReport {
  /** The skill's name (frontmatter `name`, else its folder's name). */
  name: string
  /** Its `SKILL.md`, relative to the library root. */
  path: string
  /** Its canonical URI (`skill://<skill-path>`: the folder from the root, or the root's name for a skill at the root). */
  uri: string
  /**
   * Exact tokens of the skill's block (its lines in the catalog, line break included); `0`
   * for a skill without a description (it has no block). With the built-in encodings, the
   * listed skills' tokens plus `wrapperTokens` make `totalTokens` exactly.
   */
  tokens: number
  decision: CatalogDecision
  cause: CatalogCause
  /** With a query: the skill's match score (`0` when it matches nothing). Absent without a query. */
  score?: number
}

/** What {@link skillCatalog} decided, as plain JSON. */
export interface CatalogReport {
  format: CatalogFormat
  /** The budget, or `null` when none was given. */
  budget: number | null
  /** The query, or `null` when none (or a blank one) was given. */
  query: string | null
  /** The counter's encoding (`o200k_base`, or a custom counter's name). */
  encoding: string
  /** Exact tokens of `text`: `0` when nothing is listed (the text is then empty). */
  totalTokens: number
  /**
   * Tokens of the wrapper alone (`<available_skills>` and `</available_skills>` lines, or the
   * markdown heading). It counts against the budget with the first skill listed; when no
   * skill is listed there is no wrapper in the text, and it is not in `totalTokens`.
   */
  wrapperTokens: number
  /** Every skill of the library, in the order they were considered (rank order). */
  skills: CatalogSkillReport[]
  /** Skills listed. */
  listed: number
  /** Skills left out. */
  omitted: number
}

/** The catalog text and its report. */
export interface SkillCatalog {
  /**
   * The block to put in a system prompt; ends with a line break. Empty when no skill is
   * listed (no skills in the library, or none fits): an empty `<available_skills>` element
   * would tell the model there are no skills at all.
   */
  text: string
  report: CatalogReport
}

/** One sentence per cause, the one place where causes become prose. */
const CAUSE_TEXT: Readonly<Record<CatalogCause, string>> = {
  FITS: 'listed',
  BUDGET: 'does not fit in the budget left by the skills ranked before it',
  NOT_RELEVANT: 'matches nothing in the query and does not fit in the budget left by the skills that do',
  NO_DESCRIPTION: 'has no description to be chosen by',
}

/** The prose of a cause, as the CLI prints it. */
export function describeCatalogCause(cause: CatalogCause): string {
  return CAUSE_TEXT[cause]
}

/** A skill in rank order, with its rendered block. */
interface Candidate {
  entry: LibraryEntry
  name: string
  description: string
  score: number | undefined
  block: string
  tokens: number
}

interface Layout {
  open: string
  close: string
  block(name: string, description: string, location: string): string
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** `&`, `<` and `>` as XML entities. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
}

/** Markdown's inline specials in a name, escaped with a backslash. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>&]/g, (c) => `\\${c}`)
}

/** A code span that holds `text` whatever backticks it contains. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad = longest > 0 ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}

const LAYOUTS: Readonly<Record<CatalogFormat, Layout>> = {
  xml: {
    open: '<available_skills>\n',
    close: '</available_skills>\n',
    block: (name, description, location) =>
      `<skill>\n<name>${escapeXml(name)}</name>\n<description>${escapeXml(description)}</description>\n<location>${escapeXml(location)}</location>\n</skill>\n`,
  },
  markdown: {
    open: '## Available skills\n\n',
    close: '',
    block: (name, description, location) => {
      const lines = description.split('\n').map((l, i) => (i === 0 || l === '' ? l : `  ${l}`))
      return `- **${escapeMarkdown(name)}** (${codeSpan(location)}): ${lines.join('\n')}\n`
    },
  },
}

/** A description as shown: line breaks as `\n`, trailing spaces of each line and blank lines around it dropped. */
function cleanDescription(text: string | undefined): string {
  if (typeof text !== 'string') return ''
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim()
}

function nameOf(entry: LibraryEntry): string {
  if (typeof entry.name === 'string' && entry.name.trim() !== '') return entry.name.trim()
  const folder = entry.folder ?? entry.path.split('/').slice(0, -1).join('/')
  return folder.split('/').pop() || entry.path
}

function locator(library: CatalogLibrary, location: CatalogLocation | undefined): (entry: LibraryEntry) => string {
  if (location === undefined || location === 'path') return (entry) => entry.path
  if (location === 'absolute') return (entry) => joinPath(library.root, entry.path)
  if (typeof location !== 'function') throw new InvalidOptionError('location', `must be 'path', 'absolute' or a function (entry) => string, got ${JSON.stringify(location)}`)
  return (entry) => {
    const text = location(entry)
    if (typeof text !== 'string') throw new InvalidOptionError('location', `the function must return a string, got ${typeof text} for ${entry.path}`)
    return text
  }
}

/** The caller's counter, checked: a count that is not a whole number of tokens throws. */
function counterOf(counter: TokenCounter | undefined): TokenCounter {
  if (counter === undefined) return createTokenCounter()
  if (!counter || typeof counter.count !== 'function') throw new InvalidOptionError('counter', 'must have a count(text) method')
  const encoding = typeof counter.encoding === 'string' ? counter.encoding : 'custom'
  return {
    encoding,
    count(text) {
      const n = counter.count(text)
      if (!Number.isSafeInteger(n) || n < 0) throw new InvalidOptionError('counter', `count() must return a whole number of tokens >= 0, got ${String(n)}`)
      return n
    },
  }
}

interface Settings {
  budget: number
  query: string | null
  format: CatalogFormat
  counter: TokenCounter
  locate: (entry: LibraryEntry) => string
}

function settingsOf(library: CatalogLibrary, options: SkillCatalogOptions): Settings {
  if (!library || !Array.isArray(library.entries) || typeof library.match !== 'function') throw new InvalidOptionError('library', 'must be a loaded library (loadLibrary)')
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'must be an object')
  const { budget = Number.POSITIVE_INFINITY, query, format = 'xml' } = options
  if (typeof budget !== 'number' || Number.isNaN(budget) || budget < 0) throw new InvalidOptionError('budget', `must be a number of tokens >= 0, got ${String(budget)}`)
  if (query !== undefined && typeof query !== 'string') throw new InvalidOptionError('query', 'must be a string')
  if (!CATALOG_FORMATS.includes(format)) throw new InvalidOptionError('format', `must be ${CATALOG_FORMATS.map((f) => `'${f}'`).join(' or ')}, got ${JSON.stringify(format)}`)
  const counter = counterOf(options.counter)
  return { budget, query: query === undefined || query.trim() === '' ? null : query, format, counter, locate: locator(library, options.location) }
}

/** Skills in the order they are considered: by score (with a query), then by name, then by path. */
function ranked(library: CatalogLibrary, query: string | null): { entry: LibraryEntry; score: number | undefined }[] {
  const skills = library.entries.filter((e) => e.kind === 'skill')
  const byName = (a: LibraryEntry, b: LibraryEntry) => compare(nameOf(a), nameOf(b)) || compare(a.path, b.path)
  if (query === null) return skills.sort(byName).map((entry) => ({ entry, score: undefined }))
  const scores = new Map<string, number>()
  for (const r of library.match(query, { maxResults: Number.POSITIVE_INFINITY })) scores.set(r.uri, r.score)
  const score = (e: LibraryEntry) => scores.get(e.uri) ?? 0
  return skills.sort((a, b) => score(b) - score(a) || byName(a, b)).map((entry) => ({ entry, score: score(entry) }))
}

/** The chosen candidates (indexes into `candidates`) and the exact tokens of their text. */
interface Choice {
  chosen: Set<number>
  text: string
  total: number
}

function render(layout: Layout, blocks: readonly string[]): string {
  return blocks.length === 0 ? '' : `${layout.open}${blocks.join('')}${layout.close}`
}

/** Greedy in rank order, skipping what does not fit; `cost(listed, next)` is the total with `next` added. */
function greedy(candidates: readonly Candidate[], budget: number, cost: (listed: readonly Candidate[], next: Candidate) => number): Set<number> {
  const chosen = new Set<number>()
  const listed: Candidate[] = []
  candidates.forEach((c, i) => {
    if (c.description === '') return
    if (cost(listed, c) <= budget) {
      chosen.add(i)
      listed.push(c)
    }
  })
  return chosen
}

/** Choose by summing block counts; fall back to counting the whole text when the counter does not add up. */
function choose(candidates: readonly Candidate[], layout: Layout, wrapper: number, settings: Settings): Choice {
  const { budget, counter } = settings
  const sum = (listed: readonly Candidate[]) => listed.reduce((n, c) => n + c.tokens, wrapper)
  let chosen = greedy(candidates, budget, (listed, next) => sum(listed) + next.tokens)
  const blocksOf = (set: Set<number>) => candidates.filter((_, i) => set.has(i)).map((c) => c.block)
  let text = render(layout, blocksOf(chosen))
  let total = counter.count(text)
  // Without a budget everything with a description is listed whatever the counts. With one, a
  // counter whose parts do not add up to the whole may have listed too much or too little.
  if (Number.isFinite(budget) && (text === '' || total !== sum(candidates.filter((_, i) => chosen.has(i))))) {
    chosen = greedy(candidates, budget, (listed, next) => counter.count(render(layout, [...listed, next].map((c) => c.block))))
    text = render(layout, blocksOf(chosen))
    total = counter.count(text)
  }
  return { chosen, text, total }
}

function causeOf(c: Candidate, listed: boolean): CatalogCause {
  if (listed) return 'FITS'
  if (c.description === '') return 'NO_DESCRIPTION'
  return c.score === 0 ? 'NOT_RELEVANT' : 'BUDGET'
}

/**
 * The skill catalog of a library under a token budget: `<available_skills>` XML (each skill's
 * `<name>`, `<description>` and `<location>`, as the Agent Skills integration guide
 * recommends) or a markdown list, and a report of every skill's tokens and decision.
 *
 * Skills are added in rank order (by `library.match(query)` score, ties and skills that
 * match nothing by name; by name without a query), a skill that does not fit is skipped
 * and the next one tried. The wrapper counts against the budget. `report.totalTokens` is
 * an exact count of `text` and never exceeds `budget`. Document entries are not listed.
 *
 * @example
 * const library = await loadLibrary({ root: 'skills' })
 * const { text, report } = skillCatalog(library, { budget: 500, query: 'fill in a PDF form' })
 * // text: "<available_skills>\n<skill>\n<name>pdf-processing</name>\n..."
 * @throws {@link InvalidOptionError} for a bad budget, query, format, counter or location.
 */
export function skillCatalog(library: CatalogLibrary, options: SkillCatalogOptions = {}): SkillCatalog {
  const settings = settingsOf(library, options)
  const layout = LAYOUTS[settings.format]
  const blockCounts = new Map<string, number>()
  const countBlock = (block: string) => {
    let n = blockCounts.get(block)
    if (n === undefined) blockCounts.set(block, (n = settings.counter.count(block)))
    return n
  }
  const candidates: Candidate[] = ranked(library, settings.query).map(({ entry, score }) => {
    const name = nameOf(entry)
    const description = cleanDescription(entry.description)
    const block = description === '' ? '' : layout.block(name, description, settings.locate(entry))
    return { entry, name, description, score, block, tokens: block === '' ? 0 : countBlock(block) }
  })
  const wrapperTokens = settings.counter.count(layout.open + layout.close)
  const { chosen, text, total } = choose(candidates, layout, wrapperTokens, settings)
  const skills = candidates.map((c, i): CatalogSkillReport => {
    const listed = chosen.has(i)
    const row: CatalogSkillReport = { name: c.name, path: c.entry.path, uri: c.entry.uri, tokens: c.tokens, decision: listed ? 'listed' : 'omitted', cause: causeOf(c, listed) }
    if (c.score !== undefined) row.score = c.score
    return row
  })
  const report: CatalogReport = {
    format: settings.format,
    budget: Number.isFinite(settings.budget) ? settings.budget : null,
    query: settings.query,
    encoding: settings.counter.encoding,
    totalTokens: total,
    wrapperTokens,
    skills,
    listed: chosen.size,
    omitted: skills.length - chosen.size,
  }
  return { text, report }
}

/**
 * `root` and a `/`-separated path below it, joined with the root's own separator (`\\` for a
 * Windows root), without `node:path` (the catalog is part of the portable core).
 */
function joinPath(root: string, path: string): string {
  const sep = /^[A-Za-z]:\\|^\\\\/.test(root) && !root.includes('/') ? '\\' : '/'
  const base = root.endsWith(sep) ? root.slice(0, -1) : root
  return `${base}${sep}${path.split('/').join(sep)}`
}
