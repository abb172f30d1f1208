/**
 * Bounded parsing (issue 17, item 2): every input of the item, each parsed or refused within
 * the parse's limit of CPU time (2 s, `PARSE_TIME_LIMIT_MS`) and well under 512 MB, whatever
 * its content; a refusal remembered by digest, so asking again costs nothing. Before: 20 KB
 * of nested emphasis took 4.5 s, 40 KB 24 s, 80 KB threw after 71 s; `'a*'.repeat(20000)` 5.6
 * s; runs of 1 to 1,000 backticks (500 KB) 15 s; one definition and 10,000 list items 25.6 s
 * (segmenting was skipped for bodies with definitions); 300,000 list lines 98 s and 4 GB.
 *
 * Time bounds here are the issue's hard bound with generous margins (the machine running the
 * suite is shared): refusals are checked by their CPU time, which the limit counts.
 */
import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../../src/errors.js'
import { describeRefusal, REFUSAL_MEMO_ENTRIES, RefusalMemo, refusalDiagnostic, runWithin } from '../../src/parse/bounded.js'
import { parseDocument } from '../../src/parse/document.js'
import { clearParseRefusals, PARSE_TIME_LIMIT_MS, parseMarkdown, parseMarkdownBounded, parseMarkdownOffThread, rememberedRefusal, SEGMENT_CHARS, segmentCuts } from '../../src/parse/markdown.js'
import { nestedEmphasis } from './generators.js'

const MiB = 1024 * 1024


function backtickRuns(): string {
  let s = ''
  for (let i = 1; i <= 1000; i++) s += `${'`'.repeat(i)}a`
  return s
}

const listItems = (n: number) => Array.from({ length: n }, (_, i) => `- item ${i}\n\npara ${i}\n`).join('\n')

/**
 * The inputs of issue 17, item 2, by name, with what becomes of them: refused for time, parsed,
 * or either (linear now, 238 KB of lists: about 1 s of CPU time on an idle machine of the
 * kind the issue names, more on a busy one).
 */
const ITEM_2: [string, () => string, 'time' | 'parsed' | 'either'][] = [
  ['20 KB of nested emphasis', () => nestedEmphasis(20), 'time'],
  ['40 KB of nested emphasis', () => nestedEmphasis(40), 'time'],
  ['80 KB of nested emphasis', () => nestedEmphasis(80), 'time'],
  // About 2 s of CPU time on these machines when idle: refused under load, parsed when quiet.
  ["'a*'.repeat(20000)", () => 'a*'.repeat(20_000), 'either'],
  ['runs of 1 to 1,000 backticks (500 KB)', backtickRuns, 'time'],
  ["'>'.repeat(7000) + ' a'", () => `${'>'.repeat(7000)} a`, 'parsed'],
  ['one link definition and 10,000 list items', () => `[x]: /u\n\n${listItems(10_000)}`, 'either'],
  ['300,000 list lines (4 MB)', () => Array.from({ length: 300_000 }, (_, i) => `- item ${i}`).join('\n'), 'time'],
  ["'>'.repeat(1,000,000) + ' a' (1 MB)", () => `${'>'.repeat(1_000_000)} a`, 'time'],
]

/** CPU time (ms) and wall time (ms) of `fn`, and what it returned. */
function measured<T>(fn: () => T): { value: T; cpu: number; wall: number } {
  const cpu = process.cpuUsage()
  const wall = performance.now()
  const value = fn()
  const used = process.cpuUsage(cpu)
  return { value, cpu: (used.user + used.system) / 1000, wall: performance.now() - wall }
}

beforeEach(() => clearParseRefusals())

describe('every input of issue 17, item 2, is parsed or refused within the limit', () => {
  it.each(ITEM_2)('%s', (_name, make, outcome) => {
    const text = make()
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(5 * MiB)
    const heap = process.memoryUsage().rss
    const first = measured(() => parseMarkdownBounded(text))
    // Parsed or refused: never thrown. A refusal leaves an empty tree spanning the text.
    if (first.value.refusal) {
      expect(first.value.tree.children).toEqual([])
      expect(first.value.tree.position?.end.offset).toBe(text.length)
      expect(first.value.refusal.limitMs).toBe(PARSE_TIME_LIMIT_MS)
    } else expect(first.value.tree.children.length).toBeGreaterThan(0)
    if (outcome !== 'either') expect(first.value.refusal?.reason ?? 'parsed').toBe(outcome)
    // The limit counts CPU time (up to three runs on a busy machine: at most 2.6 times the limit).
    expect(first.cpu).toBeLessThan(3 * PARSE_TIME_LIMIT_MS + 1000)
    expect(first.wall).toBeLessThan(60_000)
    expect(process.memoryUsage().rss - heap).toBeLessThan(512 * MiB)
    // Asked again: the refusal is remembered by digest; a parse is simply done again.
    if (first.value.refusal) {
      const again = measured(() => parseMarkdownBounded(text))
      expect(again.value.refusal).toEqual(first.value.refusal)
      expect(again.wall).toBeLessThan(500)
    }
  })

  it('parseDocument around a refused body: no throw, the source kept whole, nothing read from the body', () => {
    // 40 KB of nested emphasis: far over the limit on any machine ('a*'.repeat(20000) is about at it).
    const source = `---\nid: slow\nrelatedResources: [orchestr8://lib/r]\n---\n# Slow\n\norchestr8://lib/x\n\n${nestedEmphasis(40)}\n`
    const doc = parseDocument(source, { path: 'agents/slow.md' })
    expect(doc.source).toBe(source)
    expect(doc.meta.id).toBe('slow')
    expect(doc.sections).toEqual([])
    expect(doc.blocks).toEqual([])
    expect(doc.references.map((r) => [r.kind, r.uri])).toEqual([['related', 'orchestr8://lib/r']])
    expect(doc.title).toBe('slow')
  })

  // Needs the change to src/parse/document.ts asked for in the issue 17 hand-over (h17 report):
  // parseNow calls parseMarkdownBounded and adds the PARSE_LIMIT diagnostic.
  it('parseDocument says why: PARSE_LIMIT (error) at the first line of the body, once, also when remembered', () => {
    // 40 KB of nested emphasis: far over the limit anywhere ('a*' x 20,000, used here before, takes
    // about the limit itself and was parsed in a quiet clean-clone CI run).
    const source = `---\nid: slow\n---\n${nestedEmphasis(40)}\n`
    for (let i = 0; i < 2; i++) {
      const doc = parseDocument(source, { path: 'agents/slow.md' })
      expect(doc.diagnostics.filter((d) => d.code === 'PARSE_LIMIT')).toEqual([
        {
          code: 'PARSE_LIMIT',
          severity: 'error',
          message: describeRefusal({ reason: 'time', limitMs: PARSE_TIME_LIMIT_MS }),
          file: 'agents/slow.md',
          line: 4,
        },
      ])
    }
  })
})

describe('link reference definitions no longer stop segmenting', () => {
  it('a body with a definition is cut, and its tree is exactly the tree of one parse', () => {
    const text = `[x]: /u\n\n${listItems(1500)}\nSee [x], [X][] and [y][x]; not [z].\n\n> [Y  Label]: /v\n\nThen [y label] and [Y LABEL][].\n`
    expect(segmentCuts(text, 1024)).toEqual([])
    expect(segmentCuts(text, 1024, true).length).toBeGreaterThan(20)
    const whole = parseMarkdownBounded(text, { segmentChars: Number.POSITIVE_INFINITY, timeLimitMs: Number.POSITIVE_INFINITY })
    const parts = parseMarkdownBounded(text, { segmentChars: 1024, timeLimitMs: Number.POSITIVE_INFINITY })
    expect(parts).toEqual(whole)
    const refs = JSON.stringify(parts.tree).match(/"type":"linkReference"/g) ?? []
    expect(refs).toHaveLength(5)
  })

  it('one definition and 10,000 list items is cut like the same body without it (was: one quadratic parse)', () => {
    const body = listItems(10_000)
    expect(segmentCuts(`[x]: /u\n\n${body}`, SEGMENT_CHARS, true).length).toBe(segmentCuts(body, SEGMENT_CHARS).length)
    expect(segmentCuts(body, SEGMENT_CHARS).length).toBeGreaterThan(100)
  })

  const piece = fc.constantFrom(
    '[ref]: https://example.com', '[Ref  Two]: /two "title"', '> [quoted]: /q', '- [listed]: /l', '[multi\nline]: /m',
    '[a\\]b]: /esc', '[ÄÖ]: /u', 'Use [ref] here', 'Use [ref two][] and [REF]', 'Use [x][quoted] and [listed]', 'Use [multi line]',
    'Use [a\\]b]', 'Use [äö]', 'Use [nothing]', '[ref]', '```\n[ref]: /in-code\n```', '    [ref]: /indented', 'Text\n[ref]: /not-a-definition',
    '# Heading [ref]', '- item', '- a\n- b', '> quote', 'Plain paragraph.', '', '',
  )
  it('fast-check: bodies with definitions anywhere parse in segments exactly as in one go', () => {
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 40 }), fc.constantFrom('\n\n', '\n', '\r\n\r\n'), fc.integer({ min: 1, max: 200 }), (pieces, sep, size) => {
        const text = pieces.join(sep)
        const whole = parseMarkdownBounded(text, { segmentChars: Number.POSITIVE_INFINITY, timeLimitMs: Number.POSITIVE_INFINITY })
        expect(parseMarkdownBounded(text, { segmentChars: size, timeLimitMs: Number.POSITIVE_INFINITY })).toEqual(whole)
      }),
      { seed: 20261128, numRuns: 400 },
    )
  })

  it('many labels: larger segments, still the tree of one parse', () => {
    const defs = Array.from({ length: 300 }, (_, i) => `[label ${i}]: /u${i}`).join('\n')
    const text = `${defs}\n\n${Array.from({ length: 400 }, (_, i) => `Use [label ${i % 350}].\n\n- item ${i}\n`).join('\n')}`
    const whole = parseMarkdownBounded(text, { segmentChars: Number.POSITIVE_INFINITY, timeLimitMs: Number.POSITIVE_INFINITY })
    expect(parseMarkdownBounded(text, { segmentChars: 512, timeLimitMs: Number.POSITIVE_INFINITY })).toEqual(whole)
  })
})

describe('parseMarkdownBounded options', () => {
  it('defaults: 2,000 ms of CPU time, segments of 2,048 characters', () => {
    expect(PARSE_TIME_LIMIT_MS).toBe(2000)
    expect(SEGMENT_CHARS).toBe(2048)
    const text = `# T\n\n${'Some text.\n\n'.repeat(400)}`
    expect(parseMarkdownBounded(text)).toEqual(parseMarkdownBounded(text, { segmentChars: 2048, timeLimitMs: 2000 }))
    expect(parseMarkdown(text)).toEqual(parseMarkdownBounded(text).tree)
  })

  it('a smaller limit refuses sooner, and is remembered separately from the default', () => {
    const text = 'a*'.repeat(20_000)
    const small = measured(() => parseMarkdownBounded(text, { timeLimitMs: 100 }))
    expect(small.value.refusal).toEqual({ reason: 'time', limitMs: 100 })
    expect(small.cpu).toBeLessThan(1500)
    expect(parseMarkdownBounded(text, { timeLimitMs: 100 }).refusal).toEqual({ reason: 'time', limitMs: 100 })
    expect(parseMarkdownBounded('# Fine\n', { timeLimitMs: 100 }).refusal).toBeUndefined()
  })

  it('Infinity turns the limit off', () => {
    const text = nestedEmphasis(2)
    expect(parseMarkdownBounded(text, { timeLimitMs: Number.POSITIVE_INFINITY }).refusal).toBeUndefined()
  })

  it.each([0, -1, Number.NaN, '100' as unknown as number])('timeLimitMs %s is an InvalidOptionError', (timeLimitMs) => {
    expect(() => parseMarkdownBounded('# T', { timeLimitMs })).toThrow(InvalidOptionError)
  })

  it.each([0, -5, Number.NaN])('segmentChars %s is an InvalidOptionError', (segmentChars) => {
    expect(() => parseMarkdownBounded('# T', { segmentChars })).toThrow(InvalidOptionError)
  })
})

describe('off the event loop', () => {
  /** The longest gap between ticks of a 5 ms interval while `work` runs: how long the event loop was held. */
  async function longestHold<T>(work: () => Promise<T>): Promise<{ value: T; hold: number }> {
    let last = performance.now()
    let hold = 0
    const timer = setInterval(() => {
      const now = performance.now()
      hold = Math.max(hold, now - last)
      last = now
    }, 5)
    try {
      const value = await work()
      return { value, hold }
    } finally {
      clearInterval(timer)
    }
  }

  it('refuses a pathological body in a worker while the event loop runs, and the refusal is met here at once', async () => {
    const text = nestedEmphasis(40)
    const { value, hold } = await longestHold(() => parseMarkdownOffThread(text))
    expect(value.refusal).toEqual({ reason: 'time', limitMs: PARSE_TIME_LIMIT_MS })
    expect(value.tree.children).toEqual([])
    expect(hold).toBeLessThan(500)
    expect(rememberedRefusal(text)).toEqual({ reason: 'time', limitMs: PARSE_TIME_LIMIT_MS })
    const here = measured(() => parseMarkdownBounded(text))
    expect(here.value.refusal).toEqual({ reason: 'time', limitMs: PARSE_TIME_LIMIT_MS })
    expect(here.wall).toBeLessThan(500)
  }, 60_000)

  it('parses an ordinary body (with definitions, in segments) to the tree of a parse here, and hands that tree to the next parse', async () => {
    const text = `[x]: /u\n\n${listItems(300)}\nSee [x].\n`
    const expected = parseMarkdownBounded(text, { timeLimitMs: Number.POSITIVE_INFINITY })
    const off = await parseMarkdownOffThread(text)
    expect(off.refusal).toBeUndefined()
    expect(off.tree).toEqual(expected.tree)
    expect(parseMarkdownBounded(text).tree).toBe(off.tree)
    // Handed out once; the parse after that is a parse again.
    expect(parseMarkdownBounded(text).tree).not.toBe(off.tree)
  }, 60_000)

  it('the same body asked for again while the worker parses it is parsed once: both get the one tree', async () => {
    const text = `# Twice\n\n${listItems(200)}`
    const [a, b] = await Promise.all([parseMarkdownOffThread(text), parseMarkdownOffThread(text)])
    expect(a.tree).toBe(b.tree)
    expect(a.tree).toEqual(parseMarkdownBounded(text, { timeLimitMs: Number.POSITIVE_INFINITY }).tree)
    // Kept once for the next parse here.
    expect(parseMarkdownBounded(text).tree).toBe(a.tree)
    expect(parseMarkdownBounded(text).tree).not.toBe(a.tree)
  }, 60_000)

  it('a tree too deep to send back from the worker is parsed here; the worker goes on', async () => {
    const deep = await parseMarkdownOffThread(`${'>'.repeat(7000)} a`)
    expect(deep.refusal).toBeUndefined()
    const fine = await parseMarkdownOffThread('# Fine\n')
    expect(fine.tree.children.map((c) => c.type)).toEqual(['heading'])
    await expect(parseMarkdownOffThread('# T', { timeLimitMs: 0 })).rejects.toThrow(InvalidOptionError)
  }, 60_000)
})

describe('runWithin and the refusal memo', () => {
  it('returns the value, refuses a busy loop and a stack overflow, throws other errors as they are', () => {
    expect(runWithin(() => 42, 1000)).toEqual({ ok: true, value: 42 })
    expect(runWithin(() => 'x', Number.POSITIVE_INFINITY)).toEqual({ ok: true, value: 'x' })
    expect(
      runWithin(() => {
        for (;;);
      }, 50),
    ).toEqual({ ok: false, refusal: { reason: 'time', limitMs: 50 } })
    const deep = (n: number): number => (n === 0 ? 0 : 1 + deep(n - 1))
    expect(runWithin(() => deep(10_000_000), 5000)).toEqual({ ok: false, refusal: { reason: 'depth', limitMs: 5000 } })
    expect(runWithin(() => deep(10_000_000), Number.POSITIVE_INFINITY)).toEqual({ ok: false, refusal: { reason: 'depth', limitMs: Number.POSITIVE_INFINITY } })
    const boom = new TypeError('boom')
    expect(() =>
      runWithin(() => {
        throw boom
      }, 1000),
    ).toThrow(boom)
    // Nested runs, and runs after a stop, work.
    expect(runWithin(() => runWithin(() => 7, 1000), 1000)).toEqual({ ok: true, value: { ok: true, value: 7 } })
  })

  it('keeps the most recently used refusals, by digest and limit', () => {
    const memo = new RefusalMemo(2)
    const [a, b, c] = ['a', 'b', 'c'].map((t) => memo.key(t, 2000)) as [string, string, string]
    expect(memo.key('a', 100)).not.toBe(a)
    expect(a).toBe(`2000:${'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb'}`)
    memo.set(a, { reason: 'time', limitMs: 2000 })
    memo.set(b, { reason: 'depth', limitMs: 2000 })
    expect(memo.get(a)).toEqual({ reason: 'time', limitMs: 2000 })
    memo.set(c, { reason: 'time', limitMs: 2000 })
    expect(memo.get(b)).toBeUndefined()
    expect(memo.size).toBe(2)
    memo.clear()
    expect(memo.size).toBe(0)
    expect(new RefusalMemo().constructor).toBe(RefusalMemo)
    expect(REFUSAL_MEMO_ENTRIES).toBe(256)
  })

  it('words a refusal in one place', () => {
    expect(describeRefusal({ reason: 'time', limitMs: 2000 })).toBe(
      'The markdown could not be parsed within 2000 ms of CPU time (some constructs, such as long runs of unmatched emphasis or backticks, make the parser superlinear): the body is kept as plain text, its sections and references were not read',
    )
    expect(describeRefusal({ reason: 'depth', limitMs: 2000 })).toBe('The markdown nests too deeply to be parsed: the body is kept as plain text, its sections and references were not read')
    expect(refusalDiagnostic({ reason: 'depth', limitMs: 2000 }, { file: 'a.md', line: 3 })).toEqual({
      code: 'PARSE_LIMIT',
      severity: 'error',
      message: describeRefusal({ reason: 'depth', limitMs: 2000 }),
      file: 'a.md',
      line: 3,
    })
    expect(refusalDiagnostic({ reason: 'time', limitMs: 10 })).toEqual({ code: 'PARSE_LIMIT', severity: 'error', message: describeRefusal({ reason: 'time', limitMs: 10 }) })
  })
})
