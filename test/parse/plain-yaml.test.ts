import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findFrontmatter, frontmatterSchema, readFrontmatter, safeParsePlainFrontmatter } from '../../src/parse/frontmatter.js'
import { readPlainYaml } from '../../src/parse/plain-yaml.js'

// gray-matter's YAML engine: js-yaml 3's safe loader, what the plain reader must agree with.
const jsYaml = createRequire(import.meta.url)('js-yaml') as { safeLoad(s: string): unknown }

/** js-yaml's reading of `yaml`, or 'error'. */
function engine(yaml: string): unknown {
  try {
    return jsYaml.safeLoad(yaml)
  } catch {
    return 'error'
  }
}

/** Equal values with the same key order at the top (the order frontmatter keys are kept in). */
function same(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b) && a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Object.keys(a).join('\n') === Object.keys(b).join('\n')
}

describe('readPlainYaml', () => {
  it('reads the common frontmatter shapes as js-yaml does', () => {
    const yaml = [
      'id: ai-ml-mlops',
      'category: agent',
      '# a comment line',
      'tags: [mlops, "model serving", \'it\'\'s\', 3]',
      'capabilities:',
      '  - Test doubles: mocks, stubs',
      "  - 'quoted: not a mapping'",
      '  - Deploys models',
      '  - Tracks experiments  # a comment',
      '',
      'useWhen:',
      '- compact list',
      'estimatedTokens: 1200',
      'relatedResources: [orchestr8://examples/ml/a, orchestr8://b]',
      'description: Don\'t guess, count. Uses a:b, a#b, [brackets] and ✅',
      'empty:',
      'quoted: "plain double"',
    ].join('\n')
    const expected = {
      id: 'ai-ml-mlops',
      category: 'agent',
      tags: ['mlops', 'model serving', "it's", 3],
      capabilities: [{ 'Test doubles': 'mocks, stubs' }, 'quoted: not a mapping', 'Deploys models', 'Tracks experiments'],
      useWhen: ['compact list'],
      estimatedTokens: 1200,
      relatedResources: ['orchestr8://examples/ml/a', 'orchestr8://b'],
      description: "Don't guess, count. Uses a:b, a#b, [brackets] and ✅",
      empty: null,
      quoted: 'plain double',
    }
    expect(readPlainYaml(yaml)).toStrictEqual(expected)
    expect(engine(yaml)).toStrictEqual(expected)
  })

  it.each([
    ['a value YAML reads otherwise', 'x: 1.5'],
    ['a date', 'x: 2024-01-01'],
    ['null', 'x: null'],
    ['a boolean in any case', 'x: TRUE'],
    ['a tilde', 'x: ~'],
    ['an octal-looking number', 'x: 007'],
    ['a negative number', 'x: -1'],
    ['a list item holding a mapping of two keys', 'x:\n  - a: b\n    c: d'],
    ['a list item holding a mapping to a list', 'x:\n  - a: [b]'],
    ['a list item whose key holds a comment', 'x:\n  - a #b: c'],
    ['a multi-line plain scalar', 'x: a\n  b'],
    ['a block scalar', 'x: |\n  a'],
    ['a nested mapping', 'x:\n  y: 1'],
    ['an anchor', 'x: &a 1'],
    ['an alias', 'x: *a'],
    ['a tag', 'x: !!str 1'],
    ['escapes', 'x: "a\\tb"'],
    ['a tab', 'x:\ta'],
    ['a carriage return', 'x: a\r\ny: b'],
    ['an indented key', ' x: a'],
    ['a duplicate key', 'x: a\nx: b'],
    ['a key YAML reads as a boolean', 'True: a'],
    ['__proto__', '__proto__: a'],
    ['the older @ syntax', 'x: @orchestr8://a'],
    ['a nested flow list', 'x: [a, [b]]'],
    ['a trailing comma', 'x: [a, ]'],
    ['a flow mapping', 'x: {a: 1}'],
    ['items indented unevenly', 'x:\n  - a\n   - b'],
    ['no key at all', '# only a comment'],
    ['a key without a space after its colon', 'x:a'],
  ])('declines %s', (_what, yaml) => {
    expect(readPlainYaml(yaml)).toBeUndefined()
  })

  // Pieces of frontmatter lines, plain and tricky; the reader either declines or agrees with js-yaml.
  const friendlyKeys = ['id', 'category', 'tags', 'capabilities', 'useWhen', 'estimatedTokens', 'relatedResources', 'name', 'description', 'a.b', 'x_y', 'k-1']
  const trickyKeys = ['null', 'True', '__proto__', 'é', '1']
  const friendly = ['plain', 'two words', 'a:b', 'x #c', 'x#c', "'q'", "'it''s'", "'a' #c", '"dq"', '""', "''", '123', '0', 'orchestr8://agents/x', 'a, b, c', '[a, b]', '[]', '[ a , "b" ]', "['x', y]", '[a:b]', '[a] #c', '✅ done', 'ü', '(x)', '$v', '/p', 'a  ', "it's", 'say "hi"', 'nUll', 'yes', 'no', 'Test doubles: mocks, stubs', 'k: v', 'n: 12', '---', '-flag', '--x']
  const tricky = [
    'a: b', '#c', "'a'x", '"d\\"q"', '007', '1.5', '-1', '+1', '.5', '~', 'null', 'NULL', 'true', 'False', '2024-01-01', '.inf', '@orchestr8://a', '[a, [b]]', '[a,]', '[a: b]', '[a] x', '{a: 1}', '&anchor x', '*alias',
    '!tag x', '|', '>-', '<t>', '`c`', '%x', 'a\tb', 'a\u0085b', '\ufeffx', '-', '- a', '? a', ': a', '1e3', '0x1F', '1_000', '12:30', '123456789012345678901', 'a ]', 'é: x', '', 'a: b: c', 'a #b: c', 'a : b', 'a:: b', "'a': b", '1: x', 'true: x', '__proto__: x', 'a: ', 'a: "q" x', '-_1', '-.inf', '-0', '-1_0', '+x', '- x', '-',
  ]
  const pick = (xs: readonly string[]) => fc.constantFrom(...xs)
  /** Mostly friendly pieces, now and then a tricky one. */
  const mostly = (good: readonly string[], bad: readonly string[]) => fc.oneof({ arbitrary: pick(good), weight: 12 }, { arbitrary: pick(bad), weight: 1 })
  const item = fc.tuple(mostly(['- '], ['-  ', '-', '-\t']), mostly(friendly, tricky)).map(([d, v]) => `${d}${v}`)
  /** A block list: its items at one indentation (now and then another). */
  const list = fc.tuple(pick(['  ', '']), fc.array(fc.tuple(mostly([''], [' ', '  ']), item), { minLength: 1, maxLength: 4 })).map(([indent, items]) => items.map(([shift, it]) => indent + shift + it))
  const extra = mostly([''], ['# comment', '  # indented comment', '  continued', '   ', '---', '...', 'x : y'])
  const entry = fc.tuple(mostly(friendlyKeys, trickyKeys), mostly([': '], [':', ':  ', ' : ']), fc.oneof({ arbitrary: mostly(friendly, tricky).map((v) => [v, [] as string[]] as const), weight: 2 }, { arbitrary: list.map((items) => ['', items] as const), weight: 1 }), extra).map(([k, sep, [v, items], x]) => ({ key: k, text: [`${k}${sep}${v}`, ...items, x].filter((l, i) => i === 0 || l !== '').join('\n') }))
  const frontmatterYaml = fc.uniqueArray(entry, { minLength: 1, maxLength: 5, selector: (e) => e.key }).map((es) => es.map((e) => e.text).join('\n'))

  it('agrees with js-yaml wherever it answers (generated frontmatter), and answers often', () => {
    let answered = 0
    fc.assert(
      fc.property(frontmatterYaml, (yaml) => {
        const plain = readPlainYaml(yaml)
        if (plain === undefined) return true
        answered++
        return same(plain, engine(yaml))
      }),
      { numRuns: 3000 },
    )
    // Not vacuous: a good share of the samples are read.
    expect(answered).toBeGreaterThan(300)
  })

  it('agrees with js-yaml wherever it answers (random text of YAML punctuation)', () => {
    const text = fc.string({ unit: pick(['a', 'b', ' ', ':', '-', '\n', '#', "'", '"', '[', ']', ',', '{', '1', '0', '.', '@', '&', '*', '!', '|', '>', '~', '\t', 'é']), maxLength: 40 })
    fc.assert(
      fc.property(text, (body) => {
        const yaml = `k: ${body}`
        const plain = readPlainYaml(yaml)
        return plain === undefined || same(plain, engine(yaml))
      }),
      { numRuns: 3000 },
    )
  })

  it('agrees with js-yaml on every frontmatter of the fixtures, and reads most of them', () => {
    const files: string[] = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name)
        if (statSync(p).isDirectory()) walk(p)
        else if (name.endsWith('.md')) files.push(p)
      }
    }
    walk(path.resolve('fixtures'))
    let blocks = 0
    let answered = 0
    for (const file of files) {
      const source = readFileSync(file, 'utf8').replace(/^\ufeff/, '')
      const block = findFrontmatter(source)
      if (block === undefined || block === 'unterminated' || !/\S/.test(block.yaml)) continue
      blocks++
      const plain = readPlainYaml(block.yaml)
      if (plain === undefined) continue
      answered++
      expect(same(plain, engine(block.yaml)), file).toBe(true)
    }
    expect(blocks).toBeGreaterThan(50)
    expect(answered / blocks).toBeGreaterThan(0.7)
  })
})

describe('safeParsePlainFrontmatter', () => {
  /** Our answer is zod's: the same data (and key order), or the same issues (paths, words, order). */
  const agrees = (data: Record<string, unknown>, ours: NonNullable<ReturnType<typeof safeParsePlainFrontmatter>>) => {
    const zod = frontmatterSchema.safeParse(data)
    if (ours.success || zod.success) return ours.success && zod.success && same(ours.data, zod.data)
    const words = (issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) => issues.map((i) => [i.path.map(String), i.message])
    return isDeepStrictEqual(words(ours.error.issues), words(zod.error.issues))
  }

  it('gives what the schema gives, keys in its order', () => {
    const data = { zeta: 1, relatedResources: '@orchestr8://a, b', tags: ['x', 2, true], id: 7, name: 'n', estimatedTokens: 0 }
    const read = safeParsePlainFrontmatter(data)
    expect(read).toStrictEqual({ success: true, data: { id: '7', tags: ['x', '2', 'true'], capabilities: [], useWhen: [], estimatedTokens: 0, relatedResources: ['orchestr8://a', 'b'], zeta: 1, name: 'n' } })
    expect(agrees(data, read!)).toBe(true)
  })

  it.each([
    ['an empty id', { id: '' }, [['id'], 'Too small: expected string to have >=1 characters']],
    ['a null id', { id: null }, [['id'], 'Invalid input: expected string, received null']],
    ['a fractional estimate', { estimatedTokens: 1.5 }, [['estimatedTokens'], 'Invalid input: expected int, received number']],
    ['a negative estimate', { estimatedTokens: -1 }, [['estimatedTokens'], 'Too small: expected number to be >=0']],
    ['an estimate past the safe integers', { estimatedTokens: 2 ** 60 }, [['estimatedTokens'], 'Too big: expected int to be <=9007199254740991']],
    ['an estimate written as text', { estimatedTokens: '300' }, [['estimatedTokens'], 'Invalid input: expected number, received string']],
    ['a list holding null', { tags: ['a', null] }, [['tags', 1], 'Invalid input: expected string, received null']],
    ['a list holding a mapping', { useWhen: [{ a: 'b' }] }, [['useWhen', 0], 'Invalid input: expected string, received object']],
    ['a list that is a mapping', { capabilities: { a: 'b' } }, [['capabilities'], 'Invalid input: expected array, received object']],
    ['a category that is a number', { category: 3 }, [['category'], 'Invalid input: expected string, received number']],
  ])('words the issue of %s as zod does, without zod', (_what, data, issue) => {
    const read = safeParsePlainFrontmatter(data)
    expect(read).toStrictEqual({ success: false, error: { issues: [{ path: issue[0], message: issue[1] }] } })
    expect(agrees(data, read!)).toBe(true)
  })

  it('gives every issue in zod\'s order (fields in the schema\'s order, list items in theirs)', () => {
    const data = { useWhen: [{ a: 1 }, 'ok', [2]], id: true, estimatedTokens: -3, tags: [null], other: {} }
    const read = safeParsePlainFrontmatter(data)!
    expect(read.success ? [] : read.error.issues.map((i) => i.path.join('.'))).toStrictEqual(['id', 'tags.0', 'useWhen.0', 'useWhen.2', 'estimatedTokens'])
    expect(agrees(data, read)).toBe(true)
  })

  it.each([
    ['a date', { id: new Date(0) }],
    ['an empty list for an id (zod checks its length too)', { category: [] }],
    ['a mapping with a length', { id: { length: 0 } }],
    ['an estimate that is not finite', { estimatedTokens: Number.NaN }],
    ['an estimate far below zero', { estimatedTokens: -(2 ** 60) }],
    ['a list holding a date', { tags: [new Date(0)] }],
    ['a __proto__ key', JSON.parse('{"__proto__": 1}') as Record<string, unknown>],
  ])('leaves %s to zod', (_what, data) => {
    expect(safeParsePlainFrontmatter(data)).toBeUndefined()
  })

  it('agrees with the schema wherever it answers (random data of the kinds YAML gives, and a few it does not)', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -3, max: 3 }), fc.double(), fc.boolean(), fc.constant(null), fc.constant(new Date(0)), fc.constant(2 ** 60), fc.constant(-(2 ** 60)))
    const value = fc.oneof(
      scalar,
      fc.array(fc.oneof(scalar, fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }), fc.array(fc.integer(), { maxLength: 2 })), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'length'), scalar, { maxKeys: 2 }),
    )
    const data = fc.dictionary(fc.constantFrom('id', 'category', 'tags', 'capabilities', 'useWhen', 'estimatedTokens', 'relatedResources', 'name', 'other'), value)
    let valid = 0
    let invalid = 0
    fc.assert(
      fc.property(data, (d) => {
        const read = safeParsePlainFrontmatter(d)
        if (read === undefined) return true
        if (read.success) valid++
        else invalid++
        return agrees(d, read)
      }),
      { numRuns: 4000 },
    )
    expect(valid).toBeGreaterThan(100)
    expect(invalid).toBeGreaterThan(400)
  })

  it('leaves readFrontmatter answering as with zod alone when the fields are invalid', () => {
    const source = '---\nid: 7\nuseWhen:\n  - a: b\n  - plain\ntags: [x, {y: 1}, {z: 2}]\ncategory: ""\n---\n# Body\n'
    const read = readFrontmatter(source, undefined, 'doc.md')
    const viaZod = readFrontmatter(source, { safeParse: (d: unknown) => frontmatterSchema.safeParse(d) }, 'doc.md')
    expect(read).toStrictEqual(viaZod)
    expect(read.meta).toStrictEqual({ id: '7', tags: [], capabilities: [], useWhen: [] })
    expect(read.diagnostics.map((d) => [d.code, d.line, d.message])).toStrictEqual([
      ['FRONTMATTER_INVALID_FIELD', 7, 'Frontmatter field `category`: Too small: expected string to have >=1 characters'],
      ['FRONTMATTER_INVALID_FIELD', 6, 'Frontmatter field `tags.1`: Invalid input: expected string, received object (and 1 more problem in `tags`)'],
      ['FRONTMATTER_INVALID_FIELD', 3, 'Frontmatter field `useWhen.0`: Invalid input: expected string, received object'],
    ])
  })

  it('leaves readFrontmatter answering as with zod alone, diagnostics included', () => {
    const source = '---\nid: 5\ntags: a, b\nestimatedTokens: -2\nname: x\n---\n# Body\n'
    const read = readFrontmatter(source, undefined, 'doc.md')
    const viaZod = readFrontmatter(source, { safeParse: (d: unknown) => frontmatterSchema.safeParse(d) }, 'doc.md')
    expect(read).toStrictEqual(viaZod)
    expect(read.meta).toStrictEqual({ id: '5', tags: ['a', 'b'], capabilities: [], useWhen: [], name: 'x' })
    expect(read.diagnostics.map((d) => [d.code, d.line])).toStrictEqual([['FRONTMATTER_INVALID_FIELD', 4]])
  })
})
