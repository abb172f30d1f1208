/**
 * Frontmatter: finding the `---` block, parsing it with gray-matter, recovering the
 * older `@scheme://` list syntax, reading it field by field when it is not YAML
 * (./lenient.ts), and validating it with a zod schema.
 *
 * @module
 */
import type { z } from 'zod'
import { lazyObject } from '../lazy.js'
import { loadYamlEngine as yamlEngine, loadZod } from '../platform/index.js'
import type { Assignable, KnownKeys, Never } from '../schema-types.js'
import type { Diagnostic } from '../types.js'
import { diagnostic } from './diagnostics.js'
import { type LenientReading, lenientRecoveredMessage, lenientRefusalMessage, readLeniently } from './lenient.js'
import { readPlainYaml } from './plain-yaml.js'

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

/** The `@` of the older `@scheme://` spelling of a related resource, removed from each. */
const LEGACY_AT_PREFIX = /^@(?=[A-Za-z][A-Za-z0-9+.-]*:\/\/)/

function buildFrontmatterSchema(zod: typeof z) {
  const stringList = zod.preprocess(
    (v) => (v === null || v === undefined ? [] : typeof v === 'string' ? splitList(v) : v),
    zod.array(zod.preprocess((x) => (typeof x === 'number' || typeof x === 'boolean' ? String(x) : x), zod.string())),
  )
  return zod.looseObject({
    id: zod.preprocess((v) => (typeof v === 'number' ? String(v) : v), zod.string().min(1)).optional(),
    category: zod.string().min(1).optional(),
    tags: stringList.default([]),
    capabilities: stringList.default([]),
    useWhen: stringList.default([]),
    estimatedTokens: zod.number().int().nonnegative().optional(),
    /** URIs or bare ids; the older `@scheme://` spelling is normalized to `scheme://`. */
    relatedResources: stringList.transform((list) => list.map((v) => v.replace(LEGACY_AT_PREFIX, ''))).optional(),
  })
}

/** One problem the default schema finds, worded and placed exactly as zod words and places it. */
interface PlainIssue {
  path: PropertyKey[]
  message: string
}

/** What zod calls `v`'s type in "received ...", for the kinds YAML gives; `undefined` for the rest (left to zod). */
function plainTypeName(v: unknown): string | undefined {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'string' || typeof v === 'boolean') return typeof v
  if (typeof v === 'number') return Number.isFinite(v) ? 'number' : undefined
  // zod also checks the length of a mapping that has one, with words of its own: left to it.
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && !Object.hasOwn(v, 'length')) return 'object'
  return undefined
}

const expected = (what: string, v: unknown): string | undefined => {
  const name = plainTypeName(v)
  return name === undefined ? undefined : `Invalid input: expected ${what}, received ${name}`
}

/**
 * {@link frontmatterSchema}'s `safeParse` for data of the kinds YAML gives, without loading zod:
 * the same object (keys in the same order: the schema's, then the others as written) or the
 * same issues, worded and ordered as zod gives them. `undefined` for anything else (a Date, an
 * empty list where a string belongs, a number past the safe integers below zero...), which zod
 * then validates. Kept beside the schema, whose rules it follows; test/parse/plain-yaml.test.ts
 * checks that the two agree.
 */
export function safeParsePlainFrontmatter(data: Record<string, unknown>): ReturnType<FrontmatterSchema<Frontmatter>['safeParse']> | undefined {
  if (Object.hasOwn(data, '__proto__')) return undefined
  const issues: PlainIssue[] = []
  /** A list field: its strings, or its issues pushed (`undefined` when left to zod). */
  const list = (key: string, v: unknown): string[] | false | undefined => {
    if (v === null || v === undefined) return []
    if (typeof v === 'string') return splitList(v)
    if (!Array.isArray(v)) {
      const message = expected('array', v)
      if (message === undefined) return undefined
      issues.push({ path: [key], message })
      return false
    }
    const out: string[] = []
    let ok = true
    for (let i = 0; i < v.length; i++) {
      const x = v[i]
      if (typeof x === 'string') out.push(x)
      else if (typeof x === 'number' || typeof x === 'boolean') out.push(String(x))
      else {
        const message = expected('string', x)
        if (message === undefined) return undefined
        issues.push({ path: [key, i], message })
        ok = false
      }
    }
    return ok && out
  }
  /** `id` or `category`: a non-empty string, or an issue pushed (`undefined` when left to zod). */
  const text = (key: string, v: unknown): string | false | undefined => {
    if (typeof v === 'string') {
      if (v !== '') return v
      issues.push({ path: [key], message: 'Too small: expected string to have >=1 characters' })
      return false
    }
    // An empty list breaks a second rule of zod's (its length): left to it.
    if (Array.isArray(v) && v.length === 0) return undefined
    const message = expected('string', v)
    if (message === undefined) return undefined
    issues.push({ path: [key], message })
    return false
  }
  const { id, category, tags, capabilities, useWhen, estimatedTokens, relatedResources } = data
  const meta: Record<string, unknown> = {}
  if (id !== undefined) {
    const read = typeof id === 'number' ? String(id) : text('id', id)
    if (read === undefined) return undefined
    if (read !== false) meta.id = read
  }
  if (category !== undefined) {
    const read = text('category', category)
    if (read === undefined) return undefined
    if (read !== false) meta.category = read
  }
  for (const [key, value] of [['tags', tags], ['capabilities', capabilities], ['useWhen', useWhen]] as const) {
    const read = list(key, value)
    if (read === undefined) return undefined
    if (read !== false) meta[key] = read
  }
  if (estimatedTokens !== undefined) {
    if (typeof estimatedTokens !== 'number') {
      const message = expected('number', estimatedTokens)
      if (message === undefined) return undefined
      issues.push({ path: ['estimatedTokens'], message })
    } else if (!Number.isFinite(estimatedTokens) || estimatedTokens < -Number.MAX_SAFE_INTEGER) return undefined
    else if (!Number.isInteger(estimatedTokens)) issues.push({ path: ['estimatedTokens'], message: 'Invalid input: expected int, received number' })
    else if (estimatedTokens > Number.MAX_SAFE_INTEGER) issues.push({ path: ['estimatedTokens'], message: `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}` })
    else if (estimatedTokens < 0) issues.push({ path: ['estimatedTokens'], message: 'Too small: expected number to be >=0' })
    else meta.estimatedTokens = estimatedTokens
  }
  if (relatedResources !== undefined) {
    const read = list('relatedResources', relatedResources)
    if (read === undefined) return undefined
    if (read !== false) meta.relatedResources = read.map((v) => v.replace(LEGACY_AT_PREFIX, ''))
  }
  if (issues.length > 0) return { success: false, error: { issues } }
  for (const key of Object.keys(data)) if (!KNOWN_KEYS.has(key)) meta[key] = data[key]
  return { success: true, data: meta as Frontmatter }
}

/** The keys {@link frontmatterSchema} knows. */
const KNOWN_KEYS: ReadonlySet<string> = new Set(['id', 'category', 'tags', 'capabilities', 'useWhen', 'estimatedTokens', 'relatedResources'])

/**
 * Validated frontmatter of a document (see {@link frontmatterSchema}). Every field is
 * optional in the file; the lists default to `[]`. Keys the schema does not know are kept
 * as written.
 */
export interface Frontmatter {
  /** The document's id (a number is read as its string); names the document in a library. */
  id?: string
  /** The document's category (`agent`, `skill`, `example`, ...). */
  category?: string
  /** Tags; a comma-separated string is split. Used by matching. */
  tags: string[]
  /** What the document can do; a comma-separated string is split. Used by matching. */
  capabilities: string[]
  /** When to use it; a comma-separated string is split. Used by matching. */
  useWhen: string[]
  /** The author's token estimate of the body (a non-negative integer). */
  estimatedTokens?: number
  /** Related resources: URIs or bare ids; the older `@scheme://` spelling is normalized to `scheme://`. */
  relatedResources?: string[]
  /** Any other key, as written. */
  [key: string]: unknown
}

/** The zod type of {@link frontmatterSchema}, written out so the declarations stay short and self-contained. */
type FrontmatterZodSchema = z.ZodObject<
  {
    id: z.ZodOptional<z.ZodType<string>>
    category: z.ZodOptional<z.ZodType<string>>
    tags: z.ZodDefault<z.ZodType<string[]>>
    capabilities: z.ZodDefault<z.ZodType<string[]>>
    useWhen: z.ZodDefault<z.ZodType<string[]>>
    estimatedTokens: z.ZodOptional<z.ZodType<number>>
    relatedResources: z.ZodOptional<z.ZodType<string[]>>
  },
  z.core.$loose
>

// The schema's output and the interface are the same type, for the schema as built and as
// declared, with the same known keys (the index signature would hide a dropped key).
type Built = z.output<ReturnType<typeof buildFrontmatterSchema>>
type Declared = z.output<FrontmatterZodSchema>
type SchemaMatchesInterface = [
  Assignable<Built, Frontmatter>,
  Assignable<Frontmatter, Built>,
  Assignable<Declared, Frontmatter>,
  Assignable<Frontmatter, Declared>,
  Never<Exclude<KnownKeys<Built>, KnownKeys<Frontmatter>>>,
  Never<Exclude<KnownKeys<Frontmatter>, KnownKeys<Built>>>,
  Never<Exclude<KnownKeys<Declared>, KnownKeys<Frontmatter>>>,
  Never<Exclude<KnownKeys<Frontmatter>, KnownKeys<Declared>>>,
]

/**
 * The frontmatter schema of a promptfold document. Unknown keys are kept.
 * `capabilities: null` (an empty YAML key) means an empty list; a comma-separated
 * string is accepted wherever a list is expected.
 *
 * A zod object schema like any other (`safeParse`, `shape`, `extend`, nesting); it is built
 * (and zod loaded) the first time it is used.
 */
export const frontmatterSchema: FrontmatterZodSchema = lazyObject(() => buildFrontmatterSchema(loadZod()) as unknown as FrontmatterZodSchema)

/** Anything with zod's `safeParse`, so callers can bring their own schema. */
export interface FrontmatterSchema<T> {
  /** Validate `data` (the parsed YAML mapping); on failure, each issue names the field (`path[0]`) it is about. */
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } }
}

/** Where the frontmatter block sits in a source. */
export interface FrontmatterBlock {
  /** The YAML between the delimiters. */
  yaml: string
  /** 1-based line of the first YAML line. */
  startLine: number
  /** Offset in the source where the body begins (after the closing delimiter line). */
  bodyOffset: number
}

const OPEN = /^---[ \t]*\r?\n/
const CLOSE = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m

/**
 * Locate a frontmatter block. Returns `undefined` when the source does not start
 * with `---`, and `'unterminated'` when it does but no closing `---` follows
 * (the whole file is then treated as body, so nothing is lost).
 */
export function findFrontmatter(source: string): FrontmatterBlock | 'unterminated' | undefined {
  const open = OPEN.exec(source)
  if (!open) return undefined
  const start = open[0].length
  const rest = source.slice(start)
  // The closing delimiter may directly follow the opening one (empty frontmatter).
  const close = CLOSE.exec(rest)
  if (!close) return 'unterminated'
  return {
    yaml: rest.slice(0, close.index),
    startLine: 2,
    bodyOffset: start + close.index + close[0].length,
  }
}

/** Result of reading frontmatter. */
export interface FrontmatterResult<T> {
  /** Validated metadata (defaults where fields were missing or invalid). */
  meta: T
  /** Raw parsed data, every key as written (recovered where possible). */
  data: Record<string, unknown>
  /** Offset in the source where the body starts. */
  bodyOffset: number
  /** Whether a frontmatter block was present. */
  present: boolean
  /** Problems found reading the frontmatter, in source order. */
  diagnostics: Diagnostic[]
}

/** A YAML line (list item or `key:` value) that starts with `@`. */
const LEGACY_AT_LINE = /^[ \t]*(?:-[ \t]+|[A-Za-z0-9_-]+:[ \t]+)@/m

/** Quote list items and values that start with `@` so YAML accepts the older `@scheme://` syntax. */
function quoteLegacyAt(yaml: string): string {
  // Single-line patterns only ([ \t], greedy to the end of the line): linear however long or blank the lines are.
  return yaml.replace(/^([ \t]*(?:-[ \t]+|[A-Za-z0-9_-]+:[ \t]+))(@[^\s#'"][^\n\r]*)$/gm, (_m, lead: string, rest: string) => {
    const value = rest.trimEnd()
    return `${lead}'${value.replace(/'/g, "''")}'${rest.slice(value.length)}`
  })
}

interface YamlErrorLike {
  reason?: string
  message?: string
  mark?: { line?: number; column?: number }
}

/**
 * Parse a YAML block with gray-matter's YAML engine. The engine is called directly: gray-matter's
 * own wrapper strips comment lines with a regex that is quadratic in runs of blank lines, caches
 * every input, and cuts the block at any line that merely starts with `---`.
 */
function yamlParse(yaml: string): { data?: unknown; error?: YamlErrorLike } {
  if (!/\S/.test(yaml)) return { data: undefined }
  // Most frontmatter is plain enough to read without the engine, with the engine's answer.
  const plain = readPlainYaml(yaml)
  if (plain !== undefined) return { data: plain }
  try {
    return { data: yamlEngine().parse(yaml) }
  } catch (error) {
    return { error: error as YamlErrorLike }
  }
}

/** Parse one field of a frontmatter read leniently, quoting older `@scheme://` values where YAML needs it. */
function parseField(yaml: string): { data?: unknown; error?: YamlErrorLike; legacy?: boolean } {
  const parsed = yamlParse(yaml)
  if (!parsed.error || !LEGACY_AT_LINE.test(yaml)) return parsed
  const retry = yamlParse(quoteLegacyAt(yaml))
  return retry.error ? parsed : { data: retry.data, legacy: true }
}

/** The `FRONTMATTER_RECOVERED` warning, at the line (and column) where the YAML parse failed. */
function recoveredDiagnostic(error: YamlErrorLike, lenient: Extract<LenientReading, { ok: true }>, block: FrontmatterBlock, file: string | undefined): Diagnostic {
  const mark = error.mark
  return diagnostic('FRONTMATTER_RECOVERED', 'warning', lenientRecoveredMessage(error.reason ?? error.message ?? 'invalid YAML', lenient.fields), {
    file,
    line: mark?.line !== undefined ? block.startLine + mark.line : block.startLine,
    column: mark?.column !== undefined ? mark.column + 1 : undefined,
  })
}

/** Most YAML aliases (`*name`) a frontmatter may use; one more and the frontmatter is refused before it is parsed. */
export const MAX_FRONTMATTER_ALIASES = 100

/**
 * Most characters YAML aliases may add to a frontmatter: the strings of its parsed data (keys and
 * values, an alias counted at every use) may total at most the YAML's own length plus this.
 */
export const MAX_FRONTMATTER_ALIAS_EXPANSION = 1_048_576

/** An alias where a YAML node starts: at a line start, after `key:`, `-`, `?`, or a flow `[`, `{`, `,`. */
const ALIAS = /(?:^[ \t]*|[:?-][ \t]+|[[{,][ \t]*)\*[^\s,[\]{}]/gm

/** How many aliases `yaml` uses, counting no further than `limit + 1` (one linear regex pass). */
function countAliases(yaml: string, limit: number): number {
  if (!yaml.includes('*')) return 0
  ALIAS.lastIndex = 0
  let n = 0
  while (n <= limit && ALIAS.exec(yaml)) n++
  return n
}

/**
 * Whether the strings of `data` (keys and values, a shared value counted at every use) total more
 * than `limit` characters; the walk stops as soon as they do, or after `maxNodes` values (the
 * value bound is {@link boundedData}'s to report).
 */
function expandsPast(data: unknown, limit: number, maxNodes: number): boolean {
  let chars = 0
  let nodes = 0
  const stack: unknown[] = [data]
  while (stack.length > 0) {
    const value = stack.pop()
    // A cycle or a billion laughs of small values ends here: FRONTMATTER_CYCLE or _TOO_LARGE reports it.
    if (++nodes > maxNodes) return false
    if (typeof value === 'string') chars += value.length
    else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !(value instanceof Date)) {
      for (const [k, v] of Object.entries(value)) {
        chars += k.length
        stack.push(v)
      }
    }
    if (chars > limit) return true
  }
  return false
}

/** Most values a frontmatter may hold once YAML aliases are expanded (an alias counts at every use). */
export const MAX_FRONTMATTER_VALUES = 100_000

/** Why a value cannot be kept as plain data: it contains itself, or expands past the limit. */
function unsafeValue(value: unknown, budget: { left: number }, path: Set<object>): 'cycle' | 'large' | undefined {
  if (--budget.left < 0) return 'large'
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof Date) return undefined
  if (path.has(value)) return 'cycle'
  path.add(value)
  let why: 'cycle' | 'large' | undefined
  for (const v of Object.values(value)) {
    why = unsafeValue(v, budget, path)
    if (why) break
  }
  path.delete(value)
  return why
}

/**
 * Keep parsed frontmatter plain, finite data: a key whose value refers to itself through a YAML
 * alias (`&a [*a]`) or whose aliases expand past {@link MAX_FRONTMATTER_VALUES} values (a
 * "billion laughs") is dropped with an error diagnostic; every other key is kept.
 */
function boundedData(data: Record<string, unknown>, block: FrontmatterBlock, file: string | undefined, diagnostics: Diagnostic[]): Record<string, unknown> {
  const budget = { left: MAX_FRONTMATTER_VALUES }
  let out: Record<string, unknown> | undefined
  // The first MAX_DROPPED_FIELD_DIAGNOSTICS dropped fields are named; the rest are counted in one summary.
  const more = { cycle: 0, large: 0 }
  let named = 0
  let firstUnnamedLine = block.startLine
  for (const [key, value] of Object.entries(data)) {
    const before = budget.left
    const why = unsafeValue(value, budget, new Set())
    if (!why) continue
    budget.left = before
    out ??= { ...data }
    delete out[key]
    if (named === MAX_DROPPED_FIELD_DIAGNOSTICS) {
      if (more.cycle + more.large === 0) firstUnnamedLine = keyLine(block.yaml, key, block.startLine) ?? block.startLine
      more[why]++
      continue
    }
    named++
    const line = keyLine(block.yaml, key, block.startLine) ?? block.startLine
    diagnostics.push(
      why === 'cycle'
        ? diagnostic('FRONTMATTER_CYCLE', 'error', `Frontmatter field \`${key}\` contains itself through a YAML alias; dropped`, { file, line })
        : diagnostic('FRONTMATTER_TOO_LARGE', 'error', `Frontmatter field \`${key}\` holds more than ${MAX_FRONTMATTER_VALUES} values (every use of a YAML alias counts); dropped`, { file, line }),
    )
  }
  if (more.cycle + more.large > 0) {
    const total = more.cycle + more.large
    const parts = [more.large > 0 ? `${more.large} past ${MAX_FRONTMATTER_VALUES} values` : '', more.cycle > 0 ? `${more.cycle} containing themselves` : ''].filter(Boolean)
    diagnostics.push(
      diagnostic(more.large > 0 ? 'FRONTMATTER_TOO_LARGE' : 'FRONTMATTER_CYCLE', 'error', `And ${total} more frontmatter field${total > 1 ? 's' : ''} dropped (${parts.join(', ')}); only the first ${MAX_DROPPED_FIELD_DIAGNOSTICS} are named`, {
        file,
        line: firstUnnamedLine,
      }),
    )
  }
  return out ?? data
}

/**
 * Most dropped frontmatter fields named by a diagnostic of their own, per document; one more
 * diagnostic, at the line of the first field not named, counts the rest.
 */
export const MAX_DROPPED_FIELD_DIAGNOSTICS = 20

/** Line of `key:` at the top level of the YAML, as a 1-based file line. */
function keyLine(yaml: string, key: string, startLine: number): number | undefined {
  const at = keyIndex(yaml).get(key)
  return at === undefined ? undefined : startLine + at
}

let lastKeys: { yaml: string; index: Map<string, number> } | undefined

/** 0-based line of each top-level `key:` (also quoted) in a YAML block, first occurrence; built once per block. */
function keyIndex(yaml: string): Map<string, number> {
  if (lastKeys?.yaml === yaml) return lastKeys.index
  const index = new Map<string, number>()
  yaml.split(/\r?\n/).forEach((line, i) => {
    const colon = line.indexOf(':')
    if (colon <= 0 || /^[\s#-]/.test(line)) return
    const raw = line.slice(0, colon).trimEnd()
    const key = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw
    if (!index.has(key)) index.set(key, i)
  })
  lastKeys = { yaml, index }
  return index
}

/**
 * Read and validate the frontmatter of `source`. Never throws for content problems.
 *
 * @param source Whole document text (a leading BOM must already be removed).
 * @param schema Schema to validate with (default {@link frontmatterSchema}).
 * @param file Path used in diagnostics.
 */
export function readFrontmatter<T = Frontmatter>(
  source: string,
  schema: FrontmatterSchema<T> = frontmatterSchema as unknown as FrontmatterSchema<T>,
  file?: string,
): FrontmatterResult<T> {
  const diagnostics: Diagnostic[] = []
  const block = findFrontmatter(source)
  let data: Record<string, unknown> = {}
  let bodyOffset = 0
  let present = false

  if (block === undefined) {
    diagnostics.push(diagnostic('FRONTMATTER_MISSING', 'info', 'Document has no frontmatter', { file, line: 1 }))
  } else if (block === 'unterminated') {
    diagnostics.push(
      diagnostic('FRONTMATTER_UNTERMINATED', 'error', 'Frontmatter opened with `---` is never closed; the whole file is read as body', {
        file,
        line: 1,
      }),
    )
  } else {
    present = true
    bodyOffset = block.bodyOffset
    const aliases = countAliases(block.yaml, MAX_FRONTMATTER_ALIASES)
    // Too many aliases: refused unparsed (a merge key `<<: *a` copies its mapping at every use, in the parser).
    let refused = aliases > MAX_FRONTMATTER_ALIASES
    let parsed: { data?: unknown; error?: YamlErrorLike } = refused ? {} : yamlParse(block.yaml)
    if (parsed.error && LEGACY_AT_LINE.test(block.yaml)) {
      const retry = yamlParse(quoteLegacyAt(block.yaml))
      if (!retry.error) {
        const at = block.yaml.split(/\r?\n/).findIndex((l) => LEGACY_AT_LINE.test(l))
        diagnostics.push(
          diagnostic(
            'FRONTMATTER_LEGACY_AT',
            'warning',
            'Frontmatter uses the older unquoted `@scheme://` syntax, which YAML rejects; recovered by quoting it',
            { file, line: block.startLine + Math.max(0, at) },
          ),
        )
        parsed = retry
      }
    }
    // Not YAML: read field by field, the way other front doors write frontmatter (src/parse/lenient.ts).
    let lenient: LenientReading | undefined
    if (!refused && parsed.error) {
      lenient = readLeniently(block.yaml, parseField)
      if (lenient.ok) {
        diagnostics.push(recoveredDiagnostic(parsed.error, lenient, block, file))
        const legacy = lenient.fields.find((f) => f.legacy)
        if (legacy) {
          const at = block.yaml.split(/\r?\n/).findIndex((l, i) => i >= legacy.line && LEGACY_AT_LINE.test(l))
          diagnostics.push(
            diagnostic('FRONTMATTER_LEGACY_AT', 'warning', 'Frontmatter uses the older unquoted `@scheme://` syntax, which YAML rejects; recovered by quoting it', {
              file,
              line: block.startLine + Math.max(legacy.line, at),
            }),
          )
        }
        parsed = { data: lenient.data }
      }
    }
    // Aliases are shared in the parsed data but expand wherever it is copied, serialized or scanned.
    if (!refused && !parsed.error && aliases > 0 && expandsPast(parsed.data, block.yaml.length + MAX_FRONTMATTER_ALIAS_EXPANSION, MAX_FRONTMATTER_VALUES)) {
      refused = true
      parsed = {}
    }
    if (refused) {
      diagnostics.push(
        diagnostic(
          'FRONTMATTER_ALIASES',
          'error',
          aliases > MAX_FRONTMATTER_ALIASES
            ? `Frontmatter uses more than ${MAX_FRONTMATTER_ALIASES} YAML aliases; refused, read as if there were none`
            : `Frontmatter YAML aliases expand past ${MAX_FRONTMATTER_ALIAS_EXPANSION} characters beyond the YAML itself; refused, read as if there were none`,
          { file, line: block.startLine },
        ),
      )
    }
    if (!refused && !parsed.error && /^ *\t/m.test(block.yaml)) {
      const at = block.yaml.split('\n').findIndex((l) => /^ *\t/.test(l))
      diagnostics.push(
        diagnostic('FRONTMATTER_TAB_INDENT', 'warning', 'Frontmatter is indented with a tab, which YAML forbids; it was read leniently, other tools may read it differently', {
          file,
          line: block.startLine + at,
        }),
      )
    }
    if (parsed.error) {
      const mark = parsed.error.mark
      const reason = parsed.error.reason ?? parsed.error.message ?? 'invalid YAML'
      const notLenient = lenient && !lenient.ok ? `; not read leniently either: ${lenientRefusalMessage(lenient, block.startLine)}` : ''
      diagnostics.push(
        diagnostic('FRONTMATTER_INVALID_YAML', 'error', `Frontmatter is not valid YAML: ${reason}${notLenient}`, {
          file,
          line: mark?.line !== undefined ? block.startLine + mark.line : block.startLine,
          column: mark?.column !== undefined ? mark.column + 1 : undefined,
        }),
      )
    } else if (parsed.data !== null && typeof parsed.data === 'object' && !Array.isArray(parsed.data)) {
      data = boundedData(parsed.data as Record<string, unknown>, block, file, diagnostics)
    } else if (parsed.data !== undefined && parsed.data !== null) {
      diagnostics.push(
        diagnostic('FRONTMATTER_NOT_MAPPING', 'error', `Frontmatter must be a mapping of keys to values, got ${Array.isArray(parsed.data) ? 'a list' : typeof parsed.data}`, {
          file,
          line: block.startLine,
        }),
      )
    }
  }

  // The default schema's answer without zod when the data is plain (see safeParsePlainFrontmatter).
  const plain = (schema as unknown) === frontmatterSchema
  const check = (d: Record<string, unknown>) => ((plain ? safeParsePlainFrontmatter(d) : undefined) as ReturnType<typeof schema.safeParse> | undefined) ?? schema.safeParse(d)
  let result = check(data)
  if (!result.success) {
    // Report each invalid field once (a list of 100,000 bad items is one problem, not 100,000),
    // then validate again without those fields so the rest is kept.
    const cleaned: Record<string, unknown> = { ...data }
    const byKey = new Map<string, { path: string; message: string; more: number }>()
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '')
      const seen = byKey.get(key)
      if (seen) seen.more++
      else byKey.set(key, { path: issue.path.map(String).join('.') || '(root)', message: issue.message, more: 0 })
    }
    for (const [key, { path, message, more }] of byKey) {
      const yaml = block !== undefined && block !== 'unterminated' ? block.yaml : ''
      diagnostics.push(
        diagnostic('FRONTMATTER_INVALID_FIELD', 'error', `Frontmatter field \`${path}\`: ${message}${more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''} in \`${key}\`)` : ''}`, {
          file,
          line: key && block !== undefined && block !== 'unterminated' ? keyLine(yaml, key, block.startLine) : undefined,
        }),
      )
      if (key) delete cleaned[key]
    }
    result = check(cleaned)
    if (!result.success) result = check({})
  }
  const meta = (result.success ? result.data : ({} as T)) as T
  return { meta, data, bodyOffset, present, diagnostics }
}

/**
 * The 1-based file line where a top-level frontmatter key is written (its first occurrence),
 * or `undefined` when the source has no closed frontmatter block or the block lacks the key.
 * A leading BOM and CRLF line ends are allowed; quoted keys (`"id":`) count. The one place
 * that locates a key's line: diagnostics of the parser, the library and `lint` use it.
 *
 * @example
 * frontmatterKeyLine('---\nid: x\ncategory: agent\n---\n# X\n', 'category') // 3
 */
export function frontmatterKeyLine(source: string, key: string): number | undefined {
  const block = findFrontmatter(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source)
  if (block === undefined || block === 'unterminated') return undefined
  return keyLine(block.yaml, key, block.startLine)
}
