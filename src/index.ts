/**
 * promptfold: progressive-loading prompt assembly.
 *
 * Pipeline: parse → resolve → count → select → render → report.
 *
 * In Node, `promptfold` (and `promptfold/node`) is the portable core (src/core.ts) and the
 * parts that need Node (src/node.ts). Browsers, workers and edge runtimes resolve `promptfold`
 * to the core alone (the package's `browser`, `worker`, `workerd` and `edge-light` conditions).
 *
 * @packageDocumentation
 */
export * from './core.js'
export * from './node.js'
