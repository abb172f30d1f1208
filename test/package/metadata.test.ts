/**
 * The docs are reachable from an installed package: package.json names the repository,
 * the home page and where to report bugs, and the tarball ships docs/*.md (and nothing
 * else new: the built code, the README and package.json).
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/fixtures.js'

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>

describe('package metadata', () => {
  it('names the repository, the home page and the issue tracker', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/promptfold/promptfold.git' })
    expect(pkg.homepage).toBe('https://github.com/promptfold/promptfold#readme')
    expect(pkg.bugs).toEqual({ url: 'https://github.com/promptfold/promptfold/issues' })
  })

  it('the tarball holds every docs/*.md, and besides them only dist/, the README and package.json', () => {
    expect(pkg.files).toEqual(['dist', 'docs/*.md', 'README.md'])
    // npm pack --dry-run lists what `npm pack` would put in the tarball, without writing it.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    const packed = ((JSON.parse(out) as [{ files: { path: string }[] }])[0].files ?? []).map((f) => f.path).sort()
    const docs = readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`).sort()
    expect(docs.length).toBeGreaterThan(5)
    expect(packed.filter((p) => p.startsWith('docs/'))).toEqual(docs)
    expect(packed.filter((p) => !p.startsWith('dist/') && !p.startsWith('docs/'))).toEqual(['README.md', 'package.json'])
  })
})
