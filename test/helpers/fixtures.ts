import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** The MLOps fixture library. */
export const resourcesRoot = join(repoRoot, 'fixtures/resources')
/** The edge-case fixture library. */
export const casesRoot = join(repoRoot, 'fixtures/cases/resources')

/** Read a fixture file as text. */
export function readFixture(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8')
}
