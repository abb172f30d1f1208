/**
 * findLibraryRoot: the root of a file from its path, shared by the CLI and library users.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findLibraryRoot, isLibraryFolder } from '../../src/index.js'

let base: string
/** Create `rel` (a file) below the temp folder and return its absolute path. */
function file(rel: string): string {
  const abs = join(base, rel)
  mkdirSync(dirname(abs), { recursive: true })
  writeFileSync(abs, '# x\n')
  return abs
}

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'promptfold-root-')))
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('findLibraryRoot', () => {
  it('is the parent of the library folder above the file', () => {
    expect(findLibraryRoot(file('a/resources/agents/x.md'))).toBe(join(base, 'a/resources'))
    expect(findLibraryRoot(file('a/resources/examples/database/x.md'))).toBe(join(base, 'a/resources'))
    expect(findLibraryRoot(file('a/resources/guides/x.md'))).toBe(join(base, 'a/resources'))
  })

  it('walks past nested library folders: examples/skills, examples/patterns, examples/workflows', () => {
    for (const nested of ['skills', 'patterns', 'workflows', 'agents', 'guides']) {
      expect(findLibraryRoot(file(`b/resources/examples/${nested}/x.md`))).toBe(join(base, 'b/resources'))
    }
    expect(findLibraryRoot(file('b/resources/examples/skills/python/x.md'))).toBe(join(base, 'b/resources'))
  })

  it('counts library folders in either number and any case', () => {
    expect(findLibraryRoot(file('c/resources/workflow/x.md'))).toBe(join(base, 'c/resources'))
    expect(findLibraryRoot(file('c2/resources/Guide/x.md'))).toBe(join(base, 'c2/resources'))
    expect(findLibraryRoot(file('c3/resources/Examples/ML/x.md'))).toBe(join(base, 'c3/resources'))
    expect(['agents', 'Agent', 'EXAMPLES', 'skill', 'patterns', 'guides', 'workflow'].every(isLibraryFolder)).toBe(true)
    expect(['docs', 'resources', 'database', 'ml', '', 'agentsx'].some(isLibraryFolder)).toBe(false)
  })

  it('a library-folder name far above the real root is never reached', () => {
    expect(findLibraryRoot(file('skills/project/resources/agents/x.md'))).toBe(join(base, 'skills/project/resources'))
    // A document at the top of a library: the folder holding agents/ is the root, not the parent of skills/.
    expect(findLibraryRoot(file('skills/project/resources/README.md'))).toBe(join(base, 'skills/project/resources'))
  })

  it('a document at the top of a library (next to its library folders) finds it', () => {
    file('d/resources/examples/x.md')
    expect(findLibraryRoot(file('d/resources/index.md'))).toBe(join(base, 'd/resources'))
  })

  it('is undefined with no library folder above the file nor beside it', () => {
    const alone = realpathSync(mkdtempSync(join(tmpdir(), 'promptfold-plain-')))
    try {
      mkdirSync(join(alone, 'notes/deep'), { recursive: true })
      writeFileSync(join(alone, 'notes/deep/x.md'), '# x\n')
      expect(findLibraryRoot(join(alone, 'notes/deep/x.md'))).toBeUndefined()
    } finally {
      rmSync(alone, { recursive: true, force: true })
    }
    expect(findLibraryRoot('/')).toBeUndefined()
  })

  it('a skill folder (holding SKILL.md) is the root of its files, also in a skills/ collection', () => {
    file('e/skills/pdf/SKILL.md')
    expect(findLibraryRoot(file('e/skills/pdf/reference/forms.md'))).toBe(join(base, 'e/skills/pdf'))
    expect(findLibraryRoot(join(base, 'e/skills/pdf/SKILL.md'))).toBe(join(base, 'e/skills/pdf'))
    // The innermost skill: a nested skill is a root of its own.
    file('e/skills/pdf/nested/SKILL.md')
    expect(findLibraryRoot(file('e/skills/pdf/nested/more.md'))).toBe(join(base, 'e/skills/pdf/nested'))
    // A folder named SKILL.md is no skill.
    mkdirSync(join(base, 'f/resources/agents/SKILL.md'), { recursive: true })
    expect(findLibraryRoot(file('f/resources/agents/x.md'))).toBe(join(base, 'f/resources'))
  })

  it('reads only names: a path that does not exist is answered from its folders', () => {
    expect(findLibraryRoot(join(base, 'ghost/resources/examples/workflows/none.md'))).toBe(join(base, 'ghost/resources'))
  })
})
