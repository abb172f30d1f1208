/**
 * The Agent Skills specification's checks of one skill, as plain functions (`lint` calls them
 * for every entry of kind `skill`; see {@link checkSkill}).
 *
 * The rules are those of the specification (agentskills.io/specification) and its reference
 * validator (`skills-ref validate`):
 *
 * - `name`: required; 1-64 characters of lowercase `a-z`, digits and hyphens, no hyphen
 *   first, last or doubled (`SKILL_NAME_INVALID`), equal to the skill folder's name
 *   (`SKILL_NAME_MISMATCH`);
 * - `description`: required; a string that is not empty (or only spaces) and has at most
 *   1,024 characters (`SKILL_DESCRIPTION_INVALID`);
 * - `compatibility`: optional; a string of 1-500 characters (`SKILL_COMPATIBILITY_INVALID`);
 * - `metadata`: optional; a map of string keys to string values (`SKILL_METADATA_INVALID`);
 * - the body: at most 500 lines and 5,000 tokens (`SKILL_BODY_TOO_LONG`, a warning).
 *
 * Characters are counted as Unicode code points, as the reference validator counts them.
 * Outcomes are {@link SkillProblem} reasons; {@link skillProblemMessage} is the one place
 * that turns them into prose.
 *
 * @module
 */
import { frontmatterKeyLine } from '../parse/frontmatter.js'
import type { DiagnosticCode } from '../types.js'

/** Longest `name`, in characters. */
export const MAX_SKILL_NAME_LENGTH = 64
/** Longest `description`, in characters. */
export const MAX_SKILL_DESCRIPTION_LENGTH = 1024
/** Longest `compatibility`, in characters. */
export const MAX_SKILL_COMPATIBILITY_LENGTH = 500
/** Most lines of a SKILL.md body before `SKILL_BODY_TOO_LONG`. */
export const MAX_SKILL_BODY_LINES = 500
/** Most tokens of a SKILL.md body before `SKILL_BODY_TOO_LONG`. */
export const MAX_SKILL_BODY_TOKENS = 5000

/** Why a field or the body breaks a rule: each reason belongs to one finding code. */
export type SkillProblemReason =
  /** `name` or `description` is not in the frontmatter (or there is no frontmatter). */
  | 'missing'
  /** The field's value is not a string (a number, a list, a map, an empty YAML value). */
  | 'not-string'
  /** The string is empty or only white space. */
  | 'empty'
  /** The string is longer than its limit. */
  | 'too-long'
  /** `name` has capital letters. */
  | 'uppercase'
  /** `name` has characters other than `a-z`, digits and hyphens (capitals aside). */
  | 'invalid-characters'
  /** `name` starts or ends with a hyphen. */
  | 'hyphen-edge'
  /** `name` has two hyphens in a row. */
  | 'hyphen-double'
  /** `name` differs from the skill folder's name. */
  | 'folder-mismatch'
  /** `metadata` is not a map (a list, a string, a number, an empty YAML value). */
  | 'not-map'
  /** `metadata` has values that are not strings. */
  | 'non-string-values'
  /** The body has more than {@link MAX_SKILL_BODY_LINES} lines. */
  | 'too-many-lines'
  /** The body has more than {@link MAX_SKILL_BODY_TOKENS} tokens. */
  | 'too-many-tokens'
  /** A link (or path) names a file that does not exist. */
  | 'link-broken'
  /** A link or path names a file that exists only in another letter case. */
  | 'link-case'
  /** A file the SKILL.md references references further files. */
  | 'link-too-deep'
  /** A link or path leads outside its skill folder. */
  | 'link-outside-skill'

/** One rule a skill breaks, before it is written as prose. */
export interface SkillProblem {
  reason: SkillProblemReason
  /** The frontmatter field (`name`, `description`, ...), `body`, or the kind of a reference (`link`, `path`). */
  field: 'name' | 'description' | 'compatibility' | 'metadata' | 'body' | 'link' | 'path'
  /** What was found: the length, the count, the characters or keys at fault, the folder name, the reference as written. */
  found?: string | number
  /** The limit broken, for the length and count reasons. */
  limit?: number
  /** For references: the files in the right case (`link-case`), the further files (`link-too-deep`), the skill folder (`link-outside-skill`). */
  other?: string
}

/** What {@link checkSkill} needs to know about a skill. */
export interface SkillCheckInput {
  /** The skill folder's own name (the last segment of its path; the root's name for a skill at the root). */
  folderName: string
  /** The `SKILL.md`, as a path relative to the library root: the `file` of each finding. */
  path: string
  /**
   * The frontmatter as parsed, every key as written (`library.document(uri).data`); `null` when
   * a frontmatter block is there but could not be read (invalid YAML, not a mapping, ...: its
   * own diagnostic says so), which skips the field checks.
   */
  data: Record<string, unknown> | null
  /** The `SKILL.md` text (a leading BOM removed), to find the line of each field. */
  source: string
  /** Offset in `source` where the body begins (after the frontmatter). */
  bodyOffset: number
  /** Tokens of the body, counted with the lint's counter. */
  bodyTokens: number
}

/** One finding of {@link checkSkill} (the fields of a lint finding it can know). */
export interface SkillFinding {
  code: DiagnosticCode
  severity: 'error' | 'warning'
  /** The `SKILL.md`, relative to the library root. */
  file: string
  /** 1-based line: the field's key, line 1 (the opening `---`) for a missing field, the body's first line for the body. */
  line: number
  /** 1-based column: always 1. */
  column: number
  message: string
  /** The rules broken, in the order of the message. */
  problems: SkillProblem[]
}

/** Length in Unicode code points (what the specification's reference validator counts). */
function length(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}

/** Plain comparison, for sorted output. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A value quoted for a message, cut to 80 characters. */
function shown(value: string): string {
  const chars = [...value]
  return JSON.stringify(chars.length > 80 ? `${chars.slice(0, 79).join('')}…` : value)
}

/** A YAML value's kind, for a message: `a number`, `a list`, `an empty value`, ... */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value'
  if (Array.isArray(value)) return 'a list'
  if (value instanceof Date) return 'a date'
  if (typeof value === 'object') return 'a map'
  if (typeof value === 'number') return 'a number'
  if (typeof value === 'boolean') return 'a boolean'
  return `a ${typeof value}`
}

/**
 * The prose of one problem: the one place where reasons become words.
 *
 * @example
 * skillProblemMessage({ reason: 'too-long', field: 'description', found: 1100, limit: 1024 })
 * // 'description has 1,100 characters, over the limit of 1,024'
 */
export function skillProblemMessage(p: SkillProblem): string {
  const n = (v: number | string | undefined) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v))
  switch (p.reason) {
    case 'missing':
      return `${p.field} is missing (the specification requires it)`
    case 'not-string':
      return `${p.field} must be a string, not ${p.found}`
    case 'empty':
      return `${p.field} is empty`
    case 'too-long':
      return `${p.field} has ${n(p.found)} characters, over the limit of ${n(p.limit)}`
    case 'uppercase':
      return `name ${p.found} has capital letters (only lowercase a-z, digits and hyphens)`
    case 'invalid-characters':
      return `name has characters other than a-z, digits and hyphens: ${p.found}`
    case 'hyphen-edge':
      return 'name starts or ends with a hyphen'
    case 'hyphen-double':
      return 'name has two hyphens in a row'
    case 'folder-mismatch':
      return `name differs from its folder ${p.found} (the specification requires them to match)`
    case 'not-map':
      return `metadata must be a map of strings to strings, not ${p.found}`
    case 'non-string-values':
      return `metadata values must be strings (quote them): ${p.found}`
    case 'too-many-lines':
      return `the body has ${n(p.found)} lines, over ${n(p.limit)}`
    case 'too-many-tokens':
      return `the body has ${n(p.found)} tokens, over ${n(p.limit)}`
    case 'link-broken':
      return `${p.field} ${p.found} names no file`
    case 'link-case':
      return `${p.field} ${p.found} names a file only in another letter case (${p.other}): it works on macOS and Windows, breaks on Linux`
    case 'link-too-deep':
      return `${p.found} references further files (${p.other}); the specification advises keeping references one level deep from SKILL.md`
    case 'link-outside-skill':
      return `${p.field} ${p.found} leads outside the skill folder ${p.other}; not followed`
  }
}

/** The problems of `name` (the folder match is a finding of its own: see {@link checkSkill}). */
export function nameProblems(value: unknown, present: boolean): SkillProblem[] {
  if (!present) return [{ reason: 'missing', field: 'name' }]
  if (typeof value !== 'string') return [{ reason: 'not-string', field: 'name', found: kindOf(value) }]
  const name = value.trim()
  if (name === '') return [{ reason: 'empty', field: 'name' }]
  const problems: SkillProblem[] = []
  const chars = length(name)
  if (chars > MAX_SKILL_NAME_LENGTH) problems.push({ reason: 'too-long', field: 'name', found: chars, limit: MAX_SKILL_NAME_LENGTH })
  if (name !== name.toLowerCase()) problems.push({ reason: 'uppercase', field: 'name', found: shown(name) })
  const other = [...new Set([...name.toLowerCase()].filter((c) => !/^[a-z0-9-]$/.test(c)))].sort(compare)
  if (other.length > 0) problems.push({ reason: 'invalid-characters', field: 'name', found: other.map((c) => JSON.stringify(c)).join(', ') })
  if (name.startsWith('-') || name.endsWith('-')) problems.push({ reason: 'hyphen-edge', field: 'name' })
  if (name.includes('--')) problems.push({ reason: 'hyphen-double', field: 'name' })
  return problems
}

/** The problems of `description`. */
export function descriptionProblems(value: unknown, present: boolean): SkillProblem[] {
  if (!present) return [{ reason: 'missing', field: 'description' }]
  if (typeof value !== 'string') return [{ reason: 'not-string', field: 'description', found: kindOf(value) }]
  if (value.trim() === '') return [{ reason: 'empty', field: 'description' }]
  const chars = length(value)
  return chars > MAX_SKILL_DESCRIPTION_LENGTH ? [{ reason: 'too-long', field: 'description', found: chars, limit: MAX_SKILL_DESCRIPTION_LENGTH }] : []
}

/** The problems of `compatibility`, when it is given. */
export function compatibilityProblems(value: unknown): SkillProblem[] {
  if (typeof value !== 'string') return [{ reason: 'not-string', field: 'compatibility', found: kindOf(value) }]
  if (value.trim() === '') return [{ reason: 'empty', field: 'compatibility' }]
  const chars = length(value)
  return chars > MAX_SKILL_COMPATIBILITY_LENGTH ? [{ reason: 'too-long', field: 'compatibility', found: chars, limit: MAX_SKILL_COMPATIBILITY_LENGTH }] : []
}

/** The problems of `metadata`, when it is given. */
export function metadataProblems(value: unknown): SkillProblem[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return [{ reason: 'not-map', field: 'metadata', found: kindOf(value) }]
  const bad = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => typeof v !== 'string')
    .map(([k, v]) => `${k} (${kindOf(v)})`)
    .sort(compare)
  return bad.length > 0 ? [{ reason: 'non-string-values', field: 'metadata', found: bad.join(', ') }] : []
}

/** Lines of a body: line breaks (`\r\n`, `\n` or `\r`), plus one when the last line has none. */
export function countLines(text: string): number {
  if (text === '') return 0
  const breaks = text.match(/\r\n|\n|\r/g)?.length ?? 0
  return breaks + (/[\r\n]$/.test(text) ? 0 : 1)
}

/** The problems of the body. */
export function bodyProblems(body: string, tokens: number): SkillProblem[] {
  const problems: SkillProblem[] = []
  const lines = countLines(body)
  if (lines > MAX_SKILL_BODY_LINES) problems.push({ reason: 'too-many-lines', field: 'body', found: lines, limit: MAX_SKILL_BODY_LINES })
  if (tokens > MAX_SKILL_BODY_TOKENS) problems.push({ reason: 'too-many-tokens', field: 'body', found: tokens, limit: MAX_SKILL_BODY_TOKENS })
  return problems
}

const FIELD_CODES = {
  name: 'SKILL_NAME_INVALID',
  description: 'SKILL_DESCRIPTION_INVALID',
  compatibility: 'SKILL_COMPATIBILITY_INVALID',
  metadata: 'SKILL_METADATA_INVALID',
} as const satisfies Record<string, DiagnosticCode>

/**
 * Check one skill against the specification: its frontmatter fields (`name`, its folder,
 * `description`, `compatibility`, `metadata`) and the length of its body. Returns one finding
 * per field at fault (a field with several faults is one finding naming each), sorted by line
 * and code. Pure: reads nothing.
 *
 * @example
 * checkSkill({ folderName: 'pdf', path: 'pdf/SKILL.md', data: { name: 'PDF', description: 'x' }, source, bodyOffset, bodyTokens: 40 })
 * // [SKILL_NAME_INVALID at the line of `name:`, SKILL_NAME_MISMATCH at the same line]
 */
export function checkSkill(input: SkillCheckInput): SkillFinding[] {
  const findings: SkillFinding[] = []
  const { data, source, path } = input
  const push = (code: DiagnosticCode, severity: 'error' | 'warning', line: number, problems: SkillProblem[]) => {
    if (problems.length > 0) findings.push({ code, severity, file: path, line, column: 1, message: problems.map(skillProblemMessage).join('; '), problems })
  }
  if (data !== null) {
    const has = (key: string) => Object.hasOwn(data, key)
    const lineOf = (key: string) => (has(key) ? (frontmatterKeyLine(source, key) ?? 1) : 1)
    push(FIELD_CODES.name, 'error', lineOf('name'), nameProblems(data.name, has('name')))
    if (typeof data.name === 'string' && data.name.trim() !== '' && data.name.trim().normalize('NFKC') !== input.folderName.normalize('NFKC')) {
      push('SKILL_NAME_MISMATCH', 'error', lineOf('name'), [{ reason: 'folder-mismatch', field: 'name', found: shown(input.folderName) }])
    }
    push(FIELD_CODES.description, 'error', lineOf('description'), descriptionProblems(data.description, has('description')))
    if (has('compatibility')) push(FIELD_CODES.compatibility, 'error', lineOf('compatibility'), compatibilityProblems(data.compatibility))
    if (has('metadata')) push(FIELD_CODES.metadata, 'error', lineOf('metadata'), metadataProblems(data.metadata))
  }
  const bodyLine = countLines(source.slice(0, input.bodyOffset).replace(/[^\r\n]+$/, '')) + 1
  push('SKILL_BODY_TOO_LONG', 'warning', bodyLine, bodyProblems(source.slice(input.bodyOffset), input.bodyTokens))
  return findings.sort((a, b) => a.line - b.line || compare(a.code, b.code))
}
