/**
 * One answer about every reference of the shared orchestr8 sample (read in place from
 * ../shared/corpus/orchestr8/resources, never copied): the references that `lint` reports as
 * UNRESOLVED_REFERENCE, that `library.graph().dangling` lists, that the built CLI's
 * `assemble <file> --json` reports as dangling rows at depth 1 (root found from the file),
 * and that the MCP server reports in each document's assembled view, are the same
 * (document, line, URI) triples. The counts are hard-coded: measured once, checked by hand
 * against the files.
 */
import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Library, type LintResult, lintLibrary, loadLibrary } from '../../src/index.js'
import { createServer } from '../../src/mcp/index.js'
import { isDangling, type ReferenceCause } from '../../src/report/causes.js'
import { cliPath, plainEnv } from '../cli/run.js'
import { repoRoot } from '../library/helpers.js'

const resources = path.resolve(repoRoot, '..', 'shared', 'corpus', 'orchestr8', 'resources')

/** The part of a report row the comparison reads. */
interface Row {
  uri: string
  kind: string
  depth: number
  line: number
  cause: ReferenceCause
}

/** `document:line uri`, the form every source is compared in. */
type Triple = string

/**
 * Dangling references among a document's depth-1 report rows, one per (URI, kind) at its
 * first line: the graph lists each (from, uri, kind) once, at its first occurrence.
 */
function danglingRows(file: string, rows: readonly Row[]): Triple[] {
  const first = new Map<string, Row>()
  for (const r of rows) {
    if (r.depth !== 1 || r.cause === undefined || !isDangling(r.cause)) continue
    const key = `${r.uri}\u0000${r.kind}`
    const seen = first.get(key)
    if (!seen || r.line < seen.line) first.set(key, r)
  }
  return [...first.values()].map((r) => `${file}:${r.line} ${r.uri}`)
}

const sorted = (list: Iterable<Triple>) => [...new Set(list)].sort()

/** Reference kinds that lint reports as UNRESOLVED_REFERENCE when dangling (links and paths are LINK_BROKEN / LINK_CASE_MISMATCH). */
const URI_KINDS: ReadonlySet<string> = new Set(['slot', 'mention', 'related'])

/** Run the built CLI; resolves with stdout (rejects on a non-zero exit). */
function run(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: plainEnv() })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`promptfold ${args.join(' ')} exited ${code}: ${err}`))))
  })
}

/** Map `items` with at most `limit` calls in flight, keeping the order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

let library: Library
let linted: LintResult
beforeAll(async () => {
  library = await loadLibrary({ root: resources })
  linted = await lintLibrary(library)
})

describe('orchestr8 sample: lint, graph().dangling, CLI assemble and MCP agree', () => {
  let fromLint: Triple[]
  let fromGraph: Triple[]
  beforeAll(() => {
    fromLint = sorted(linted.findings.filter((f) => f.code === 'UNRESOLVED_REFERENCE').map((f) => `${f.file}:${f.line} ${f.uri}`))
    fromGraph = sorted(library.graph().dangling.map((d) => `${library.get(d.from)?.path}:${d.line} ${d.uri}`))
  })

  it('lint reports exactly graph().dangling as UNRESOLVED_REFERENCE', () => {
    // Only URI references (slot, mention, related) are UNRESOLVED_REFERENCE when dangling; links
    // and paths that name no file are LINK_BROKEN / LINK_CASE_MISMATCH (none in this sample).
    const dangling = library.graph().dangling
    const fromUris = sorted(dangling.filter((d) => URI_KINDS.has(d.kind)).map((d) => `${library.get(d.from)?.path}:${d.line} ${d.uri}`))
    expect(library.entries).toHaveLength(46)
    expect(fromLint).toEqual(fromUris)
    expect(fromUris).toHaveLength(46)
    expect(dangling.filter((d) => !URI_KINDS.has(d.kind))).toEqual([])
    expect(linted.findings.filter((f) => f.code === 'UNRESOLVED_REFERENCE')).toHaveLength(46)
  })

  it('the built CLI, assembling each document with the root found from the file, reports the same dangling references', async () => {
    const files = library.entries.map((e) => e.path)
    const outputs = await pool(files, 2, (file) => run(['assemble', path.join(resources, file), '--json', '--no-cache']))
    const fromCli = sorted(outputs.flatMap((out, i) => danglingRows(files[i] as string, (JSON.parse(out) as { report: { references: Row[] } }).report.references)))
    expect(fromCli).toEqual(fromGraph)
  }, 600_000)

  it('the MCP server reports the same dangling references in each assembled view', async () => {
    const server = createServer(library)
    const [a, b] = InMemoryTransport.createLinkedPair()
    const client = new Client({ name: 'agree', version: '0' })
    await Promise.all([server.connect(a), client.connect(b)])
    try {
      const triples: Triple[] = []
      for (const entry of library.entries) {
        const { contents } = await client.readResource({ uri: `${entry.uri}?budget=1000000` })
        const report = JSON.parse((contents[1] as { text: string }).text) as { references: Row[] }
        triples.push(...danglingRows(entry.path, report.references))
      }
      expect(sorted(triples)).toEqual(fromGraph)
    } finally {
      await client.close()
    }
  }, 600_000)
})

describe('orchestr8 sample: lint', () => {
  it('reports no REFERENCE_INVALID: prose that mentions the bare scheme (`orchestr8://`) is not a reference', () => {
    expect(linted.findings.filter((f) => f.code === 'REFERENCE_INVALID')).toEqual([])
  })

  it('finds these numbers of each code over the 46 documents', () => {
    const counts: Record<string, number> = {}
    for (const f of linted.findings) counts[f.code] = (counts[f.code] ?? 0) + 1
    expect(counts).toEqual({ ESTIMATE_OFF: 33, HINT_OFF: 15, ID_MISMATCH: 1, UNRESOLVED_REFERENCE: 46 })
  })
})
