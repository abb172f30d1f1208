/**
 * Bundlers and runtimes (issue 15): a small consumer (fixtures/bundle-consumer) that imports
 * `promptfold` is bundled by esbuild, the package resolved by its export conditions as a
 * consumer's bundler resolves it (a `node_modules/promptfold` link to the built package), and
 * run in three places:
 *
 * - for Node (`--platform=node`): the `module` condition, `dist/bundler.js`; the bundle runs
 *   from a folder with no `node_modules` (every dependency is in it: none hidden from esbuild);
 * - for browsers (`--platform=browser`, code splitting): `dist/portable.js`, no `node:` module,
 *   rank data in chunks of their own; run in headless Chromium (Debian's `chromium`) from a
 *   local HTTP server on the loopback address;
 * - for an edge runtime: the same core bundled with the `workerd` condition and run by workerd
 *   (Cloudflare's runtime, from the npm registry) behind a loopback socket.
 *
 * Each returns the same prompt, report and counts as the library in this process, and the
 * counts are js-tiktoken's.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { build, type Metafile } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble, createTokenCounter, formatReport, memoryResolver, parseDocument } from '../../src/index.js'
import { builtRoot, repoRoot, tempDir } from '../cli/run.js'
import { referenceCount } from '../count/reference.js'

const CONSUMER = join(repoRoot, 'fixtures/bundle-consumer')
const CHROMIUM = process.env.CHROMIUM_BIN ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync) ?? 'chromium'
const WORKERD = join(repoRoot, 'node_modules/.bin/workerd')

const resources = join(repoRoot, 'fixtures/resources')
const EXAMPLES = ['mlops-kubeflow-pipeline', 'mlops-mlflow-tracking', 'mlops-model-serving', 'mlops-monitoring-ab-testing']
const input = {
  agent: readFileSync(join(resources, 'agents/mlops-specialist.md'), 'utf8'),
  files: Object.fromEntries(EXAMPLES.map((n) => [`orchestr8://examples/ml/${n}`, readFileSync(join(resources, `examples/ml/${n}.md`), 'utf8')])),
  budget: 3000,
  // Text that trips tokenizers: special-token text, U+FEFF and U+0085 (whitespace to JavaScript and to tiktoken the other way round), CJK, emoji, long runs.
  samples: ['hello world', '<|endoftext|> and <|fim_prefix|>', '\uFEFFa\u0085b \u00a0 c', '日本語のテキスト、句読点。', '👩‍👩‍👧‍👦 family 🇫🇷', ' '.repeat(50) + 'x', 'a'.repeat(3000), '```ts\nconst x = 1\n```\n'],
}

interface Result {
  meta: unknown
  text: string
  report: unknown
  formatted: string
  fresh: number
  o200k: number[]
  cl100k: number[]
  error?: string
}

/** What the library itself gives in this process (Node, from the sources). */
async function expected(): Promise<Result> {
  const doc = parseDocument(input.agent, { path: 'agents/mlops-specialist.md' })
  const { text, report } = await assemble(doc, { budget: input.budget, resolver: memoryResolver(input.files), timings: false })
  const o200k = createTokenCounter({ encoding: 'o200k_base' })
  const cl100k = createTokenCounter({ encoding: 'cl100k_base' })
  return {
    meta: doc.meta,
    text,
    report,
    formatted: formatReport(report),
    fresh: o200k.count(text),
    o200k: input.samples.map((s) => o200k.count(s)),
    cl100k: input.samples.map((s) => cl100k.count(s)),
  }
}

/** The result must be the library's own, and its counts js-tiktoken's. */
function check(got: Result, want: Result): void {
  expect(got.error).toBeUndefined()
  expect(got).toEqual(want)
  expect(got.o200k).toEqual(input.samples.map((s) => referenceCount('o200k_base', s)))
  expect(got.cl100k).toEqual(input.samples.map((s) => referenceCount('cl100k_base', s)))
  expect(got.fresh).toBe(referenceCount('o200k_base', got.text))
  expect((got.report as { totalTokens: number }).totalTokens).toBe(got.fresh)
  expect(got.fresh).toBeLessThanOrEqual(input.budget)
}

let work: { dir: string; cleanup: () => void }
let want: Result

/** Bundle `entry` (a file of fixtures/bundle-consumer) with esbuild into `out`. */
async function bundle(entry: string, out: string, options: { platform: 'node' | 'browser'; conditions?: string[]; splitting?: boolean }): Promise<Metafile> {
  const result = await build({
    entryPoints: [join(work.dir, 'consumer', entry)],
    bundle: true,
    format: 'esm',
    platform: options.platform,
    ...(options.conditions ? { conditions: options.conditions } : {}),
    splitting: options.splitting ?? false,
    ...(options.splitting ? { outdir: out } : { outfile: out }),
    metafile: true,
    logLevel: 'silent',
    // The consumer's node_modules/promptfold is a link to the built package; follow it as npm's
    // install would be read (esbuild resolves the link, then the package's own dependencies).
    absWorkingDir: join(work.dir, 'consumer'),
  })
  return result.metafile
}

/** The package files a bundle took from promptfold's dist/. */
function distFiles(meta: Metafile): string[] {
  return Object.keys(meta.inputs)
    .filter((p) => !p.includes('node_modules/') && /(^|\/)dist\/[^/]+$/.test(p))
    .map((p) => p.slice(p.lastIndexOf('dist/')))
    .sort()
}

/** Run a command; resolve with its exit status and output. */
function exec(command: string, args: string[], options: { input?: string; cwd?: string; until?: (stdout: string) => boolean } = {}): Promise<{ status: number | null; stdout: string; stderr: string; kill: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } })
    let stdout = ''
    let stderr = ''
    const kill = () => child.kill('SIGKILL')
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const timer = setTimeout(kill, 90_000)
    child.on('error', reject)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr, kill })
    })
    if (options.input !== undefined) child.stdin.end(options.input)
    else child.stdin.end()
  })
}

beforeAll(async () => {
  work = tempDir('promptfold-bundles-')
  const consumer = join(work.dir, 'consumer')
  mkdirSync(join(consumer, 'node_modules'), { recursive: true })
  for (const f of readdirSync(CONSUMER)) writeFileSync(join(consumer, f), readFileSync(join(CONSUMER, f)))
  writeFileSync(join(consumer, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n')
  symlinkSync(builtRoot, join(consumer, 'node_modules/promptfold'), 'dir')
  want = await expected()
})
afterAll(() => work?.cleanup())

describe('bundled for Node (esbuild --platform=node)', () => {
  it('takes dist/bundler.js, holds every dependency, and runs from a folder without node_modules', async () => {
    const out = join(work.dir, 'node-run', 'app.mjs')
    const meta = await bundle('node.js', out, { platform: 'node' })
    expect(distFiles(meta)).toEqual(['dist/bundler.js'])
    // Every package the library needs is inside the bundle: zod, gray-matter, js-tiktoken's ranks.
    const packages = new Set(Object.keys(meta.inputs).flatMap((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1] ?? []))
    expect([...packages].filter((p) => ['zod', 'gray-matter', 'js-yaml', 'js-tiktoken'].includes(p)).sort()).toEqual(['gray-matter', 'js-tiktoken', 'js-yaml', 'zod'])
    const run = await exec(process.execPath, [out], { input: JSON.stringify(input), cwd: join(work.dir, 'node-run') })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    check(JSON.parse(run.stdout) as Result, want)
  })
})

describe('bundled for browsers (esbuild --platform=browser, code splitting)', () => {
  let server: Server
  let base = ''
  const requests: string[] = []
  let meta: Metafile
  const outdir = () => join(work.dir, 'browser')

  beforeAll(async () => {
    meta = await bundle('browser.js', outdir(), { platform: 'browser', splitting: true })
    writeFileSync(join(outdir(), 'index.html'), '<!doctype html><meta charset="utf-8"><title>promptfold in a browser</title><pre id="result"></pre><script type="module" src="./browser.js"></script>\n')
    writeFileSync(join(outdir(), 'input.json'), JSON.stringify(input))
    server = createServer((req, res) => {
      const name = (req.url ?? '/').slice(1)
      requests.push(name)
      const file = join(outdir(), name)
      if (!/^[\w.-]+$/.test(name) || !existsSync(file)) {
        res.writeHead(404)
        res.end()
        return
      }
      const type = name.endsWith('.html') ? 'text/html' : name.endsWith('.json') ? 'application/json' : 'text/javascript'
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8` })
      res.end(readFileSync(file))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

  it('takes dist/portable.js: no node: module, rank data in chunks of their own', () => {
    expect(distFiles(meta)).toEqual(['dist/portable.js'])
    expect(Object.keys(meta.inputs).filter((p) => p.startsWith('node:') || /^(fs|path|crypto|os|module|vm|worker_threads)$/.test(p))).toEqual([])
    const chunks = Object.entries(meta.outputs).map(([file, o]) => ({ file, inputs: Object.keys(o.inputs), bytes: o.bytes }))
    const main = chunks.find((c) => c.file.endsWith('/browser.js'))
    expect(main).toBeDefined()
    // The ranks are not in the entry's chunk: each encoding's data is fetched when loadEncoding asks for it.
    expect(main?.inputs.some((p) => p.includes('js-tiktoken/dist/ranks') || p.includes('/ranks/o200k_base'))).toBe(false)
    expect(chunks.filter((c) => c.inputs.some((p) => /ranks\/o200k_base/.test(p)))).toHaveLength(1)
  })

  it('runs in headless Chromium with the same prompt, report and exact counts', async () => {
    const version = await exec(CHROMIUM, ['--version']).catch((error: Error) => ({ status: -1, stdout: '', stderr: error.message }))
    if (version.status !== 0) throw new Error(`headless Chromium is needed (${CHROMIUM}): apt-get install chromium, or set CHROMIUM_BIN`)
    const profile = join(work.dir, 'chromium-profile')
    const dom = await exec(CHROMIUM, [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      // Virtual time runs until the page is idle: the fetches and the assembly are done.
      '--virtual-time-budget=60000',
      '--dump-dom',
      `${base}/index.html`,
    ])
    expect(dom.status).toBe(0)
    const json = /<pre id="result">([\s\S]*?)<\/pre>/.exec(dom.stdout)?.[1] ?? ''
    const text = json.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    expect(text.length).toBeGreaterThan(0)
    check(JSON.parse(text) as Result, want)
    // The page asked for its files and both encodings' chunks (besides the browser's own favicon.ico), each served.
    const asked = requests.filter((r) => r !== 'favicon.ico')
    expect(asked.filter((r) => !existsSync(join(outdir(), r)))).toEqual([])
    const rankChunks = Object.entries(meta.outputs).filter(([, o]) => Object.keys(o.inputs).some((p) => /ranks\/(o200k|cl100k)_base/.test(p))).map(([f]) => f.slice(f.lastIndexOf('/') + 1))
    expect(rankChunks).toHaveLength(2)
    expect(asked).toEqual(expect.arrayContaining(['index.html', 'browser.js', 'input.json', ...rankChunks]))
  })
})

describe('bundled for an edge runtime (workerd)', () => {
  it('runs the core in workerd with the same prompt, report and exact counts', async () => {
    const out = join(work.dir, 'worker', 'worker.js')
    const meta = await bundle('worker.js', out, { platform: 'browser', conditions: ['workerd', 'worker', 'browser'] })
    expect(distFiles(meta)).toEqual(['dist/portable.js'])
    const port = 20_000 + Math.floor(Math.random() * 30_000)
    writeFileSync(
      join(work.dir, 'worker', 'config.capnp'),
      [
        'using Workerd = import "/workerd/workerd.capnp";',
        'const config :Workerd.Config = (',
        '  services = [ (name = "main", worker = .consumer) ],',
        `  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],`,
        ');',
        'const consumer :Workerd.Worker = (',
        '  modules = [ (name = "worker", esModule = embed "worker.js") ],',
        '  compatibilityDate = "2025-09-01",',
        ');',
        '',
      ].join('\n'),
    )
    expect(statSync(out).size).toBeGreaterThan(0)
    const child = spawn(WORKERD, ['serve', join(work.dir, 'worker', 'config.capnp'), '--verbose'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let log = ''
    child.stdout.on('data', (d) => (log += d))
    child.stderr.on('data', (d) => (log += d))
    try {
      let response: Response | undefined
      for (let attempt = 0; attempt < 200 && response === undefined; attempt++) {
        response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify(input) }).catch(async () => {
          await new Promise((r) => setTimeout(r, 100))
          return undefined
        })
      }
      expect(response, log).toBeDefined()
      const got = (await response?.json()) as Result
      expect(response?.status, got.error ?? log).toBe(200)
      check(got, want)
    } finally {
      child.kill('SIGKILL')
    }
  })
})
