/**
 * Writes the rank files, `<outDir>/ranks/<encoding>.bin`, from the installed
 * js-tiktoken's rank data (layout: `src/count/packed.ts`). The build runs it
 * (`tsup.config.ts`, after the bundles are written) so that the built counter
 * reads one small file instead of decoding 200,000 base64 tokens.
 *
 *   npx tsx scripts/pack-ranks.ts [outDir]     (default: dist)
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ENCODING_NAMES, loadEncodingData, type EncodingName } from '../src/count/encodings.js'
import { packEncodingData, serializeRankFile } from '../src/count/packed.js'
import { RANK_FILE_FOLDER, rankFileName } from '../src/count/rank-file.js'

/**
 * The rank file of `encoding`, from the installed js-tiktoken.
 *
 * @param encoding - An encoding.
 * @returns The file's bytes.
 */
export function rankFileBytes(encoding: EncodingName): Uint8Array {
  return serializeRankFile(packEncodingData(encoding, loadEncodingData(encoding)))
}

/**
 * Writes the rank file of every supported encoding into `<outDir>/ranks/`.
 *
 * @param outDir - The build's output folder, where the bundles are.
 * @returns The paths written.
 */
export function writeRankFiles(outDir: string): string[] {
  const folder = path.join(outDir, RANK_FILE_FOLDER)
  mkdirSync(folder, { recursive: true })
  return ENCODING_NAMES.map((encoding) => {
    const file = path.join(folder, rankFileName(encoding))
    writeFileSync(file, rankFileBytes(encoding))
    return file
  })
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const file of writeRankFiles(process.argv[2] ?? 'dist')) console.log(file)
}
