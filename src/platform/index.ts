/**
 * The platform the core runs on (see `types.ts`). In the sources this is Node's; the build
 * swaps this module for `bundled.ts` or `portable.ts` (`tsup.config.ts`).
 *
 * @module
 */
export * from './node.js'
