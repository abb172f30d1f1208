/**
 * Lenient frontmatter: reading a frontmatter that is not valid YAML field by field, the way
 * other front doors write theirs (a Claude Code subagent's unquoted `description:` holding
 * `<example>` blocks and `: `, a Cursor rule's `globs: **\/*.ts`). Used only after the YAML
 * parse of the whole block failed; valid YAML never comes here.
 *
 * The rules, in one pass over the lines (linear in the length of the block):
 *
 * - A field starts at a line `key: value` at column 0 whose key is `[a-z_][\w-]*` (a capital
 *   first letter, as in `Examples:` or `Context:`, reads as prose, never as a field).
 * - Every following line continues the field until the next such line, except that a line
 *   inside an element opened in the field (`<example>` ... `</example>`, when the closing tag
 *   follows somewhere below), inside a quoted value (`"`, `'`) or inside a flow collection
 *   (`[`, `{`) always continues it.
 * - Each field (its lines) is parsed as YAML on its own: when that gives a mapping holding just
 *   that key, its value is the field's value, typed as YAML types it (`alwaysApply: false` is
 *   `false`, `tools:` with `- Read` lines a list), exactly as in a valid frontmatter.
 * - Otherwise the field is plain text: the value after `key:` and the continuation lines (their
 *   common indentation removed, trailing blanks and column-0 `#` comment lines dropped, a
 *   block indicator `|` or `>` dropped), trimmed, and surrounding matching quotes removed.
 *
 * Refused (nothing is recovered, the frontmatter stays invalid YAML): a first line that is not
 * a field, a key written twice, more than {@link MAX_LENIENT_FIELDS} fields, a quote or flow
 * collection opened at the start of a value and never closed, and a field that is not YAML
 * whose continuation holds an indented `key:` line (a mis-indented field or mapping, which
 * plain text would hide).
 *
 * @module
 */

/** Most fields a frontmatter may have to be read leniently; one more and it is refused. */
export const MAX_LENIENT_FIELDS = 1_000

/** Why a frontmatter was not read leniently (see {@link lenientRefusalMessage} for the words). */
export type LenientRefusal = 'no-field' | 'repeated-field' | 'too-many-fields' | 'unclosed-value' | 'nested-field'

/** One field read leniently. */
export interface LenientField {
  /** The key, as written. */
  key: string
  /** 0-based line of `key:` in the block. */
  line: number
  /** The value: as YAML reads the field on its own, or its plain text. */
  value: unknown
  /** Whether the value is plain text (the field was not YAML on its own). */
  text: boolean
  /** Whether the field was YAML only once its `@scheme://` values were quoted (the parser says so). */
  legacy: boolean
}

/** The outcome of {@link readLeniently}. */
export type LenientReading =
  | {
      ok: true
      /** The fields, in source order. */
      fields: LenientField[]
      /** The fields as a mapping (own properties only, `__proto__` included as a plain key). */
      data: Record<string, unknown>
    }
  | {
      ok: false
      /** Why nothing was recovered. */
      refusal: LenientRefusal
      /** 0-based line of the block the refusal is about. */
      line: number
      /** The key concerned, where there is one. */
      key?: string
    }

/** Parses one field's lines as YAML (the caller's YAML engine, with its own bounds). */
export type FieldParser = (yaml: string) => { data?: unknown; error?: unknown; legacy?: boolean }

/** A `key:` line at column 0 that starts a field. */
const FIELD_LINE = /^([a-z_][\w-]*)[ \t]*:(?=[ \t]|$)/
/** An indented line that reads as a `key:` of a nested mapping. */
const NESTED_LINE = /^[ \t]+[a-z_][\w-]*[ \t]*:(?:[ \t]|$)/
/** A YAML comment line at column 0. */
const COMMENT_LINE = /^#(?:[ \t]|$)/
/** A block scalar indicator alone as a value (`|`, `>-`, `|2`), maybe with a comment. */
const BLOCK_INDICATOR = /^[|>][-+1-9]{0,2}(?:[ \t]+#.*)?$/
/** An element's opening or closing tag (`<example>`, `<example id="a">`, `</example>`). */
const TAG = /<(\/?)([A-Za-z][\w-]*)(?:[ \t][^<>]*)?>/g

/** A value still open at the end of a line: a quote waiting for its close, or a flow collection its brackets. */
type Span = { quote: '"' | "'" } | { depth: number; quote?: '"' | "'" }

/**
 * Scan `text` from `from` for the end of an open span; returns the span still open after the
 * text, or `undefined` once it closed. One pass over the characters.
 */
function scanSpan(span: Span, text: string, from: number): Span | undefined {
  const flow = 'depth' in span
  let depth = flow ? span.depth : 0
  let quote = span.quote
  // Last character that is not blank: a quote opens a quoted scalar only where one may start.
  let previous: string | undefined = from > 0 ? text[from - 1] : undefined
  for (let i = from; i < text.length; i++) {
    const c = text[i] as string
    if (quote !== undefined) {
      if (quote === '"' && c === '\\') i++
      else if (quote === "'" && c === "'" && text[i + 1] === "'") i++
      else if (c === quote) {
        quote = undefined
        if (!flow) return undefined
      }
    } else if ((c === '"' || c === "'") && (previous === undefined || '[{,:'.includes(previous))) {
      quote = c
    } else if (c === '[' || c === '{') {
      depth++
    } else if ((c === ']' || c === '}') && --depth === 0) {
      return undefined
    }
    if (c !== ' ' && c !== '\t') previous = c
  }
  if (!flow) return { quote: quote ?? '"' }
  return quote === undefined ? { depth } : { depth, quote }
}

/** The span a value opens: a quoted scalar or a flow collection at its start, scanned to the end of its first line. */
function openSpan(value: string): Span | undefined {
  const first = value[0]
  if (first === '"' || first === "'") return scanSpan({ quote: first }, value, 1)
  if (first === '[' || first === '{') return scanSpan({ depth: 1 }, value, 1)
  return undefined
}

/** Closing-tag offsets of each element name (lower case), in order, and how far each has been consumed. */
function closingTags(yaml: string): Map<string, { at: number[]; next: number }> {
  const closes = new Map<string, { at: number[]; next: number }>()
  if (!yaml.includes('</')) return closes
  TAG.lastIndex = 0
  for (let m = TAG.exec(yaml); m; m = TAG.exec(yaml)) {
    if (m[1] !== '/') continue
    const name = (m[2] as string).toLowerCase()
    const list = closes.get(name)
    if (list) list.at.push(m.index)
    else closes.set(name, { at: [m.index], next: 0 })
  }
  return closes
}

/**
 * The offset up to which the elements opened in `text` (at `offset` in the block) stay open:
 * the furthest closing tag, below the opening one, of an element opened there; at least `reach`.
 */
function extendReach(reach: number, text: string, offset: number, closes: Map<string, { at: number[]; next: number }>): number {
  if (closes.size === 0 || !text.includes('<')) return reach
  TAG.lastIndex = 0
  for (let m = TAG.exec(text); m; m = TAG.exec(text)) {
    if (m[1] === '/' || m[0].endsWith('/>')) continue
    const list = closes.get((m[2] as string).toLowerCase())
    if (!list) continue
    const at = offset + m.index
    // Opening tags are met in order, so each list is consumed forwards: linear overall.
    while (list.next < list.at.length && (list.at[list.next] as number) < at) list.next++
    const close = list.at[list.next]
    if (close !== undefined && close > reach) reach = close
  }
  return reach
}

interface RawField {
  key: string
  /** 0-based first line. */
  line: number
  /** Index past the last line. */
  end: number
  /** The value written after `key:`. */
  inline: string
  /** Lines of the continuation that are comments to drop from plain text. */
  comments: Set<number>
  /** First continuation line that reads as a nested `key:`, outside elements and spans. */
  nested?: number
}

/** Split the lines into fields (or a refusal), by the rules of the module. */
function splitFields(lines: string[], yaml: string): RawField[] | Extract<LenientReading, { ok: false }> {
  const closes = closingTags(yaml)
  const fields: RawField[] = []
  const seen = new Set<string>()
  let current: RawField | undefined
  let span: Span | undefined
  let reach = -1
  let offset = 0
  for (let i = 0; i < lines.length; offset += (lines[i] as string).length + 1, i++) {
    const line = lines[i] as string
    if (span) {
      span = scanSpan(span, line, 0)
      reach = extendReach(reach, line, offset, closes)
      continue
    }
    const field = offset > reach ? FIELD_LINE.exec(line) : null
    if (field) {
      const key = field[1] as string
      if (seen.has(key)) return { ok: false, refusal: 'repeated-field', line: i, key }
      if (seen.size === MAX_LENIENT_FIELDS) return { ok: false, refusal: 'too-many-fields', line: i, key }
      seen.add(key)
      const inline = line.slice(field[0].length).trim()
      current = { key, line: i, end: i + 1, inline, comments: new Set() }
      fields.push(current)
      span = openSpan(inline)
      reach = extendReach(reach, line, offset, closes)
      continue
    }
    if (!current) {
      if (/^[ \t]*$/.test(line) || COMMENT_LINE.test(line)) continue
      return { ok: false, refusal: 'no-field', line: i }
    }
    if (offset > reach) {
      if (COMMENT_LINE.test(line)) current.comments.add(i)
      else if (current.nested === undefined && NESTED_LINE.test(line)) current.nested = i
    }
    reach = extendReach(reach, line, offset, closes)
  }
  if (span && current) return { ok: false, refusal: 'unclosed-value', line: current.line, key: current.key }
  // Each field runs to the next one.
  for (let f = 0; f < fields.length; f++) (fields[f] as RawField).end = fields[f + 1]?.line ?? lines.length
  return fields
}

/** The plain text of a field that is not YAML on its own. */
function plainText(field: RawField, lines: string[]): string {
  const rest: string[] = []
  let indent = Number.POSITIVE_INFINITY
  for (let i = field.line + 1; i < field.end; i++) {
    if (field.comments.has(i)) continue
    const line = (lines[i] as string).trimEnd()
    rest.push(line)
    if (line !== '') indent = Math.min(indent, line.length - line.trimStart().length)
  }
  const inline = BLOCK_INDICATOR.test(field.inline) ? '' : field.inline
  const body = rest.map((l) => l.slice(Math.min(indent, l.length)))
  const text = (inline === '' ? body : [inline, ...body]).join('\n').trim()
  const first = text[0]
  return text.length >= 2 && (first === '"' || first === "'") && text.endsWith(first) ? text.slice(1, -1) : text
}

/** Whether `data` is a mapping holding exactly `key`. */
function holdsOnly(data: unknown, key: string): data is Record<string, unknown> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false
  const keys = Object.keys(data)
  return keys.length === 1 && keys[0] === key
}

/**
 * Read a frontmatter block that is not valid YAML field by field (rules: the module's
 * documentation). Linear in the length of `yaml`, plus one `parse` call per field on that
 * field's lines.
 *
 * @param yaml The block between the `---` lines.
 * @param parse Parses one field's lines as YAML.
 */
export function readLeniently(yaml: string, parse: FieldParser): LenientReading {
  const lines = yaml.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
  const split = splitFields(lines, yaml)
  if (!Array.isArray(split)) return split
  const fields: LenientField[] = []
  const data: Record<string, unknown> = {}
  for (const raw of split) {
    const parsed = parse(lines.slice(raw.line, raw.end).join('\n'))
    let field: LenientField
    if (!parsed.error && holdsOnly(parsed.data, raw.key)) {
      field = { key: raw.key, line: raw.line, value: parsed.data[raw.key], text: false, legacy: parsed.legacy === true }
    } else {
      if (raw.nested !== undefined) return { ok: false, refusal: 'nested-field', line: raw.nested, key: raw.key }
      field = { key: raw.key, line: raw.line, value: plainText(raw, lines), text: true, legacy: false }
    }
    fields.push(field)
    Object.defineProperty(data, field.key, { value: field.value, enumerable: true, writable: true, configurable: true })
  }
  return { ok: true, fields, data }
}

/** Most field names a {@link lenientRecoveredMessage} lists; the rest are counted. */
const MAX_NAMED_FIELDS = 20

function nameList(keys: string[]): string {
  const named = keys.slice(0, MAX_NAMED_FIELDS).map((k) => `\`${k}\``)
  return keys.length > MAX_NAMED_FIELDS ? `${named.join(', ')} and ${keys.length - MAX_NAMED_FIELDS} more` : named.join(', ')
}

/**
 * The words of the `FRONTMATTER_RECOVERED` warning: why the YAML failed, the fields recovered
 * (at most 20 named), and which of them were read as plain text.
 */
export function lenientRecoveredMessage(reason: string, fields: readonly LenientField[]): string {
  const text = fields.filter((f) => f.text).map((f) => f.key)
  const all = fields.map((f) => f.key)
  const count = `${all.length} field${all.length === 1 ? '' : 's'}`
  const plain = text.length === 0 ? '' : `; read as plain text: ${nameList(text)}`
  return `Frontmatter is not valid YAML (${reason}); read leniently, line by line, as ${count}: ${nameList(all)}${plain}`
}

/** Why a frontmatter was not read leniently, in words (for the `FRONTMATTER_INVALID_YAML` error). */
export function lenientRefusalMessage(reading: Extract<LenientReading, { ok: false }>, startLine: number): string {
  const at = `line ${startLine + reading.line}`
  switch (reading.refusal) {
    case 'no-field':
      return `${at} is not a \`key: value\` field`
    case 'repeated-field':
      return `field \`${reading.key}\` is written twice (again at ${at})`
    case 'too-many-fields':
      return `more than ${MAX_LENIENT_FIELDS} fields`
    case 'unclosed-value':
      return `the value of \`${reading.key}\` (${at}) opens a quote or bracket that never closes`
    case 'nested-field':
      return `${at} reads as a nested field under \`${reading.key}\``
  }
}
