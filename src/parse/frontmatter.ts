/**
 * Frontmatter: finding the `---` block, parsing it with gray-matter, recovering the
 * older `@scheme://` list syntax, and validating it with a zod schema.
 *
 * @module
 */
import matter from 'gray-matter'
import { z } from 'zod'
import type { Diagnostic } from '../types.js'
import { diagnostic } from './diagnostics.js'

const stringList = z.preprocess(
  (v) => (v === null || v === undefined ? [] : typeof v === 'string' ? splitList(v) : v),
  z.array(z.preprocess((x) => (typeof x === 'number' || typeof x === 'boolean' ? String(x) : x), z.string())),
)

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

/**
 * The frontmatter schema of a promptfold document. Unknown keys are kept.
 * `capabilities: null` (an empty YAML key) means an empty list; a comma-separated
 * string is accepted wherever a list is expected.
 */
export const frontmatterSchema = z.looseObject({
  id: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().min(1)).optional(),
  category: z.string().min(1).optional(),
  tags: stringList.default([]),
  capabilities: stringList.default([]),
  useWhen: stringList.default([]),
  estimatedTokens: z.number().int().nonnegative().optional(),
  relatedResources: stringList.optional(),
})

/** Validated frontmatter of a document (see {@link frontmatterSchema}). */
export type Frontmatter = z.output<typeof frontmatterSchema>

/** Anything with zod's `safeParse`, so callers can bring their own schema. */
export interface FrontmatterSchema<T> {
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
  diagnostics: Diagnostic[]
}

/** Quote list items and values that start with `@` so YAML accepts the older `@scheme://` syntax. */
function quoteLegacyAt(yaml: string): string {
  return yaml.replace(/^(\s*(?:-\s+|[A-Za-z0-9_-]+:\s+))(@[^\s#'"][^\n\r]*?)(\s*)$/gm, (_m, lead: string, value: string, tail: string) => {
    return `${lead}'${value.replace(/'/g, "''")}'${tail}`
  })
}

interface YamlErrorLike {
  reason?: string
  message?: string
  mark?: { line?: number; column?: number }
}

function yamlParse(yaml: string): { data?: unknown; error?: YamlErrorLike } {
  try {
    // Passing an options object keeps gray-matter from caching every input forever.
    const wrapped = `---\n${yaml}\n---\n`
    return { data: matter(wrapped, {}).data }
  } catch (error) {
    return { error: error as YamlErrorLike }
  }
}

/** Line of `key:` at the top level of the YAML, as a 1-based file line. */
function keyLine(yaml: string, key: string, startLine: number): number | undefined {
  const lines = yaml.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line.startsWith(`${key}:`) || line.startsWith(`"${key}":`) || line.startsWith(`'${key}':`)) return startLine + i
  }
  return undefined
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
    let parsed = yamlParse(block.yaml)
    if (parsed.error && /(^|\n)\s*(-\s+|[A-Za-z0-9_-]+:\s+)@/.test(block.yaml)) {
      const retry = yamlParse(quoteLegacyAt(block.yaml))
      if (!retry.error) {
        const at = block.yaml.split(/\r?\n/).findIndex((l) => /^\s*(-\s+|[A-Za-z0-9_-]+:\s+)@/.test(l))
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
    if (parsed.error) {
      const mark = parsed.error.mark
      const reason = parsed.error.reason ?? parsed.error.message ?? 'invalid YAML'
      diagnostics.push(
        diagnostic('FRONTMATTER_INVALID_YAML', 'error', `Frontmatter is not valid YAML: ${reason}`, {
          file,
          line: mark?.line !== undefined ? block.startLine - 1 + mark.line : block.startLine,
          column: mark?.column !== undefined ? mark.column + 1 : undefined,
        }),
      )
    } else if (parsed.data !== null && typeof parsed.data === 'object' && !Array.isArray(parsed.data)) {
      data = parsed.data as Record<string, unknown>
    } else if (parsed.data !== undefined && parsed.data !== null) {
      diagnostics.push(
        diagnostic('FRONTMATTER_NOT_MAPPING', 'error', `Frontmatter must be a mapping of keys to values, got ${Array.isArray(parsed.data) ? 'a list' : typeof parsed.data}`, {
          file,
          line: block.startLine,
        }),
      )
    }
  }

  let result = schema.safeParse(data)
  if (!result.success) {
    // Report each invalid field, then validate again without those fields so the rest is kept.
    const cleaned: Record<string, unknown> = { ...data }
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '')
      const yaml = block !== undefined && block !== 'unterminated' ? block.yaml : ''
      diagnostics.push(
        diagnostic('FRONTMATTER_INVALID_FIELD', 'error', `Frontmatter field \`${issue.path.map(String).join('.') || '(root)'}\`: ${issue.message}`, {
          file,
          line: key && block !== undefined && block !== 'unterminated' ? keyLine(yaml, key, block.startLine) : undefined,
        }),
      )
      if (key) delete cleaned[key]
    }
    result = schema.safeParse(cleaned)
    if (!result.success) result = schema.safeParse({})
  }
  const meta = (result.success ? result.data : ({} as T)) as T
  return { meta, data, bodyOffset, present, diagnostics }
}
