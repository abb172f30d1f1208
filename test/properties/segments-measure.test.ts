/**
 * The selection measure (segments of the root, each counted once per combination of its
 * own candidates) equals a fresh count of the rendered text for any set of candidates,
 * on generated documents: nested slots, duplicates, missing targets, CRLF, blocks of
 * several references.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTokenCounter } from '../../src/count/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { createSelectionMeasure } from '../../src/render/measure.js'
import { type DocNode, renderChunks, type SlotEntry, segmentsOf } from '../../src/render/render.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { ROOT_PATH, runs, type Scenario, scenario } from './generators.js'

/** An assembly tree like assemble's: slots to library documents are candidates (two levels), repeats are duplicates. */
function treeOf(s: Scenario): { root: DocNode; candidates: number } {
  let next = 0
  const first = new Map<string, number>()
  const build = (source: string, path: string, shift: number, depth: number): DocNode => {
    const doc = parseDocument(source, { path })
    const slots = new Map<number, SlotEntry>()
    doc.references.forEach((ref, i) => {
      if (ref.kind !== 'slot') return
      const target = s.library[ref.uri]
      const tokensHint = i % 3 === 0 ? undefined : 10 + i
      if (target === undefined) slots.set(i, { uri: ref.uri, raw: ref.raw, fixed: 'missing' })
      else if (first.has(ref.uri) || depth >= 2) slots.set(i, { uri: ref.uri, raw: ref.raw, fixed: 'duplicate', firstOccurrence: first.get(ref.uri), tokens: tokensHint })
      else {
        const candidate = next++
        first.set(ref.uri, candidate)
        slots.set(i, { uri: ref.uri, raw: ref.raw, candidate, tokens: tokensHint, child: build(target, `${ref.uri}.md`, shift + 1, depth + 1) })
      }
    })
    return { doc, shift, slots }
  }
  const root = build(s.root, ROOT_PATH, 0, 0)
  return { root, candidates: next }
}

describe('createSelectionMeasure (fast-check)', () => {
  const o200k = createTokenCounter()
  const cl100k = createTokenCounter({ encoding: 'cl100k_base' })

  it('equals a fresh count of the rendered text for any set of candidates (o200k_base and cl100k_base)', () => {
    fc.assert(
      fc.property(scenario, fc.array(fc.array(fc.nat(40), { maxLength: 12 }), { minLength: 1, maxLength: 6 }), (s, sets) => {
        const { root, candidates } = treeOf(s)
        const m200 = createSelectionMeasure(o200k, root)
        const m100 = createSelectionMeasure(cl100k, root)
        const all = new Set(Array.from({ length: candidates }, (_, i) => i))
        for (const picks of [[], ...sets, [...all]]) {
          const chosen = new Set(picks.filter((i) => i < candidates))
          const text = renderChunks(root, chosen).join('')
          expect(m200(chosen)).toBe(tiktokenCount(text, 'o200k_base'))
          expect(m100(chosen)).toBe(tiktokenCount(text, 'cl100k_base'))
        }
        // Segments cover the root's text exactly, in order.
        const pieces = segmentsOf(root).flatMap((seg) => seg.parts.filter((p) => 'text' in p).map((p) => (p as { text: string }).text))
        const staticText = renderChunks(root, new Set()).join('')
        let at = 0
        for (const p of pieces) {
          at = staticText.indexOf(p, at)
          expect(at).toBeGreaterThanOrEqual(0)
          at += p.length
        }
      }),
      runs(400),
    )
  })

  it('cuts a long core into independent segments, one per slot', () => {
    const body = Array.from({ length: 5 }, (_, i) => `## Part ${i}\n\nText ${i}.\n\n\`\`\`\norchestr8://lib/x${i}\n\`\`\`\n\nAfter ${i}.\n`).join('\n')
    const doc = parseDocument(`---\nid: a\n---\n# A\n\n${body}`, { path: 'agents/a.md' })
    const slots = new Map<number, SlotEntry>()
    doc.references.forEach((ref, i) => {
      const child = parseDocument(`# X${i}\n\nbody ${i}\n`, { path: `lib/x${i}.md` })
      slots.set(i, { uri: ref.uri, raw: ref.raw, candidate: i, child: { doc: child, shift: 2, slots: new Map() } })
    })
    const root: DocNode = { doc, shift: 0, slots }
    const segments = segmentsOf(root)
    expect(segments.filter((seg) => seg.deps.length > 0).map((seg) => seg.deps)).toEqual([[0], [1], [2], [3], [4]])
    const measure = createSelectionMeasure(o200k, root)
    for (const set of [new Set<number>(), new Set([0, 3]), new Set([0, 1, 2, 3, 4])]) {
      expect(measure(set)).toBe(tiktokenCount(renderChunks(root, set).join(''), 'o200k_base'))
    }
  })
})
