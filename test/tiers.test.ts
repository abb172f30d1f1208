/**
 * The test tiers: every test file runs in exactly one of the quick tier (`npm test`,
 * vitest.config.ts), the slow tier (`npm run test:slow`, vitest.slow.config.ts) and the
 * conformance suite (`npm run test:conformance`), as vitest itself resolves each config;
 * a new test file can never silently run in no tier (or in two).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { createVitest } from 'vitest/node'
import { SLOW_TESTS } from '../vitest.slow.config.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CONFIGS = { quick: 'vitest.config.ts', slow: 'vitest.slow.config.ts', conformance: 'vitest.conformance.config.ts' } as const
type Tier = keyof typeof CONFIGS

/** The test files vitest runs with a config, relative to the root, sorted. */
async function filesOf(config: string): Promise<string[]> {
  const vitest = await createVitest('test', { config: join(root, config), root, watch: false }, {}, {})
  try {
    return (await vitest.globTestSpecifications()).map((s) => relative(root, s.moduleId).split(sep).join('/')).sort()
  } finally {
    await vitest.close()
  }
}

/** Every test/**\/*.test.ts on disk, sorted. */
function testFiles(): string[] {
  return readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
    .map((p) => `test/${p.split(sep).join('/')}`)
    .filter((p) => p.endsWith('.test.ts'))
    .sort()
}

const tiers = new Map<Tier, string[]>()
beforeAll(async () => {
  for (const tier of Object.keys(CONFIGS) as Tier[]) tiers.set(tier, await filesOf(CONFIGS[tier]))
})

/** The tiers that run a file. */
function tiersOf(file: string): Tier[] {
  return [...tiers].filter(([, files]) => files.includes(file)).map(([tier]) => tier)
}

describe('test tiers', () => {
  it('every test file on disk runs in exactly one tier, and the tiers run nothing else', () => {
    const files = testFiles()
    expect(files).toContain('test/tiers.test.ts')
    const wrong = files.map((f) => [f, tiersOf(f)] as const).filter(([, t]) => t.length !== 1)
    expect(wrong).toEqual([])
    expect([...tiers.values()].flat().sort()).toEqual(files)
  })

  it('the property, fuzz, hostile and docs suites are slow; this file is quick; conformance is its own', () => {
    const files = testFiles()
    const inFolder = (folder: string) => files.filter((f) => f.startsWith(`test/${folder}/`))
    for (const folder of ['properties', 'fuzz', 'hostile', 'docs']) {
      expect(inFolder(folder).length, folder).toBeGreaterThan(0)
      expect(inFolder(folder).filter((f) => tiersOf(f).join() !== 'slow'), folder).toEqual([])
    }
    expect(inFolder('conformance').length).toBeGreaterThan(0)
    expect(tiers.get('conformance')).toEqual(inFolder('conformance'))
    expect(tiersOf('test/tiers.test.ts')).toEqual(['quick'])
    expect(tiersOf('test/count/bpe.test.ts')).toEqual(['slow'])
    expect(tiersOf('test/count/models.test.ts')).toEqual(['quick'])
  })

  it('every pattern of the slow tier matches a test file', () => {
    const slow = tiers.get('slow') ?? []
    const folders = SLOW_TESTS.filter((p) => p.endsWith('/**/*.test.ts')).map((p) => p.replace('**/*.test.ts', ''))
    const names = SLOW_TESTS.filter((p) => !p.includes('*'))
    expect(folders.length + names.length).toBe(SLOW_TESTS.length)
    expect(folders.filter((f) => !slow.some((s) => s.startsWith(f)))).toEqual([])
    expect(names.filter((n) => !slow.includes(n))).toEqual([])
  })

  it('npm test builds and runs the quick tier; test:slow the slow one; .ci/run runs both, then conformance', () => {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
    expect(scripts.test).toBe('npm run build && vitest run')
    // The slow tier in two runs: the bundles test (headless Chromium, esbuild, workerd) after the rest.
    expect(scripts['test:slow']).toBe(
      'node scripts/build-if-stale.mjs && vitest run --config vitest.slow.config.ts --exclude test/package/bundles.test.ts && vitest run --config vitest.slow.config.ts test/package/bundles.test.ts',
    )
    expect(scripts['test:conformance']).toBe('vitest run --config vitest.conformance.config.ts')
    const ci = readFileSync(join(root, '.ci/run'), 'utf8')
    const at = (command: string) => ci.split('\n').findIndex((line) => line.trim() === command)
    expect(at('npm test')).toBeGreaterThan(0)
    expect(at('npm run --silent test:slow')).toBeGreaterThan(at('npm test'))
    expect(at('npm run --silent test:conformance')).toBeGreaterThan(at('npm run --silent test:slow'))
    expect(ci).toMatch(/^set -euo pipefail$/m)
  })
})
