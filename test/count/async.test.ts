/**
 * assembleWithCounter: choose with a local proxy, verify with an async counter, drop the
 * lowest-value inlined references until the verified count fits; counts cached by digest.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { ASYNC_DEFAULTS, type AsyncTokenCounter, assembleWithCounter, cachedCounter } from '../../src/count/async.js'
import { createTokenCounter } from '../../src/count/index.js'
import { anthropicCounter, RemoteCounterError } from '../../src/count/remote.js'
import { BudgetExceededError, IncludeError, InvalidOptionError, LimitExceededError } from '../../src/errors.js'
import { parseDocument } from '../../src/parse/document.js'
import { assemblyReportSchema } from '../../src/report/schema.js'
import { memoryResolver } from '../../src/resolve/resolver.js'

const o200k = createTokenCounter()
const cl100k = createTokenCounter({ encoding: 'cl100k_base' })
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ')
const body = (title: string) => `# ${title}\n\n${words(100)}\n`
const uri = (x: string) => `orchestr8://ex/${x}`
const source = ['---', 'id: agent', '---', '# Agent', '', `Core text. ${words(200)}`, '', '## Examples', '', ...['a', 'b', 'c', 'd'].flatMap((x) => ['```', uri(x), '```', '']), 'Done.', ''].join('\n')
const doc = parseDocument(source, { path: 'agents/agent.md' })
const resolver = memoryResolver(Object.fromEntries(['a', 'b', 'c', 'd'].map((x) => [uri(x), body(x.toUpperCase())])))

/** A fake remote counter: `scale` times the o200k count, rounded up; records what it counted. */
function fake(scale: number, name = 'fake/x2'): AsyncTokenCounter & { seen: string[] } {
  const seen: string[] = []
  return {
    name,
    seen,
    count: async (t: string) => {
      seen.push(t)
      return Math.ceil(o200k.count(t) * scale)
    },
  }
}

const strip = <T extends { timings: unknown; counter?: unknown }>(r: T) => ({ ...r, timings: null, counter: undefined })

/** Proxy totals of the sample: core, each of the (equal) examples, with a and b inlined. */
async function sample() {
  const all = await assemble(doc, { resolver })
  const core = all.report.efficiency.coreOnly
  const w = (all.report.efficiency.withOneExample[0]?.tokens ?? 0) - core
  const ab = await assemble(doc, { resolver, budget: core + Math.floor(2.5 * w) })
  expect(ab.report.references.filter((r) => r.decision === 'inlined').map((r) => r.uri)).toEqual([uri('a'), uri('b')])
  return { all, core, w, ab, pAll: all.report.totalTokens, pAb: ab.report.totalTokens }
}

describe('assembleWithCounter', () => {
  it('without a budget: the assembly of the proxy, verified once; report.counter says who counted what', async () => {
    const counter = fake(2)
    const plain = await assemble(doc, { resolver })
    const r = await assembleWithCounter(doc, { counter, resolver })
    expect(r.text).toBe(plain.text)
    expect(strip(r.report)).toEqual(strip(plain.report))
    expect(r.report.counter).toEqual({
      proxy: 'o200k_base',
      verifier: 'fake/x2',
      verifiedTokens: 2 * o200k.count(r.text),
      calibration: 2,
      remoteCalls: 1,
      cachedCounts: 0,
      dropped: [],
      checks: [{ proxyTokens: o200k.count(r.text), verifiedTokens: 2 * o200k.count(r.text) }],
    })
    expect(counter.seen).toEqual([r.text])
    expect(assemblyReportSchema.parse(r.report)).toEqual(r.report)
  })

  it('over the budget by the verifier: drops the lowest-value inlined references (d, then c) and checks again', async () => {
    const s = await sample()
    const budget = 2 * s.pAb + 1
    expect(budget).toBeGreaterThanOrEqual(s.pAll) // the proxy alone would inline all four
    const counter = fake(2)
    const r = await assembleWithCounter(doc, { counter, resolver, budget })
    expect(r.text).toBe(s.ab.text)
    expect(r.report.totalTokens).toBe(s.pAb)
    expect(r.report.budget).toBe(budget)
    expect(r.report.counter).toEqual({
      proxy: 'o200k_base',
      verifier: 'fake/x2',
      verifiedTokens: 2 * s.pAb,
      calibration: 2,
      remoteCalls: 2,
      cachedCounts: 0,
      dropped: [uri('d'), uri('c')],
      checks: [
        { proxyTokens: s.pAll, verifiedTokens: 2 * s.pAll },
        { proxyTokens: s.pAb, verifiedTokens: 2 * s.pAb },
      ],
    })
    const rows = Object.fromEntries(r.report.references.map((x) => [x.uri, x]))
    expect([rows[uri('a')]?.cause, rows[uri('b')]?.cause, rows[uri('c')]?.cause, rows[uri('d')]?.cause]).toEqual(['FITS', 'FITS', 'BUDGET', 'BUDGET'])
    // BUDGET reasons in the verifier's tokens: 1 left; needs = marginal proxy cost x 2.
    expect(rows[uri('c')]?.reason).toMatch(/^does not fit: needs [\d,]+ more tokens, 1 left$/)
    expect(counter.seen).toHaveLength(2)
  })

  it('counts are cached by digest per counter: the same assembly again makes no request', async () => {
    const s = await sample()
    const counter = fake(2)
    const budget = 2 * s.pAb + 1
    await assembleWithCounter(doc, { counter, resolver, budget })
    const again = await assembleWithCounter(doc, { counter, resolver, budget })
    expect(again.report.counter?.remoteCalls).toBe(0)
    expect(again.report.counter?.cachedCounts).toBe(2)
    expect(counter.seen).toHaveLength(2)
    expect(cachedCounter(counter).stats()).toEqual({ hits: 2, misses: 2, size: 2 })
    expect(cachedCounter(counter)).toBe(cachedCounter(cachedCounter(counter)))
  })

  it('the cache holds at most ASYNC_DEFAULTS.cacheEntries counts, oldest out first; a counter is checked', async () => {
    let calls = 0
    const counter = { count: (t: string) => (calls++, t.length) }
    const c = cachedCounter(counter)
    for (let i = 0; i <= ASYNC_DEFAULTS.cacheEntries; i++) await c.count(`text ${i}`)
    expect(c.stats()).toEqual({ hits: 0, misses: 1001, size: 1000 })
    expect([c.has('text 0'), c.has('text 1'), c.has('text 1000')]).toEqual([false, true, true])
    expect(await c.count('text 1')).toBe(6)
    expect(calls).toBe(1001)
    expect(ASYNC_DEFAULTS.cacheEntries).toBe(1000)
    expect(() => cachedCounter({} as never)).toThrow(InvalidOptionError)
  })

  it('a proxy that overcounts: the core over the budget by the proxy but not by the verifier is calibrated, not refused', async () => {
    const s = await sample()
    const counter = fake(0.5, 'fake/half')
    await expect(assemble(doc, { resolver, budget: s.core - 1 })).rejects.toBeInstanceOf(BudgetExceededError)
    const r = await assembleWithCounter(doc, { counter, resolver, budget: s.core - 1 })
    const verified = r.report.counter?.verifiedTokens ?? Infinity
    expect(verified).toBeLessThanOrEqual(s.core - 1)
    expect(verified).toBe(Math.ceil(o200k.count(r.text) / 2))
    expect(r.report.counter?.checks[0]).toEqual({ proxyTokens: s.core, verifiedTokens: Math.ceil(s.core / 2) })
    expect(r.report.references.filter((x) => x.decision === 'inlined').length).toBeGreaterThan(0)
  })

  it('the core over the budget by the verifier: BudgetExceededError with the verified minimum', async () => {
    const s = await sample()
    const e = await assembleWithCounter(doc, { counter: fake(3), resolver, budget: 2 * s.core }).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(BudgetExceededError)
    expect((e as BudgetExceededError).minimumBudget).toBe(3 * s.core)
    expect((e as BudgetExceededError).code).toBe('BUDGET_EXCEEDED')
  })

  it('an include that does not fit by the verifier: IncludeError', async () => {
    const s = await sample()
    const e = await assembleWithCounter(doc, { counter: fake(2), resolver, budget: 2 * s.core + s.w, include: [uri('a')] }).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(IncludeError)
    expect((e as IncludeError).message).toMatch(/^Cannot include orchestr8:\/\/ex\/a: the text with them counts [\d]+ tokens by fake\/x2, over the budget of \d+$/)
  })

  it('maxRemoteCalls bounds the requests: with 1, an over-budget text is LIMIT_EXCEEDED; with 2, the last call checks with all droppable dropped', async () => {
    const s = await sample()
    const budget = 2 * s.pAb + 1
    const e = await assembleWithCounter(doc, { counter: fake(2), resolver, budget, maxRemoteCalls: 1 }).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(LimitExceededError)
    expect((e as LimitExceededError).limit).toBe('maxRemoteCalls')
    expect((e as LimitExceededError).message).toBe(`The text counts ${2 * s.pAll} tokens by fake/x2, over the budget of ${budget}, and maxRemoteCalls (1) leaves no call to check a smaller one`)
    // A verifier at x3: the calibrated guess would need a second look, but the second call is the last: core only.
    const r = await assembleWithCounter(doc, { counter: fake(3), resolver, budget: 3 * s.pAb, maxRemoteCalls: 2 })
    expect(r.report.counter?.remoteCalls).toBe(2)
    expect(r.report.counter?.dropped).toEqual([uri('d'), uri('c'), uri('b'), uri('a')])
    expect(r.report.totalTokens).toBe(s.core)
    expect(ASYNC_DEFAULTS.maxRemoteCalls).toBe(4)
  })

  it('property: never over the budget by the verifier, within maxRemoteCalls, or a typed error', async () => {
    const s = await sample()
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 40, max: 250 }), fc.integer({ min: 0, max: 3 * s.pAll }), fc.integer({ min: 1, max: 5 }), async (pct, budget, maxRemoteCalls) => {
        const counter = fake(pct / 100)
        try {
          const r = await assembleWithCounter(doc, { counter, resolver, budget, maxRemoteCalls })
          const c = r.report.counter
          expect(c?.verifiedTokens).toBe(Math.ceil((o200k.count(r.text) * pct) / 100))
          expect(c?.verifiedTokens).toBeLessThanOrEqual(budget)
          expect(r.report.totalTokens).toBe(o200k.count(r.text))
          expect(c?.remoteCalls).toBeLessThanOrEqual(maxRemoteCalls)
          expect(counter.seen.length).toBe(c?.remoteCalls)
        } catch (err) {
          if (err instanceof BudgetExceededError) expect(err.minimumBudget).toBeGreaterThan(budget)
          else expect(err).toBeInstanceOf(LimitExceededError)
          expect(counter.seen.length).toBeLessThanOrEqual(maxRemoteCalls)
        }
      }),
      { numRuns: 60, seed: 13 },
    )
  })

  it('proxy: an encoding or a counter; by default the local proxy of counter.model, else o200k_base', async () => {
    const withCl = await assembleWithCounter(doc, { counter: fake(1), resolver, proxy: 'cl100k_base' })
    expect(withCl.report.encoding).toBe('cl100k_base')
    expect(withCl.report.counter?.proxy).toBe('cl100k_base')
    expect(withCl.report.totalTokens).toBe(cl100k.count(withCl.text))
    const llama = { ...fake(1, 'llama'), model: 'meta-llama/llama-3.1-8b-instruct' }
    expect((await assembleWithCounter(doc, { counter: llama, resolver })).report.counter?.proxy).toBe('cl100k_base')
    const claude = { ...fake(1, 'claude'), model: 'claude-sonnet-4-5' }
    expect((await assembleWithCounter(doc, { counter: claude, resolver })).report.counter?.proxy).toBe('o200k_base')
    const words = { encoding: 'words', count: (t: string) => t.split(/\s+/).filter(Boolean).length }
    const w = await assembleWithCounter(doc, { counter: fake(1), resolver, proxy: words })
    expect(w.report.counter?.proxy).toBe('words')
    expect(w.report.totalTokens).toBe(words.count(w.text))
  })

  it('a synchronous counter verifies too; a nameless one is "custom"', async () => {
    const r = await assembleWithCounter(doc, { counter: { count: (t: string) => o200k.count(t) }, resolver })
    expect(r.report.counter?.verifier).toBe('custom')
    expect(r.report.counter?.verifiedTokens).toBe(r.report.totalTokens)
  })

  it('options are checked; a bad answer of the counter is INVALID_OPTION; the remote error passes through', async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{}, 'counter'],
      [{ counter: {} }, 'counter'],
      [{ counter: fake(1), maxRemoteCalls: 0 }, 'maxRemoteCalls'],
      [{ counter: fake(1), proxy: 'p50k_base' }, 'proxy'],
    ]
    for (const [options, option] of bad) {
      const e = await assembleWithCounter(doc, options as never).catch((err: unknown) => err)
      expect(e).toBeInstanceOf(InvalidOptionError)
      expect((e as InvalidOptionError).option).toBe(option)
    }
    const nan = await assembleWithCounter(doc, { counter: { count: async () => Number.NaN }, resolver }).catch((err: unknown) => err)
    expect(nan).toBeInstanceOf(InvalidOptionError)
    expect((nan as InvalidOptionError).message).toBe('Invalid option `counter`: count() must give a whole number of tokens >= 0, got NaN')
    const limited = anthropicCounter({
      apiKey: 'k',
      model: 'claude-sonnet-4-5',
      fetch: async () => ({ status: 429, headers: { get: () => null }, text: async () => '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}' }),
    })
    const e = await assembleWithCounter(doc, { counter: limited, resolver, budget: 10_000 }).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(RemoteCounterError)
    expect((e as RemoteCounterError).code).toBe('REMOTE_RATE_LIMITED')
  })

  it('a failed count is not cached: the next assembly asks again', async () => {
    let fail = true
    const counter = { name: 'flaky', count: async (t: string) => (fail ? Promise.reject(new Error('down')) : o200k.count(t)) }
    await expect(assembleWithCounter(doc, { counter, resolver })).rejects.toThrow('down')
    fail = false
    const r = await assembleWithCounter(doc, { counter, resolver })
    expect(r.report.counter?.remoteCalls).toBe(1)
  })

  it('an anthropicCounter end to end (fetch stubbed, no network): the verifier is named anthropic/<model>', async () => {
    const bodies: unknown[] = []
    const counter = anthropicCounter({
      apiKey: 'k',
      model: 'claude-sonnet-4-5',
      fetch: async (_url, init) => {
        const b = JSON.parse(init.body) as { messages: Array<{ content: string }> }
        bodies.push(b)
        return { status: 200, headers: { get: () => null }, text: async () => JSON.stringify({ input_tokens: o200k.count(b.messages[0]?.content ?? '') + 9 }) }
      },
    })
    const r = await assembleWithCounter(doc, { counter, resolver, budget: 100_000 })
    expect(r.report.counter?.verifier).toBe('anthropic/claude-sonnet-4-5')
    expect(r.report.counter?.verifiedTokens).toBe(r.report.totalTokens + 9)
    expect(bodies).toEqual([{ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: r.text }] }])
  })
})
