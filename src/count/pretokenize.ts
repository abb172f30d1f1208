/**
 * The pre-tokenizer: splits text into the pieces js-tiktoken's
 * `text.matchAll(new RegExp(patStr, 'ug'))` yields, one piece at a time.
 *
 * The regular expression costs ~150 ns per piece, most of the counting time on
 * ordinary text. For the two shipped patterns, pieces that start in plain ASCII
 * (words with an optional leading space or punctuation character, digit groups,
 * punctuation runs, whitespace runs) are scanned by hand with exactly the
 * regex's semantics, which are spelled out below. Where that scan defers (a
 * non-ASCII character where it could change the match, an apostrophe where a
 * contraction could start), a second scan with the same rules handles
 * non-ASCII symbols and punctuation (arrows, dashes, quotes, emoji, box
 * drawing: code points that are none of `\p{L}`, `\p{M}`, `\p{N}`, `\s`),
 * classified one code point at a time and remembered. Only letters, marks,
 * numbers and spaces outside ASCII reach the sticky regex at the same position.
 * This matters for the first count in a process: V8 compiles the full Unicode
 * pattern on its first use, 17-28 ms here, where the classifier compiles in
 * about 1 ms; ASCII prose with a `→` or an emoji never needs the pattern. For
 * any other pattern only the regex is used.
 *
 * @module
 */

/** Returns where the piece starting at `pos` ends, or -1 when nothing matches at `pos`. */
export type PieceScanner = (text: string, pos: number) => number

/** js-tiktoken's o200k_base pattern (its rank module's `pat_str`). */
const O200K_PATTERN =
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

/** js-tiktoken's cl100k_base pattern (its rank module's `pat_str`). */
const CL100K_PATTERN =
  "('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

// ASCII character classes. JavaScript's `\s` in ASCII is \t \n \v \f \r and
// space; `\p{L}` is A-Z a-z; `\p{N}` is 0-9. Everything else in ASCII
// (punctuation, symbols, other control characters) is "other".
const UPPER = 1
const LOWER = 2
const DIGIT = 3
const SPACE = 4
const OTHER = 5

const CLASS = new Uint8Array(128).fill(OTHER)
for (let c = 65; c <= 90; c++) CLASS[c] = UPPER
for (let c = 97; c <= 122; c++) CLASS[c] = LOWER
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT
for (const c of [9, 10, 11, 12, 13, 32]) CLASS[c] = SPACE

const CR = 13
const LF = 10
const SP = 32
const APOSTROPHE = 39
const SLASH = 47
const NON_ASCII = 128

/** Class of the code unit `c`, or 0 for non-ASCII. */
function classOf(c: number): number {
  return c < NON_ASCII ? (CLASS[c] as number) : 0
}

/**
 * Length of the contraction (`'s 't 're 've 'm 'll 'd`, any case) at `pos`, or 0.
 * o200k_base allows one after a word.
 */
function contractionLength(text: string, pos: number): number {
  if (text.charCodeAt(pos) !== APOSTROPHE) return 0
  const a = text.charCodeAt(pos + 1) | 0x20 // lower-cases ASCII letters; NaN → 0x20
  if (a === 0x73 || a === 0x74 || a === 0x6d || a === 0x64) return 2 // s t m d
  const b = text.charCodeAt(pos + 2) | 0x20
  if ((a === 0x72 && b === 0x65) || (a === 0x76 && b === 0x65) || (a === 0x6c && b === 0x6c)) return 3 // re ve ll
  return 0
}

/**
 * End of the ASCII word starting at `start` (a letter), or -1 to defer.
 *
 * o200k_base: alternative 1 is `[Lu Lt Lm Lo M]*[Ll Lm Lo M]+` and alternative
 * 2 is `[Lu Lt Lm Lo M]+[Ll Lm Lo M]*`, each with an optional contraction. In
 * ASCII these are `[A-Z]*[a-z]+` (the classes are disjoint, so backtracking
 * cannot help) and, when no lower-case letter follows the capitals, `[A-Z]+`.
 * cl100k_base: `\p{L}+`, i.e. `[A-Za-z]+`, no trailing contraction.
 * A non-ASCII character right after the letters could extend the match: defer;
 * with `mixed`, only a non-ASCII letter or mark defers and anything else ends the word.
 */
function wordEnd(o200k: boolean, text: string, start: number, mixed: boolean): number {
  const length = text.length
  let j = start
  if (o200k) {
    while (j < length && classOf(text.charCodeAt(j)) === UPPER) j++
    while (j < length && classOf(text.charCodeAt(j)) === LOWER) j++
  } else {
    for (let k = classOf(text.charCodeAt(j)); k === UPPER || k === LOWER; k = classOf(text.charCodeAt(j))) j++
  }
  if (j < length && text.charCodeAt(j) >= NON_ASCII && (!mixed || kindOf(text.codePointAt(j) as number) === K_WORD)) return -1
  return o200k ? j + contractionLength(text, j) : j
}

/**
 * End of ` ?[^\s\p{L}\p{N}]+[\r\n/]*` (o200k_base; `[\r\n]*` for cl100k_base)
 * whose run of "other" characters starts at `start`, or -1 to defer when a
 * non-ASCII character (possibly "other" too) interrupts the run. With `mixed`,
 * non-ASCII "other" code points continue the run, a non-ASCII number or space
 * ends it, and a letter or mark defers (a mark would continue it, a letter end it).
 */
function punctuationEnd(o200k: boolean, text: string, start: number, mixed: boolean): number {
  const length = text.length
  let j = start
  while (j < length) {
    const c = text.charCodeAt(j)
    if (c < NON_ASCII) {
      if (CLASS[c] !== OTHER) break
      j++
      continue
    }
    if (!mixed) return -1
    const cp = text.codePointAt(j) as number
    const k = kindOf(cp)
    if (k === K_WORD) return -1
    if (k !== K_OTHER) break
    j += widthOf(cp)
  }
  while (j < length) {
    const c = text.charCodeAt(j)
    if (c !== CR && c !== LF && !(o200k && c === SLASH)) break
    j++
  }
  return j
}

/**
 * End of `\p{N}{1,3}` starting at the ASCII digit at `pos`, or -1 to defer: a
 * non-ASCII character after fewer than 3 digits could be a digit too. With
 * `mixed`, only a non-ASCII number defers; anything else ends the group.
 */
function digitsEnd(text: string, pos: number, mixed: boolean): number {
  const length = text.length
  let j = pos + 1
  while (j < length && j - pos < 3 && CLASS[text.charCodeAt(j)] === DIGIT) j++
  if (j - pos < 3 && j < length && text.charCodeAt(j) >= NON_ASCII && (!mixed || kindOf(text.codePointAt(j) as number) === K_NUMBER)) return -1
  return j
}

/**
 * End of a whitespace piece at `pos`, or -1 to defer (the run of ASCII
 * whitespace ends at a non-ASCII character, which may be whitespace too).
 * `\s*[\r\n]+`: up to the last CR/LF of the run, when it has one (backtracking
 * `\s*` stops there and `[\r\n]+` takes just it). Else `\s+(?!\S)`: the whole
 * run at the end of the text, otherwise all but its last character. Else
 * (a single whitespace character before a non-space) `\s+`: that character.
 */
function whitespaceEnd(text: string, pos: number, mixed: boolean): number {
  const length = text.length
  let j = pos
  let lastNewline = -1
  while (j < length) {
    const c = text.charCodeAt(j)
    if (c >= NON_ASCII) {
      if (!mixed || kindOf(text.codePointAt(j) as number) === K_SPACE) return -1
      break
    }
    if (CLASS[c] !== SPACE) break
    if (c === CR || c === LF) lastNewline = j
    j++
  }
  if (lastNewline >= 0) return lastNewline + 1
  if (j === length) return j
  return j - pos >= 2 ? j - 1 : j
}

/**
 * Hand scan of the piece at `pos` for the shipped patterns, or -1 to defer to
 * the regular expression. The order of the checks follows the alternatives.
 */
function scanAscii(o200k: boolean, text: string, pos: number): number {
  const c0 = text.charCodeAt(pos)
  if (c0 >= NON_ASCII || c0 === APOSTROPHE) return -1 // cl100k: contractions come first
  const k0 = CLASS[c0] as number
  if (k0 === UPPER || k0 === LOWER) return wordEnd(o200k, text, pos, false)
  if (k0 === DIGIT) return digitsEnd(text, pos, false)
  // Other or whitespace. `[^\r\n\p{L}\p{N}]?` lets any of them but CR/LF prefix a word.
  const c1 = pos + 1 < text.length ? text.charCodeAt(pos + 1) : -1
  if (c0 !== CR && c0 !== LF && c1 >= 0) {
    if (c1 >= NON_ASCII) return -1
    const k1 = CLASS[c1] as number
    if (k1 === UPPER || k1 === LOWER) return wordEnd(o200k, text, pos + 1, false)
  }
  if (k0 === OTHER) return punctuationEnd(o200k, text, pos, false)
  if (c0 === SP && c1 >= 0 && CLASS[c1] === OTHER) return punctuationEnd(o200k, text, pos + 1, false)
  return whitespaceEnd(text, pos, false)
}

// Kinds of a code point for the symbol scan: what the patterns' classes see.
/** `\p{L}` or `\p{M}`: may start, extend or join a word. */
const K_WORD = 1
/** `\p{N}`. */
const K_NUMBER = 2
/** JavaScript's `\s` (which includes U+FEFF and excludes U+0085). */
const K_SPACE = 3
/** Anything else: `[^\s\p{L}\p{N}]` without the marks. */
const K_OTHER = 4

/** Kinds of BMP code points, filled on first sight (0 = not yet known). */
let bmpKinds: Uint8Array | undefined
/** Kinds of astral code points seen so far (emoji, mostly). */
const astralKinds = new Map<number, number>()
let letterOrMark: RegExp | undefined
let numberClass: RegExp | undefined
let spaceClass: RegExp | undefined

/** Classifies a non-ASCII code point with the same engine and flags as the pattern. */
function classify(cp: number): number {
  letterOrMark ??= /^[\p{L}\p{M}]$/u
  numberClass ??= /^\p{N}$/u
  spaceClass ??= /^\s$/u
  const s = String.fromCodePoint(cp)
  return letterOrMark.test(s) ? K_WORD : numberClass.test(s) ? K_NUMBER : spaceClass.test(s) ? K_SPACE : K_OTHER
}

/** Kind of the code point `cp`. */
function kindOf(cp: number): number {
  if (cp < NON_ASCII) {
    const k = CLASS[cp] as number
    return k === UPPER || k === LOWER ? K_WORD : k === DIGIT ? K_NUMBER : k === SPACE ? K_SPACE : K_OTHER
  }
  if (cp <= 0xffff) {
    bmpKinds ??= new Uint8Array(0x10000)
    let k = bmpKinds[cp] as number
    if (k === 0) bmpKinds[cp] = k = classify(cp)
    return k
  }
  let k = astralKinds.get(cp)
  if (k === undefined) astralKinds.set(cp, (k = classify(cp)))
  return k
}

/** UTF-16 length of the code point `cp`. */
function widthOf(cp: number): number {
  return cp > 0xffff ? 2 : 1
}

/**
 * The symbol scan: the rules of {@link scanAscii} over code points, where a
 * non-ASCII "other" code point (see {@link K_OTHER}) acts as ASCII
 * punctuation does. Returns -1 to defer wherever a non-ASCII letter, mark,
 * number or space could change the match. Pieces may hold non-ASCII text.
 */
function scanSymbols(o200k: boolean, text: string, pos: number): number {
  const length = text.length
  const c0 = text.codePointAt(pos) as number
  // cl100k_base tries the contractions first; o200k_base only after a word.
  if (!o200k && c0 === APOSTROPHE) {
    const n = contractionLength(text, pos)
    if (n > 0) return pos + n
  }
  const k0 = kindOf(c0)
  if (k0 === K_WORD) return c0 < NON_ASCII ? wordEnd(o200k, text, pos, true) : -1
  if (k0 === K_NUMBER) return c0 < NON_ASCII ? digitsEnd(text, pos, true) : -1
  if (k0 === K_SPACE && c0 >= NON_ASCII) return -1
  // Other or ASCII whitespace: `[^\r\n\p{L}\p{N}]?` lets either but CR/LF prefix a word.
  const p1 = pos + widthOf(c0)
  const c1 = p1 < length ? (text.codePointAt(p1) as number) : -1
  const k1 = c1 >= 0 ? kindOf(c1) : 0
  if (c0 !== CR && c0 !== LF && k1 === K_WORD) return c1 < NON_ASCII ? wordEnd(o200k, text, p1, true) : -1
  if (k0 === K_OTHER) return punctuationEnd(o200k, text, pos, true)
  if (c0 === SP && k1 === K_OTHER) return punctuationEnd(o200k, text, p1, true)
  return whitespaceEnd(text, pos, true)
}

/** The pre-tokenizer of one pattern, in two halves. */
export interface PreTokenizer {
  /**
   * End of the piece at `pos` by hand scan, or -1 where the scan defers (or
   * the pattern has none). A piece it returns is plain ASCII.
   */
  readonly scanAscii: PieceScanner
  /**
   * End of the piece at `pos` for anything: the symbol scan where it applies,
   * else the regex match (-1 when no match starts there). Stateful
   * (`lastIndex`). Pieces may hold non-ASCII text.
   */
  readonly scanOther: PieceScanner
}

/**
 * The pre-tokenizer for `patStr`: the hand scans for the two shipped patterns
 * (none for any other) and the sticky regex.
 *
 * @param patStr - The encoding's pre-tokenizer pattern.
 * @param options - `symbols: false` leaves out the symbol scan (for tests and
 *   benchmarks; the pieces are the same).
 * @returns Both scanners.
 */
export function createPreTokenizer(patStr: string, options: { symbols?: boolean } = {}): PreTokenizer {
  const sticky = new RegExp(patStr, 'uy')
  const scanRegex: PieceScanner = (text, pos) => {
    sticky.lastIndex = pos
    return sticky.test(text) ? sticky.lastIndex : -1
  }
  if (!hasFastScan(patStr)) return { scanAscii: () => -1, scanOther: scanRegex }
  const o200k = patStr === O200K_PATTERN
  const scanOther: PieceScanner =
    options.symbols === false
      ? scanRegex
      : (text, pos) => {
          const end = scanSymbols(o200k, text, pos)
          return end >= 0 ? end : scanRegex(text, pos)
        }
  return { scanAscii: (text, pos) => scanAscii(o200k, text, pos), scanOther }
}

/**
 * One scanner: the hand scans where they apply, else the regex.
 *
 * @param patStr - The encoding's pre-tokenizer pattern.
 * @param options - `ascii: false` skips the ASCII scan (so that the symbol
 *   scan sees every position); `symbols: false` skips the symbol scan.
 * @returns The scanner. It keeps state (`lastIndex`), so use it from one call at a time.
 */
export function createPieceScanner(patStr: string, options: { ascii?: boolean; symbols?: boolean } = {}): PieceScanner {
  const { scanAscii: ascii, scanOther } = createPreTokenizer(patStr, options)
  if (options.ascii === false) return scanOther
  return (text, pos) => {
    const end = ascii(text, pos)
    return end >= 0 ? end : scanOther(text, pos)
  }
}

/** Whether {@link createPreTokenizer} has a hand scan for `patStr`. */
export function hasFastScan(patStr: string): boolean {
  return patStr === O200K_PATTERN || patStr === CL100K_PATTERN
}
