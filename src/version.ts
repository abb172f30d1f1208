/**
 * The package version, written in by the build (`dev` when running from source).
 *
 * @module
 */
declare const __PROMPTFOLD_VERSION__: string | undefined

/** promptfold's version, as in its package.json. */
export const VERSION: string = typeof __PROMPTFOLD_VERSION__ === 'string' ? __PROMPTFOLD_VERSION__ : 'dev'
