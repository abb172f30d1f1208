/**
 * Where the installed package is: its docs (shipped in `<package>/docs/`) and its home page,
 * named by `--help`.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import * as nodePath from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The folder of the installed package: the nearest folder above this file (built:
 * `<package>/dist/`, from source: `<package>/src/cli/`) that holds a `package.json`.
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = nodePath.dirname(from)
  for (;;) {
    if (existsSync(nodePath.join(dir, 'package.json'))) return dir
    const parent = nodePath.dirname(dir)
    if (parent === dir) return nodePath.resolve(nodePath.dirname(from), '..')
    dir = parent
  }
}

/** Absolute path of a file of the installed docs, e.g. `docsFile('cli.md')` → `<package>/docs/cli.md`. */
export function docsFile(name: string, root: string = packageRoot()): string {
  return nodePath.join(root, 'docs', name)
}

/** The `homepage` field of the package's `package.json`, or `undefined` when it has none. */
export function homepage(root: string = packageRoot()): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(nodePath.join(root, 'package.json'), 'utf8')) as { homepage?: unknown }
    return typeof pkg.homepage === 'string' && pkg.homepage !== '' ? pkg.homepage : undefined
  } catch {
    return undefined
  }
}
