/**
 * Loading one document from disk for the CLI, with the library of its root (found with
 * `findLibraryRoot`, or `--root`): the CLI resolves through that library, as MCP and
 * `library.graph()` do.
 *
 * @module
 */
import { realpathSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import * as nodePath from 'node:path'
import { DEFAULT_MAX_DOCUMENT_BYTES, findLibraryRoot, type Library, type LibraryIndexStore, loadLibrary, type ParseStore, type PromptDocument, parseDocument } from '../index.js'
import { UsageError } from './io.js'

/** `path` relative to `root` with `/` separators, or `undefined` when it is not inside `root`. */
export function relativeTo(root: string, path: string): string | undefined {
  const rel = nodePath.relative(root, path)
  if (rel === '' || rel.startsWith('..') || nodePath.isAbsolute(rel)) return undefined
  return rel.split(nodePath.sep).join('/')
}

/** Real path of `p`, or `p` resolved when it does not exist. */
export function real(p: string): string {
  try {
    return realpathSync(p)
  } catch {
    return nodePath.resolve(p)
  }
}

/** A document loaded from disk, with the root its references resolve against. */
export interface LoadedDocument {
  doc: PromptDocument
  /** Absolute real path of the library root. */
  root: string
  /** The library below the root: the resolver of `assemble` and `report`. */
  library: Library
  /** Whether the root came from `--root` (else it was found, or is the file's folder). */
  rootGiven: boolean
  /** Path of the document relative to root (`agents/x.md`), or undefined when outside root. */
  relPath: string | undefined
}

/** Check that `root` names a folder and return its real path. `label` names it in errors. */
export function checkRoot(root: string, label = '--root '): string {
  let st
  try {
    st = statSync(root)
  } catch {
    throw new UsageError(`${label}${root}: no such folder`)
  }
  if (!st.isDirectory()) throw new UsageError(`${label}${root}: not a folder`)
  return real(root)
}

/** Read a UTF-8 document, refusing folders, missing files and files over the resolver's size limit. */
export async function readDocumentFile(file: string): Promise<string> {
  let st
  try {
    st = statSync(file)
  } catch {
    throw new UsageError(`${file}: no such file`)
  }
  if (st.isDirectory()) throw new UsageError(`${file}: is a folder, expected a markdown file`)
  if (st.size > DEFAULT_MAX_DOCUMENT_BYTES) throw new UsageError(`${file}: ${st.size} bytes, over the ${DEFAULT_MAX_DOCUMENT_BYTES}-byte limit`)
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new UsageError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
}

/**
 * The root for `file`: `root` when given (checked), else found with `findLibraryRoot`, else
 * `fallback` (default: the file's own folder). Returns its real path.
 */
export function rootFor(file: string, root?: string, fallback?: string): string {
  if (root !== undefined) return checkRoot(root)
  const abs = real(file)
  return real(findLibraryRoot(abs) ?? fallback ?? nodePath.dirname(abs))
}

/**
 * Load and parse `file`, and load the library of its root (see {@link rootFor}). The
 * document is parsed with its path relative to the root, so its URI is known (for cycle
 * detection); a skill's SKILL.md gets its skill's URI. With a `parseStore`, a document parsed before (same content and path) is not
 * parsed again; with an `indexStore`, the library is loaded from its persistent index.
 */
export async function loadDocument(file: string, root: string | undefined, parseStore?: ParseStore, indexStore?: LibraryIndexStore): Promise<LoadedDocument> {
  const source = await readDocumentFile(file)
  const abs = real(file)
  const rootAbs = rootFor(abs, root)
  const relPath = relativeTo(rootAbs, abs)
  // The library's own parses (titles and headings for matching, graph) use the same store.
  const library = await loadLibrary({ root: rootAbs, ...(parseStore ? { parseStore } : {}), ...(indexStore ? { indexStore } : {}) })
  // A skill's SKILL.md is named by its skill's URI (skill://<skill-path>), as the library names it.
  const skill = relPath !== undefined && nodePath.basename(relPath) === 'SKILL.md' ? library.get(relPath) : undefined
  const uri = skill?.kind === 'skill' ? { uri: skill.uri } : {}
  // A file outside the root gets its absolute path: no URI is derived from it.
  const doc = parseDocument(source, { path: relPath ?? abs, ...uri, ...(parseStore ? { parseStore } : {}) })
  return { doc, root: rootAbs, library, rootGiven: root !== undefined, relPath }
}
