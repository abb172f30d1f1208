/**
 * `promptfold report --models a,b,c [--budgets n,m]`: the fit preview from the built CLI,
 * equal to `fitPreview` in the library.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseDocument } from '../../src/parse/document.js'
import { fitPreview, formatFitPreview } from '../../src/preview/index.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { cli, mlops, resources } from '../cli/run.js'

const MODELS = ['gpt-4o', 'claude-sonnet-4-5', 'llama-3.1-8b-instruct']

async function preview(budgets: number[] = []) {
  const doc = parseDocument(readFileSync(mlops, 'utf8'), { path: 'agents/mlops-specialist.md' })
  return fitPreview(doc, { models: MODELS, budgets, resolver: fileSystemResolver({ root: resources }) })
}

describe('promptfold report --models', () => {
  it('prints the fit preview, as formatFitPreview writes it', async () => {
    const r = cli(['report', mlops, '--models', MODELS.join(','), '--budgets', '1336,4000'], { env: { COLUMNS: '200' } })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(formatFitPreview(await preview([1336, 4000]), { title: 'Fit preview: mlops-specialist (measured)', width: 200 }))
    expect(r.stdout.split('\n').slice(0, 4)).toEqual([
      'Fit preview: mlops-specialist (measured)',
      '                                                            gpt-4o  claude-sonnet-4-5 ~  llama-3.1-8b-instruct ~',
      '----------------------------------------------------------  ------  -------------------  -----------------------',
      'core only                                                      716                  716                      711',
    ])
  })

  it('--json prints the FitPreview object', async () => {
    const r = cli(['report', mlops, '--models', ' gpt-4o , claude-sonnet-4-5,llama-3.1-8b-instruct', '--budgets', '2000', '--json'])
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(Object.keys(out)).toEqual(['document', 'models', 'rows', 'fits'])
    const expected = await preview([2000])
    expect(out.models.map((m: { id: string }) => m.id)).toEqual(MODELS)
    expect(out.rows).toEqual(expected.rows)
    expect(out.fits).toEqual(expected.fits)
  })

  it('mistakes are usage errors (exit 2): an unknown model with suggestions, --budgets alone, --markdown with --models, an empty id', () => {
    const unknown = cli(['report', mlops, '--models', 'gpt-4o,claude-sonet-4-5'])
    expect(unknown.status).toBe(2)
    expect(unknown.stdout).toBe('')
    expect(unknown.stderr).toContain('Unknown model "claude-sonet-4-5"; did you mean "anthropic/claude-sonnet-4-5"')
    const json = cli(['report', mlops, '--models', 'nope-model-9000', '--json'])
    expect(json.status).toBe(2)
    expect(JSON.parse(json.stdout).error.code).toBe('USAGE')
    for (const args of [['--budgets', '2000'], ['--models', 'gpt-4o', '--markdown'], ['--models', 'gpt-4o', '--encoding', 'cl100k_base'], ['--models', 'gpt-4o,'], ['--models', 'gpt-4o', '--budgets', '2k']]) {
      const r = cli(['report', mlops, ...args])
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 2])
      expect(r.stdout).toBe('')
    }
  })
})
