import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Library, loadLibrary } from '../../src/library/index.js'
import { indexEntry, MatchIndex, matchRow, matchRows, Vocabulary } from '../../src/library/match.js'
import { fixtureLibrary, fixtureResources, retrievalProbes } from './helpers.js'

let library: Library
beforeAll(async () => {
  library = await loadLibrary({ root: fixtureLibrary })
})

const u = (p: string) => `orchestr8://${p}`

describe('library.match', () => {
  it('ranks the obviously best document first, with its score and matched fields', () => {
    const [best, ...rest] = library.match('restore postgres to a point in time after an accidental delete')
    expect(best?.uri).toBe(u('examples/database/postgres-backup-recovery'))
    expect(best?.category).toBe('example')
    expect(best?.fields).toEqual(['title', 'useWhen', 'tags', 'capabilities', 'name'])
    expect(best?.terms).toEqual(expect.arrayContaining(['restor', 'postgr', 'point', 'time']))
    for (const r of rest) expect(r.score).toBeLessThanOrEqual(best?.score ?? 0)
  })

  it('uses stemming: inflected forms match', () => {
    expect(library.match('replicas failing over', { maxResults: 1 })[0]?.uri).toBe(u('examples/database/postgres-replication'))
    expect(library.match('profiled renderings', { maxResults: 1 })[0]?.uri).toBe(u('examples/web/react-render-profiling'))
  })

  it('treats categories (any number, any case) and tags (all of them) as filters, not bonuses', () => {
    const all = library.match('postgres', { maxResults: 100 })
    const examples = library.match('postgres', { categories: ['Examples'], maxResults: 100 })
    expect(examples.length).toBeGreaterThan(0)
    expect(examples.every((r) => r.category === 'example')).toBe(true)
    // Scores do not change with a filter: the filtered list is the full list, restricted.
    expect(examples).toEqual(all.filter((r) => r.category === 'example'))
    const tagged = library.match('postgres', { tags: ['postgres', 'PERFORMANCE'], maxResults: 100 })
    expect(tagged.map((r) => r.uri)).toEqual([u('agents/postgres-specialist'), u('examples/database/postgres-query-tuning')].sort((a, b) => {
      const sa = all.find((r) => r.uri === a)?.score ?? 0
      const sb = all.find((r) => r.uri === b)?.score ?? 0
      return sb - sa || (a < b ? -1 : 1)
    }))
  })

  it('applies maxResults (default 10) and minScore', () => {
    expect(library.match('postgres')).toHaveLength(Math.min(10, library.match('postgres', { maxResults: 100 }).length))
    expect(library.match('postgres', { maxResults: 2 })).toHaveLength(2)
    expect(library.match('postgres', { maxResults: 0 })).toEqual([])
    const all = library.match('postgres', { maxResults: 100 })
    const cut = all[2]?.score ?? 0
    expect(library.match('postgres', { maxResults: 100, minScore: cut }).every((r) => r.score >= cut)).toBe(true)
  })

  it('returns nothing for queries without content words, and rejects bad options', () => {
    expect(library.match('')).toEqual([])
    expect(library.match('the and of to')).toEqual([])
    expect(library.match('zzqx unknownword')).toEqual([])
    expect(() => library.match('x', { maxResults: -1 })).toThrow(/maxResults/)
    expect(() => library.match('x', { maxResults: 1.5 })).toThrow(/maxResults/)
    expect(() => library.match(42 as unknown as string)).toThrow(/query/)
  })

  it('orders deterministically: score descending, then URI ascending', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('postgres', 'react', 'cache', 'kafka', 'index', 'form', 'pool', 'test', 'data', 'query'), { minLength: 1, maxLength: 4 }), (words) => {
        const q = words.join(' ')
        const a = library.match(q, { maxResults: 100 })
        expect(library.match(q, { maxResults: 100 })).toEqual(a)
        for (let i = 1; i < a.length; i++) {
          const prev = a[i - 1]
          const cur = a[i]
          if (!prev || !cur) continue
          expect(prev.score > cur.score || (prev.score === cur.score && prev.uri < cur.uri)).toBe(true)
        }
      }),
      { numRuns: 60 },
    )
  })

  it('breaks exact ties by URI', () => {
    const mk = (uri: string) => indexEntry({ uri, category: 'example', tags: [], title: 'Same Title', useWhen: [], capabilities: [], headings: [], name: '' })
    const index = new MatchIndex([mk('orchestr8://b'), mk('orchestr8://a'), mk('orchestr8://c')])
    const r = index.search('same title')
    expect(r.map((x) => x.uri)).toEqual(['orchestr8://a', 'orchestr8://b', 'orchestr8://c'])
    expect(new Set(r.map((x) => x.score)).size).toBe(1)
  })

  it('weights fields: a title hit outranks the same word in a heading', () => {
    const index = new MatchIndex([
      indexEntry({ uri: 'x://title', category: 'c', tags: [], title: 'Flamingo', useWhen: [], capabilities: [], headings: ['Other'], name: '' }),
      indexEntry({ uri: 'x://heading', category: 'c', tags: [], title: 'Other', useWhen: [], capabilities: [], headings: ['Flamingo'], name: '' }),
    ])
    expect(index.search('flamingo').map((r) => r.uri)).toEqual(['x://title', 'x://heading'])
  })

  it('matches headings found outside code blocks only', () => {
    const r = library.match('foreign keys', { categories: ['example'] })
    expect(r[0]?.uri).toBe(u('examples/database/postgres-schema-migrations'))
    expect(r[0]?.fields).toContain('headings')
  })
})

describe('library.resolveMatch (for dynamic match slots)', () => {
  it('returns URIs for a parsed match query, never the referencing document', () => {
    const uris = library.resolveMatch({ query: 'react component testing', categories: ['example'], tags: [], maxResults: 2, params: {} }, { from: u('agents/frontend-specialist') })
    expect(uris[0]).toBe(u('examples/web/component-testing'))
    expect(uris).toHaveLength(2)
    const self = library.resolveMatch({ query: 'frontend specialist react', categories: [], tags: [], maxResults: 3, params: {} }, { from: u('agents/frontend-specialist') })
    expect(self).not.toContain(u('agents/frontend-specialist'))
    expect(self).toHaveLength(3)
  })

  it('drops unfilled placeholders instead of searching for them', () => {
    const a = library.resolveMatch({ query: '${framework} component testing', categories: ['example'], tags: [], params: {} })
    const b = library.resolveMatch({ query: 'component testing', categories: ['example'], tags: [], params: {} })
    expect(a).toEqual(b)
  })
})

describe('retrieval check: section heading of each agent slot ranks its example first', () => {
  it('on the fixture library', () => {
    const { probes, hitAt1, hitAt3 } = retrievalProbes(library)
    expect(probes).toHaveLength(11)
    expect(probes.filter((p) => p.rank !== 1)).toEqual([])
    expect([hitAt1, hitAt3]).toEqual([11, 11])
  })

  it('on the MLOps fixture', async () => {
    const lib = await loadLibrary({ root: fixtureResources })
    const { probes, hitAt1, hitAt3 } = retrievalProbes(lib)
    expect(probes.map((p) => [p.query, p.target.replace('orchestr8://', ''), p.rank])).toEqual([
      ['Experiment Tracking and Model Registry', 'examples/ml/mlops-mlflow-tracking', 1],
      ['Pipeline Orchestration with Kubeflow', 'examples/ml/mlops-kubeflow-pipeline', 1],
      ['Model Serving with FastAPI', 'examples/ml/mlops-model-serving', 1],
      ['Monitoring and A/B Testing', 'examples/ml/mlops-monitoring-ab-testing', 1],
    ])
    expect([hitAt1, hitAt3]).toEqual([4, 4])
  })
})

describe('matchRows (the rows of many entries at once)', () => {
  const word = fc.constantFrom('Deploy', 'deploying', 'the', 'a', 'K8s', 'x', 'MLflow', 'Straße', 'İstanbul', 'KELVIN', 'ünïcode', '42', 'v1.2', 'snake_case', 'kebab-case', 'with', '😀', '')
  const text = fc.array(word, { maxLength: 6 }).chain((ws) => fc.constantFrom(' ', '\n', '/', ' - ', '.').map((sep) => ws.join(sep)))
  const entry = fc.record({
    title: text,
    description: fc.option(text, { nil: undefined }),
    useWhen: fc.array(text, { maxLength: 3 }),
    tags: fc.array(text, { maxLength: 3 }),
    capabilities: fc.array(text, { maxLength: 3 }),
    headings: fc.array(text, { maxLength: 4 }),
    name: text,
  })

  /** A row as its format says (see IndexedEntry.row), from termIds, with a Map: the reference. */
  const referenceRow = (input: Parameters<typeof matchRow>[0], vocabulary: Vocabulary): Uint32Array => {
    const fields = [input.title, input.description ?? '', input.useWhen.join('\n'), input.tags.join(' '), input.capabilities.join('\n'), input.headings.join('\n'), input.name.replace(/[-_/.]/g, ' ')].map((t) => vocabulary.termIds(t))
    const out: number[] = fields.map((ids) => ids.length)
    fields.forEach((ids, f) => {
      const tf = new Map<number, number>()
      for (const id of ids) tf.set(id, (tf.get(id) ?? 0) + 1)
      for (const [id, n] of tf) out.push(id, n * 8 + f)
    })
    return Uint32Array.from(out)
  }

  it('gives each entry the row matchRow gives it, with the same term ids learnt in the same order', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (inputs) => {
        const clean = inputs.map(({ description, ...rest }) => (description === undefined ? rest : { ...rest, description }))
        const one = new Vocabulary()
        const each = clean.map((input) => matchRow(input, one))
        const reference = new Vocabulary()
        expect(each).toEqual(clean.map((input) => referenceRow(input, reference)))
        const batch = new Vocabulary()
        expect(matchRows(clean, batch)).toEqual(each)
        expect(Array.from({ length: batch.size }, (_, i) => batch.term(i))).toEqual(Array.from({ length: one.size }, (_, i) => one.term(i)))
      }),
      { numRuns: 300, seed: 3 },
    )
  })

  it('finds each of many distinct words again (the word table grows), and stems words past ASCII alike', () => {
    const words = Array.from({ length: 6000 }, (_, i) => `w${(i * 7919).toString(36)}x${i % 13}`)
    const inputs = Array.from({ length: 60 }, (_, k) => ({
      title: words.slice(k * 100, k * 100 + 5).join(' '),
      useWhen: [words.slice(k * 100, k * 100 + 100).join(' '), words.slice(0, 50).join(' ')],
      tags: [],
      capabilities: k % 7 === 0 ? ['Ünïcode capability'] : [],
      headings: [words.slice(5999 - k * 50, 6000 - k * 50 + 50).join(' ')],
      name: `entry-${k}`,
    }))
    const one = new Vocabulary()
    const each = inputs.map((input) => referenceRow(input, one))
    const batch = new Vocabulary()
    expect(matchRows(inputs, batch)).toEqual(each)
    expect(batch.size).toBe(one.size)
    expect(batch.size).toBeGreaterThan(6000)
  })

  it('cuts batches of long text apart without moving a word to another field', () => {
    const long = { title: 'Kafka streams', useWhen: ['process events '.repeat(20_000)], tags: ['kafka'], capabilities: [], headings: ['Exactly once'], name: 'kafka streams' }
    const inputs = [long, { ...long, title: 'Second entry' }, { ...long, headings: ['Ünïcode heading'] }, long]
    const one = new Vocabulary()
    expect(matchRows(inputs, new Vocabulary())).toEqual(inputs.map((input) => matchRow(input, one)))
  })
})
