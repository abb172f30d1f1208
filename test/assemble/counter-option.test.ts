/**
 * The `counter` option of `assemble`: any object with a synchronous `count(text)`; an async one
 * is refused with a sentence that says where it goes (`assembleWithCounter`).
 */
import { describe, expect, it } from 'vitest'
import { assemble, InvalidOptionError } from '../../src/index.js'

const DOC = '# Doc\n\nSome words to count.\n'

describe('assemble({ counter })', () => {
  it('counts with a custom synchronous counter', async () => {
    const { report } = await assemble(DOC, { counter: { count: (t: string) => t.length }, timings: false })
    expect([report.encoding, report.totalTokens]).toEqual(['custom', DOC.length])
  })

  it('refuses a counter whose count() returns a Promise, naming assembleWithCounter', async () => {
    const counter = { count: async (t: string) => t.length } as unknown as { count(t: string): number }
    const error = await assemble(DOC, { counter }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect((error as InvalidOptionError).code).toBe('INVALID_OPTION')
    expect((error as Error).message).toContain('count() returned a Promise: pass an async counter to assembleWithCounter(doc, { counter, ... })')
  })

  it('refuses counts that are not whole numbers of tokens', async () => {
    for (const bad of [-1, 1.5, Number.NaN, '3']) {
      const error = await assemble(DOC, { counter: { count: () => bad as number } }).catch((e: unknown) => e)
      expect((error as Error).message).toContain(`count() must return a whole number of tokens >= 0, got ${String(bad)}`)
    }
  })
})
