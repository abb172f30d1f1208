/**
 * Token counting stage: exact js-tiktoken-compatible token counts for the
 * `o200k_base` and `cl100k_base` encodings, fast on ordinary text and
 * O(n log n) on pathological long pieces.
 *
 * @module
 */

export type { EncodingName } from './encodings.js'
export { encodingForModel, loadEncoding } from './encodings.js'
export type { TokenCounter, TokenCounterOptions } from './counter.js'
export { createTokenCounter } from './counter.js'
