// Deterministic input generators for the count fixtures and tests.
// Plain ESM so that generate.mjs can run under bare Node; types in generators.d.mts.
// Changing any generator changes its input: regenerate the fixtures (see generate.mjs).

/**
 * mulberry32: a small seeded PRNG returning floats in [0, 1).
 * @param {number} seed
 * @returns {() => number}
 */
export function mulberry32(seed) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/**
 * Standard base64 (with `=` padding) of `byteCount` bytes drawn from mulberry32(seed).
 * @param {number} seed
 * @param {number} byteCount
 */
export function randomBase64(seed, byteCount) {
  const next = mulberry32(seed)
  const bytes = new Array(byteCount)
  for (let i = 0; i < byteCount; i++) bytes[i] = Math.floor(next() * 256)
  let out = ''
  for (let i = 0; i < byteCount; i += 3) {
    const a = bytes[i]
    const b = i + 1 < byteCount ? bytes[i + 1] : 0
    const c = i + 2 < byteCount ? bytes[i + 2] : 0
    const n = (a << 16) | (b << 8) | c
    out += BASE64[(n >> 18) & 63] + BASE64[(n >> 12) & 63]
    out += i + 1 < byteCount ? BASE64[(n >> 6) & 63] : '='
    out += i + 2 < byteCount ? BASE64[n & 63] : '='
  }
  return out
}

/**
 * `count` CJK ideographs, code points uniform in U+4E00..U+9FA5 (assigned since
 * Unicode 1.1, all \p{Lo}), no spaces: one pre-tokenizer piece.
 * @param {number} seed
 * @param {number} count
 */
export function randomCjk(seed, count) {
  const next = mulberry32(seed)
  let out = ''
  for (let i = 0; i < count; i++) out += String.fromCharCode(0x4e00 + Math.floor(next() * (0x9fa5 - 0x4e00 + 1)))
  return out
}

/**
 * `count` random lower-case ASCII letters: one pre-tokenizer piece.
 * @param {number} seed
 * @param {number} count
 */
export function randomLowercase(seed, count) {
  const next = mulberry32(seed)
  let out = ''
  for (let i = 0; i < count; i++) out += String.fromCharCode(97 + Math.floor(next() * 26))
  return out
}

/**
 * The long-piece fixture inputs, by name. `recipe` is the exact expression.
 * @type {ReadonlyArray<{ name: string, recipe: string, make: () => string }>}
 */
export const LONG_CASES = [
  { name: 'a-x-100000', recipe: "'a'.repeat(100_000)", make: () => 'a'.repeat(100_000) },
  { name: 'cjk-20000', recipe: 'randomCjk(20_000, 20_000)', make: () => randomCjk(20_000, 20_000) },
  { name: 'base64-100kb', recipe: 'randomBase64(64, 75_000) (100,000 chars)', make: () => randomBase64(64, 75_000) },
  { name: 'lowercase-20000', recipe: 'randomLowercase(26, 20_000)', make: () => randomLowercase(26, 20_000) },
  { name: 'space-x-20000', recipe: "' '.repeat(20_000)", make: () => ' '.repeat(20_000) },
]
