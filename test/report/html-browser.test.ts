/**
 * The HTML report in a real browser (issue 16): headless Chromium (Debian's `chromium`,
 * installed by .ci/run when missing) loads the page from a local HTTP server on the loopback
 * address; the page it renders has the structure the report promises, the browser asked the
 * server for the page and nothing else (nothing to fail to load), no console message, and a
 * screenshot is kept in test-artifacts/ for people to look at.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble, fileSystemResolver, formatReportHtml, parseDocument } from '../../src/index.js'
import { repoRoot } from '../helpers/fixtures.js'

/** The Chromium binary: CHROMIUM_BIN, else Debian's. */
const CHROMIUM = process.env.CHROMIUM_BIN ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync) ?? 'chromium'
const ARTIFACTS = join(repoRoot, 'test-artifacts')

/** Run Chromium headless (asynchronously: the test's HTTP server must answer meanwhile). */
function chromium(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--enable-logging=stderr', '--v=0', ...args])
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

let server: Server
let base = ''
const requests: string[] = []
let html = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '')
    if (req.url === '/report.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(html)
    } else {
      res.writeHead(404)
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('the HTML report in headless Chromium', () => {
  it('renders the bar, the chart, the references and the coloured prompt; asks for nothing else; is screenshotted', async () => {
    const version = await chromium(['--version']).catch((error: Error) => ({ status: -1, stdout: '', stderr: error.message }))
    if (version.status !== 0) throw new Error(`headless Chromium is needed (${CHROMIUM}): apt-get install chromium, or set CHROMIUM_BIN`)
    const source = readFileSync(join(repoRoot, 'fixtures/resources/agents/mlops-specialist.md'), 'utf8')
    const doc = parseDocument(source, { path: 'agents/mlops-specialist.md' })
    const a = await assemble(doc, { budget: 3000, resolver: fileSystemResolver({ root: join(repoRoot, 'fixtures/resources') }), timings: false })
    html = formatReportHtml({ report: a.report, text: a.text, sourceMap: a.sourceMap })
    mkdirSync(ARTIFACTS, { recursive: true })
    writeFileSync(join(ARTIFACTS, 'html-report.html'), html)

    const dom = await chromium(['--dump-dom', `${base}/report.html`])
    expect(dom.status).toBe(0)
    // The DOM the browser built (not the file's text): parsed, with every part in place.
    expect(dom.stdout).toContain('data-promptfold-report="1"')
    expect([...dom.stdout.matchAll(/data-part="(\w+)"/g)].map((m) => m[1])).toEqual(['core', 'inlined', 'inlined', 'free', 'deferred', 'deferred'])
    expect([...dom.stdout.matchAll(/<tr data-decision="/g)]).toHaveLength(a.report.references.length)
    expect([...dom.stdout.matchAll(/<g data-row="/g)]).toHaveLength(a.report.efficiency.withOneExample.length + 2)
    const prompt = dom.stdout.slice(dom.stdout.indexOf('<pre class="prompt">'), dom.stdout.indexOf('</pre>'))
    expect([...prompt.matchAll(/<span /g)]).toHaveLength(a.sourceMap.spans.length)
    // The page is all there is: the browser asked for it and for nothing else, and logged no console message.
    expect(requests).toEqual(['/report.html'])
    expect(dom.stderr).not.toMatch(/CONSOLE[:(]|net::ERR_|Failed to load/)

    const shot = join(ARTIFACTS, 'html-report.png')
    const screenshot = await chromium([`--screenshot=${shot}`, '--window-size=1200,1400', `${base}/report.html`])
    expect(screenshot.status).toBe(0)
    expect(readFileSync(shot).subarray(1, 4).toString('latin1')).toBe('PNG')
    expect(statSync(shot).size).toBeGreaterThan(20_000)
  })
})
