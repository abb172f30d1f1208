/**
 * The markdown stack (unified, remark-parse, micromark), gathered in one module. The
 * build bundles it into `dist/markdown-engine.cjs`, which `markdown.ts` loads with
 * `require` on the first parse (see `lazy.ts`).
 *
 * @module
 */
export { default as remarkParse } from 'remark-parse'
export { unified } from 'unified'
