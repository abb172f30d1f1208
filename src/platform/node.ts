/**
 * The platform in Node without a bundler (see `types.ts`): dependencies `require`d on first
 * use, `node:crypto`, a `node:vm` limit of CPU time, a parser thread, rank files next to the
 * bundle.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import type { EncodingData, EncodingName } from '../count/encodings.js'
import { once } from '../lazy.js'
import { localRequire } from './require.js'
import type { LoadEncodingRanks, LoadZod, MarkdownEngine, PreloadEncoding, Sha256, TiktokenModels, YamlEngine } from './types.js'

export { readRankFile } from '../count/rank-file.js'
export { driveOffThread } from '../parse/offload.js'
export { runWithin } from './vm.js'

/** Which implementation this is. */
export const PLATFORM = 'node'

/** SHA-256 with `node:crypto`. */
export const sha256: Sha256 = (text, encoding) => createHash('sha256').update(text).digest(encoding)

/** zod's `z`, loaded on first use. */
export const loadZod: LoadZod = once(() => (localRequire()('zod') as { z: ReturnType<LoadZod> }).z)

/** gray-matter's YAML engine (js-yaml's safe loader), from its engines module, loaded on first use. */
export const loadYamlEngine = once((): YamlEngine => (localRequire()('gray-matter/lib/engines.js') as { yaml: YamlEngine }).yaml)

/** js-tiktoken's model table, loaded on first use. */
export const loadTiktokenModels = once((): TiktokenModels => localRequire()('js-tiktoken/lite') as TiktokenModels)

/**
 * The markdown stack, loaded on first use: from the bundled `markdown-engine.cjs` next to
 * the built code, or (running from source) from the packages themselves.
 */
export const loadMarkdownEngine = once((): MarkdownEngine => {
  const require = localRequire()
  try {
    return require('./markdown-engine.cjs') as MarkdownEngine
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown }
    if (code !== 'MODULE_NOT_FOUND' || !String(message).includes('markdown-engine')) throw error
  }
  return { unified: (require('unified') as typeof import('unified')).unified, remarkParse: (require('remark-parse') as typeof import('remark-parse')).default }
})

/** js-tiktoken's rank data, `require`d (Node caches the module). */
export const loadEncodingRanks: LoadEncodingRanks = (name: EncodingName): EncodingData => {
  const require = localRequire()
  // Literal specifiers, one per encoding.
  const mod = (name === 'o200k_base' ? require('js-tiktoken/ranks/o200k_base') : require('js-tiktoken/ranks/cl100k_base')) as EncodingData | { default: EncodingData }
  return 'bpe_ranks' in mod ? mod : mod.default
}

/** Nothing to do in Node: rank data is read synchronously when first needed. */
export const preloadEncoding: PreloadEncoding = () => Promise.resolve()
