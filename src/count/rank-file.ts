/**
 * Where the built package keeps its rank files, and reading one. The only part
 * of counting that touches the file system.
 *
 * The build (`tsup.config.ts`, through `scripts/pack-ranks.ts`) writes
 * `dist/ranks/<encoding>.bin` next to the bundles, which are all in `dist/`;
 * the code looks for `ranks/<encoding>.bin` next to the file it runs from. Run
 * from the sources, or bundled by someone else without the `ranks` folder,
 * there is no such file and counting packs js-tiktoken's data instead (same
 * counts, ~40 ms more for o200k_base).
 *
 * @module
 */

import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import type { EncodingName } from './encodings.js'

/** Folder of the rank files, next to the bundles. */
export const RANK_FILE_FOLDER = 'ranks'

/**
 * Name of the rank file of `encoding`.
 *
 * @param encoding - An encoding.
 * @returns `<encoding>.bin`.
 */
export function rankFileName(encoding: EncodingName): string {
  return `${encoding}.bin`
}

/**
 * Path (or file URL) of the rank file of `encoding` next to the file this code
 * runs from, or undefined when that file is unknown.
 */
function rankFilePath(encoding: EncodingName): URL | string | undefined {
  const relative = `${RANK_FILE_FOLDER}/${rankFileName(encoding)}`
  // The ES module build has import.meta.url; the CommonJS build has an empty import.meta
  // and its own module-scoped __filename (as in lazy.ts).
  const url = (import.meta as { url?: unknown }).url
  if (typeof url === 'string' && url.length > 0) return new URL(`./${relative}`, url)
  if (typeof __filename === 'string' && isAbsolute(__filename)) return join(dirname(__filename), relative)
  return undefined
}

/** Reads the rank file of an encoding (undefined when there is none). */
export type ReadRankFile = (encoding: EncodingName) => Uint8Array | undefined

/**
 * The rank file of `encoding` next to the running bundle, read whole.
 *
 * @param encoding - An encoding.
 * @returns Its bytes, or undefined when there is no such file or it cannot be read.
 */
export function readRankFile(encoding: EncodingName): Uint8Array | undefined {
  const where = rankFilePath(encoding)
  if (where === undefined) return undefined
  try {
    const file = readFileSync(where)
    return new Uint8Array(file.buffer, file.byteOffset, file.byteLength)
  } catch {
    return undefined
  }
}
