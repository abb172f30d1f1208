/** Types for generators.mjs (plain ESM so that generate.mjs runs under bare Node). */
export declare function mulberry32(seed: number): () => number
export declare function randomBase64(seed: number, byteCount: number): string
export declare function randomCjk(seed: number, count: number): string
export declare function randomLowercase(seed: number, count: number): string
export declare const LONG_CASES: ReadonlyArray<{ name: string; recipe: string; make: () => string }>
