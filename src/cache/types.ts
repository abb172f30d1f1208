/**
 * The shapes of the stores `parseDocument` and `assemble` accept: any object with `get` and
 * `set`. Part of the portable core; the file-backed stores (`store.ts`) are Node's.
 *
 * @module
 */

/** A key-value store of token counts. Any object of this shape can be passed to `assemble` as `countStore`. */
export interface CountStore {
  get(key: string): number | undefined
  set(key: string, value: number): void
}

/**
 * A key-value store of parsed documents (plain JSON data, without their source). Any
 * object of this shape can be passed to `parseDocument` and `assemble` as `parseStore`.
 * Keys are SHA-256 digests of the source, the parse options and the promptfold version,
 * so a changed file, option or release never reuses a stale parse.
 */
export interface ParseStore {
  get(key: string): unknown
  set(key: string, value: object): void
}
