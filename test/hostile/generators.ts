/**
 * Generators for big or random hostile inputs, made at test time rather than committed.
 */

/** A seeded byte generator (mulberry32), so "random" bytes are the same on every run. */
export function seededBytes(seed: number, length: number): Uint8Array {
  let a = seed >>> 0
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff
  }
  return out
}

/** A markdown document of about `bytes` bytes: headings, prose, code, a few references. */
export function bigDocument(bytes: number): string {
  const parts = ['---\nid: big\n---\n# Big\n\n']
  let n = parts[0]?.length ?? 0
  let i = 0
  while (n < bytes) {
    const p =
      i % 50 === 0
        ? `## Section ${i}\n\n**→ Load:** orchestr8://lib/good-a\n\n`
        : i % 7 === 0
          ? '```python\nprint("orchestr8://not/a/reference")\n```\n\n'
          : `Paragraph ${i}: lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n\n`
    parts.push(p)
    n += p.length
    i++
  }
  return parts.join('')
}

/**
 * Nested emphasis of about `kb` KB: `*a **a ` openers, then their closers. Superlinear for the
 * markdown parser: 40 KB is far over the 2 s parse limit on any machine here (24 s unbounded),
 * where `'a*'.repeat(20000)` takes about the limit itself.
 */
export function nestedEmphasis(kb: number): string {
  const n = Math.floor((kb * 1024) / 14)
  return '*a **a '.repeat(n) + 'a** a* '.repeat(n)
}
