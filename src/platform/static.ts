/**
 * The dependencies imported statically, for builds that go through a bundler (`bundled.ts`,
 * `portable.ts`): the bundler sees every one and includes it.
 *
 * @module
 */
import engines from 'gray-matter/lib/engines.js'
import { getEncodingNameForModel } from 'js-tiktoken/lite'
import remarkParse from 'remark-parse'
import { unified } from 'unified'
import { z } from 'zod'
import type { Bounded } from '../parse/bounded.js'
import type { ReadRankFile } from '../count/rank-file.js'
import type { DriveOffThread, LoadZod, MarkdownEngine, RunWithin, TiktokenModels, YamlEngine } from './types.js'

/** zod's `z`. */
export const loadZod: LoadZod = () => z

/** gray-matter's YAML engine (js-yaml's safe loader), from its engines module: gray-matter's main module needs `fs`. */
export const loadYamlEngine = (): YamlEngine => engines.yaml

/** js-tiktoken's model table. */
export const loadTiktokenModels = (): TiktokenModels => ({ getEncodingNameForModel: (model) => getEncodingNameForModel(model as never) })

const engine: MarkdownEngine = { unified, remarkParse }

/** The markdown stack. */
export const loadMarkdownEngine = (): MarkdownEngine => engine

/**
 * Run `fn` with no limit of CPU time (there is no way to stop synchronous JavaScript here);
 * a stack overflow is still a refusal.
 */
export const runUnbounded: RunWithin = <T>(fn: () => T, limitMs: number): Bounded<T> => {
  try {
    return { ok: true, value: fn() }
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) return { ok: false, refusal: { reason: 'depth', limitMs } }
    throw error
  }
}

/** No parser thread: the caller parses on its own thread. */
export const noParserThread: DriveOffThread = () => Promise.resolve(undefined)

/** No rank files: counting packs js-tiktoken's rank data. */
export const noRankFile: ReadRankFile = () => undefined
