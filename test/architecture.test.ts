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

describe('architecture', () => {
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
