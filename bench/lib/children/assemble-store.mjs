// What `promptfold assemble` would cost with the persistent count store wired in:
// the built library, the fixture at --budget, `countStore: fileCountStore()` (the
// platform cache folder: $XDG_CACHE_HOME/promptfold), prompt to stdout, report to stderr.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { DIST_URL, FIXTURE_AGENT, FIXTURE_ROOT } from '../paths.mjs'

const budget = Number(process.argv[2] ?? 3000)
const { assemble, fileCountStore, fileSystemResolver, formatReport, parseDocument } = await import(DIST_URL)
const countStore = fileCountStore()
const doc = parseDocument(readFileSync(path.join(FIXTURE_ROOT, FIXTURE_AGENT), 'utf8'), { path: FIXTURE_AGENT })
const { text, report } = await assemble(doc, { budget, resolver: fileSystemResolver({ root: FIXTURE_ROOT }), countStore })
countStore.flush()
process.stdout.write(text)
process.stderr.write(formatReport(report))
