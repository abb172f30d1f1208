/**
 * The platform of the CLI build (tsup.config.ts swaps it in for `./index.ts`): Node's, except
 * that zod's `z` is the copy `promptfold serve` bundles for the MCP SDK (the same version),
 * not a second one required from node_modules (~45 ms to load on a first run).
 *
 * @module
 */
import { z } from 'zod'
import type { LoadZod } from './types.js'

export * from './node.js'

/** zod's `z`: the copy bundled with the CLI. */
export const loadZod: LoadZod = () => z
