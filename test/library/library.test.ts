import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { AccessDeniedError } from '../../src/errors.js'
import { type Library, loadLibrary, normalizeCategory } from '../../src/library/index.js'
import { fixtureLibrary, tempCopy } from './helpers.js'

let library: Library

beforeAll(async () => {
  library = await loadLibrary({ root: fixtureLibrary })
})

const u = (p: string) => `orchestr8://${p}`

describe('normalizeCategory', () => {
  it('treats plural and singular forms, and case, as the same category', () => {
    expect(['agents', 'Agent', 'AGENTS', 'agent'].map(normalizeCategory)).toEqual(['agent', 'agent', 'agent', 'agent'])
    expect(['examples', 'skills', 'patterns', 'guides', 'workflows', 'Workflows'].map(normalizeCategory)).toEqual([
      'example',
      'skill',
      'pattern',
      'guide',
      'workflow',
      'workflow',
    ])
    expect(['policies', 'classes', 'boxes', 'status', 'kubernetes', 'analysis'].map(normalizeCategory)).toEqual([
      'policy',
      'class',
      'box',
      'status',
      'kubernetes',
      'analysis',
    ])
  })
})

describe('loadLibrary: entries', () => {
  it('has one entry per .md file, sorted by path, with canonical URIs from the path', () => {
    expect(library.entries.map((e) => e.path)).toEqual([
      'agents/frontend-specialist.md',
      'agents/pipeline-agent.md',
      'agents/postgres-specialist.md',
      'examples/data/airflow-batch-ingestion.md',
      'examples/data/data-quality-expectations.md',
      'examples/data/kafka-consumer-groups.md',
      'examples/database/connection-pooling.md',
      'examples/database/pgbouncer-pooling.md',
      'examples/database/postgres-backup-recovery.md',
      'examples/database/postgres-query-tuning.md',
      'examples/database/postgres-replication.md',
      'examples/database/postgres-schema-migrations.md',
      'examples/web/accessible-form-validation.md',
      'examples/web/component-testing.md',
      'examples/web/react-render-profiling.md',
      'examples/web/react-state-reducer.md',
      'guides/getting-started.md',
      'patterns/connection-pooling.md',
      'patterns/read-through-cache.md',
      'skills/broken-yaml.md',
      'skills/caching-strategies.md',
      'skills/query-plans.md',
      'skills/sql-indexing.md',
      'skills/unterminated.md',
      'workflows/release-checklist.md',
    ])
    for (const e of library.entries) expect(e.uri).toBe(u(e.path.replace(/\.md$/, '')))
  })

  it('normalizes categories from frontmatter, with the folder as fallback', () => {
    const cat = (p: string) => library.get(u(p))?.category
    expect(cat('agents/frontend-specialist')).toBe('agent') // frontmatter says "Agents"
    expect(cat('workflows/release-checklist')).toBe('workflow') // frontmatter says "Workflows"
    expect(cat('guides/getting-started')).toBe('guide') // no frontmatter: folder
    expect(cat('skills/unterminated')).toBe('skill') // unterminated frontmatter: folder
    expect(new Set(library.entries.map((e) => e.category))).toEqual(new Set(['agent', 'example', 'guide', 'pattern', 'skill', 'workflow']))
  })

  it('gives aliases from the id and the file name, and reports an id that differs from the file name', () => {
    const pipeline = library.get(u('agents/pipeline-agent'))
    expect(pipeline?.id).toBe('data-pipeline-engineer')
    expect(pipeline?.aliases).toEqual(['data-pipeline-engineer', 'pipeline-agent'])
    expect(pipeline?.diagnostics.map((d) => [d.code, d.severity, d.line])).toEqual([['ID_MISMATCH', 'warning', 2]])
    expect(library.get('data-pipeline-engineer')?.uri).toBe(u('agents/pipeline-agent'))
    expect(library.get('pipeline-agent')?.uri).toBe(u('agents/pipeline-agent'))
  })

  it('reports an ambiguous alias on every claimant and never picks one', () => {
    const a = library.get(u('examples/database/connection-pooling'))
    const b = library.get(u('patterns/connection-pooling'))
    expect(a?.aliases).toEqual([])
    expect(b?.aliases).toEqual([])
    for (const e of [a, b]) {
      const d = e?.diagnostics.find((x) => x.code === 'ALIAS_AMBIGUOUS')
      expect(d?.severity).toBe('warning')
      expect(d?.message).toContain('orchestr8://examples/database/connection-pooling (file name)')
      expect(d?.message).toContain('orchestr8://patterns/connection-pooling (id)')
    }
    const found = library.lookup('connection-pooling')
    expect(found.entry).toBeUndefined()
    expect(found.error?.code).toBe('AMBIGUOUS')
    expect(found.error?.candidates).toEqual([u('examples/database/connection-pooling'), u('patterns/connection-pooling')])
  })

  it('keeps broken documents as entries with their diagnostics and loads the rest', () => {
    const broken = library.entries.filter((e) => e.diagnostics.some((d) => d.severity === 'error'))
    expect(broken.map((e) => [e.path, e.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)])).toEqual([
      ['skills/broken-yaml.md', ['FRONTMATTER_INVALID_YAML']],
      ['skills/unterminated.md', ['FRONTMATTER_UNTERMINATED']],
    ])
    // A broken document still resolves and parses.
    expect(library.document(u('skills/broken-yaml'))?.title).toBe('Broken YAML')
    const noFm = library.get(u('guides/getting-started'))
    expect(noFm?.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_MISSING'])
    expect(noFm?.aliases).toEqual(['getting-started'])
    // Library-level diagnostics include every entry's.
    expect(library.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(2)
  })

  it('indexes from frontmatter: meta is validated, title is the first heading', () => {
    const e = library.get('postgres-specialist')
    expect(e?.meta.tags).toEqual(['postgres', 'sql', 'database', 'performance'])
    expect(e?.meta.estimatedTokens).toBe(300)
    expect(library.title('postgres-specialist')).toBe('PostgreSQL Specialist')
    expect(library.title(u('guides/getting-started'))).toBe('Getting Started with This Library')
  })

  it('counts tokens of the whole text lazily and caches them', () => {
    const n = library.tokens('postgres-specialist')
    expect(n).toBeGreaterThan(100)
    expect(library.tokens(u('agents/postgres-specialist'))).toBe(n)
    expect(library.tokens('nope')).toBeUndefined()
  })

  it('refuses a missing or empty root with an InvalidOptionError', async () => {
    await expect(loadLibrary({ root: path.join(fixtureLibrary, 'does-not-exist') })).rejects.toMatchObject({ code: 'INVALID_OPTION' })
    await expect(loadLibrary({ root: '' })).rejects.toMatchObject({ code: 'INVALID_OPTION' })
    await expect(loadLibrary({ root: fixtureLibrary, schemes: [] })).rejects.toMatchObject({ code: 'INVALID_OPTION' })
  })

  it('uses the first configured scheme for canonical URIs and accepts every configured scheme', async () => {
    const lib = await loadLibrary({ root: fixtureLibrary, schemes: ['skill', 'orchestr8'] })
    expect(lib.entries[0]?.uri).toBe('skill://agents/frontend-specialist')
    expect(lib.get('orchestr8://agents/frontend-specialist')?.uri).toBe('skill://agents/frontend-specialist')
    expect(lib.get('other://agents/frontend-specialist')).toBeUndefined()
  })
})

describe('library as a resolver', () => {
  it('resolves canonical URIs (also with @, .md and a trailing slash) to the source', async () => {
    const doc = await library(u('examples/database/postgres-replication'), {})
    expect(doc?.uri).toBe(u('examples/database/postgres-replication'))
    expect(doc?.path).toBe('examples/database/postgres-replication.md')
    expect(doc?.source).toContain('# Replication and Failover')
    expect(doc?.diagnostics).toBeUndefined()
    expect((await library.resolve('@orchestr8://examples/database/postgres-replication.md/'))?.uri).toBe(doc?.uri)
  })

  it('resolves a flat path for a nested file when unambiguous, with a warning', async () => {
    const doc = await library(u('examples/postgres-backup-recovery'), { from: u('agents/postgres-specialist') })
    expect(doc?.uri).toBe(u('examples/database/postgres-backup-recovery'))
    expect(doc?.diagnostics).toEqual([
      {
        code: 'RESOLVED_FLAT_PATH',
        severity: 'warning',
        message: 'orchestr8://examples/postgres-backup-recovery resolved to orchestr8://examples/database/postgres-backup-recovery by category folder and file name; write the full path',
        file: 'agents/postgres-specialist.md',
      },
    ])
    // Category folder written in the other number also works.
    expect((await library('orchestr8://example/postgres-backup-recovery', {}))?.uri).toBe(u('examples/database/postgres-backup-recovery'))
  })

  it('resolves bare ids and file names with an info diagnostic', async () => {
    const doc = await library('data-pipeline-engineer', {})
    expect(doc?.uri).toBe(u('agents/pipeline-agent'))
    expect(doc?.diagnostics?.map((d) => [d.code, d.severity])).toEqual([['RESOLVED_BY_ALIAS', 'info']])
    expect((await library('orchestr8://caching-strategies', {}))?.uri).toBe(u('skills/caching-strategies'))
  })

  it('throws on ambiguous names instead of picking one', async () => {
    await expect(library('connection-pooling', {})).rejects.toMatchObject({ code: 'AMBIGUOUS_REFERENCE' })
    await expect(library('orchestr8://examples/connection-pooling', {})).resolves.toMatchObject({ uri: u('examples/database/connection-pooling') })
  })

  it('returns undefined for unknown documents, other schemes and dynamic queries', async () => {
    expect(await library(u('examples/nope'), {})).toBeUndefined()
    expect(await library('nope', {})).toBeUndefined()
    expect(await library('file:///etc/passwd', {})).toBeUndefined()
    expect(await library(u('match?query=postgres'), {})).toBeUndefined()
    expect(library.lookup(u('match')).error?.code).toBe('DYNAMIC')
  })

  it('refuses hostile paths with AccessDeniedError and never touches the file system for them', async () => {
    for (const hostile of [
      'orchestr8://../../etc/passwd',
      'orchestr8://examples/%2e%2e/%2e%2e/secret',
      'orchestr8://examples/../agents/postgres-specialist',
      'orchestr8:///etc/passwd',
      'orchestr8://examples/a%00b',
      '../../etc/passwd',
      'examples/\u0000x',
    ]) {
      await expect(library(hostile, {}), hostile).rejects.toBeInstanceOf(AccessDeniedError)
    }
  })

  it('serves assemble: slots resolve through the library, including the flat path', async () => {
    const doc = library.document('postgres-specialist')
    if (!doc) throw new Error('missing')
    const { text, report } = await assemble(doc, { resolver: library, budget: 100_000 })
    const slots = report.references.filter((r) => r.kind === 'slot' && r.depth === 1)
    expect(slots.map((r) => [r.uri, r.decision])).toEqual([
      [u('examples/database/postgres-schema-migrations'), 'inlined'],
      [u('examples/database/postgres-query-tuning'), 'inlined'],
      [u('examples/database/pgbouncer-pooling'), 'inlined'],
      [u('examples/postgres-backup-recovery'), 'inlined'],
      [u('examples/database/postgres-replication'), 'inlined'],
    ])
    expect(text).toContain('pgbackrest --stanza=main')
    expect(report.diagnostics.some((d) => d.code === 'RESOLVED_FLAT_PATH')).toBe(true)
    // The related bare id resolves by alias.
    expect(report.references.find((r) => r.kind === 'related' && r.uri === 'caching-strategies')?.decision).toBe('deferred')
  })
})

describe('loadLibrary: root confinement', () => {
  let base: string
  let root: string
  beforeAll(() => {
    base = mkdtempSync(path.join(tmpdir(), 'promptfold-confine-'))
    root = path.join(base, 'root')
    mkdirSync(path.join(root, 'agents'), { recursive: true })
    mkdirSync(path.join(base, 'outside'))
    writeFileSync(path.join(base, 'outside', 'secret.md'), '---\nid: secret\n---\n# Secret\n')
    writeFileSync(path.join(base, 'outside-file.md'), '# Outside\n')
    writeFileSync(path.join(root, 'agents', 'a.md'), '---\nid: a\ncategory: agent\n---\n# A\n')
    writeFileSync(path.join(root, 'agents', 'notes.txt'), 'not markdown')
    symlinkSync(path.join(base, 'outside'), path.join(root, 'linked-out'))
    symlinkSync(path.join(base, 'outside-file.md'), path.join(root, 'agents', 'escape.md'))
    symlinkSync(path.join(root, 'agents', 'a.md'), path.join(root, 'agents', 'alias-of-a.md'))
    symlinkSync(path.join(root, 'agents'), path.join(root, 'agents', 'loop'))
    symlinkSync(path.join(base, 'nowhere.md'), path.join(root, 'agents', 'dangling.md'))
    mkdirSync(path.join(root, '.git'))
    writeFileSync(path.join(root, '.git', 'HEAD.md'), '# hidden')
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it('skips links leading outside the root (with a warning), follows links inside it once, skips hidden folders', async () => {
    const lib = await loadLibrary({ root })
    expect(lib.entries.map((e) => e.path)).toEqual(['agents/a.md', 'agents/alias-of-a.md'])
    expect(lib.diagnostics.filter((d) => d.code.startsWith('SYMLINK')).map((d) => [d.code, d.file])).toEqual([
      ['SYMLINK_BROKEN', 'agents/dangling.md'],
      ['SYMLINK_OUTSIDE_ROOT', 'agents/escape.md'],
      ['SYMLINK_OUTSIDE_ROOT', 'linked-out'],
    ])
    expect(await lib('orchestr8://linked-out/secret', {})).toBeUndefined()
    expect(await lib('secret', {})).toBeUndefined()
    expect(await lib('orchestr8://agents/escape', {})).toBeUndefined()
  })
})

describe('library.refresh', () => {
  it('picks up changed (by content, not mtime), added and removed files and keeps the rest cached', async () => {
    const { dir, cleanup } = tempCopy(fixtureLibrary)
    try {
      const lib = await loadLibrary({ root: dir })
      const keep = lib.document('postgres-specialist')
      const before = lib.version
      // Nothing changed: nothing reported, version unchanged.
      expect(await lib.refresh()).toEqual({ added: [], changed: [], removed: [], unchanged: 25 })
      expect(lib.version).toBe(before)

      const { utimesSync, statSync, readFileSync } = await import('node:fs')
      const target = path.join(dir, 'examples', 'web', 'component-testing.md')
      const stat = statSync(target)
      // Same size, same mtime, different content.
      const src = readFileSync(target, 'utf8').replace('Component Testing', 'Component Testers')
      writeFileSync(target, src)
      utimesSync(target, stat.atime, stat.mtime)
      // Touched but identical: not a change.
      const touched = path.join(dir, 'skills', 'query-plans.md')
      utimesSync(touched, new Date(), new Date(Date.now() + 5000))
      writeFileSync(path.join(dir, 'skills', 'new-skill.md'), '---\nid: new-skill\ncategory: skill\nuseWhen: [Testing refresh]\n---\n# New Skill\n')
      rmSync(path.join(dir, 'examples', 'data', 'kafka-consumer-groups.md'))

      const result = await lib.refresh()
      expect(result).toEqual({
        added: [u('skills/new-skill')],
        changed: [u('examples/web/component-testing')],
        removed: [u('examples/data/kafka-consumer-groups')],
        unchanged: 23,
      })
      expect(lib.version).toBe(before + 1)
      expect(lib.entries).toHaveLength(25)
      expect(lib.title(u('examples/web/component-testing'))).toBe('React Component Testers')
      expect(lib.get('kafka-consumer-groups')).toBeUndefined()
      expect(lib.match('new skill refresh')[0]?.uri).toBe(u('skills/new-skill'))
      expect(lib.match('kafka consumer groups', { categories: ['example'] }).map((r) => r.uri)).not.toContain(u('examples/data/kafka-consumer-groups'))
      // Unchanged documents keep their parse (same object).
      expect(lib.document('postgres-specialist')).toBe(keep)
      // Graph follows: the pipeline agent's slot to the removed example now dangles.
      expect(lib.graph().dangling.map((d) => d.uri)).toContain(u('examples/data/kafka-consumer-groups'))
    } finally {
      cleanup()
    }
  })

  it('serializes concurrent refreshes', async () => {
    const { dir, cleanup } = tempCopy(fixtureLibrary)
    try {
      const lib = await loadLibrary({ root: dir })
      writeFileSync(path.join(dir, 'guides', 'second.md'), '# Second\n')
      const [a, b] = await Promise.all([lib.refresh(), lib.refresh()])
      expect(a.added).toEqual([u('guides/second')])
      expect(b.added).toEqual([])
    } finally {
      cleanup()
    }
  })
})

describe('a large library with a few bad files', () => {
  it('loads 397 of 400 documents and reports the 3 bad ones', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'promptfold-400-'))
    try {
      for (let i = 0; i < 400; i++) {
        const folder = ['agents', 'skills', 'examples/a', 'examples/b', 'patterns'][i % 5] as string
        mkdirSync(path.join(base, folder), { recursive: true })
        let text = `---\nid: doc-${i}\ncategory: ${folder.split('/')[0]}\ntags: [t${i % 7}]\nuseWhen:\n  - Task number ${i}\n---\n\n# Document ${i}\n\nBody ${i}.\n`
        if (i === 10) text = '---\nid: [unclosed\n---\n# Bad YAML\n'
        if (i === 200) text = '---\nid: doc-200\ntags: [a, b\n# never closed\n'
        if (i === 399) text = '---\nid: 42\ntags: {not: a list}\nestimatedTokens: -5\n---\n# Bad fields\n'
        writeFileSync(path.join(base, folder, `doc-${i}.md`), text)
      }
      const lib = await loadLibrary({ root: base })
      expect(lib.entries).toHaveLength(400)
      const bad = lib.entries.filter((e) => e.diagnostics.some((d) => d.severity === 'error'))
      expect(bad.map((e) => e.path).sort()).toEqual(['agents/doc-10.md', 'agents/doc-200.md', 'patterns/doc-399.md'])
      expect(lib.entries.filter((e) => !bad.includes(e)).every((e) => e.diagnostics.every((d) => d.severity !== 'error'))).toBe(true)
      expect(lib.match('task number 123')[0]?.uri).toBe('orchestr8://examples/b/doc-123')
    } finally {
      rmSync(base, { recursive: true, force: true })
    }
  })
})


describe('special files', () => {
  it('never opens a named pipe (a .md FIFO under the root is not a document)', async () => {
    const { execFileSync } = await import('node:child_process')
    const base = mkdtempSync(path.join(tmpdir(), 'promptfold-fifo-'))
    try {
      mkdirSync(path.join(base, 'agents'))
      writeFileSync(path.join(base, 'agents', 'a.md'), '# A\n')
      execFileSync('mkfifo', [path.join(base, 'agents', 'pipe.md')])
      const lib = await loadLibrary({ root: base })
      expect(lib.entries.map((e) => e.path)).toEqual(['agents/a.md'])
      expect(await lib.refresh()).toEqual({ added: [], changed: [], removed: [], unchanged: 1 })
    } finally {
      rmSync(base, { recursive: true, force: true })
    }
  })
})

describe('library.resolve and graph go through the one lookup (src/library/lookup.ts)', () => {
  let base: string
  let lib: Library
  beforeAll(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'promptfold-lookup-'))
    const files: Record<string, string> = {
      'agents/caller.md': '---\nid: caller\n---\n# Caller\n\n```\norchestr8://examples/replicas\norchestr8://examples/solo\n```\n\nSee orchestr8://examples/nowhere.\n',
      'examples/db/replicas.md': '# DB replicas\n',
      'examples/web/replicas.md': '# Web replicas\n',
      'examples/web/solo.md': '# Solo\n',
    }
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.join(base, path.dirname(rel)), { recursive: true })
      writeFileSync(path.join(base, rel), text)
    }
    lib = await loadLibrary({ root: base })
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it('an ambiguous flat path throws AMBIGUOUS_REFERENCE listing the candidates, and dangles as ambiguous', async () => {
    const error = await lib('orchestr8://examples/replicas').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({
      code: 'AMBIGUOUS_REFERENCE',
      message: 'orchestr8://examples/replicas could be any of orchestr8://examples/db/replicas, orchestr8://examples/web/replicas',
    })
    expect(lib.lookup('orchestr8://examples/replicas')).toEqual({
      error: {
        code: 'AMBIGUOUS',
        message: 'orchestr8://examples/replicas could be any of orchestr8://examples/db/replicas, orchestr8://examples/web/replicas',
        candidates: ['orchestr8://examples/db/replicas', 'orchestr8://examples/web/replicas'],
      },
    })
    const g = lib.graph()
    expect(g.dangling.map((d) => [d.uri, d.reason])).toEqual([
      ['orchestr8://examples/nowhere', 'not-found'],
      ['orchestr8://examples/replicas', 'ambiguous'],
    ])
    expect(g.edges.map((e) => [e.to, e.via])).toEqual([['orchestr8://examples/web/solo', 'flat']])
  })

  it('lookup, get, title, document, source and tokens agree on what a reference names', () => {
    const found = lib.lookup('orchestr8://examples/solo')
    expect([found.entry?.uri, found.via, found.error]).toEqual(['orchestr8://examples/web/solo', 'flat', undefined])
    expect(lib.get('orchestr8://examples/solo')).toBe(found.entry)
    expect(lib.title('orchestr8://examples/solo')).toBe('Solo')
    expect(lib.document('solo')?.uri).toBe('orchestr8://examples/web/solo')
    expect(lib.source('example/solo')).toBe('# Solo\n')
    expect(lib.tokens('orchestr8://examples/solo', { counter: { encoding: 'chars', count: (t: string) => t.length } })).toBe(7)
    for (const ambiguous of ['replicas', 'orchestr8://examples/replicas']) {
      expect([lib.get(ambiguous), lib.title(ambiguous), lib.document(ambiguous), lib.source(ambiguous)]).toEqual([undefined, undefined, undefined, undefined])
    }
  })
})

describe('loadLibrary: parseStore', () => {
  it('keeps parses between libraries: a second library over the same files reads them back, with the same titles and graph', async () => {
    const kept = new Map<string, unknown>()
    let writes = 0
    let reads = 0
    const parseStore = {
      get: (key: string) => {
        reads++
        return kept.get(key)
      },
      set: (key: string, value: object) => {
        writes++
        kept.set(key, JSON.parse(JSON.stringify(value)))
      },
    }
    const first = await loadLibrary({ root: fixtureLibrary, parseStore })
    const ranked = first.match('postgres replication failover').map((r) => r.uri)
    // Matching reads headings by a scan where it can (src/library/headings.ts); the graph parses every body.
    const edges = first.graph().edges
    expect([writes, reads]).toEqual([25, 25])
    const second = await loadLibrary({ root: fixtureLibrary, parseStore })
    expect(second.match('postgres replication failover').map((r) => r.uri)).toEqual(ranked)
    expect(second.title('postgres-specialist')).toBe('PostgreSQL Specialist')
    expect(second.graph().edges).toEqual(edges)
    expect([writes, reads]).toEqual([25, 50])
  })

  it('defaults to none and refuses a value that is not a store', async () => {
    await expect(loadLibrary({ root: fixtureLibrary, parseStore: {} as never })).rejects.toMatchObject({ code: 'INVALID_OPTION' })
    await expect(loadLibrary({ root: fixtureLibrary, parseStore: null as never })).rejects.toMatchObject({ code: 'INVALID_OPTION' })
  })
})
