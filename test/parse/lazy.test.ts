import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { lazyObject, once } from '../../src/lazy.js'
import { frontmatterSchema } from '../../src/parse/frontmatter.js'
import { assemblyReportSchema, referenceReportSchema } from '../../src/report/schema.js'

describe('once', () => {
  it('runs the loader on the first call only, and returns its value every time', () => {
    let runs = 0
    const get = once(() => {
      runs++
      return { n: 42 }
    })
    expect(runs).toBe(0)
    const first = get()
    expect(get()).toBe(first)
    expect(first.n).toBe(42)
    expect(runs).toBe(1)
  })
})

describe('lazyObject', () => {
  class Counter {
    count = 0
    bump(): number {
      this.count++
      return this.count
    }
    get double(): number {
      return this.count * 2
    }
  }

  it('creates the object on first use only, once, whatever the first use is', () => {
    for (const use of [(o: Counter) => o.count, (o: Counter) => 'bump' in o, (o: Counter) => (o.count = 5), (o: Counter) => o instanceof Counter]) {
      let made = 0
      const lazy = lazyObject(() => {
        made++
        return new Counter()
      })
      expect(made).toBe(0)
      use(lazy)
      use(lazy)
      expect(made).toBe(1)
    }
  })

  it('behaves as the object: methods, getters, instanceof, writes', () => {
    const lazy = lazyObject(() => new Counter())
    expect(lazy instanceof Counter).toBe(true)
    expect(lazy.bump()).toBe(1)
    expect(lazy.bump()).toBe(2)
    expect(lazy.double).toBe(4)
    lazy.count = 10
    expect(lazy.bump()).toBe(11)
    expect('double' in lazy).toBe(true)
    expect('nothing' in lazy).toBe(false)
  })
})

describe('the exported schemas are zod schemas, built on first use', () => {
  it('frontmatterSchema parses, and composes with the caller’s own zod', () => {
    expect(frontmatterSchema.parse({ id: 7, capabilities: null, tags: 'a, b' })).toEqual({ id: '7', capabilities: [], tags: ['a', 'b'], useWhen: [] })
    expect(frontmatterSchema.safeParse({ estimatedTokens: -1 }).success).toBe(false)
    const own = frontmatterSchema.extend({ owner: z.string() })
    expect(own.safeParse({ id: 'x' }).success).toBe(false)
    expect(own.parse({ id: 'x', owner: 'me' })).toMatchObject({ id: 'x', owner: 'me', tags: [] })
    const wrapped = z.object({ meta: frontmatterSchema })
    expect(wrapped.parse({ meta: { relatedResources: ['@orchestr8://a/b'] } })).toEqual({ meta: { relatedResources: ['orchestr8://a/b'], tags: [], capabilities: [], useWhen: [] } })
    expect(frontmatterSchema instanceof z.ZodObject).toBe(true)
    expect(Object.keys(frontmatterSchema.shape).sort()).toEqual(['capabilities', 'category', 'estimatedTokens', 'id', 'relatedResources', 'tags', 'useWhen'])
  })

  it('report schemas share one build: the reference schema is the one inside the report schema', () => {
    expect(assemblyReportSchema.shape.references.element.shape.uri).toBe(referenceReportSchema.shape.uri)
    expect(referenceReportSchema.safeParse({}).success).toBe(false)
  })
})
