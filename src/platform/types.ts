/**
 * What the portable core asks of the platform it runs on: hashing, the heavy dependencies
 * (loaded on first use in Node, imported statically where a bundler is at work), the rank
 * data of the encodings, a limit of CPU time around a synchronous call, and a parser thread.
 *
 * Three implementations share these signatures (checked by `src/platform/check.ts`):
 *
 * - `node.ts`: Node without a bundler (`dist/index.js`, `dist/index.cjs`, the tests). The
 *   dependencies are `require`d on first use (`import 'promptfold'` loads none of them);
 *   `node:crypto`, `node:vm`, worker threads, rank files next to the bundle.
 * - `bundled.ts`: Node through a bundler (the `module` condition: esbuild, webpack, Rollup).
 *   The dependencies are imported statically, so the bundler sees and includes them.
 * - `portable.ts`: browsers, workers, edge runtimes (`browser`, `worker`, `workerd`,
 *   `edge-light` conditions). No `node:` module; rank data loaded by `import()` on
 *   {@link PreloadEncoding | loadEncoding}.
 *
 * Core modules import `./index.js`, which is `node.ts` in the sources; the build swaps it for
 * the other two (`tsup.config.ts`).
 *
 * @module
 */
import type { Root } from 'mdast'
import type { z } from 'zod'
import type { EncodingData, EncodingName } from '../count/encodings.js'
import type { Bounded } from '../parse/bounded.js'
import type * as Engine from '../parse/markdown-engine.js'

/** Encodings of a digest. */
export type DigestEncoding = 'hex' | 'base64' | 'base64url'

/** SHA-256 of `text` (UTF-8), written in `encoding`. */
export type Sha256 = (text: string, encoding: DigestEncoding) => string

/** The markdown stack: unified and remark-parse. */
export type MarkdownEngine = typeof Engine

/** The YAML parser gray-matter uses (js-yaml's safe loader). */
export interface YamlEngine {
  /** Parse one YAML document. */
  parse(text: string): unknown
}

/** js-tiktoken's model table. */
export interface TiktokenModels {
  /** The encoding js-tiktoken gives a model name (throws for an unknown one). */
  getEncodingNameForModel(model: string): string
}

/** Run `fn` synchronously with a limit of CPU time (see `src/platform/vm.ts`). */
export type RunWithin = <T>(fn: () => T, limitMs: number) => Bounded<T>

/** Drive a segmented parse on a parser thread; undefined when there is none here. */
export type DriveOffThread = (steps: Generator<string[], Root, Root[]>, limitMs: number) => Promise<Bounded<Root> | undefined>

/** Make an encoding's rank data available to synchronous counting. */
export type PreloadEncoding = (name: EncodingName) => Promise<void>

/** js-tiktoken's rank data of an encoding, synchronously (throws when it is not loaded). */
export type LoadEncodingRanks = (name: EncodingName) => EncodingData

/** zod's `z`. */
export type LoadZod = () => typeof z
