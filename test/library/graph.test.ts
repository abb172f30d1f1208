import { beforeAll, describe, expect, it } from 'vitest'
import { elementaryCycles } from '../../src/library/graph.js'
import { type Library, loadLibrary } from '../../src/library/index.js'
import { fixtureLibrary } from './helpers.js'

let library: Library
beforeAll(async () => {
  library = await loadLibrary({ root: fixtureLibrary })
})

const short = (uri: string) => uri.replace('orchestr8://', '')

describe('library.graph on the fixture library', () => {
  it('lists every edge by kind, with how the target was found', () => {
    const edges = library.graph().edges.map((e) => `${short(e.from)} -> ${short(e.to)} ${e.kind} L${e.line}${e.via === 'uri' ? '' : ` (${e.via})`}`)
    expect(edges).toEqual([
      'agents/frontend-specialist -> examples/web/accessible-form-validation slot L34',
      'agents/frontend-specialist -> examples/web/react-render-profiling slot L44',
      'agents/frontend-specialist -> examples/web/react-state-reducer slot L24',
      'agents/pipeline-agent -> examples/data/airflow-batch-ingestion slot L25',
      'agents/pipeline-agent -> examples/data/airflow-batch-ingestion related L14',
      'agents/pipeline-agent -> examples/data/data-quality-expectations slot L43',
      'agents/pipeline-agent -> examples/data/kafka-consumer-groups slot L34',
      'agents/postgres-specialist -> examples/database/pgbouncer-pooling slot L50',
      'agents/postgres-specialist -> examples/database/postgres-backup-recovery slot L60 (flat)',
      'agents/postgres-specialist -> examples/database/postgres-query-tuning slot L39',
      'agents/postgres-specialist -> examples/database/postgres-query-tuning mention L77',
      'agents/postgres-specialist -> examples/database/postgres-replication slot L67',
      'agents/postgres-specialist -> examples/database/postgres-schema-migrations slot L28',
      'agents/postgres-specialist -> examples/database/postgres-schema-migrations mention L76',
      'agents/postgres-specialist -> patterns/read-through-cache mention L78',
      'agents/postgres-specialist -> skills/caching-strategies mention L78',
      'agents/postgres-specialist -> skills/caching-strategies related L17 (alias)',
      'agents/postgres-specialist -> skills/sql-indexing related L16',
      'examples/data/airflow-batch-ingestion -> agents/pipeline-agent related L12 (alias)',
      'examples/database/postgres-query-tuning -> agents/postgres-specialist related L12',
      'examples/database/postgres-query-tuning -> skills/sql-indexing related L13',
      'examples/database/postgres-schema-migrations -> agents/postgres-specialist related L12',
      'examples/web/react-state-reducer -> agents/frontend-specialist related L12',
      'guides/getting-started -> agents/frontend-specialist mention L6',
      'guides/getting-started -> agents/postgres-specialist mention L5',
      'patterns/read-through-cache -> skills/caching-strategies related L11',
      'skills/caching-strategies -> patterns/read-through-cache related L11',
      'skills/query-plans -> skills/sql-indexing slot L20',
      'skills/sql-indexing -> examples/database/postgres-query-tuning mention L21',
      'skills/sql-indexing -> skills/query-plans slot L26',
      'workflows/release-checklist -> examples/database/postgres-query-tuning mention L26',
      'workflows/release-checklist -> examples/database/postgres-schema-migrations slot L16',
    ])
  })

  it('lists dangling references, dynamic queries and nothing invalid', () => {
    const g = library.graph()
    expect(g.dangling.map((d) => `${short(d.from)} -> ${short(d.uri)} ${d.kind} L${d.line} ${d.reason}`)).toEqual([
      'agents/pipeline-agent -> examples/data/change-data-capture slot L50 not-found',
      'skills/caching-strategies -> redis-cluster-operations related L12 not-found',
    ])
    expect(g.dynamic.map((d) => `${short(d.from)} ${d.kind} L${d.line}`)).toEqual(['agents/frontend-specialist slot L55', 'workflows/release-checklist slot L21'])
    expect(g.invalid).toEqual([])
  })

  it('finds cycles over all kinds, or over the chosen kinds only', () => {
    expect(library.graph().cycles.map((c) => c.map(short))).toEqual([
      ['agents/frontend-specialist', 'examples/web/react-state-reducer'],
      ['agents/pipeline-agent', 'examples/data/airflow-batch-ingestion'],
      ['agents/postgres-specialist', 'examples/database/postgres-query-tuning'],
      ['agents/postgres-specialist', 'examples/database/postgres-schema-migrations'],
      ['agents/postgres-specialist', 'skills/sql-indexing', 'examples/database/postgres-query-tuning'],
      ['examples/database/postgres-query-tuning', 'skills/sql-indexing'],
      ['patterns/read-through-cache', 'skills/caching-strategies'],
      ['skills/query-plans', 'skills/sql-indexing'],
    ])
    expect(library.graph({ cycleKinds: ['slot'] }).cycles).toEqual([['orchestr8://skills/query-plans', 'orchestr8://skills/sql-indexing']])
    expect(library.graph({ cycleKinds: ['mention'] }).cycles).toEqual([])
  })
})

describe('elementaryCycles', () => {
  const adj = (o: Record<string, string[]>) => new Map(Object.entries(o))

  it('finds self-loops, 2-cycles and longer cycles, each from its smallest node, sorted', () => {
    expect(elementaryCycles(adj({ a: ['a', 'b'], b: ['c', 'a'], c: ['a'], d: ['d'] })).cycles).toEqual([['a'], ['a', 'b'], ['a', 'b', 'c'], ['d']])
  })

  it('counts all 24 elementary cycles of a complete digraph on 4 nodes with self-loops', () => {
    const nodes = ['a', 'b', 'c', 'd']
    const { cycles } = elementaryCycles(adj(Object.fromEntries(nodes.map((n) => [n, nodes]))))
    // 4 self-loops + C(4,2)*1! + C(4,3)*2! + C(4,4)*3! = 4 + 6 + 8 + 6
    expect(cycles).toHaveLength(24)
    expect(new Set(cycles.map((c) => c.join('>'))).size).toBe(24)
  })

  it('stops at maxCycles and says so', () => {
    const nodes = ['a', 'b', 'c', 'd']
    const r = elementaryCycles(adj(Object.fromEntries(nodes.map((n) => [n, nodes]))), 5)
    expect(r.cycles).toHaveLength(5)
    expect(r.truncated).toBe(true)
  })

  it('handles an acyclic graph and a long chain closing on itself', () => {
    expect(elementaryCycles(adj({ a: ['b'], b: ['c'] })).cycles).toEqual([])
    const n = 300
    const chain = Object.fromEntries(Array.from({ length: n }, (_, i) => [`n${String(i).padStart(3, '0')}`, [`n${String((i + 1) % n).padStart(3, '0')}`]]))
    const r = elementaryCycles(adj(chain))
    expect(r.cycles).toHaveLength(1)
    expect(r.cycles[0]).toHaveLength(n)
  })
})
