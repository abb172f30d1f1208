/**
 * Headings of a markdown body without parsing it, for matching: a line scan that answers only
 * when the body is plain enough that its answer is certainly the parser's (the same titles,
 * in the same order, as `parseDocument(...).sections`), and `undefined` otherwise (the caller
 * then parses). Checked against the parser on real and generated documents
 * (test/library/headings.test.ts).
 *
 * It answers for ATX headings (`# Title`) at the top level, outside fenced code, whose text
 * holds no inline markup it cannot read for certain (see `headingText`: no links, escapes,
 * character references, autolinks, emphasis but one closing strong span). It declines a
 * body holding anything that could make or hide a heading in a way a line scan cannot tell
 * for certain: setext underlines, HTML blocks, indented headings (in list items or indented
 * code), headings or fences in block quotes or on a list item's first line, a fence whose content
 * leaves its indentation where the scan does not know the fence's container, tabs before a line's
 * text, carriage returns. It follows list items of the top level far enough to know that a line
 * left of an item's content ends the item and a fence inside it (`1. Step` then an indented
 * fence then `2. Next`), and declines where that is not certain (nested lists, lazy lines).
 *
 * @module
 */

/** Inline markup (CommonMark, as remark-parse reads it) this scan does not read: emphasis, escapes, code spans (read apart, see below). */
const MARKUP = /[*_\\`]/
/** A character reference (`&amp;`, `&#35;`, `&#x23;`); a bare `&` is text. */
const ENTITY = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/
/** An autolink (`<https://x>`, `<a@b.c>`): its text is not what is written. */
const AUTOLINK = /<[A-Za-z][A-Za-z0-9.+-]{1,31}:[^\s<>]*>|<[^\s<>@]+@[^\s<>]+>/
/** A line that may start a link reference definition (`[label]: url`), inside any block quote or list markers; the label may span lines. */
const DEFINITION = /^[ \t]*(?:(?:>|(?:[-*+]|\d{1,9}[.)])[ \t])[ \t]*)*\[[^\]]*\]:/m
/** What makes brackets a link or an image (given no link reference definition in the body). */
const LINK = /\]\s*[([:]|!\[/
/** A heading ending in one strong span opened after a space (or at the start): `1. **Keep It Simple**`. */
const STRONG_END = /^(.*?)(?:^|(?<=\s))\*\*(\S(?:[^*]*\S)?)\*\*$/
/** A code span of single backticks. */
const CODE = /`([^`]+)`/g

/** Spaces and tabs only: what markdown reads as blank (not every character `String.prototype.trim` removes). */
const SPACES_ONLY = /^[ \t]*$/

/** A character without which {@link headingText} finds no markup: `&`, a tab, brackets, `<`, emphasis, a backslash, a backtick. */
const MAY_MARK = /[&\t[\]<*_\\`]/

/** Whether text outside code spans holds markup this scan does not read (underscores inside words are text). */
const marked = (text: string) => MARKUP.test(text.replace(INTRAWORD_UNDERSCORES, ''))

/**
 * The text of a heading's content as the parser gives it, trimmed, or `undefined` when it
 * holds inline markup this scan does not read. It reads: character `&` (not a reference),
 * underscores inside words, brackets when no link can form (the body defines no link
 * reference, and no `](`, `][`, `]:` or `![`), `<` that opens no autolink (raw HTML reads as
 * written), one strong span closing the heading, code spans of single backticks.
 */
function headingText(content: string, definitions: boolean): string | undefined {
  // Text without any character that may open markup (the commonest heading) reads as written.
  if (!MAY_MARK.test(content)) return content.trim()
  if (ENTITY.test(content) || content.includes('\t')) return undefined
  if (/[[\]]/.test(content) && (definitions || LINK.test(content))) return undefined
  if (content.includes('<')) return AUTOLINK.test(content) || marked(content) ? undefined : content.trim()
  const strong = STRONG_END.exec(content)
  if (strong) {
    const [, before, inner] = strong as unknown as [string, string, string]
    return marked(before) || marked(inner) ? undefined : (before + inner).trim()
  }
  let out = ''
  let last = 0
  for (const m of content.matchAll(CODE)) {
    const outside = content.slice(last, m.index)
    if (marked(outside)) return undefined
    const code = m[1] as string
    // One space is stripped from both ends of a code span that starts and ends with one and is not all spaces.
    out += outside + (code.length >= 2 && code.startsWith(' ') && code.endsWith(' ') && /[^ ]/.test(code) ? code.slice(1, -1) : code)
    last = m.index + m[0].length
  }
  const rest = content.slice(last)
  // The section title is the heading's text, trimmed (a code span of spaces leaves none).
  return marked(rest) ? undefined : (out + rest).trim()
}
const FENCE = /^(`{3,}|~{3,})(.*)$/
const ATX = /^(#{1,6})(?:[ \t]+(.*)|[ \t]*)$/
const SETEXT_EQ = /^=+[ \t]*$/
const DASHES = /^-+[ \t]*$/
const LIST = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]+(.*)|$)/
/** What, at the start of a block quote's or list item's text, could open a heading, a fence or an HTML block. */
const RISKY_START = /^(?:#|`{3}|~{3}|<[A-Za-z/!?]|=+[ \t]*$|-+[ \t]*$)/
/** Underscores between letters or digits: never emphasis (they can neither open nor close it). */
const INTRAWORD_UNDERSCORES = /(?<=[A-Za-z0-9])_+(?=[A-Za-z0-9])/g
const CONTAINER_MARK = /^(?:>[ ]?|(?:[-*+]|\d{1,9}[.)])(?:[ ]+|$))/

/** Whether a line's text, inside any block quote or list markers it starts with, could open a heading, a fence or an HTML block. */
function risky(text: string): boolean {
  if (text.includes('\t')) return true
  let rest = text.trimStart()
  for (let m = CONTAINER_MARK.exec(rest); m !== null && m[0] !== ''; m = CONTAINER_MARK.exec(rest)) {
    rest = rest.slice(m[0].length).trimStart()
    if (rest === '') return false
  }
  return RISKY_START.test(rest)
}

/**
 * Where a line sits, as far as fenced code needs to know (see {@link containerAfter}): at the top
 * level (`TOP`), inside a list item of the top level whose content starts at this column (a number
 * above 0), or somewhere the scan does not follow (`UNKNOWN`: block quotes, nested lists, lazy lines).
 */
const TOP = 0
const UNKNOWN = -1
/** A list item's first line: marker, one to four spaces, content (its content column is the content's). */
const ITEM_START = /^([-*+]|\d{1,9}[.)])( {1,4})(?=[^ ])/
/** Any list marker at the start of a line's text. */
const LIST_START = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/
/** A thematic break (`---`, `* * *`, `___`). */
const THEMATIC = /^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/
/** The start of an ATX heading. */
const ATX_START = /^#{1,6}(?:[ \t]|$)/

/**
 * The container of a non-blank line outside fenced code (`indent` spaces, then `rest`), given the
 * container of the line before and whether that line was text. A list item stays open for lines
 * indented to its content; a line left of it ends it, unless it may be a lazy continuation of a
 * paragraph (then `UNKNOWN`). A line at the margin after a blank line, or one that starts a
 * heading, a fence or a thematic break there, is at the top level whatever came before.
 */
function containerAfter(container: number, indent: number, rest: string, previous: 'blank' | 'text'): number {
  const thematic = THEMATIC.test(rest)
  if (container > 0 && indent >= container) return LIST_START.test(rest) || rest.startsWith('>') || thematic ? UNKNOWN : container
  const interrupts = indent === 0 && (ATX_START.test(rest) || FENCE.test(rest) || thematic)
  let next = container
  if (container > 0) next = previous === 'text' && !interrupts ? UNKNOWN : TOP
  else if (container === UNKNOWN && indent === 0 && (previous === 'blank' || interrupts)) next = TOP
  if (next !== TOP || indent > 3 || thematic) return next
  if (rest.startsWith('>')) return UNKNOWN
  const item = ITEM_START.exec(rest)
  if (!item) return LIST_START.test(rest) ? UNKNOWN : TOP
  // After text, only a bullet or an item numbered 1 starts a list (else the line may continue a paragraph).
  if (previous === 'text' && !/^(?:[-*+]|1[.)])$/.test(item[1] as string)) return UNKNOWN
  return indent + (item[1] as string).length + (item[2] as string).length
}

/** The container after a line that starts with an ASCII letter (no marker, quote or break): {@link containerAfter} in short. */
function proseContainerAfter(container: number, indent: number, previous: 'blank' | 'text'): number {
  if (container > 0) return indent >= container ? container : previous === 'text' ? UNKNOWN : TOP
  return container === UNKNOWN && indent === 0 && previous === 'blank' ? TOP : container
}

/**
 * ASCII characters (1) that, first on a line under four spaces in, make it text whatever follows:
 * letters and punctuation that opens no block. Not: `#`, `` ` ``, `~`, `-`, `+`, `*`, `_`, `=`,
 * `<`, `>`, digits (headings, fences, lists, breaks, setext underlines, HTML, quotes), tabs.
 */
const PLAIN_START = (() => {
  const table = new Uint8Array(128)
  for (let c = 65; c <= 90; c++) table[c] = table[c + 32] = 1
  for (const c of '!"$%&\'()/:;,.?@[\\]^{|}') table[c.charCodeAt(0)] = 1
  return table
})()

/**
 * The characters, first on a line (besides a space and a line feed), that are not a
 * {@link proseChar}, as a regular-expression class body: controls, `#*+-<=>_` and digits, a
 * backtick, a tilde, DEL, and white space past ASCII.
 */
const NOT_PROSE = String.raw`\x00-\x09\x0b-\x1f#*+\-0-9<=>_\`~\x7f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff`

/**
 * The next line, after the `\n` where a search starts, that the scan must read itself at the top
 * level outside fenced code: not blank, and either indented four spaces or more or starting with a
 * character that is not in {@link PLAIN_START}. The lines before it are blank or prose, which change
 * nothing there but whether the line before is blank (the search runs in the regex engine's native
 * code, which a fresh process does not have to warm up).
 */
const TOP_NEXT = new RegExp(String.raw`\n(?: {0,3}(?!\*\*[^ \n${NOT_PROSE}])[${NOT_PROSE}]| {4,}[^ \n])`, 'g')
/**
 * The same inside fenced code opened `indent` spaces in (index): the next line that is not blank
 * and either starts left of the fence or starts with a backtick, a tilde or a tab (which may close
 * the fence or make the body one the scan declines). Fences open under four spaces in.
 */
const FENCED_NEXT = [/\n *[`~\t]/g, /\n(?:[^ \n]| *[`~\t])/g, /\n(?: ?[^ \n]| *[`~\t])/g, /\n(?: {0,2}[^ \n]| *[`~\t])/g]

/**
 * {@link FENCED_NEXT} for a fence opened at the margin, in a body without tabs: the `\n` (at or after
 * `from`) before the next line that starts, after spaces, with three of the fence's character (the
 * only lines that may close it; any other line leaves it open and changes nothing), else the
 * body's length. A string search, where the regex would try every line.
 */
function closingLine(body: string, from: number, char: string): number {
  const marks = char === '`' ? '```' : '~~~'
  let at = body.indexOf(marks, from)
  while (at >= 0) {
    const lineStart = body.lastIndexOf('\n', at - 1)
    if (spacesOnly(body, lineStart + 1, at)) return lineStart
    // Not at the start of its line: nor is any later on that line (each line is looked at once).
    const lineEnd = body.indexOf('\n', at)
    if (lineEnd < 0) break
    at = body.indexOf(marks, lineEnd)
  }
  return body.length
}

/** Whether `body[from, to)` is spaces only. */
function spacesOnly(body: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (body.charCodeAt(i) !== 32) return false
  return true
}

/** Whether a character past ASCII is white space to `String.prototype.trim` (a line of it reads as blank). */
function unicodeSpace(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
}

/**
 * Whether a character, first on a line (under four spaces in), makes the line prose whatever
 * follows: one of {@link PLAIN_START}, or any character past ASCII but white space (no block
 * starts with one).
 */
function proseChar(c: number): boolean {
  return PLAIN_START[c] === 1 || (c >= 128 && !unicodeSpace(c))
}

/**
 * Whether a line whose text starts at `at` (under four spaces in) is prose whatever follows: it
 * starts with a {@link proseChar}, or with `**` before one (strong emphasis: no list marker, break
 * or other block starts so).
 */
function prose(body: string, at: number): boolean {
  const c = body.charCodeAt(at)
  return proseChar(c) || (c === 42 && body.charCodeAt(at + 1) === 42 && proseChar(body.charCodeAt(at + 2)))
}

/**
 * {@link containerAfter} for a list item's first line under four spaces in whose content is
 * prose (see {@link prose}): its marker (`-`, `*`, `+`, or one to nine digits and `.` or `)`) is
 * `marker` characters long, then `spaces` spaces. No break, heading or fence interrupts; a nested
 * item is not followed; up to four spaces make the content column; after text, only a bullet or
 * an item numbered 1 starts a list (`startsList`).
 */
function itemContainerAfter(container: number, indent: number, marker: number, spaces: number, startsList: boolean, previous: 'blank' | 'text'): number {
  if (container > 0 && indent >= container) return UNKNOWN
  let next = container
  if (container > 0) next = previous === 'text' ? UNKNOWN : TOP
  else if (container === UNKNOWN && indent === 0 && previous === 'blank') next = TOP
  if (next !== TOP) return next
  if (spaces > 4 || (previous === 'text' && !startsList)) return UNKNOWN
  return indent + marker + spaces
}

/**
 * The length of the list marker at `at` (`-`, `*`, `+`, or one to nine digits and `.` or `)`)
 * when a space follows it, else 0.
 */
function markerLength(body: string, at: number): number {
  const c = body.charCodeAt(at)
  let end = at + 1
  if (c >= 48 && c <= 57) {
    while (end - at < 9 && body.charCodeAt(end) >= 48 && body.charCodeAt(end) <= 57) end++
    const delimiter = body.charCodeAt(end)
    if (delimiter !== 46 && delimiter !== 41) return 0
    end++
  } else if (c !== 45 && c !== 42 && c !== 43) return 0
  return body.charCodeAt(end) === 32 ? end - at : 0
}

/** Limit of the scan: longer bodies are left to the parser (which may treat them otherwise). */
const MAX_CHARS = 256 * 1024

/**
 * The titles of a body's headings in document order (empty ones included, as `''`), or
 * `undefined` when the body is not plain enough to be sure (see the module comment).
 */
export function scanHeadings(body: string): string[] | undefined {
  if (body.length > MAX_CHARS || body.includes('\r') || body.includes('\0')) return undefined
  const titles: string[] = []
  // A definition needs `]:` (the regex alone would be tried at every position of the body).
  const definitions = body.includes(']:') && DEFINITION.test(body)
  const tabs = body.includes('\t')
  let fence: { char: string; length: number; indent: number; container: number } | undefined
  let previous: 'blank' | 'text' = 'blank'
  let container = TOP
  let start = 0
  while (start <= body.length) {
    // Where the lines ahead can only be blank, prose (at the top level) or fenced code that stays
    // open, go to the next line that is none of these at once.
    if (start > 0 && (fence !== undefined || container === TOP)) {
      let next: number
      if (fence !== undefined && fence.indent === 0 && !tabs) next = closingLine(body, start - 1, fence.char)
      else {
        const search = fence !== undefined ? (FENCED_NEXT[fence.indent] as RegExp) : TOP_NEXT
        search.lastIndex = start - 1
        next = search.exec(body)?.index ?? body.length
      }
      if (next > start - 1) {
        // Lines start..next were passed over: only whether the last of them is blank matters.
        if (fence === undefined) previous = spacesOnly(body, body.lastIndexOf('\n', next - 1) + 1, next) ? 'blank' : 'text'
        start = next + 1
        if (start > body.length) break
      }
    }
    let end = body.indexOf('\n', start)
    if (end < 0) end = body.length
    // Most lines are blank, prose or code: read on without slicing them. Under four spaces in, a
    // line starting with a letter or with punctuation that opens no block (PLAIN_START) can open,
    // close or hide nothing; inside a fence, at its indentation or more, only a backtick or a tilde
    // (a closing fence) or a tab matters.
    let at = start
    while (at < end && body.charCodeAt(at) === 32) at++
    if (at === end) {
      // Blank (spaces only).
      if (!fence) previous = 'blank'
      start = end + 1
      continue
    }
    const first = body.charCodeAt(at)
    if (fence ? at - start >= fence.indent && first !== 96 && first !== 126 && first !== 9 : at - start < 4 && prose(body, at)) {
      if (!fence) {
        container = proseContainerAfter(container, at - start, previous)
        previous = 'text'
      }
      start = end + 1
      continue
    }
    // A list item's first line holding prose (the commonest line after these), in a body without tabs.
    const marker = !fence && !tabs && at - start < 4 ? markerLength(body, at) : 0
    if (marker > 0) {
      let text = at + marker + 1
      while (body.charCodeAt(text) === 32) text++
      if (prose(body, text)) {
        // A bullet, `1.` or `1)` may start a list after text.
        const startsList = marker === 1 || (marker === 2 && first === 49)
        container = itemContainerAfter(container, at - start, marker, text - at - marker, startsList, previous)
        previous = 'text'
        start = end + 1
        continue
      }
    }
    const indent = at - start
    const line = body.slice(start, end)
    start = end + 1
    const rest = line.slice(indent)
    if (rest.startsWith('\t')) return undefined
    // Blank: spaces and tabs only (a line of other white space, such as U+00A0, is text).
    const blank = SPACES_ONLY.test(rest)
    if (fence) {
      if (blank) continue
      // A line less indented than its fence: content of a fence at the top level; the end of a list
      // item holding the fence, and of the fence (fenced code has no lazy lines), left of the item's
      // content; where the fence's container is not known, not certain.
      if (indent < fence.indent && fence.container === UNKNOWN) return undefined
      if (indent < fence.container) {
        fence = undefined
        container = TOP
        previous = 'blank'
      } else {
        const close = FENCE.exec(rest)
        if (close && close[1]?.[0] === fence.char && (close[1]?.length ?? 0) >= fence.length && SPACES_ONLY.test(close[2] ?? '')) {
          // Up to three spaces before a closing fence at the top level; more may still close one in a list item: not certain.
          if (indent >= 4) return undefined
          fence = undefined
        }
        continue
      }
    }
    if (blank) {
      previous = 'blank'
      continue
    }
    container = containerAfter(container, indent, rest, previous)
    if (indent >= 4) {
      if (risky(rest)) return undefined
      previous = 'text'
      continue
    }
    const open = FENCE.exec(rest)
    if (open) {
      const marks = open[1] as string
      // A backtick fence's info string holds no backtick (else the line is text).
      if (marks[0] === '`' && open[2]?.includes('`')) return undefined
      fence = { char: marks[0] as string, length: marks.length, indent, container }
      previous = 'blank'
      continue
    }
    const atx = ATX.exec(rest)
    if (atx) {
      if (indent > 0) return undefined
      const content = atx[2] ?? ''
      // A closing sequence (` ##`) is left out of the text.
      const text = headingText((content.includes('#') ? content.replace(/(?:^|[ \t]+)#+[ \t]*$/, '') : content).trim(), definitions)
      if (text === undefined) return undefined
      titles.push(text)
      previous = 'blank'
      continue
    }
    if (/^<[A-Za-z/!?]/.test(rest) || SETEXT_EQ.test(rest)) return undefined
    if (DASHES.test(rest) && previous === 'text') return undefined
    if ((rest.startsWith('>') || LIST.test(rest)) && risky(rest)) return undefined
    previous = 'text'
  }
  return fence && fence.indent > 0 ? undefined : titles
}
