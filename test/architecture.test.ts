/**
 * The architecture, checked: `assemble` stays in phases of readable size, and the CLI stays
 * a shell over the library (no file walker, resolver or cycle finder of its own), so the
 * CLI, the library, `lint` and MCP cannot disagree about references again.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './cli/run.js'

function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(repoRoot, join(e.parentPath, e.name)))
    .sort()
}

/** Every function in a file longer than `max` lines, as `file:line name (n lines)`. */
function longFunctions(file: string, max: number): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8')
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const out: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart()).line
      const lines = sf.getLineAndCharacterOfPosition(node.getEnd()).line - start + 1
      if (lines > max) out.push(`${file}:${start + 1} ${node.name?.getText(sf) ?? '(anonymous)'} (${lines} lines)`)
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return out
}

/**
 * Every module `from` reaches through its runtime imports (type-only imports and exports left
 * out), with the platform module replaced by `platform`, as the build does for that platform.
 */
function reachable(from: string, platform: 'node' | 'bundled' | 'portable'): Map<string, string[]> {
  const seen = new Map<string, string[]>()
  const queue = [from]
  while (queue.length > 0) {
    const file = queue.pop() as string
    if (seen.has(file)) continue
    const sf = ts.createSourceFile(file, readFileSync(join(repoRoot, file), 'utf8'), ts.ScriptTarget.Latest, true)
    const specifiers: string[] = []
    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st) && !st.importClause?.isTypeOnly && ts.isStringLiteral(st.moduleSpecifier)) {
        const named = st.importClause?.namedBindings
        const allTypes = st.importClause !== undefined && st.importClause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)
        if (!allTypes) specifiers.push(st.moduleSpecifier.text)
      }
      if (ts.isExportDeclaration(st) && !st.isTypeOnly && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
        const named = st.exportClause
        const allTypes = named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)
        if (!allTypes) specifiers.push(st.moduleSpecifier.text)
      }
    }
    seen.set(file, specifiers.filter((x) => !x.startsWith('.')))
    for (const x of specifiers.filter((x) => x.startsWith('.'))) {
      let target = join(file, '..', x).replace(/\.js$/, '.ts')
      if (target.endsWith('platform/index.ts')) target = target.replace(/index\.ts$/, `${platform}.ts`)
      queue.push(target)
    }
  }
  return seen
}

describe('architecture', () => {
  it('the portable core (src/core.ts with the portable platform) imports no node: module and no Node-only dependency', () => {
    const graph = reachable('src/core.ts', 'portable')
    const offending = [...graph].flatMap(([file, deps]) => deps.filter((d) => d.startsWith('node:') || ['fs', 'path', 'os', 'crypto', 'module', 'vm', 'worker_threads', 'gray-matter'].includes(d)).map((d) => `${file} -> ${d}`))
    expect(offending).toEqual([])
    // What it does import statically: the dependencies, which bundlers resolve with the browser's
    // conditions (the rank data comes by import(), when loadEncoding asks for it).
    expect([...new Set([...graph.values()].flat())].sort()).toEqual(['@noble/hashes/sha2.js', 'github-slugger', 'gray-matter/lib/engines.js', 'js-tiktoken/lite', 'remark-parse', 'stemmer', 'unified', 'zod'])
    // Node's platform, the file-system resolver, the caches and libraries are out of it.
    for (const f of ['src/platform/node.ts', 'src/resolve/fs.ts', 'src/cache/store.ts', 'src/library/library.ts', 'src/parse/offload.ts', 'src/count/rank-file.ts']) expect(graph.has(f), f).toBe(false)
    // And the Node build does reach them (the same walk sees Node's platform).
    expect(reachable('src/index.ts', 'node').has('src/platform/node.ts')).toBe(true)
  })


  it('assemble is a folder of phases, none of whose functions is over 80 lines', () => {
    const files = sources('src/assemble')
    expect(files).toEqual(['choose.ts', 'expand.ts', 'fetch.ts', 'index.ts', 'levels.ts', 'measure.ts', 'parse-cache.ts', 'report.ts', 'settings.ts', 'tree.ts'].map((f) => `src/assemble/${f}`))
    expect(files.flatMap((f) => longFunctions(f, 80))).toEqual([])
  })

  it('the CLI walks no folders, resolves no URIs and finds no cycles itself: the library does', () => {
    const offending = sources('src/cli').flatMap((file) => {
      const text = readFileSync(join(repoRoot, file), 'utf8')
      return ['readdir', 'opendir', 'fileSystemResolver', 'elementaryCycles', 'lookupReference', 'strongConnect'].filter((word) => text.includes(word)).map((word) => `${file}: ${word}`)
    })
    expect(offending).toEqual([])
  })
})
