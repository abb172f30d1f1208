// Fresh process: how long until a token counter is ready, timed from before the
// import to the end of the first count of 'hello world' (issue 14: "o200k encoder
// ready in a fresh process").
//
//   node encoder-ready.mjs promptfold <encoding> [module URL]   promptfold's createTokenCounter
//                                                              (dist/index.js unless a module is given)
//   node encoder-ready.mjs js-tiktoken <encoding>               js-tiktoken: import lite + the
//                                                              rank module, new Tiktoken, encode
//   node encoder-ready.mjs nothing                              the process alone (node's own start)
//
// Prints one JSON line: ms (wall), cpuMs (user + system of this process), tokens,
// rankModuleLoaded (whether js-tiktoken's rank module was loaded), sinceStartMs
// (from the process's start, node's own start-up included).
import { createRequire } from 'node:module'
import { DIST_URL } from '../paths.mjs'

const [what, encoding = 'o200k_base', moduleUrl = DIST_URL] = process.argv.slice(2)
const require = createRequire(import.meta.url)
const c0 = process.cpuUsage()
const t0 = performance.now()
let tokens = 0
if (what === 'promptfold') {
  const { createTokenCounter } = await import(moduleUrl)
  tokens = createTokenCounter({ encoding }).count('hello world')
} else if (what === 'js-tiktoken') {
  const { Tiktoken } = await import('js-tiktoken/lite')
  const ranks = (await import(`js-tiktoken/ranks/${encoding}`)).default
  tokens = new Tiktoken(ranks).encode('hello world', [], []).length
} else if (what !== 'nothing') {
  throw new Error(`unknown variant ${what}`)
}
const ms = performance.now() - t0
const c = process.cpuUsage(c0)
const rankModuleLoaded = Object.keys(require.cache).some((k) => /js-tiktoken[\\/]dist[\\/]ranks[\\/]/.test(k))
console.log(JSON.stringify({ what, encoding, ms, cpuMs: (c.user + c.system) / 1000, tokens, rankModuleLoaded, sinceStartMs: performance.now() }))
