/**
 * Finding the library root a document belongs to, from its path alone: the one rule the
 * CLI (`assemble`, `report`, `lint`) and library users share.
 *
 * @module
 */
import { readdirSync } from 'node:fs'
import * as nodePath from 'node:path'
import { normalizeCategory } from './category.js'

/**
 * Categories whose folders mark the top level of a resource library. A folder counts when
 * its name, lower-cased and made singular ({@link normalizeCategory}), is one of these:
 * `agents`, `Agents` and `agent` all count.
 */
export const LIBRARY_CATEGORIES: readonly string[] = ['agent', 'example', 'skill', 'pattern', 'guide', 'workflow']

/** Whether a folder name marks a library folder (`agents`, `Examples`, `workflow`, ...). */
export function isLibraryFolder(name: string): boolean {
  return LIBRARY_CATEGORIES.includes(normalizeCategory(name))
}

/** Whether `dir` directly holds a library folder (a folder named like one of {@link LIBRARY_CATEGORIES}). */
function holdsLibraryFolder(dir: string): boolean {
  try {
    return readdirSync(dir, { withFileTypes: true }).some((d) => d.isDirectory() && !d.name.startsWith('.') && isLibraryFolder(d.name))
  } catch {
    return false
  }
}

/** Whether `dir` directly holds a `SKILL.md` file: it is a skill folder (Agent Skills). */
function holdsSkill(dir: string): boolean {
  try {
    return readdirSync(dir, { withFileTypes: true }).some((d) => d.name === 'SKILL.md' && !d.isDirectory())
  } catch {
    return false
  }
}

/**
 * The library root of a file, found from its path: walking up from the file's folder,
 *
 * 0. a skill folder (one holding `SKILL.md`) is the root of its files: a skill is read on its
 *    own (its links may not leave it anyway), and a lone skill never makes its parent folder,
 *    which may be anything, a library;
 * 1. a library folder (`agents`, `examples`, `skills`, `patterns`, `guides`, `workflows`, in
 *    either number and any case) ends the walk; consecutive library folders are one level,
 *    so for `resources/examples/skills/x.md` the root is `resources`, not `resources/examples`;
 *    the root is the parent of the topmost of them;
 * 2. a folder that directly holds a library folder is itself a root, so a document at the top
 *    of a library (`resources/README.md` next to `resources/agents/`) finds it, and a library
 *    folder name further up (`/home/skills/project/resources/...`) is never reached.
 *
 * Only folder names are read (one listing per folder walked through, for rule 2); no file is
 * opened. Returns the absolute root, or `undefined` when no folder above the file matches
 * (the CLI then uses the file's own folder).
 *
 * @example
 * findLibraryRoot('resources/examples/skills/python-async.md') // '/abs/resources'
 * findLibraryRoot('resources/agents/mlops-specialist.md')      // '/abs/resources'
 * findLibraryRoot('skills/pdf/reference/forms.md')             // '/abs/skills/pdf'
 */
export function findLibraryRoot(file: string): string | undefined {
  let dir = nodePath.dirname(nodePath.resolve(file))
  for (;;) {
    if (holdsSkill(dir)) return dir
    if (isLibraryFolder(nodePath.basename(dir))) {
      let top = dir
      for (let parent = nodePath.dirname(top); parent !== top && isLibraryFolder(nodePath.basename(parent)); parent = nodePath.dirname(top)) top = parent
      const root = nodePath.dirname(top)
      return root === top ? undefined : root
    }
    if (holdsLibraryFolder(dir)) return dir
    const parent = nodePath.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
