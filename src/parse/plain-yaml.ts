/**
 * Plain frontmatter read without a YAML engine: the common shape of prompt frontmatter (top-level
 * `key: value` lines whose values are one-line strings, small integers, flow lists `[a, b]` or
 * block lists of one-line items) read in one pass, with the answer gray-matter's YAML engine
 * (js-yaml's safe loader) would give, or `undefined` whenever the text holds anything else, in
 * which case the caller parses it with the engine. Loading the engine costs more than reading a
 * few hundred frontmatters this way, and the engine reads each one about ten times slower.
 *
 * It answers only when certain. It declines: tabs, carriage returns, characters YAML does not
 * print, anything indented at the top level, duplicate keys, keys YAML would read as something
 * other than their text (`true`, `null`), multi-line scalars, block scalars (`|`, `>`), anchors,
 * aliases, tags, nested mappings, escapes in double-quoted strings, and every plain scalar YAML
 * could read as anything but a string (`null`, `true`, `~`, numbers but small decimal integers,
 * dates, `.inf`), by declining any that starts with a digit, a sign or a dot. Checked against
 * js-yaml on generated frontmatter and on every document of the fixtures and the shared corpora
 * (test/parse/plain-yaml.test.ts, test/conformance).
 *
 * @module
 */

/** A plain value of a frontmatter read here. */
type PlainValue = string | number | null | PlainValue[] | { [key: string]: PlainValue }

/** Declined: the text is not plain enough to be certain. */
const NO = Symbol('declined')

/** What js-yaml refuses as unprintable, and line breaks it reads otherwise than `\n` (CR, NEL, LS, PS), BOM and tab. */
const UNSURE_CHARS = /[\x00-\x09\x0B-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/
/** A top-level `key:` line: a plain key at column 0, then the end of the line or a space and the value. */
const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_.-]*):(?: +(.*))?$/
/** Keys YAML reads as another value (then turned back into a different string) or that would set an object's prototype. */
const UNSURE_KEY = /^(?:null|true|false|__proto__)$/i
/** A block list item: indentation, `-`, spaces, the item. */
const ITEM = /^( *)- +(.*)$/
/** A line holding nothing, or only a comment. */
const EMPTY = /^ *(?:#.*)?$/
/** Plain scalars that are read as something else than a string: null and booleans, in any letter case. */
const NOT_A_STRING = /^(?:null|true|false)$/i
/** Small decimal integers: read as numbers, exactly as written. */
const INTEGER = /^(?:0|[1-9][0-9]{0,14})$/
/** A single-quoted scalar (`''` is a quote). */
const SINGLE = /^'((?:[^']|'')*)'/
/** A double-quoted scalar without escapes. */
const DOUBLE = /^"([^"\\]*)"/

/** Whether a plain scalar may start with this character: letters, `_`, `/`, `$`, `(`, and anything past ASCII. */
function plainStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code === 47 || code === 36 || code === 40 || code >= 0x80
}

/** A plain scalar's value (comment cut, spaces trimmed), or {@link NO}. `flow`: inside `[...]`, where `,[]{}` end it. */
function plain(text: string, flow: boolean): string | number | typeof NO {
  const comment = text.indexOf(' #')
  const value = (comment < 0 ? text : text.slice(0, comment)).trimEnd()
  if (value === '') return NO
  if (INTEGER.test(value)) return Number(value)
  // `-` starts a plain scalar when a letter or another `-` follows (`---`, `-flag`): a digit, `.`, `_` or a sign could make a number.
  if (!(plainStart(value.charCodeAt(0)) || /^-[A-Za-z-]/.test(value)) || NOT_A_STRING.test(value)) return NO
  if (value.includes(': ') || value.endsWith(':')) return NO
  if (flow && /[[\]{},#'"]/.test(value)) return NO
  return value
}

/** A quoted scalar at the start of `text`: its value and where it ends, or undefined. */
function quoted(text: string): { value: string; end: number } | undefined {
  const m = SINGLE.exec(text) ?? DOUBLE.exec(text)
  if (!m) return undefined
  return { value: text[0] === "'" ? (m[1] as string).replace(/''/g, "'") : (m[1] as string), end: m[0].length }
}

/** Whether what follows a value on its line is nothing or a comment. */
function endsLine(rest: string): boolean {
  return rest === '' || /^ +(?:#.*)?$/.test(rest)
}

/** A one-line scalar (quoted or plain) in block context, or {@link NO}. */
function scalar(text: string): string | number | typeof NO {
  if (text[0] === "'" || text[0] === '"') {
    const q = quoted(text)
    return q && endsLine(text.slice(q.end)) ? q.value : NO
  }
  return plain(text, false)
}

/**
 * A block list item's value: a one-line scalar, or a mapping of one plain key to a one-line scalar
 * (`- Test doubles: mocks, stubs`, which YAML reads as `{ 'Test doubles': 'mocks, stubs' }`), or
 * {@link NO}.
 */
function itemValue(text: string): PlainValue | typeof NO {
  const colon = text.indexOf(': ')
  if (colon < 0 || text[0] === "'" || text[0] === '"') return text.endsWith(':') ? NO : scalar(text)
  const key = text.slice(0, colon)
  const value = scalar(text.slice(colon + 2).trimStart())
  // The key: a plain string (not null, a boolean, a number or a comment), written without spaces before its colon.
  if (value === NO || plain(key, false) !== key || UNSURE_KEY.test(key)) return NO
  return { [key]: value } as unknown as PlainValue
}

/** A one-line flow list (`[a, 'b', 3]`), or {@link NO}. */
function flowList(text: string): PlainValue[] | typeof NO {
  const items: PlainValue[] = []
  let at = 1
  for (;;) {
    while (text[at] === ' ') at++
    if (text[at] === ']' && items.length === 0) break
    let value: string | number | typeof NO
    if (text[at] === "'" || text[at] === '"') {
      const q = quoted(text.slice(at))
      if (!q) return NO
      value = q.value
      at += q.end
      while (text[at] === ' ') at++
    } else {
      let end = at
      while (end < text.length && text[end] !== ',' && text[end] !== ']') end++
      value = plain(text.slice(at, end), true)
      at = end
    }
    if (value === NO) return NO
    items.push(value)
    if (text[at] === ']') break
    if (text[at] !== ',') return NO
    at++
  }
  return endsLine(text.slice(at + 1)) ? items : NO
}

/**
 * The mapping a frontmatter's YAML holds, read without a YAML engine, exactly as js-yaml's safe
 * loader reads it; `undefined` when the YAML is not plain enough to be certain (see the module
 * comment), or holds no key. Linear in the text.
 *
 * @param yaml The YAML between the frontmatter's delimiters.
 */
export function readPlainYaml(yaml: string): Record<string, PlainValue> | undefined {
  if (UNSURE_CHARS.test(yaml)) return undefined
  const lines = yaml.split('\n')
  const out: Record<string, PlainValue> = {}
  let keys = 0
  let i = 0
  while (i < lines.length) {
    const line = lines[i++] as string
    if (EMPTY.test(line)) continue
    const m = KEY_LINE.exec(line)
    if (!m) return undefined
    const key = m[1] as string
    if (UNSURE_KEY.test(key) || Object.hasOwn(out, key)) return undefined
    const text = (m[2] ?? '').trimEnd()
    let value: PlainValue | typeof NO
    if (text === '') {
      // Nothing after `key:`: a block list when items follow, else null.
      const items: PlainValue[] = []
      let indent = -1
      for (; i < lines.length; i++) {
        const next = lines[i] as string
        if (EMPTY.test(next)) continue
        const item = ITEM.exec(next)
        if (!item) break
        const n = (item[1] as string).length
        if (indent >= 0 && n !== indent) return undefined
        indent = n
        const v = itemValue((item[2] as string).trimEnd())
        if (v === NO) return undefined
        items.push(v)
      }
      value = indent < 0 ? null : items
    } else value = text[0] === '[' ? flowList(text) : scalar(text)
    if (value === NO) return undefined
    out[key] = value
    keys++
  }
  return keys > 0 ? out : undefined
}
