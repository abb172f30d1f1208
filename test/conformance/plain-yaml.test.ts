/**
 * The plain frontmatter reader (src/parse/plain-yaml.ts) against gray-matter's YAML engine on
 * every frontmatter of the shared corpora (read in place from ../shared/corpus, never copied):
 * wherever it answers, js-yaml's answer is the same (values and key order), and the schema's
 * answer without zod (`safeParsePlainFrontmatter`: the data, or the issues) is zod's. The counts are measured: of the 58
 * blocks, the reader declines the 4 written in the older unquoted `@scheme://` syntax (not YAML)
 * and the one with a block scalar (`description: |-`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { describe, expect, it } from 'vitest'
import { findFrontmatter, frontmatterSchema, safeParsePlainFrontmatter } from '../../src/parse/frontmatter.js'
import { readPlainYaml } from '../../src/parse/plain-yaml.js'
import { repoRoot } from '../library/helpers.js'

const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus')
const jsYaml = createRequire(import.meta.url)('js-yaml') as { safeLoad(s: string): unknown }

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name)
    return statSync(p).isDirectory() ? markdownFiles(p) : name.endsWith('.md') ? [p] : []
  })
}

const sameKeys = (a: object, b: object) => Object.keys(a).join('\n') === Object.keys(b).join('\n')

describe('plain frontmatter on the shared corpora', () => {
  const blocks = markdownFiles(corpus).flatMap((file) => {
    const block = findFrontmatter(readFileSync(file, 'utf8').replace(/^\ufeff/, ''))
    return block === undefined || block === 'unterminated' || !/\S/.test(block.yaml) ? [] : [{ file: path.relative(corpus, file), yaml: block.yaml }]
  })

  it('reads as js-yaml does wherever it answers, and answers for most blocks', () => {
    const declined: string[] = []
    for (const { file, yaml } of blocks) {
      const plain = readPlainYaml(yaml)
      if (plain === undefined) {
        declined.push(file)
        continue
      }
      const engine = jsYaml.safeLoad(yaml) as object
      expect(isDeepStrictEqual(plain, engine) && sameKeys(plain, engine), file).toBe(true)
    }
    expect(blocks.length).toBe(58)
    expect(declined.length).toBe(5)
  })

  it('gives zod its own answers wherever safeParsePlainFrontmatter answers', () => {
    let answered = 0
    let invalid = 0
    for (const { file, yaml } of blocks) {
      let data: Record<string, unknown> | undefined = readPlainYaml(yaml)
      try {
        data ??= jsYaml.safeLoad(yaml) as Record<string, unknown>
      } catch {
        continue // not YAML (the older `@` syntax): read leniently, never by this path
      }
      const read = safeParsePlainFrontmatter(data)
      if (read === undefined) continue
      answered++
      const zod = frontmatterSchema.safeParse(data)
      if (read.success) expect(zod.success && isDeepStrictEqual(read.data, zod.data) && sameKeys(read.data, zod.data), file).toBe(true)
      else {
        invalid++
        const words = (issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) => issues.map((i) => [i.path.map(String), i.message])
        expect(zod.success ? 'valid' : words(zod.error.issues), file).toStrictEqual(words(read.error.issues))
      }
    }
    expect(invalid).toBe(0)
    expect(answered).toBe(54)
  })
})
