/**
 * Seeded fuzzing: random bytes and random markdown into `parseDocument` and `assemble`, for a
 * fixed number of runs. Reproducible: every case is derived from SEED and its index, and a
 * failure names both (re-run one case with FUZZ_SEED and FUZZ_CASE).
 */
import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { BudgetExceededError } from '../../src/errors.js'
import { parseDocument, type PromptDocument } from '../../src/parse/document.js'
import { assemblyReportSchema } from '../../src/report/schema.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { createTokenCounter } from '../../src/count/index.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { expectWellFormed } from '../hostile/helpers.js'

const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 0x5eed_2026
const ONLY = process.env.FUZZ_CASE !== undefined ? Number(process.env.FUZZ_CASE) : undefined
export const RUNS = { bytes: 600, markdown: 1200, library: 300 }

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const PIECES = [
  '#', '## ', '### ', '###### ', '####### ', '---', '---\n', '...', '```', '```python', '```markdown', '```\n', '~~~', '    ',
  '>', '> ', '- ', '* ', '+ ', '1. ', '|', '| --- |', '**→ Load:** ', '→ ', '**', '_', '`', '[', ']', '(', ')', '{', '}', '<', '>',
  'orchestr8://', 'orchestr8://lib/d0', 'orchestr8://lib/d1', '@orchestr8://lib/d2', 'orchestr8://lib/missing', 'orchestr8://agents/fuzz',
  'orchestr8://match?query=', 'orchestr8://lib/%zz', '%', '%2e', '%00', '..', '/', '\\', 'skill://x', 'https://example.com',
  '\n', '\n', '\n', '\n\n', '\r\n', '\r', '\t', ' ', ' ', '  ', '\u0000', '\ufeff', '\u2028', '\ud800', '\udc00', 'é', '🙂', '日本',
  '<|endoftext|>', '<|im_start|>', '(~12 tokens)', '(~1.5k tokens)', 'id: ', 'relatedResources:', 'tags: [', '&a ', '*a', '!!binary',
  '<div>', '</div>', '<!--', '-->', '===', '***', 'word', 'model', 'serving', 'lorem ipsum', '42', ':', ',', '.', '"', "'",
]

function randomMarkdown(rand: () => number): string {
  const n = Math.floor(rand() * 120)
  let out = rand() < 0.3 ? '---\n' : ''
  for (let i = 0; i < n; i++) out += PIECES[Math.floor(rand() * PIECES.length)]
  if (out.startsWith('---\n') && rand() < 0.7) out = out.replace(/\n/, `\nid: fuzz\n---\n`)
  return out
}

function randomBytes(rand: () => number): string {
  const bytes = new Uint8Array(Math.floor(rand() * 2048))
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256)
  // Bias toward markdown structure now and then: line breaks, fences, references.
  const text = new TextDecoder().decode(bytes)
  return rand() < 0.5 ? text : text.replace(/[\u0080-\uffff]{8}/g, () => PIECES[Math.floor(rand() * PIECES.length)] ?? '')
}

/** Structural invariants of a parsed document. */
function checkDocument(doc: PromptDocument): void {
  expectWellFormed(doc.diagnostics)
  expect(doc.bodyOffset).toBeGreaterThanOrEqual(0)
  expect(doc.bodyOffset).toBeLessThanOrEqual(doc.source.length)
  for (const r of doc.references) {
    expect(r.position.line).toBeGreaterThanOrEqual(1)
    if (r.kind !== 'related') expect(doc.source.slice(r.position.offset, r.position.offset + r.raw.length)).toBe(r.raw)
  }
  let last = -1
  for (const b of doc.blocks) {
    expect(b.start).toBeGreaterThanOrEqual(last)
    expect(b.end).toBeGreaterThan(b.start)
    expect(b.end).toBeLessThanOrEqual(doc.source.length)
    last = b.end
  }
  for (const s of doc.sections) {
    expect(s.depth).toBeGreaterThanOrEqual(1)
    expect(s.depth).toBeLessThanOrEqual(6)
    expect(s.end.offset).toBeLessThanOrEqual(doc.source.length)
  }
  expect(() => JSON.stringify(doc)).not.toThrow()
}

const LIBRARY = {
  'orchestr8://lib/d0': '---\nid: d0\n---\n# D0\n\nZero.\n\n```\norchestr8://lib/d1\n```\n',
  'orchestr8://lib/d1': '# D1\n\n- orchestr8://agents/fuzz\n\nOne.\n',
  'orchestr8://lib/d2': '# D2\n\n**→ Load:** orchestr8://lib/d0\n',
}

/**
 * A fresh count of the whole text: js-tiktoken (the independent oracle) for every `oracleEvery`-th
 * case, else the library's counter on the whole text at once (js-tiktoken's merge is quadratic on
 * the long runs random bytes make, and would dominate the suite's time).
 */
function freshCount(text: string, oracle: boolean): number {
  return oracle && !/\S{2000}/.test(text) ? tiktokenCount(text) : createTokenCounter({ encoding: 'o200k_base' }).count(text)
}

/** Parse and assemble one input; checks every promise we make about the result. */
async function fuzzOne(source: string, rand: () => number, oracle: boolean, library: Record<string, string> = LIBRARY): Promise<void> {
  const doc = parseDocument(source, { path: 'agents/fuzz.md' })
  checkDocument(doc)
  const strategy = rand() < 0.5 ? ('greedy' as const) : ('optimal' as const)
  const maxDepth = Math.floor(rand() * 4)
  const full = await assemble(doc, { resolver: memoryResolver(library), strategy, maxDepth })
  expect(full.report.totalTokens).toBe(freshCount(full.text, oracle))
  expect(assemblyReportSchema.safeParse(full.report).success).toBe(true)
  const budget = Math.floor(full.report.coreTokens + rand() * (full.report.baselines.traditional - full.report.coreTokens + 5))
  try {
    const r = await assemble(doc, { resolver: memoryResolver(library), strategy, maxDepth, budget })
    expect(r.report.totalTokens).toBeLessThanOrEqual(budget)
    expect(r.report.totalTokens).toBe(freshCount(r.text, oracle))
  } catch (error) {
    expect(error).toBeInstanceOf(BudgetExceededError)
  }
}

async function fuzz(kind: keyof typeof RUNS, make: (rand: () => number) => string | Record<string, string>, oracleEvery = 1): Promise<void> {
  for (let i = 0; i < RUNS[kind]; i++) {
    if (ONLY !== undefined && i !== ONLY) continue
    const rand = prng(SEED ^ (i * 0x9e3779b1) ^ kind.length)
    const made = make(rand)
    try {
      const oracle = i % oracleEvery === 0
      if (typeof made === 'string') await fuzzOne(made, rand, oracle)
      else await fuzzOne(made['orchestr8://agents/fuzz'] ?? '', rand, oracle, made)
    } catch (error) {
      throw new Error(`fuzz ${kind} case ${i} failed (reproduce: FUZZ_SEED=${SEED} FUZZ_CASE=${i}): ${error instanceof Error ? error.message : String(error)}\ninput: ${JSON.stringify(made).slice(0, 2000)}`)
    }
  }
}

describe('fuzz (seeded, fixed runs)', () => {
  it(`random bytes: ${RUNS.bytes} documents`, () => fuzz('bytes', randomBytes, 8), 120_000)
  it(`random markdown: ${RUNS.markdown} documents`, () => fuzz('markdown', randomMarkdown), 120_000)
  it(`random libraries: ${RUNS.library} assemblies whose targets are random markdown and bytes`, () =>
    fuzz('library', (rand) => {
      const lib: Record<string, string> = {}
      for (const u of ['orchestr8://lib/d0', 'orchestr8://lib/d1', 'orchestr8://lib/d2', 'orchestr8://lib/missing']) {
        if (rand() < 0.85) lib[u] = rand() < 0.5 ? randomMarkdown(rand) : randomBytes(rand)
      }
      lib['orchestr8://agents/fuzz'] = `# Fuzz\n\n\`\`\`\norchestr8://lib/d0\norchestr8://lib/d1\n\`\`\`\n\n**→ Load:** orchestr8://lib/d2\n\n- orchestr8://lib/missing\n\n${randomMarkdown(rand)}\n`
      return lib
    }, 4), 120_000)
})
