// Libraries at scale for the cold-start benchmarks (issue 14): a base library of about 413
// documents (3.5 MB), and the same library copied to 2,000 / 10,000 / 50,000 documents.
//
// Base library: orchestr8's own `resources/` folder when a checkout of orchestr8 is given
// (413 documents, 3.5 MB: the library the issue measured), else the shared orchestr8
// corpus (`../shared/corpus/orchestr8/resources`, read at run time, never copied into the
// repository) plus deterministic documents generated from its sections (./generate.mjs)
// up to 413 documents of about the same size.
//
// Scaled copies: copy 0 is the base library as it is; copy k (k >= 1) is every file of it
// under a numbered folder inside its category folder, its name and its frontmatter `id:`
// suffixed (`agents/c0001/architect-c0001.md`, `id: agent-architect-c0001`), so that
// orchestr8's loader (which only reads the category folders at the top) and promptfold see
// the same files, and every id and file name is distinct, as in a real library (121 copies
// of one name would make every copy an ambiguous alias of the others: a diagnostic per
// entry naming all of them). The last copy is cut short to reach the count exactly.
// Libraries are written once under bench/.tmp/scale/ and reused while their recipe stays
// the same (a stamp file records it).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { generatedDocument, markdownFiles, rng, sectionPool } from './generate.mjs'
import { SHARED_CORPUS, TMP } from './paths.mjs'

/** Category folders orchestr8's loader reads (the first path segment of every document). */
export const CATEGORIES = ['agents', 'skills', 'examples', 'patterns', 'guides', 'workflows']

const RECIPE = 'scale-corpus v2'
const BASE_DOCUMENTS = 413
const BASE_BYTES = 3_500_000

/** Every `.md` file below `dir`, as paths relative to it (sorted). */
function relativeMarkdown(dir) {
  return markdownFiles(dir).map((f) => path.relative(dir, f))
}

function stamp(dir) {
  const f = path.join(dir, '.bench-stamp')
  return existsSync(f) ? readFileSync(f, 'utf8') : null
}

/** The shared corpus plus generated documents in category folders, `BASE_DOCUMENTS` in all. */
function generatedBase(dir) {
  const shared = path.join(SHARED_CORPUS, 'resources')
  cpSync(shared, dir, { recursive: true })
  const have = relativeMarkdown(dir).length
  const next = rng(413)
  const pool = sectionPool()
  const kinds = ['examples', 'examples', 'examples', 'skills', 'agents', 'patterns', 'guides']
  const sharedBytes = markdownFiles(dir).reduce((n, f) => n + readFileSync(f).length, 0)
  const perDoc = Math.max(2000, Math.floor((BASE_BYTES - sharedBytes) / Math.max(1, BASE_DOCUMENTS - have)))
  for (let i = have; i < BASE_DOCUMENTS; i++) {
    const kind = kinds[i % kinds.length]
    const id = `generated-${kind.slice(0, -1)}-${String(i).padStart(4, '0')}`
    const file = path.join(dir, kind, 'generated', `${id}.md`)
    mkdirSync(path.dirname(file), { recursive: true })
    const chars = Math.floor(perDoc * (0.5 + next()))
    writeFileSync(file, generatedDocument({ id, category: kind.slice(0, -1), title: `Generated ${kind.slice(0, -1)} ${i}`, next, pool, chars }))
  }
}

/**
 * The base library (about 413 documents), written once under bench/.tmp/scale/base-<source>.
 * @param {{ orchestr8Dir?: string }} [o] a checkout of orchestr8 (its `resources/` is used)
 * @returns {{ root: string, source: string, files: string[] }}
 */
export function baseLibrary({ orchestr8Dir } = {}) {
  const fromO8 = orchestr8Dir && existsSync(path.join(orchestr8Dir, 'resources', 'agents'))
  const source = fromO8 ? `orchestr8 ${path.join(orchestr8Dir, 'resources')}` : `shared corpus ${path.join(SHARED_CORPUS, 'resources')} + generated`
  const root = path.join(TMP, 'scale', fromO8 ? 'base-orchestr8' : 'base-generated')
  const want = `${RECIPE}\n${source}\n`
  if (stamp(root) !== want) {
    rmSync(root, { recursive: true, force: true })
    mkdirSync(root, { recursive: true })
    if (fromO8) {
      for (const c of CATEGORIES) {
        const from = path.join(orchestr8Dir, 'resources', c)
        if (existsSync(from)) cpSync(from, path.join(root, c), { recursive: true, filter: (f) => !path.basename(f).startsWith('.') })
      }
    } else generatedBase(root)
    writeFileSync(path.join(root, '.bench-stamp'), want)
  }
  return { root, source, files: relativeMarkdown(root) }
}

/** `text` with its frontmatter `id:` suffixed by `suffix` (no frontmatter or id: unchanged). */
export function withIdSuffix(text, suffix) {
  const fm = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text)
  if (!fm) return text
  const head = fm[1].replace(/^(id:[ \t]*)(['"]?)([^'"\r\n]*?)\2[ \t]*$/m, (_, key, q, id) => `${key}${q}${id}-${suffix}${q}`)
  return `---\n${head}\n---\n${text.slice(fm[0].length)}`
}

/**
 * The base library copied to `documents` documents (see the top of this file). Written
 * once under bench/.tmp/scale/<base>-<documents>; `documents` at or below the base's size
 * gives the base itself.
 * @returns {{ root: string, documents: number, bytes: number, copies: number }}
 */
export function scaledLibrary(base, documents) {
  const files = base.files
  if (documents <= files.length) return { root: base.root, documents: files.length, bytes: sizeOf(base.root, files), copies: 1 }
  const root = `${base.root}-${documents}`
  const want = `${RECIPE}\n${base.source}\n${documents}\n`
  const texts = files.map((f) => readFileSync(path.join(base.root, f), 'utf8'))
  const baseBytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0)
  const copies = Math.ceil(documents / files.length)
  if (stamp(root) !== want) {
    rmSync(root, { recursive: true, force: true })
    cpSync(base.root, root, { recursive: true, filter: (f) => path.basename(f) !== '.bench-stamp' })
    let n = files.length
    for (let k = 1; n < documents; k++) {
      const suffix = `c${String(k).padStart(4, '0')}`
      for (let i = 0; i < files.length && n < documents; i++, n++) {
        const [category, ...rest] = files[i].split('/')
        const file = path.join(root, category, suffix, ...rest).replace(/\.md$/, `-${suffix}.md`)
        mkdirSync(path.dirname(file), { recursive: true })
        writeFileSync(file, withIdSuffix(texts[i], suffix))
      }
    }
    writeFileSync(path.join(root, '.bench-stamp'), want)
  }
  const full = Math.floor(documents / files.length)
  const rest = documents - full * files.length
  const bytes = full * baseBytes + texts.slice(0, rest).reduce((n, t) => n + Buffer.byteLength(t), 0)
  return { root, documents, bytes, copies }
}

function sizeOf(root, files) {
  return files.reduce((n, f) => n + readFileSync(path.join(root, f)).length, 0)
}
