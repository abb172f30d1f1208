/**
 * The platform in browsers, workers and edge runtimes (see `types.ts`): no `node:` module.
 * SHA-256 from `@noble/hashes`; dependencies imported statically; rank data loaded by
 * `import()` when `loadEncoding` is awaited (a bundler puts it in a chunk of its own); no
 * limit of CPU time (only a stack overflow stops a parse), no parser thread, no rank files.
 *
 * @module
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import type { EncodingData, EncodingName } from '../count/encodings.js'
import { EncodingNotLoadedError } from '../errors.js'
import type { DigestEncoding, LoadEncodingRanks, PreloadEncoding, Sha256 } from './types.js'

export {
  loadMarkdownEngine,
  loadTiktokenModels,
  loadYamlEngine,
  loadZod,
  noParserThread as driveOffThread,
  noRankFile as readRankFile,
  runUnbounded as runWithin,
} from './static.js'

/** Which implementation this is. */
export const PLATFORM = 'portable'

const utf8 = new TextEncoder()

/** Bytes written as hex, base64 or base64url (as `node:crypto` writes digests). */
function encode(bytes: Uint8Array, encoding: DigestEncoding): string {
  if (encoding === 'hex') {
    let out = ''
    for (const b of bytes) out += b.toString(16).padStart(2, '0')
    return out
  }
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  const base64 = btoa(binary)
  return encoding === 'base64' ? base64 : base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** SHA-256 of the text's UTF-8 bytes, with `@noble/hashes`. */
export const sha256: Sha256 = (text, encoding) => encode(nobleSha256(utf8.encode(text)), encoding)

const loaded = new Map<EncodingName, EncodingData>()

/** Load an encoding's rank data with `import()` (once). */
export const preloadEncoding: PreloadEncoding = async (name) => {
  if (loaded.has(name)) return
  const mod = (name === 'o200k_base' ? await import('js-tiktoken/ranks/o200k_base') : await import('js-tiktoken/ranks/cl100k_base')) as EncodingData | { default: EncodingData }
  loaded.set(name, 'bpe_ranks' in mod ? mod : mod.default)
}

/** The rank data loaded by {@link preloadEncoding}; throws {@link EncodingNotLoadedError} before. */
export const loadEncodingRanks: LoadEncodingRanks = (name) => {
  const data = loaded.get(name)
  if (data === undefined) throw new EncodingNotLoadedError(name)
  return data
}
