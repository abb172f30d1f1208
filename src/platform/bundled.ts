/**
 * The platform in Node through a bundler (see `types.ts`): dependencies and rank data imported
 * statically, `node:crypto`, a `node:vm` limit of CPU time; no parser thread and no rank files
 * (a bundle has neither next to it).
 *
 * @module
 */
import { createHash } from 'node:crypto'
import cl100k from 'js-tiktoken/ranks/cl100k_base'
import o200k from 'js-tiktoken/ranks/o200k_base'
import type { EncodingData } from '../count/encodings.js'
import type { LoadEncodingRanks, PreloadEncoding, Sha256 } from './types.js'

export { runWithin } from './vm.js'
export { loadMarkdownEngine, loadTiktokenModels, loadYamlEngine, loadZod, noParserThread as driveOffThread, noRankFile as readRankFile } from './static.js'

/** Which implementation this is. */
export const PLATFORM = 'bundled'

/** SHA-256 with `node:crypto`. */
export const sha256: Sha256 = (text, encoding) => createHash('sha256').update(text).digest(encoding)

/** js-tiktoken's rank data, bundled. */
export const loadEncodingRanks: LoadEncodingRanks = (name) => (name === 'o200k_base' ? o200k : cl100k) as EncodingData

/** Nothing to do: the rank data is in the bundle. */
export const preloadEncoding: PreloadEncoding = () => Promise.resolve()
