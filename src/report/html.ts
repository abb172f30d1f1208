/**
 * `formatReportHtml`: a report as one self-contained HTML page (no network, no script
 * needed): the budget as a bar split by core and by each reference, the efficiency table as a
 * chart, the references, and the assembled prompt with each span coloured by its source.
 *
 * @module
 */
import type { SourceMap, SourceSpan } from '../render/source-map.js'
import { formatNumber } from './number.js'
import type { AssemblyReport, ReferenceReport } from './schema.js'

/** What {@link formatReportHtml} shows: a report, and optionally the prompt and its source map. */
export interface HtmlReportInput {
  /** The report. */
  report: AssemblyReport
  /** The assembled text; with `sourceMap`, shown with each span coloured by its source. Default: not shown. */
  text?: string
  /** Where each span of `text` came from (`assembly.sourceMap`). */
  sourceMap?: SourceMap
}

/** Options of {@link formatReportHtml}. */
export interface HtmlReportOptions {
  /** The page title. Default: `promptfold report: <document>`. */
  title?: string
}

/** Colours of documents in the page, in order of first appearance (the core is the first). */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']

/** Colour of text promptfold wrote itself. */
const GENERATED = '#9e9e9e'

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.facts{color:#555}.facts b{color:#222}
.bar{display:flex;height:28px;border:1px solid #888;border-radius:3px;overflow:hidden;position:relative;background:#f4f4f4}
.seg{height:100%;box-sizing:border-box;border-right:1px solid #fff}
.seg.deferred{background:repeating-linear-gradient(45deg,#ddd,#ddd 4px,#f8f8f8 4px,#f8f8f8 8px)!important;border:1px dashed #999}
.seg.free{background:#fff}
.seg.summarized{opacity:.5}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;margin-top:8px;font-size:12px}
.legend span::before{content:"";display:inline-block;width:10px;height:10px;margin-right:4px;background:var(--c);vertical-align:-1px}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #e4e4e4;padding:4px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.d-inlined{color:#1b7f3b}.d-deferred{color:#8a6d00}.d-missing,.d-invalid,.d-cycle{color:#b3261e}.d-duplicate,.d-excluded{color:#666}
pre.prompt{white-space:pre-wrap;word-break:break-word;border:1px solid #ddd;padding:12px;border-radius:4px;font:12.5px/1.5 ui-monospace,Menlo,Consolas,monospace}
pre.prompt span{border-bottom:2px solid var(--c)}pre.prompt span.generated{color:#777;border-bottom:2px dotted var(--c)}
svg text{font:12px system-ui,sans-serif;fill:#333}
`

/**
 * The report as one self-contained HTML page: no script, style sheet, font or image is
 * loaded from anywhere. Same input, same bytes.
 *
 * @param input A report, or `{ report, text, sourceMap }` (an assembly: `formatReportHtml({ ...assembly, sourceMap: assembly.sourceMap })`).
 * @param options The page title.
 * @example
 * const assembly = await assemble(doc, { budget: 3000, resolver })
 * writeFileSync('report.html', formatReportHtml({ report: assembly.report, text: assembly.text, sourceMap: assembly.sourceMap }))
 */
export function formatReportHtml(input: HtmlReportInput | AssemblyReport, options: HtmlReportOptions = {}): string {
  const { report, text, sourceMap } = 'report' in input ? input : { report: input, text: undefined, sourceMap: undefined }
  const name = report.document.id ?? report.document.uri ?? report.document.path ?? report.document.title
  const title = options.title ?? `promptfold report: ${name}`
  const colours = colourIndex(report, sourceMap)
  const body = [
    `<h1>${esc(title)}</h1>`,
    factsHtml(report),
    '<h2>Budget</h2>',
    budgetBar(report, colours),
    '<h2>Token efficiency (measured)</h2>',
    efficiencyChart(report),
    '<h2>References</h2>',
    referencesTable(report.references),
    ...(text !== undefined ? ['<h2>Prompt</h2>', promptHtml(text, sourceMap, colours)] : []),
    ...(report.diagnostics.length > 0 ? ['<h2>Diagnostics</h2>', `<ul>${report.diagnostics.map((d) => `<li data-code="${esc(d.code)}"><b>${esc(d.severity)} ${esc(d.code)}</b>${d.file ? ` ${esc(d.file)}${d.line ? `:${d.line}` : ''}` : ''}: ${esc(d.message)}</li>`).join('')}</ul>`] : []),
  ]
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><title>${esc(title)}</title><style>${CSS.trim()}</style></head>\n<body data-promptfold-report="1">\n${body.join('\n')}\n</body></html>\n`
}

function factsHtml(r: AssemblyReport): string {
  const facts = [
    `budget <b>${r.budget === null ? 'none' : formatNumber(r.budget)}</b>`,
    `total <b>${formatNumber(r.totalTokens)}</b> tokens`,
    `core <b>${formatNumber(r.coreTokens)}</b>`,
    esc(r.encoding),
    esc(r.strategy),
    `savings vs all embedded (${formatNumber(r.baselines.traditional)}): <b>${formatNumber(r.savings.tokens)}</b> tokens (${r.savings.percent}%)`,
    ...(r.query ? [`query “${esc(r.query)}”`] : []),
  ]
  return `<p class="facts">${facts.join(' · ')}</p>`
}

/** Colour of each document (by URI or path) and of the core: the core first, then inlined references in report order. */
function colourIndex(report: AssemblyReport, map: SourceMap | undefined): Map<string, string> {
  const colours = new Map<string, string>()
  const add = (key: string | null | undefined) => {
    if (key && !colours.has(key)) colours.set(key, PALETTE[colours.size % PALETTE.length] as string)
  }
  add(report.document.uri ?? report.document.path ?? 'core')
  for (const r of report.references) if (r.decision === 'inlined') add(r.uri)
  for (const s of map?.spans ?? []) if (s.kind !== 'generated') add(s.uri ?? s.path)
  return colours
}

function budgetBar(r: AssemblyReport, colours: Map<string, string>): string {
  const inlined = r.references.filter((x) => x.decision === 'inlined' && x.tokens !== null)
  // What was left out: each target not inlined anywhere, once (a mention of an inlined example is no extra cost).
  const inlinedUris = new Set(inlined.map((x) => x.uri))
  const deferred = unique(r.references.filter((x) => x.decision === 'deferred' && x.tokens !== null && !inlinedUris.has(x.uri)))
  const deferredTokens = deferred.reduce((n, x) => n + (x.tokens ?? 0), 0)
  const scale = Math.max(1, r.budget ?? r.totalTokens, r.totalTokens + deferredTokens)
  const pct = (n: number) => `${((100 * n) / scale).toFixed(3)}%`
  const core = colours.get(r.document.uri ?? r.document.path ?? 'core') ?? PALETTE[0]
  const segs = [`<div class="seg core" data-part="core" style="width:${pct(r.coreTokens)};background:${core}" title="core: ${formatNumber(r.coreTokens)} tokens"></div>`]
  // Inlined references: their marginal cost (what the total adds over the core) split by their measured bodies.
  const bodies = inlined.reduce((n, x) => n + placedTokens(x), 0)
  const extra = Math.max(0, r.totalTokens - r.coreTokens)
  for (const x of inlined) {
    const share = bodies > 0 ? (placedTokens(x) * extra) / bodies : 0
    const part = x.cause === 'LEVEL' ? 'summarized' : 'inlined'
    const what = x.cause === 'LEVEL' ? `placed as its ${x.level ?? 'summary'}, about ${formatNumber(placedTokens(x))} tokens (full: ${formatNumber(x.tokens ?? 0)})` : `inlined, ${formatNumber(x.tokens ?? 0)} tokens`
    segs.push(`<div class="seg ${part}" data-part="${part}" data-uri="${esc(x.uri)}" style="width:${pct(share)};background:${colours.get(x.uri) ?? PALETTE[1]}" title="${esc(x.uri)}: ${what}"></div>`)
  }
  if (r.budget !== null && r.budget > r.totalTokens) segs.push(`<div class="seg free" data-part="free" style="width:${pct(r.budget - r.totalTokens)}" title="unused budget: ${formatNumber(r.budget - r.totalTokens)} tokens"></div>`)
  for (const x of deferred) segs.push(`<div class="seg deferred" data-part="deferred" data-uri="${esc(x.uri)}" style="width:${pct(x.tokens ?? 0)}" title="${esc(x.uri)}: deferred, ${formatNumber(x.tokens ?? 0)} tokens"></div>`)
  const legend = [`<span style="--c:${core}">core ${formatNumber(r.coreTokens)}</span>`]
  for (const x of inlined) legend.push(`<span style="--c:${colours.get(x.uri) ?? PALETTE[1]}">${esc(x.uri)} ${formatNumber(x.tokens ?? 0)}</span>`)
  if (deferred.length > 0) legend.push(`<span style="--c:#ddd">deferred ${formatNumber(deferredTokens)} (${deferred.length})</span>`)
  const budget = r.budget === null ? 'no budget' : `budget ${formatNumber(r.budget)}`
  return `<div class="bar" role="img" aria-label="${esc(`${budget}: total ${r.totalTokens} tokens`)}">${segs.join('')}</div><div class="legend">${legend.join('')}</div>`
}

/** What an inlined row's document costs as placed: its body, or (at a partial level) its body less what the next level up would add. */
function placedTokens(x: ReferenceReport): number {
  const full = x.tokens ?? 0
  return x.cause === 'LEVEL' && x.nextLevel ? Math.max(0, full - x.nextLevel.tokens) : full
}

/** The first row of each target (duplicates and repeated mentions are one cost). */
function unique(rows: readonly ReferenceReport[]): ReferenceReport[] {
  const seen = new Set<string>()
  return rows.filter((x) => !seen.has(x.uri) && seen.add(x.uri) !== undefined)
}

function efficiencyChart(r: AssemblyReport): string {
  const e = r.efficiency
  const rows: Array<[string, number]> = [['core only', e.coreOnly], ...e.withOneExample.map((x): [string, number] => [`core + ${x.uri}`, x.tokens]), ['all embedded', e.allEmbedded]]
  const max = Math.max(1, ...rows.map((x) => x[1]), r.budget ?? 0)
  const rowH = 22
  const labelW = 340
  const barW = 520
  const h = rows.length * rowH + 24
  const bars = rows.map(([label, n], i) => {
    const y = i * rowH + 4
    const w = (barW * n) / max
    return `<g data-row="${esc(label)}"><text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(shorten(label, 46))}</text><rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${i === 0 ? PALETTE[0] : i === rows.length - 1 ? '#999' : PALETTE[1]}"></rect><text x="${(labelW + w + 6).toFixed(1)}" y="${y + 14}">${formatNumber(n)}</text></g>`
  })
  const budgetLine = r.budget !== null ? `<line x1="${(labelW + (barW * r.budget) / max).toFixed(1)}" x2="${(labelW + (barW * r.budget) / max).toFixed(1)}" y1="0" y2="${h - 18}" stroke="#b3261e" stroke-dasharray="4 3"></line><text x="${(labelW + (barW * r.budget) / max).toFixed(1)}" y="${h - 4}" text-anchor="middle">budget ${formatNumber(r.budget)}</text>` : ''
  const range = `<p class="facts">savings range <b>${e.savingsRange.min}–${e.savingsRange.max}%</b></p>`
  return `<svg class="efficiency" width="${labelW + barW + 90}" height="${h}" viewBox="0 0 ${labelW + barW + 90} ${h}" role="img" aria-label="token efficiency">${bars.join('')}${budgetLine}</svg>${range}`
}

function referencesTable(rows: readonly ReferenceReport[]): string {
  if (rows.length === 0) return '<p class="facts">No references.</p>'
  const head = '<tr><th>decision</th><th>kind</th><th>uri</th><th class="n">tokens</th><th>reason</th></tr>'
  const body = rows.map((x) => `<tr data-decision="${esc(x.decision)}"><td class="d-${esc(x.decision)}">${esc(x.decision)}</td><td>${esc(x.kind)}</td><td>${esc(x.uri)}</td><td class="n">${x.tokens === null ? '-' : formatNumber(x.tokens)}</td><td>${esc(x.reason)}</td></tr>`)
  return `<table class="references">${head}${body.join('')}</table>`
}

function promptHtml(text: string, map: SourceMap | undefined, colours: Map<string, string>): string {
  if (!map || map.length !== text.length) return `<pre class="prompt">${esc(text)}</pre>`
  const spans = map.spans.map((s) => spanHtml(text, s, colours))
  return `<pre class="prompt">${spans.join('')}</pre>`
}

function spanHtml(text: string, s: SourceSpan, colours: Map<string, string>): string {
  const content = esc(text.slice(s.start, s.end))
  if (s.kind === 'generated') {
    const what = `promptfold: ${s.what ?? 'text'}${s.reference ? ` for ${s.reference}` : ''}`
    return `<span class="generated" style="--c:${GENERATED}" title="${esc(what)}">${content}</span>`
  }
  const where = `${s.path ?? s.uri ?? ''}:${s.from?.line ?? '?'}${s.to && s.from && s.to.line !== s.from.line ? `-${s.to.line}` : ''}${s.kind === 'rewritten' ? ' (heading shifted)' : ''}`
  return `<span data-source="${esc(s.path ?? s.uri ?? '')}" style="--c:${colours.get(s.uri ?? s.path ?? '') ?? PALETTE[0]}" title="${esc(where)}">${content}</span>`
}

function shorten(s: string, n: number): string {
  return s.length > n ? `…${s.slice(s.length - n + 1)}` : s
}

/** Escape text for HTML content and attribute values. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
