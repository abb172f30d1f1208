/**
 * Trees as deep as their source is long (issue 17, item 2): `'>'.repeat(7000) + ' a'` is 7,000
 * nested block quotes in 7 KB. The recursive tree walks (`unist-util-visit-parents`,
 * `mdast-util-to-string`) overflowed the stack on it: `parseDocument` threw, `assemble` and
 * `lint` ended with "internal error" and `library.graph()` threw for the whole library. The
 * walks now keep their own stack (src/parse/walk.ts); they are checked here against the
 * recursive ones on random trees, and the deep documents go through every caller.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import type { Nodes, Root } from 'mdast'
import { toString } from 'mdast-util-to-string'
import { visitParents } from 'unist-util-visit-parents'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { lintLibrary, loadLibrary } from '../../src/library/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { parseMarkdown } from '../../src/parse/markdown.js'
import { nodesOfType, textOf, walkTree } from '../../src/parse/walk.js'

const QUOTES = 7000
const deepQuote = (tail: string) => `${'>'.repeat(QUOTES)} ${tail}`

describe('documents thousands of levels deep', () => {
  it("parses '>'.repeat(7000) + ' a' (was: Maximum call stack size exceeded)", () => {
    const doc = parseDocument(deepQuote('a'), { path: 'deep.md' })
    expect(doc.sections).toEqual([])
    expect(doc.references).toEqual([])
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_MISSING'])
  })

  it('finds a slot, a heading and a link at the bottom of 7,000 quotes', () => {
    const slot = parseDocument(deepQuote('orchestr8://lib/x'), { path: 'agents/deep.md' })
    expect(slot.references.map((r) => [r.kind, r.uri, r.position.line, r.position.column])).toEqual([['slot', 'orchestr8://lib/x', 1, QUOTES + 2]])
    const heading = parseDocument(deepQuote('# Deep *down*'), { path: 'deep.md' })
    expect(heading.sections.map((s) => [s.title, s.depth, s.slug])).toEqual([['Deep down', 1, 'deep-down']])
    const link = parseDocument(deepQuote('see [the notes](notes.md)'), { path: 'skills/s/deep.md' })
    expect(link.references.map((r) => [r.kind, r.uri])).toEqual([['link', 'skills/s/notes.md']])
  })

  it('walks a tree 200,000 levels deep (built directly) and reads its text', () => {
    let inner: Nodes = { type: 'text', value: 'bottom' }
    for (let i = 0; i < 200_000; i++) inner = { type: i % 2 === 0 ? 'emphasis' : 'strong', children: [inner] } as Nodes
    const tree: Root = { type: 'root', children: [{ type: 'heading', depth: 2, children: [inner as never] }] }
    expect(() => toString(tree)).toThrow(RangeError)
    expect(textOf(tree)).toBe('bottom')
    expect(nodesOfType(tree, 'heading')).toHaveLength(1)
    let deepest = 0
    walkTree(tree, (_node, ancestors) => {
      deepest = Math.max(deepest, ancestors.length)
      return undefined
    })
    expect(deepest).toBe(200_002)
  })
})

describe('a deep document in a library', () => {
  let dir: string
  beforeAll(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'promptfold-depth-')))
    mkdirSync(join(dir, 'agents'), { recursive: true })
    mkdirSync(join(dir, 'examples'), { recursive: true })
    writeFileSync(join(dir, 'examples', 'deep.md'), `---\nid: deep\n---\n${deepQuote('orchestr8://examples/missing-below')}\n`)
    writeFileSync(join(dir, 'examples', 'good.md'), '---\nid: good\n---\n# Good\n\nA good example.\n')
    writeFileSync(join(dir, 'agents', 'agent.md'), '---\nid: agent\n---\n# Agent\n\n```\norchestr8://examples/deep\norchestr8://examples/good\n```\n\nAlso orchestr8://examples/nowhere here.\n')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('loads, graphs, lints and assembles (was: "internal error", and no finding for the rest of the library)', async () => {
    const library = await loadLibrary({ root: dir })
    expect(library.entries.map((e) => e.path).sort()).toEqual(['agents/agent.md', 'examples/deep.md', 'examples/good.md'])
    const graph = library.graph()
    expect(graph.edges.map((e) => [e.from, e.to, e.kind])).toEqual([
      ['orchestr8://agents/agent', 'orchestr8://examples/deep', 'slot'],
      ['orchestr8://agents/agent', 'orchestr8://examples/good', 'slot'],
    ])
    expect(graph.dangling.map((d) => [d.from, d.uri])).toEqual([
      ['orchestr8://agents/agent', 'orchestr8://examples/nowhere'],
      ['orchestr8://examples/deep', 'orchestr8://examples/missing-below'],
    ])
    const lint = await lintLibrary(library)
    expect(lint.findings.filter((f) => f.code === 'UNRESOLVED_REFERENCE').map((f) => [f.file, f.line])).toEqual([
      ['agents/agent.md', 11],
      ['examples/deep.md', 4],
    ])
    const agent = library.document('orchestr8://agents/agent')
    if (!agent) throw new Error('agent not found')
    const result = await assemble(agent, { resolver: library })
    // The deep document is one slot (in 7,000 quotes): inlined as its stand-in line.
    expect(result.text).toBe('# Agent\n\n→ Unavailable: orchestr8://examples/missing-below\n\n## Good\n\nA good example.\n\nAlso orchestr8://examples/nowhere here.\n')
    expect(result.report.references.map((r) => [r.uri, r.decision])).toEqual([
      ['orchestr8://examples/deep', 'inlined'],
      ['orchestr8://examples/missing-below', 'missing'],
      ['orchestr8://examples/good', 'inlined'],
      ['orchestr8://examples/nowhere', 'missing'],
    ])
  })
})

/** Random mdast-like trees: parents with 0-3 children, leaves with a value, images with an alt. */
const treeArb: fc.Arbitrary<Nodes> = fc.letrec<{ node: Nodes }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.constantFrom('text', 'inlineCode', 'html'), value: fc.string({ maxLength: 4 }) }) as fc.Arbitrary<Nodes>,
    fc.record({ type: fc.constant('image'), url: fc.constant('x.png'), alt: fc.option(fc.string({ maxLength: 3 }), { nil: undefined }) }) as fc.Arbitrary<Nodes>,
    fc.constant({ type: 'break' } as Nodes),
    fc.record({ type: fc.constantFrom('paragraph', 'emphasis', 'heading', 'blockquote', 'link'), children: fc.array(tie('node'), { maxLength: 3 }) }) as fc.Arbitrary<Nodes>,
  ),
})).node

describe('the walks agree with the recursive ones', () => {
  it('walkTree visits what visitParents visits, in the same order, with the same ancestors and skips', () => {
    fc.assert(
      fc.property(treeArb, fc.constantFrom('emphasis', 'link', 'none'), (tree, skipType) => {
        const expected: string[] = []
        visitParents(tree, (node, ancestors) => {
          expected.push(`${node.type}@${ancestors.length}:${ancestors.map((a) => a.type).join('/')}`)
          return node.type === skipType ? 'skip' : undefined
        })
        const got: string[] = []
        walkTree(tree, (node, ancestors) => {
          got.push(`${node.type}@${ancestors.length}:${ancestors.map((a) => a.type).join('/')}`)
          return node.type === skipType ? 'skip' : undefined
        })
        expect(got).toEqual(expected)
        const headings: Nodes[] = []
        visitParents(tree, 'heading', (node) => {
          headings.push(node)
        })
        expect(nodesOfType(tree, 'heading')).toEqual(headings)
        expect(textOf(tree)).toBe(toString(tree))
      }),
      { seed: 20261128, numRuns: 300 },
    )
  })

  it('gives the same sections and references as before on real markdown (parse of a mixed document)', () => {
    const source = '# A *b* `c` ![d](e.png)\n\n> ## Quote <b>x</b>\n> - orchestr8://lib/y\n\n[l](f.md) `g/h.md`\n'
    const tree = parseMarkdown(source)
    const order: string[] = []
    walkTree(tree, (node) => {
      order.push(node.type)
      return undefined
    })
    const recursive: string[] = []
    visitParents(tree, (node) => {
      recursive.push(node.type)
    })
    expect(order).toEqual(recursive)
    const doc = parseDocument(source, { path: 'skills/s/x.md' })
    expect(doc.sections.map((s) => s.title)).toEqual(['A b c d', 'Quote <b>x</b>'])
  })
})
