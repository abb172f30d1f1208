/**
 * The HTML report (issue 16): one self-contained page from a report, its prompt and source map.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { assemble, fileSystemResolver, formatReportHtml, parseDocument } from '../../src/index.js'
import { repoRoot } from '../helpers/fixtures.js'

const scratch = mkdtempSync(join(tmpdir(), 'pf-html-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

async function mlops(budget: number) {
  const source = readFileSync(join(repoRoot, 'fixtures/resources/agents/mlops-specialist.md'), 'utf8')
  const doc = parseDocument(source, { path: 'agents/mlops-specialist.md' })
  return assemble(doc, { budget, resolver: fileSystemResolver({ root: join(repoRoot, 'fixtures/resources') }), timings: false })
}

/** `count` of the elements in `html` whose start tag matches `pattern`. */
function count(html: string, pattern: RegExp): number {
  return [...html.matchAll(new RegExp(pattern.source, 'g'))].length
}

describe('formatReportHtml', () => {
  it('shows the budget bar, the chart, every reference and every span of the prompt', async () => {
    const a = await mlops(3000)
    const html = formatReportHtml({ report: a.report, text: a.text, sourceMap: a.sourceMap })
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true)
    expect(html).toContain('<title>promptfold report: mlops-specialist</title>')
    // The bar: the core, the two inlined examples, the unused budget, the two deferred examples.
    expect([...html.matchAll(/data-part="(\w+)"/g)].map((m) => m[1])).toEqual(['core', 'inlined', 'inlined', 'free', 'deferred', 'deferred'])
    expect(count(html, /<tr data-decision=/)).toBe(a.report.references.length)
    expect(count(html, /<g data-row=/)).toBe(a.report.efficiency.withOneExample.length + 2)
    // One element per span of the source map, each with the file and line on hover.
    const prompt = html.slice(html.indexOf('<pre class="prompt">'), html.indexOf('</pre>'))
    expect(count(prompt, /<span /)).toBe(a.sourceMap.spans.length)
    expect(prompt).toContain('title="agents/mlops-specialist.md:17-24"')
    expect(prompt).toContain('title="promptfold: pointer for orchestr8://examples/ml/mlops-model-serving"')
    // The prompt's text is all there, escaped.
    const shown = prompt.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&')
    expect(shown).toBe(a.text)
  })

  it('loads nothing from anywhere, escapes what it shows, and gives the same bytes for the same input', async () => {
    const a = await mlops(3000)
    const html = formatReportHtml({ report: a.report, text: a.text, sourceMap: a.sourceMap })
    // The one link is the empty icon, so that a browser does not ask for /favicon.ico either.
    expect(html.replace('<link rel="icon" href="data:,">', '')).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i)
    expect(formatReportHtml({ report: a.report, text: a.text, sourceMap: a.sourceMap })).toBe(html)
    const tricky = await assemble('# <b>&"x"</b>\n\nText with <script>alert(1)</script>.\n', { budget: 100, timings: false })
    const page = formatReportHtml({ report: tricky.report, text: tricky.text, sourceMap: tricky.sourceMap }, { title: 'a <title> & more' })
    expect(page).toContain('<title>a &lt;title&gt; &amp; more</title>')
    expect(page).not.toContain('<script>')
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('shows references placed at a partial level (levels of detail) as summarized parts of the bar', async () => {
    const source = readFileSync(join(repoRoot, 'fixtures/resources/agents/mlops-specialist.md'), 'utf8')
    const doc = parseDocument(source, { path: 'agents/mlops-specialist.md' })
    const a = await assemble(doc, { budget: 2000, resolver: fileSystemResolver({ root: join(repoRoot, 'fixtures/resources') }), levels: ['full', 'summary', 'pointer'], timings: false })
    const html = formatReportHtml({ report: a.report, text: a.text, sourceMap: a.sourceMap })
    expect([...html.matchAll(/data-part="(\w+)"/g)].map((m) => m[1])).toEqual(['core', 'inlined', 'summarized', 'summarized', 'summarized', 'free'])
    expect(html).toContain('title="orchestr8://examples/ml/mlops-kubeflow-pipeline: placed as its summary, about ')
  })

  it('takes a report alone (no prompt section)', async () => {
    const a = await mlops(3000)
    const html = formatReportHtml(a.report)
    expect(html).not.toContain('<pre class="prompt">')
    expect(count(html, /<tr data-decision=/)).toBe(a.report.references.length)
  })
})

describe('promptfold report --html', () => {
  const cli = join(repoRoot, 'dist/cli.js')
  const file = join(repoRoot, 'fixtures/resources/agents/mlops-specialist.md')

  it('writes the page of the assembly at --budget, and still prints the table', () => {
    const out = join(scratch, 'deep/er/report.html')
    const r = spawnSync(process.execPath, [cli, 'report', file, '--html', out, '--budget', '3000', '--no-cache'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    expect(r.status).toBe(0)
    expect(r.stderr).toBe(`HTML report written to ${out}\n`)
    expect(r.stdout).toContain('Token efficiency: mlops-specialist')
    const html = readFileSync(out, 'utf8')
    expect(html).toContain('budget <b>3,000</b>')
    expect([...html.matchAll(/data-part="(\w+)"/g)].map((m) => m[1])).toEqual(['core', 'inlined', 'inlined', 'free', 'deferred', 'deferred'])
  })

  it('refuses --budget and --query without --html (exit 2)', () => {
    for (const flag of [['--budget', '10'], ['--query', 'x']]) {
      const r = spawnSync(process.execPath, [cli, 'report', file, ...flag, '--no-cache'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
      expect(r.status).toBe(2)
      expect(r.stderr).toContain(`${flag[0]} goes with --html`)
    }
  })
})
