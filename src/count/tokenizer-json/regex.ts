/**
 * Translation of the Oniguruma regular expressions of a `tokenizer.json`
 * `Split` pre-tokenizer into JavaScript `u` regular expressions, for the
 * constructs the byte-level BPE tokenizers use (Llama 3, Qwen 2.5/3,
 * DeepSeek V3), with the meaning Oniguruma gives them, as the Hugging Face
 * reference implementation (`@huggingface/tokenizers`) translates them:
 *
 * - `\s` / `\S` are Unicode `White_Space` (so U+0085 is a space and U+FEFF is
 *   not, unlike JavaScript's `\s`); `\d` / `\D` are `\p{Nd}`;
 * - `(?i:...)` (Node 20 has no inline flag) folds the ASCII letters of its
 *   body: `'s` becomes `'[sS]`, as js-tiktoken writes cl100k's pattern;
 * - `.` is `[^\n]`; `\x{HH..}` is `\u{HH..}`; `{,n}` is `{0,n}`; a `{` or `}`
 *   that is no quantifier is literal; an escaped punctuation character is
 *   itself.
 *
 * Anything else that could mean something different in the two engines
 * (anchors, `\b`, `\w`, `\G`, atomic groups, possessive quantifiers, POSIX
 * brackets, class intersections, case folding inside a character class) is
 * refused: {@link translateOnigurumaPattern} returns the construct's name.
 *
 * @module
 */

/** Rewrites of escapes outside a character class. */
const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['s', '\\p{White_Space}'],
  ['S', '\\P{White_Space}'],
  ['d', '\\p{Nd}'],
  ['D', '\\P{Nd}'],
  ['n', '\\n'],
  ['r', '\\r'],
  ['t', '\\t'],
  ['f', '\\f'],
  ['v', '\\v'],
])

/** Rewrites of escapes inside a character class. */
const CLASS_ESCAPES: ReadonlyMap<string, string> = ESCAPES

/** Characters that stay escaped in JavaScript (outside a class). */
const SYNTAX = '^$\\.*+?()[]{}|/'

/** Characters that stay escaped inside a JavaScript `u` class. */
const CLASS_SYNTAX = '^$\\.*+?()[]{}|/-'

const BRACED = /^\\([pPx])\{([^}]*)\}/
const FIXED = /^\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4})/
const QUANTIFIER = /^\{(\d+(?:,\d*)?|,\d+)\}/

/** A translated pattern, or the construct that stopped the translation. */
export type Translation = { readonly ok: true; readonly source: string } | { readonly ok: false; readonly unsupported: string }

function isAsciiLetter(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
}

/**
 * Translates one escape at `i` (a backslash). Returns the JavaScript text and
 * the index after the escape, or a string naming an unsupported construct.
 */
function translateEscape(regex: string, i: number, inClass: boolean): { text: string; end: number } | string {
  const rest = regex.slice(i)
  const braced = BRACED.exec(rest)
  if (braced !== null) {
    const [whole, kind, body] = braced as unknown as [string, string, string]
    if (kind === 'x') return { text: `\\u{${body}}`, end: i + whole.length }
    if (body === 'Word') return `\\${kind}{Word}`
    return { text: whole, end: i + whole.length }
  }
  const fixed = FIXED.exec(rest)
  if (fixed !== null) return { text: fixed[0], end: i + fixed[0].length }
  if (i + 1 >= regex.length) return 'a trailing backslash'
  const next = String.fromCodePoint(regex.codePointAt(i + 1) as number)
  const end = i + 1 + next.length
  const rewrite = (inClass ? CLASS_ESCAPES : ESCAPES).get(next)
  if (rewrite !== undefined) return { text: rewrite, end }
  if (/[A-Za-z0-9]/.test(next)) return `the escape \\${next}`
  if ((inClass ? CLASS_SYNTAX : SYNTAX).includes(next)) return { text: `\\${next}`, end }
  return { text: next, end }
}

/** Translates the character class starting at `i` (a `[`). */
function translateClass(regex: string, i: number, fold: boolean): { text: string; end: number } | string {
  let out = '['
  let j = i + 1
  if (regex[j] === '^') {
    out += '^'
    j++
  }
  let first = true
  while (j < regex.length) {
    const c = String.fromCodePoint(regex.codePointAt(j) as number)
    if (c === ']' && !first) return { text: out + ']', end: j + 1 }
    first = false
    if (c === '\\') {
      const escape = translateEscape(regex, j, true)
      if (typeof escape === 'string') return escape
      out += escape.text
      j = escape.end
      continue
    }
    if (c === '[') return regex.startsWith('[:', j) ? 'a POSIX bracket expression' : 'a nested character class'
    if (c === '&' && regex[j + 1] === '&') return 'a character class intersection (&&)'
    if (fold && isAsciiLetter(c)) return 'a character class inside (?i:...)'
    out += c === ']' ? '\\]' : c
    j += c.length
  }
  return 'an unterminated character class'
}

/**
 * Translates an Oniguruma pattern (the `Regex` of a `Split` pre-tokenizer)
 * into the source of an equivalent JavaScript `u` regular expression.
 *
 * @param regex - The Oniguruma pattern.
 * @returns The JavaScript source, or the name of the first construct this
 *   translation does not support.
 */
export function translateOnigurumaPattern(regex: string): Translation {
  let out = ''
  let atomStart = -1
  let lastWasQuantifier = false
  let fold = false
  const groups: [number, boolean][] = []
  const emit = (text: string): void => {
    atomStart = out.length
    out += text
    lastWasQuantifier = false
  }
  const fail = (what: string): Translation => ({ ok: false, unsupported: what })
  for (let i = 0; i < regex.length; ) {
    const c = String.fromCodePoint(regex.codePointAt(i) as number)
    if (c === '\\') {
      const escape = translateEscape(regex, i, false)
      if (typeof escape === 'string') return fail(escape)
      emit(escape.text)
      i = escape.end
      continue
    }
    switch (c) {
      case '[': {
        const cls = translateClass(regex, i, fold)
        if (typeof cls === 'string') return fail(cls)
        emit(cls.text)
        i = cls.end
        continue
      }
      case ']':
        emit('\\]')
        i++
        continue
      case '.':
        emit('[^\\n]')
        i++
        continue
      case '^':
      case '$':
        return fail(`the anchor ${c}`)
      case '(': {
        if (regex.startsWith('(?i:', i)) {
          groups.push([out.length, fold])
          fold = true
          out += '(?:'
          i += 4
        } else {
          const prefix = /^\(\?(?:<[=!]|[:=!])/.exec(regex.slice(i))?.[0]
          if (prefix === undefined && regex[i + 1] === '?') return fail('the group ' + regex.slice(i, i + 3))
          const text = prefix ?? '('
          groups.push([out.length, fold])
          out += text
          i += text.length
        }
        lastWasQuantifier = false
        continue
      }
      case ')': {
        const group = groups.pop()
        if (group === undefined) return fail('an unbalanced )')
        out += ')'
        ;[atomStart, fold] = group
        lastWasQuantifier = false
        i++
        continue
      }
      case '|':
        out += '|'
        atomStart = -1
        lastWasQuantifier = false
        i++
        continue
      case '{': {
        const quantifier = QUANTIFIER.exec(regex.slice(i))
        if (quantifier === null || atomStart < 0) {
          emit('\\{')
          i++
          continue
        }
        if (lastWasQuantifier) return fail('a stacked quantifier')
        const body = (quantifier[1] as string).startsWith(',') ? `0${quantifier[1] as string}` : (quantifier[1] as string)
        out += `{${body}}`
        i += quantifier[0].length
        lastWasQuantifier = true
        continue
      }
      case '}':
        emit('\\}')
        i++
        continue
      case '+':
      case '*':
      case '?':
        if (lastWasQuantifier && c !== '?') return fail(`a possessive or stacked quantifier (${c} after a quantifier)`)
        out += c
        lastWasQuantifier = c !== '?' // a lazy `??`/`*?`/`+?` ends the quantifier
        i++
        continue
      default:
        emit(fold && isAsciiLetter(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)
        i += c.length
    }
  }
  if (groups.length > 0) return fail('an unbalanced (')
  try {
    new RegExp(out, 'gu')
  } catch (error) {
    return fail(`a pattern JavaScript cannot compile (${(error as Error).message})`)
  }
  return { ok: true, source: out }
}
