/**
 * A hostile document among good ones: the assembly around it must go on with everything else.
 */
import { expect } from 'vitest'
import { type AssembleOptions, assemble } from '../../src/assemble/index.js'
import type { Diagnostic } from '../../src/types.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { expectSound } from './helpers.js'

/** Root whose three slots are a good document, the hostile one, and another good document. */
export const HARNESS_ROOT = [
  '---',
  'id: harness',
  '---',
  '# Harness',
  '',
  '## Before',
  '',
  '```',
  'orchestr8://lib/good-a',
  '```',
  '',
  '## Hostile',
  '',
  '**→ Load:** orchestr8://lib/hostile',
  '',
  '## After',
  '',
  '- orchestr8://lib/good-b',
  '',
].join('\n')

export const GOOD_A = '---\nid: good-a\n---\n# Good A\n\nAlpha body stays.\n'
export const GOOD_B = '---\nid: good-b\n---\n# Good B\n\nBeta body stays.\n'

/**
 * Assemble {@link HARNESS_ROOT} with `hostile` as the target of the middle slot.
 * Checks that both good documents are inlined, the report is sound, and returns the result
 * with the hostile slot's report row.
 */
export async function assembleAround(hostile: string, options: AssembleOptions = {}, exact = true) {
  const resolver = memoryResolver({ 'orchestr8://lib/good-a': GOOD_A, 'orchestr8://lib/hostile': hostile, 'orchestr8://lib/good-b': GOOD_B })
  const result = await assemble(HARNESS_ROOT, { resolver, ...options })
  expectSound(result, options.budget ?? Number.POSITIVE_INFINITY, exact)
  const row = (uri: string) => result.report.references.find((r) => r.uri === uri && r.depth === 1)
  expect(row('orchestr8://lib/good-a')?.decision).toBe('inlined')
  expect(row('orchestr8://lib/good-b')?.decision).toBe('inlined')
  expect(result.text).toContain('Alpha body stays.')
  expect(result.text).toContain('Beta body stays.')
  const hostileRow = row('orchestr8://lib/hostile')
  expect(hostileRow).toBeDefined()
  return { ...result, hostileRow: hostileRow as NonNullable<typeof hostileRow> }
}

/** Diagnostics of the hostile document as forwarded into the report (file set to its URI). */
export function hostileDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.file === 'orchestr8://lib/hostile')
}
