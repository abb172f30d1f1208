/**
 * The token counter: pre-tokenizes text with the encoding's regular expression,
 * counts each piece (bounded per-piece cache, then BPE merge), and adds up.
 *
 * @module
 */

import { InvalidOptionError, UnknownEncodingError } from '../errors.js'
import { ASCII_CACHE_MAX_LENGTH, countCachedAscii, createAsciiCache, type AsciiCache } from './ascii-cache.js'
import { countPieceTokens, countRangeTokens, utf8ByteString } from './bpe.js'
import {
  DEFAULT_ENCODING,
  ENCODING_NAMES,
  encodingForModel,
  isEncodingName,
  type EncodingName,
} from './encodings.js'
import { createPreTokenizer, type PreTokenizer } from './pretokenize.js'
import { loadRankTable, type RankTable } from './ranks.js'

/** Counts tokens for one encoding. */
export interface TokenCounter {
  /** The encoding counted with, e.g. `'o200k_base'`. */
  readonly encoding: string
  /**
   * Number of tokens in `text`. Equals js-tiktoken's
   * `new Tiktoken(ranks).encode(text, [], []).length` for every string: special
   * tokens such as `<|endoftext|>` are counted as the plain text they are and
   * never throw. See {@link createTokenCounter} for the whitespace caveat.
   */
  count(text: string): number
}

/** Options of {@link createTokenCounter}. */
export interface TokenCounterOptions {
  /** Encoding to count with. Default `'o200k_base'`. */
  encoding?: EncodingName
  /** Model whose encoding to use (see `encodingForModel`); must agree with `encoding` when both are given. */
  model?: string
}

/** Pieces of fewer UTF-16 code units than this are cached; longer ones are rare and would make costly keys. */
export const CACHE_MAX_PIECE_LENGTH = 256

/** The piece cache of one encoding is emptied when it reaches this many entries. */
export const CACHE_MAX_ENTRIES = 100_000

/** What a counter builds on its first count. */
interface CounterState {
  readonly table: RankTable
  /** The pre-tokenizer. */
  readonly pre: PreTokenizer
  /** The pre-tokenizer as js-tiktoken compiles it (`ug`), to skip text no match covers. */
  readonly global: RegExp
  /** Piece → token count, for pieces shorter than {@link CACHE_MAX_PIECE_LENGTH} but those the ASCII cache holds. */
  readonly cache: Map<string, number>
  /** Token counts of short plain-ASCII pieces (see `ascii-cache.ts`). */
  readonly ascii: AsciiCache
}

/** Process-wide registry key: one counter per encoding even when both the ESM and CJS builds are loaded. */
const REGISTRY_KEY = Symbol.for('promptfold.count.counters@1')

type Registry = Map<EncodingName, TokenCounter>

function registry(): Registry {
  const holder = globalThis as typeof globalThis & { [REGISTRY_KEY]?: Registry }
  let found = holder[REGISTRY_KEY]
  if (found === undefined) {
    found = new Map()
    holder[REGISTRY_KEY] = found
  }
  return found
}

/**
 * Builds the state of a counter: loads the rank table (from the build's rank
 * file when there is one) and compiles the pre-tokenizer. Called once per
 * encoding, on the first count.
 */
function buildState(encoding: EncodingName): CounterState {
  const table = loadRankTable(encoding)
  return {
    table,
    pre: createPreTokenizer(table.patStr),
    global: new RegExp(table.patStr, 'ug'),
    cache: new Map(),
    ascii: createAsciiCache(),
  }
}

/**
 * Remembers `tokens` for `piece`, emptying the cache first when it is full.
 * In V8 a slice of 13 or more characters is a view that keeps the whole text it
 * was cut from alive; the key is copied so that the cache never retains
 * documents (measured: 100 cached slices of 1 MB texts kept ~26 MB alive;
 * copies kept none).
 */
function remember(state: CounterState, piece: string, tokens: number): number {
  if (state.cache.size >= CACHE_MAX_ENTRIES) state.cache.clear()
  state.cache.set(piece.length >= 13 ? (' ' + piece).slice(1) : piece, tokens)
  return tokens
}

/**
 * Tokens in the plain-ASCII piece `text[start, end)` (it is its own byte
 * string): one or two characters directly, short pieces through the ASCII
 * cache, longer ones through the piece cache when shorter than
 * {@link CACHE_MAX_PIECE_LENGTH}.
 */
function countAsciiPiece(state: CounterState, text: string, start: number, end: number): number {
  const n = end - start
  if (n <= 2) return countRangeTokens(state.table, text, start, end)
  if (n <= ASCII_CACHE_MAX_LENGTH) return countCachedAscii(state.ascii, state.table, text, start, end)
  const piece = text.slice(start, end)
  if (n >= CACHE_MAX_PIECE_LENGTH) return countPieceTokens(state.table, piece)
  const cached = state.cache.get(piece)
  return cached !== undefined ? cached : remember(state, piece, countPieceTokens(state.table, piece))
}

/** Tokens in any piece, through the cache when the piece is short. */
function countPiece(state: CounterState, piece: string): number {
  if (piece.length >= CACHE_MAX_PIECE_LENGTH) return countPieceTokens(state.table, utf8ByteString(piece))
  const cached = state.cache.get(piece)
  return cached !== undefined ? cached : remember(state, piece, countPieceTokens(state.table, utf8ByteString(piece)))
}

/**
 * Counts `text` piece by piece. The scanner yields exactly the matches
 * js-tiktoken's `text.matchAll(new RegExp(patStr, 'ug'))` yields: a global
 * search from position p finds the match at p when there is one. Where there is
 * none (no such text exists for the shipped patterns, which cover every code
 * point, but this keeps the result exact regardless) the global regex finds the
 * next match and the skipped text counts nothing, as in js-tiktoken.
 */
function countText(state: CounterState, text: string): number {
  const { scanAscii, scanOther } = state.pre
  const { global } = state
  const length = text.length
  let total = 0
  let pos = 0
  while (pos < length) {
    let end = scanAscii(text, pos)
    if (end > pos) {
      total += countAsciiPiece(state, text, pos, end)
      pos = end
      continue
    }
    end = scanOther(text, pos)
    if (end < 0) {
      // No match at pos: go on from the next match, as the global regex does.
      global.lastIndex = pos
      const match = global.exec(text)
      if (match === null) break
      pos = match.index
      end = pos + match[0].length
    }
    if (end === pos) {
      // An empty match counts nothing; matchAll then steps one code point.
      const c = text.charCodeAt(pos)
      const d = pos + 1 < length ? text.charCodeAt(pos + 1) : 0
      pos += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1
      continue
    }
    total += countPiece(state, text.slice(pos, end))
    pos = end
  }
  return total
}

/** Makes the counter for `encoding`; its state is built on the first count. */
function makeCounter(encoding: EncodingName): TokenCounter {
  let state: CounterState | undefined
  return Object.freeze({
    encoding,
    count(text: string): number {
      if (typeof text !== 'string') {
        throw new InvalidOptionError('text', `expected a string, got ${text === null ? 'null' : typeof text}`)
      }
      if (text.length === 0) return 0
      state ??= buildState(encoding)
      return countText(state, text)
    },
  })
}

/** Resolves the encoding named by `options`. */
function resolveEncoding(options: TokenCounterOptions | undefined): EncodingName {
  if (options === undefined) return DEFAULT_ENCODING
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError('options', `expected an object, got ${options === null ? 'null' : typeof options}`)
  }
  const { encoding, model } = options
  if (encoding !== undefined && !isEncodingName(encoding)) {
    if (typeof encoding !== 'string') {
      throw new InvalidOptionError('encoding', `expected a string, got ${typeof encoding}`)
    }
    throw new UnknownEncodingError(
      `Unknown encoding ${JSON.stringify(encoding)}; expected one of ${ENCODING_NAMES.join(', ')}`,
    )
  }
  if (model === undefined) return encoding ?? DEFAULT_ENCODING
  const fromModel = encodingForModel(model)
  if (encoding !== undefined && encoding !== fromModel) {
    throw new InvalidOptionError(
      'encoding',
      `${JSON.stringify(encoding)} contradicts model ${JSON.stringify(model)}, which uses ${fromModel}`,
    )
  }
  return fromModel
}

/**
 * Returns the token counter for an encoding (default `o200k_base`), or for a
 * model's encoding.
 *
 * There is one shared counter per encoding per process (kept on `globalThis`
 * under a `Symbol.for` key, so the ESM and CJS builds share it too). Nothing is
 * loaded at import or here: the first `count` call reads the encoding's rank
 * file, which the build packs from js-tiktoken's rank data
 * (`dist/ranks/<encoding>.bin`), and builds the lookup: ~40 ms of CPU for
 * o200k_base, ~30 ms for cl100k_base (run from the sources, or bundled without
 * the `ranks` folder, it decodes js-tiktoken's rank data instead: ~90 / ~65 ms).
 * `count` is synchronous and caches the counts of pieces per encoding: plain
 * ASCII pieces of up to 16 characters in a fixed 2 MB table, other pieces
 * shorter than {@link CACHE_MAX_PIECE_LENGTH} in a bounded map
 * ({@link CACHE_MAX_ENTRIES} entries).
 *
 * Counts equal js-tiktoken's `encode(text, [], []).length` exactly.
 *
 * Whitespace caveat: the pre-tokenizer is a JavaScript `u` regular expression,
 * whose `\s` matches U+FEFF (ZERO WIDTH NO-BREAK SPACE / BOM) and does not
 * match U+0085 (NEXT LINE). tiktoken's Rust core (behind the Python package)
 * uses Unicode White_Space, which is the reverse. promptfold matches
 * js-tiktoken, its contract, so text containing U+FEFF or U+0085 can be split
 * differently from Python/Rust tiktoken, and counts can differ: with
 * o200k_base, `"hello\uFEFF\uFEFFworld"` splits as `hello|\uFEFF|\uFEFFworld`,
 * 4 tokens here, where Unicode White_Space gives `hello|\uFEFF\uFEFF|world`,
 * 3 tokens. `"a\u0085\u0085b"` splits as `a|\u0085\u0085|b` here and
 * `a|\u0085|\u0085b` there (6 tokens either way). Other text agrees.
 *
 * @param options - `encoding` and/or `model`.
 * @returns The shared counter.
 * @throws {@link UnknownEncodingError} for an unknown encoding or model.
 * @throws {@link InvalidOptionError} for options of the wrong type, or an
 *   `encoding` that contradicts `model`.
 */
export function createTokenCounter(options?: TokenCounterOptions): TokenCounter {
  const encoding = resolveEncoding(options)
  const counters = registry()
  let counter = counters.get(encoding)
  if (counter === undefined) {
    counter = makeCounter(encoding)
    counters.set(encoding, counter)
  }
  return counter
}
