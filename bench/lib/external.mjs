// Rows from the benchmarks other engineers own: bench/count.mjs (counting, long pieces)
// and bench/library.mjs (library load, match, task assembly). Each runs as its own
// process and writes its own results file; these functions turn those into rows.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { BENCH_DIR, DIST } from './paths.mjs'
import { runNode } from './proc.mjs'
import { makeRow, pendingRow } from './rows.mjs'

/** First finite number among `obj[keys]`. */
function pick(obj, ...keys) {
  for (const k of keys) {
    const v = k.split('.').reduce((o, p) => (o == null ? undefined : o[p]), obj)
    if (typeof v === 'number' && Number.isFinite(v)) return v
  }
  return undefined
}

/** A summary from whatever spread a row reports (quartiles, min-max, or raw samples). */
function summaryOf(r, prefix) {
  const P = prefix
  const samples = r[`${P}Samples`] ?? r[`${P}TimesMs`] ?? r[`${P}Times`]
  if (Array.isArray(samples) && samples.length > 0) return { samples }
  const median = pick(r, `${P}MedianMs`, `${P}.median`, `${P}.medianMs`)
  if (median === undefined) return undefined
  const p25 = pick(r, `${P}P25Ms`, `${P}.p25`, `${P}.p25Ms`)
  const p75 = pick(r, `${P}P75Ms`, `${P}.p75`, `${P}.p75Ms`)
  const min = pick(r, `${P}MinMs`, `${P}.min`, `${P}.minMs`)
  const max = pick(r, `${P}MaxMs`, `${P}.max`, `${P}.maxMs`)
  const n = pick(r, `${P}Runs`, `${P}.n`, `${P}.runs`) ?? 1
  return { summary: { n, median, p25: p25 ?? Number.NaN, p75: p75 ?? Number.NaN, min: min ?? Number.NaN, max: max ?? Number.NaN } }
}

/** CPU medians bench/count.mjs reports, as one-sample CPU series. */
const cpuOf = (r) => (typeof r.promptfoldCpuMedianMs === 'number' ? { cpu: { samples: [r.promptfoldCpuMedianMs], baseline: typeof r.jsTiktokenCpuMedianMs === 'number' ? [r.jsTiktokenCpuMedianMs] : [] } } : {})

const fromSummary = (s) => (s?.samples ? { samples: s.samples } : { summary: s?.summary })

/**
 * Run bench/count.mjs and turn bench/results-count.json into rows: the count row of
 * issue 5 (1 MB of markdown, both encodings) and the long-piece rows of issue 7.
 */
export function countRows({ quick = false, log = console.error } = {}) {
  const script = path.join(BENCH_DIR, 'count.mjs')
  if (!existsSync(script)) {
    return [pendingRow({ id: 'count', row: 'count', what: 'counter vs js-tiktoken', target: { text: '>= 10x faster', op: '>=', value: 10, on: 'speedup' }, reason: 'bench/count.mjs not present' })]
  }
  log('count: node bench/count.mjs' + (quick ? ' --quick' : '') + ' ...')
  let failed
  try {
    const { stdout } = runNode([script, ...(quick ? ['--quick'] : [])], { timeoutMs: 900_000 })
    log(stdout.trimEnd())
  } catch (error) {
    // A count mismatch makes count.mjs exit 1 after writing its results: keep them, flag it.
    failed = String(error.message ?? error).split('\n')[0]
  }
  const file = path.join(BENCH_DIR, 'results-count.json')
  const data = JSON.parse(readFileSync(file, 'utf8'))
  const rows = []
  const sourceNote = `from bench/count.mjs (${data.promptfold ?? 'promptfold'}), ${data.date}`
  const noSpread = (r) => (summaryOf(r, 'promptfold')?.samples || Number.isFinite(pick(r, 'promptfoldP25Ms', 'promptfoldMinMs') ?? Number.NaN) ? [] : ['median only: bench/count.mjs reports no spread'])
  for (const r of data.rows ?? []) {
    const pf = summaryOf(r, 'promptfold')
    const js = summaryOf(r, 'jsTiktoken')
    const gpt = summaryOf(r, 'gptTokenizer')
    const equal = r.equal === undefined ? 'counts not compared' : r.equal ? 'same counts' : 'COUNTS DIFFER'
    const jsWhat = `js-tiktoken encode().length${r.jsTiktokenSource && r.jsTiktokenSource !== 'live' ? ` (${r.jsTiktokenSource})` : ''}`
    if (/markdown/i.test(r.name)) {
      rows.push(
        makeRow({
          id: `count-${r.encoding}`,
          row: `count, ${r.encoding}`,
          what: `${r.name}, ${r.utf8Bytes} bytes, warm, ${r.tokens} tokens (${equal})`,
          unit: 'ms',
          ...{ samples: pf?.samples ?? pf?.summary },
          baseline: js ? { what: jsWhat, ...fromSummary(js) } : null,
          target: { text: '>= 10x faster, same counts', op: '>=', value: 10, on: 'speedup' },
          ...cpuOf(r),
          details: { source: sourceNote },
          notes: [...noSpread(r), ...(r.equal === false ? ['counts differ from js-tiktoken'] : []), ...(r.promptfoldFirstPassMs ? [`first pass (cold piece cache) ${r.promptfoldFirstPassMs.toFixed(1)} ms`] : [])],
        }),
      )
      if (r.equal === false) rows[rows.length - 1].met = false
    } else {
      const oneMb = r.utf8Bytes >= 1_000_000
      const row = makeRow({
        id: `long-${r.encoding}-${r.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`,
        row: `long piece: ${r.name} (${r.encoding})`,
        what: `${r.name}, ${r.tokens} tokens (${equal}), warm`,
        unit: 'ms',
        ...{ samples: pf?.samples ?? pf?.summary },
        baseline: js ? { what: jsWhat, ...fromSummary(js) } : gpt ? { what: 'gpt-tokenizer', ...fromSummary(gpt) } : null,
        target: { text: '< 0.25 s (issue 7)', op: '<=', value: 250, on: 'median' },
        ...cpuOf(r),
        details: { source: sourceNote },
        notes: [
          ...noSpread(r),
          ...(oneMb ? [`1 MB input: the issue's second bound, < 1 s, is ${(pf?.summary?.median ?? 0) <= 1000 ? 'met' : 'missed'}`] : []),
          ...(gpt && js ? ['gpt-tokenizer reference in bench/results-count.json'] : []),
          ...(!gpt ? ['no gpt-tokenizer reference'] : []),
        ],
      })
      if (r.equal === false) row.met = false
      rows.push(row)
    }
  }
  if (failed) for (const r of rows) r.notes.push(`bench/count.mjs failed: ${failed}`)
  return rows
}

const LIBRARY_ROWS = [
  { key: /load|index/i, id: 'library-load', row: 'library load', what: '400+ documents, index only', target: { text: '<= 100 ms', op: '<=', value: 100, on: 'median' } },
  { key: /match|query/i, id: 'match', row: 'match', what: 'one query over that library, p50', target: { text: '<= 1 ms', op: '<=', value: 1, on: 'median' } },
  { key: /task/i, id: 'task-assembly', row: 'task assembly', what: 'assembleTask at an 8k budget, warm', target: { text: '<= 50 ms', op: '<=', value: 50, on: 'median' } },
]

/** A row from a flat `--json` result of bench/library.mjs (medians only). */
function flatLibraryRow(spec, data, { median, first, p95 }) {
  const m = data[median]
  if (typeof m !== 'number') return pendingRow({ ...spec, reason: `bench/library.mjs --json has no ${median}` })
  const extra = []
  if (first && typeof data[first] === 'number') extra.push(`first call ${data[first]} ms`)
  if (p95 && typeof data[p95] === 'number') extra.push(`p95 ${data[p95]} ms`)
  return makeRow({
    id: spec.id,
    row: spec.row,
    what: `${spec.what} (${data.documents} documents, ${data.megabytes} MB)`,
    unit: 'ms',
    samples: { n: Number.NaN, median: m, p25: Number.NaN, p75: Number.NaN, min: Number.NaN, max: Number.NaN },
    baseline: null,
    target: spec.target,
    notes: ['from bench/library.mjs --json: median only, no spread and no baseline reported', ...extra],
  })
}

/**
 * Run bench/library.mjs when present: its `--json` output (flat medians), or rows in
 * bench/results-library.json in the shape of ./rows.mjs.
 */
export function libraryRows({ quick = false, log = console.error } = {}) {
  const script = path.join(BENCH_DIR, 'library.mjs')
  if (!existsSync(script)) return LIBRARY_ROWS.map((r) => pendingRow({ ...r, reason: 'pending: bench/library.mjs not present yet' }))
  log(`library: node bench/library.mjs --json${quick ? ' --quick' : ''} ...`)
  let data
  let failure
  try {
    const { stdout } = runNode([script, '--json', ...(quick ? ['--quick'] : [])], { timeoutMs: 900_000, env: { PROMPTFOLD_ENTRY: DIST } })
    data = JSON.parse(stdout.slice(stdout.indexOf('{')))
  } catch (error) {
    failure = String(error.message ?? error).split('\n')[0]
  }
  const file = path.join(BENCH_DIR, 'results-library.json')
  if ((!data || !('loadMedianMs' in data)) && existsSync(file)) data = JSON.parse(readFileSync(file, 'utf8'))
  if (!data) return LIBRARY_ROWS.map((spec) => pendingRow({ ...spec, reason: `bench/library.mjs failed: ${failure}` }))
  if ('loadMedianMs' in data) {
    const fields = { 'library-load': { median: 'loadMedianMs', first: 'loadFirstMs' }, match: { median: 'matchP50Ms', first: 'matchIndexBuildMs', p95: 'matchP95Ms' }, 'task-assembly': { median: 'assembleTaskWarm8kMedianMs', first: 'assembleTaskFirstMs' } }
    const rows = LIBRARY_ROWS.map((spec) => flatLibraryRow(spec, data, fields[spec.id]))
    if (data.assembleTaskOverBudget) rows[2].notes.push(`${data.assembleTaskOverBudget} assemblies over budget`)
    rows.details = data
    return rows
  }
  const list = Array.isArray(data) ? data : (data.rows ?? [])
  return LIBRARY_ROWS.map((spec) => {
    const r = list.find((x) => spec.key.test(`${x.id ?? ''} ${x.row ?? ''} ${x.name ?? ''}`))
    if (!r || typeof r.median !== 'number') return pendingRow({ ...spec, reason: 'pending: no such row in bench/results-library.json' })
    return { ...r, id: spec.id, target: r.target ?? spec.target, notes: [...(r.notes ?? []), 'from bench/library.mjs'] }
  })
}
