/**
 * Finding a library root and loading one document from disk for the CLI.
 *
 * @module
 */
import { realpathSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import * as nodePath from 'node:path'
import { DEFAULT_MAX_DOCUMENT_BYTES, type ParseStore, type PromptDocument, parseDocument } from '../index.js'
import { UsageError } from './io.js'

/**
 * Folder names that mark the top level of a resource library. The root is the
 * parent of the first such folder found walking up from a document's folder.
 */
export const LIBRARY_FOLDERS: readonly string[] = ['agents', 'agent', 'examples', 'example', 'skills', 'skill', 'patterns', 'pattern', 'guides', 'workflows']

/**
 * The library root for a file: walk up from the file's folder to the first folder
 * named one of {@link LIBRARY_FOLDERS}; the root is its parent. `undefined` when
 * there is none.
 */
export function findRoot(file: string): string | undefined {
  let dir = nodePath.dirname(nodePath.resolve(file))
  for (;;) {
    if (LIBRARY_FOLDERS.includes(nodePath.basename(dir))) return nodePath.dirname(dir)
    const parent = nodePath.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

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
 * Load and parse `file`. The root is `root` when given, else found with
 * {@link findRoot}, else the file's own folder. The document is parsed with its
 * path relative to the root, so its URI is known (for cycle detection).
 * With a `parseStore`, a document parsed before (same content and path) is not parsed again.
 */
export async function loadDocument(file: string, root: string | undefined, parseStore?: ParseStore): Promise<LoadedDocument> {
  const source = await readDocumentFile(file)
  const abs = real(file)
  const rootAbs = root !== undefined ? checkRoot(root) : real(findRoot(abs) ?? nodePath.dirname(abs))
  const relPath = relativeTo(rootAbs, abs)
  // A file outside the root gets its absolute path: no URI is derived from it.
  const doc = parseDocument(source, { path: relPath ?? abs, ...(parseStore ? { parseStore } : {}) })
  return { doc, root: rootAbs, rootGiven: root !== undefined, relPath }
}
