// Deterministic generated documents for the benchmarks: a library scaled up from the
// shared corpus, and a 200-slot agent for the optimal-selection row.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT, SHARED_CORPUS, TMP } from './paths.mjs'

/** Small seeded PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Every .md file under `dir`, sorted. */
export function markdownFiles(dir) {
  if (!existsSync(dir)) return []
  const out = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...markdownFiles(full))
    else if (e.name.endsWith('.md')) out.push(full)
  }
  return out.sort()
}

/** The real documents: the shared orchestr8 corpus (when present) and this repo's fixtures. */
export function realDocuments() {
  return [...markdownFiles(path.join(SHARED_CORPUS, 'resources')), ...markdownFiles(path.join(SHARED_CORPUS, 'legacy-at-syntax')), ...markdownFiles(path.join(ROOT, 'fixtures'))]
}

const FRONTMATTER = /^---\r?\n[\s\S]*?\r?\n---\r?\n/

/** `## ` sections of the real documents' bodies, to recombine into generated documents. */
export function sectionPool({ withoutReferences = false } = {}) {
  const pool = []
  for (const f of realDocuments()) {
    const body = readFileSync(f, 'utf8').replace(FRONTMATTER, '')
    const parts = body.split(/^(?=## )/m).slice(1)
    for (const p of parts) {
      if (withoutReferences && /[a-z0-9]+:\/\//i.test(p)) continue
      // Unbalanced fences would swallow the rest of a generated document.
      if ((p.match(/^\s*(```|~~~)/gm) ?? []).length % 2 !== 0) continue
      if (p.length < 200) continue
      pool.push(p.endsWith('\n') ? p : `${p}\n`)
    }
  }
  return pool
}

const WORDS = ['pipeline', 'registry', 'tracing', 'cache', 'schema', 'gateway', 'queue', 'index', 'policy', 'deploy', 'metrics', 'session', 'vector', 'review', 'migration', 'rollout', 'tenant', 'budget', 'lint', 'retry']

/** One generated document of about `chars` characters, built from pool sections. */
export function generatedDocument({ id, category, title, next, pool, chars }) {
  const pick = () => WORDS[Math.floor(next() * WORDS.length)]
  const tags = [...new Set([pick(), pick(), pick()])]
  const head = [
    '---',
    `id: ${id}`,
    `category: ${category}`,
    `tags: [${tags.join(', ')}]`,
    'capabilities:',
    `  - ${pick()} ${pick()} for ${pick()} workloads`,
    'useWhen:',
    `  - Working on ${pick()} and ${pick()} in production`,
    '---',
    '',
    `# ${title}`,
    '',
    `Generated benchmark resource about ${tags.join(', ')}.`,
    '',
  ].join('\n')
  let body = ''
  while (body.length < chars) body += `${pool[Math.floor(next() * pool.length)]}\n`
  return `${head}\n${body}`
}

/**
 * The whole library for the memory row: every real document plus generated ones up to
 * `total` documents, written under bench/.tmp/library. Returns the file paths.
 */
export function benchLibrary({ total = 420, seed = 42 } = {}) {
  const real = realDocuments()
  const dir = path.join(TMP, 'library')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const next = rng(seed)
  const pool = sectionPool()
  const files = [...real]
  for (let i = files.length; i < total; i++) {
    const id = `generated-${String(i).padStart(4, '0')}`
    const f = path.join(dir, `${id}.md`)
    writeFileSync(f, generatedDocument({ id, category: i % 3 === 0 ? 'agent' : 'example', title: `Generated resource ${i}`, next, pool, chars: 4000 + Math.floor(next() * 10000) }))
    files.push(f)
  }
  return files
}

/**
 * A generated agent with `slots` slots, each to its own example of 200-2,000 tokens
 * (about 4 characters per token), for a `memoryResolver`.
 * @returns {{ agent: string, sources: Record<string, string> }}
 */
export function manySlotAgent({ slots = 200, seed = 7 } = {}) {
  const next = rng(seed)
  const pool = sectionPool({ withoutReferences: true })
  const sources = {}
  const parts = ['---', 'id: bench-optimal', 'category: agent', 'tags: [benchmark]', '---', '', '# Optimal selection benchmark agent', '', 'An agent with many examples, to time the optimal selection.', '']
  for (let i = 0; i < slots; i++) {
    const n = String(i).padStart(3, '0')
    const uri = `orchestr8://examples/bench/example-${n}`
    sources[uri] = generatedDocument({ id: `example-${n}`, category: 'example', title: `Example ${n}`, next, pool, chars: 800 + Math.floor(next() * 7200) })
    parts.push(`## Topic ${n}`, '', `Guidance for topic ${n}.`, '', '**Complete Implementation:**', '```', uri, '```', '')
  }
  return { agent: parts.join('\n'), sources }
}
