/**
 * Encoding names, the model → encoding mapping, and loading js-tiktoken's rank
 * data (through the platform, `src/platform/`).
 *
 * Nothing here does heavy work at import time: in Node the rank modules (1–2.3 MB
 * of JavaScript each) are only `require`d when {@link loadEncodingData} is called;
 * in browsers and edge runtimes {@link loadEncoding} imports them.
 *
 * @module
 */

import { InvalidOptionError, UnknownEncodingError } from '../errors.js'
import { loadEncodingRanks, loadTiktokenModels, preloadEncoding } from '../platform/index.js'

/** Names of the BPE encodings promptfold can count with. */
export type EncodingName = 'o200k_base' | 'cl100k_base'

/** Raw rank data as shipped by `js-tiktoken/ranks/<name>`. */
export interface EncodingData {
  /** Pre-tokenizer regular expression source (compiled with the `u` flag). */
  readonly pat_str: string
  /** Special tokens and their ids (counted as plain text by promptfold). */
  readonly special_tokens: Readonly<Record<string, number>>
  /** Compressed ranks: `"! <offset> <base64 token> <base64 token> ..."` lines. */
  readonly bpe_ranks: string
}

/** Every supported encoding, default first. */
export const ENCODING_NAMES: readonly EncodingName[] = ['o200k_base', 'cl100k_base']

/** The encoding used when neither `encoding` nor `model` is given. */
export const DEFAULT_ENCODING: EncodingName = 'o200k_base'

/**
 * Whether `name` is a supported {@link EncodingName}.
 *
 * @param name - Any value.
 * @returns `true` for `'o200k_base'` and `'cl100k_base'`.
 */
export function isEncodingName(name: unknown): name is EncodingName {
  return name === 'o200k_base' || name === 'cl100k_base'
}

/** Optional date suffix: `-2024-08-06` or `-0613` (MMDD). */
const DATE = String.raw`(?:-\d{4}-\d{2}-\d{2}|-(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))?`
/** Any number of lower-case variant segments: `-mini`, `-nano-2025-04-14`, `-16k`. */
const VARIANTS = String.raw`(?:-[a-z0-9][a-z0-9.]*)*`

/** Model patterns, checked in order. */
const MODEL_RULES: ReadonlyArray<readonly [RegExp, EncodingName]> = [
  [new RegExp(`^gpt-4o(?:-mini)?${DATE}$`), 'o200k_base'],
  [new RegExp(`^o4-mini${DATE}$`), 'o200k_base'],
  [new RegExp(String.raw`^(?:gpt-4\.1|o1|o3|gpt-5(?:\.\d+)?)${VARIANTS}$`), 'o200k_base'],
  [new RegExp(`^gpt-4(?:-turbo)?${DATE}$`), 'cl100k_base'],
  [new RegExp(String.raw`^gpt-3\.5-turbo${VARIANTS}$`), 'cl100k_base'],
  [new RegExp(String.raw`^text-embedding-3(?:-[a-z0-9][a-z0-9.]*)+$`), 'cl100k_base'],
]

/**
 * The encoding an OpenAI model uses.
 *
 * - `o200k_base`: `gpt-4o`, `gpt-4o-mini`, `o4-mini` (each with an optional
 *   date suffix, `-YYYY-MM-DD` or `-MMDD` such as `-0613`), and every variant of
 *   `gpt-4.1*`, `o1*`, `o3*`, `gpt-5*` (e.g. `gpt-4.1-nano-2025-04-14`,
 *   `o3-mini`, `gpt-5-chat-latest`, `gpt-5.1`).
 * - `cl100k_base`: `gpt-4`, `gpt-4-turbo` (optional date suffix, e.g.
 *   `gpt-4-0613`, `gpt-4-turbo-2024-04-09`), every `gpt-3.5-turbo*` and
 *   `text-embedding-3-*`.
 *
 * Names are matched case-insensitively, with or without the `openai/` provider
 * prefix (`openai/gpt-4o` is `gpt-4o`). Names not in
 * the list above fall back to js-tiktoken's own model table (e.g. `gpt-4-32k`,
 * `gpt-4o-audio-preview`, `text-embedding-ada-002`); models of other encodings
 * (`p50k_base`, `r50k_base`) are rejected.
 *
 * @param model - Model name, e.g. `'gpt-4o-2024-08-06'`.
 * @returns The model's encoding.
 * @throws {@link UnknownEncodingError} for a model not in the list above.
 * @throws {@link InvalidOptionError} when `model` is not a string.
 */
export function encodingForModel(model: string): EncodingName {
  if (typeof model !== 'string') {
    throw new InvalidOptionError('model', `expected a string, got ${typeof model}`)
  }
  const lower = model.trim().toLowerCase()
  const name = lower.startsWith('openai/') ? lower.slice('openai/'.length) : lower
  for (const [pattern, encoding] of MODEL_RULES) {
    if (pattern.test(name)) return encoding
  }
  // Then js-tiktoken's own table (gpt-4-32k, gpt-4o-audio-preview, text-embedding-ada-002, ...).
  let known: string | undefined
  try {
    known = loadTiktokenModels().getEncodingNameForModel(name)
  } catch {
    known = undefined
  }
  if (isEncodingName(known)) return known
  if (known !== undefined) {
    throw new UnknownEncodingError(`Model ${JSON.stringify(model)} uses ${known}, which promptfold does not count; pass \`encoding\` (${ENCODING_NAMES.join(' or ')}) or a \`counter\``)
  }
  throw new UnknownEncodingError(
    `Unknown model ${JSON.stringify(model)}: cannot tell its encoding; pass \`encoding\` (${ENCODING_NAMES.join(' or ')}) instead`,
  )
}

/**
 * Loads js-tiktoken's rank data for `name`, synchronously. Node caches the
 * module, so repeated calls are cheap; callers should still keep the result.
 *
 * @param name - A supported encoding.
 * @returns The rank data.
 * @throws {@link UnknownEncodingError} when `name` is not supported.
 */
export function loadEncodingData(name: EncodingName): EncodingData {
  if (!isEncodingName(name)) {
    throw new UnknownEncodingError(
      `Unknown encoding ${JSON.stringify(name)}; expected one of ${ENCODING_NAMES.join(', ')}`,
    )
  }
  return loadEncodingRanks(name)
}

/**
 * Make an encoding's rank data available for counting. Browsers, workers and edge runtimes
 * (the package's portable build) load rank data on demand: await this once per encoding
 * before the first count there (`assemble`, `createTokenCounter`, ...), or counting throws
 * `EncodingNotLoadedError` (code `ENCODING_NOT_LOADED`). A bundler puts each encoding's data
 * (o200k_base: ~2.2 MB of JavaScript) in a chunk of its own, fetched by this call. In Node it
 * resolves at once: rank data is read when first needed.
 *
 * @param encoding - The encoding to load. Default `'o200k_base'`.
 * @returns A promise that resolves when counting with `encoding` can start.
 * @throws {@link UnknownEncodingError} (rejects) when `encoding` is not supported.
 *
 * @example
 * ```ts
 * import { assemble, loadEncoding } from 'promptfold'
 * await loadEncoding('o200k_base')
 * const { prompt, report } = await assemble(source, { budget: 3000, resolver })
 * ```
 */
export async function loadEncoding(encoding: EncodingName = DEFAULT_ENCODING): Promise<void> {
  if (!isEncodingName(encoding)) {
    throw new UnknownEncodingError(`Unknown encoding ${JSON.stringify(encoding)}; expected one of ${ENCODING_NAMES.join(', ')}`)
  }
  await preloadEncoding(encoding)
}
