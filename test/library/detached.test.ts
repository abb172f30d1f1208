import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { detached } from '../../src/library/library.js'

describe('detached (frontmatter values kept apart from the text they were read from)', () => {
  it('gives what structuredClone gives, for values of every kind', () => {
    const value = fc.anything({ withDate: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withObjectString: true, maxDepth: 4 })
    fc.assert(
      fc.property(value, (v) => {
        expect(detached(v)).toStrictEqual(structuredClone(v))
      }),
      { numRuns: 2000, seed: 21 },
    )
  })

  it('copies frontmatter as YAML gives it: strings, lists, mappings, dates, a buffer from !!binary', () => {
    const text = `description: ${'long text '.repeat(10)}\n`
    const fm = { meta: { description: text.slice(13, 60), tags: ['a', text.slice(0, 40)], created: new Date('2025-03-14'), nested: { deep: [{ x: 1 }] }, blob: Buffer.from('hi') }, bodyOffset: 3, diagnostics: [] }
    const copy = detached(fm)
    expect(copy).toStrictEqual(structuredClone(fm))
    expect(copy.meta.created).toBeInstanceOf(Date)
    expect(copy.meta.created).not.toBe(fm.meta.created)
    expect(copy.meta.blob).toBeInstanceOf(Uint8Array)
    expect(copy.meta.nested.deep[0]).not.toBe(fm.meta.nested.deep[0])
  })

  it('leaves to structuredClone what it cannot copy alike: cycles, a key __proto__, shared values past its budget', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    const copy = detached(cyclic)
    expect(copy.self).toBe(copy)
    const proto = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as Record<string, unknown>
    const copied = detached(proto)
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype)
    expect(Object.keys(copied)).toEqual(['__proto__', 'y'])
    let shared: unknown = ['leaf']
    for (let i = 0; i < 30; i++) shared = [shared, shared]
    const wide = detached(shared) as unknown[]
    expect(wide[0]).toBe(wide[1])
  })
})
