// Encoder ready in a fresh process (issue 14): from before `import('promptfold')` to the
// end of the first `createTokenCounter({ encoding }).count('hello world')`, one fresh
// `node` process per sample, alternating with the baselines so that drift on a shared
// machine hits every variant alike:
//
// - js-tiktoken: import js-tiktoken/lite and the rank module, `new Tiktoken(ranks)`,
//   one encode (what a program counting with js-tiktoken pays);
// - promptfold without its rank files: a copy of dist/ without dist/ranks/, where the
//   counter decodes js-tiktoken's rank data instead (as from the sources, or in a
//   bundle that did not copy the files); in the notes;
// - the process alone (`node` starting and exiting), in the details, since every row
//   here is timed inside the process.
//
//   node bench/encoder.mjs [--quick]      (after `npm run build`)
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { CHILDREN, DIST_DIR, TMP, requireBuild } from './lib/paths.mjs'
import { interleave, runChildJson } from './lib/proc.mjs'
import { makeRow } from './lib/rows.mjs'
import { rounded, summarize } from './lib/stats.mjs'
import { textTable } from './lib/table.mjs'

const CHILD = path.join(CHILDREN, 'encoder-ready.mjs')

/** A copy of dist/ without its rank files (bench/.tmp/dist-no-ranks). */
function distWithoutRanks() {
  const copy = path.join(TMP, 'dist-no-ranks')
  rmSync(copy, { recursive: true, force: true })
  mkdirSync(TMP, { recursive: true })
  cpSync(DIST_DIR, copy, { recursive: true, filter: (src) => path.basename(src) !== 'ranks' })
  return copy
}

export async function run({ quick = false, log = console.error } = {}) {
  requireBuild()
  if (!existsSync(path.join(DIST_DIR, 'ranks/o200k_base.bin'))) throw new Error('dist/ranks/o200k_base.bin is missing: the build writes it (tsup.config.ts)')
  const noRanks = distWithoutRanks()
  const noRanksUrl = pathToFileURL(path.join(noRanks, 'index.js')).href
  const n = quick ? 5 : 15
  const rows = []
  for (const encoding of ['o200k_base', 'cl100k_base']) {
    log(`encoder ready (${encoding}): ${n} fresh processes of each variant...`)
    const runs = { promptfold: [], noRanks: [], jsTiktoken: [], nothing: [] }
    const child = (name, args) => () => {
      const r = runChildJson(CHILD, args)
      runs[name].push(r)
      return r.ms
    }
    const variants = {
      promptfold: child('promptfold', ['promptfold', encoding]),
      noRanks: child('noRanks', ['promptfold', encoding, noRanksUrl]),
      jsTiktoken: child('jsTiktoken', ['js-tiktoken', encoding]),
    }
    if (encoding === 'o200k_base') variants.nothing = child('nothing', ['nothing'])
    const samples = interleave(variants, quick && encoding === 'cl100k_base' ? 3 : n)
    const of = (name, key) => runs[name].map((r) => r[key])
    const cpu = (name) => rounded(summarize(of(name, 'cpuMs')))
    const notes = []
    if (runs.promptfold.some((r) => r.rankModuleLoaded)) notes.push("js-tiktoken's rank module was loaded: the rank file was not used")
    if (runs.noRanks.some((r) => !r.rankModuleLoaded)) notes.push('the copy without rank files did not load js-tiktoken: check the fallback')
    const tokens = new Set([...runs.promptfold, ...runs.noRanks, ...runs.jsTiktoken].map((r) => r.tokens))
    if (tokens.size !== 1) notes.push(`counts differ: ${[...tokens].join(', ')}`)
    const noRanksSummary = rounded(summarize(samples.noRanks))
    notes.push(`without dist/ranks (js-tiktoken's data decoded instead): median ${noRanksSummary.median} ms, CPU ${cpu('noRanks').median} ms`)
    if (samples.nothing) {
      const whole = (name) => rounded(summarize(of(name, 'wallMs')))
      notes.push(`whole process (spawn to exit): promptfold ${whole('promptfold').median} ms, node alone ${whole('nothing').median} ms`)
    }
    rows.push(
      makeRow({
        id: `encoder-ready-${encoding}`,
        row: `encoder ready, ${encoding}${encoding === 'o200k_base' ? '' : ' (info)'}`,
        what: `fresh process: import('promptfold') + createTokenCounter({ encoding: '${encoding}' }).count('hello world'), timed inside the process`,
        unit: 'ms',
        samples: samples.promptfold,
        baseline: { what: `js-tiktoken: import lite + ranks/${encoding}, new Tiktoken, one encode (same process kind)`, samples: samples.jsTiktoken },
        target: { text: '<= 60 ms, counts exact', op: '<=', value: 60, on: 'median' },
        cpu: { samples: of('promptfold', 'cpuMs'), baseline: of('jsTiktoken', 'cpuMs') },
        notes,
        details: {
          cpuMs: { promptfold: cpu('promptfold'), withoutRankFiles: cpu('noRanks'), jsTiktoken: cpu('jsTiktoken') },
          withoutRankFiles: noRanksSummary,
          ...(samples.nothing ? { wholeProcessMs: { promptfold: rounded(summarize(of('promptfold', 'wallMs'))), nodeAlone: rounded(summarize(of('nothing', 'wallMs'))) } } : {}),
        },
      }),
    )
  }
  rmSync(noRanks, { recursive: true, force: true })
  return rows
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run({ quick: process.argv.includes('--quick') })
  console.log(textTable(rows))
  for (const r of rows) if (r.notes?.length) console.log(`${r.row}: ${r.notes.join('; ')}`)
}
