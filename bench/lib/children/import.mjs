// Fresh process: time of `import 'promptfold'` (the built ESM entry), or of importing
// its heavy dependencies alone (the baseline).
import { DIST_URL } from '../paths.mjs'

const what = process.argv[2]
const c0 = process.cpuUsage()
const t0 = performance.now()
if (what === 'promptfold') await import(DIST_URL)
else await Promise.all([import('unified'), import('remark-parse'), import('gray-matter'), import('zod'), import('js-tiktoken/lite')])
const ms = performance.now() - t0
const c = process.cpuUsage(c0)
console.log(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000 }))
