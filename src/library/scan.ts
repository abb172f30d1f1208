/**
 * Walking a library root: every `.md` file below it, never leaving it.
 *
 * @module
 */
import type { Dirent } from 'node:fs'
import { open, readdir, realpath, stat } from 'node:fs/promises'
import * as nodePath from 'node:path'
import { diagnostic } from '../parse/diagnostics.js'
import { decodeUtf8 } from '../resolve/fs.js'
import type { Diagnostic } from '../types.js'

/** A markdown file found below the root. */
export interface FoundFile {
  /** Path relative to the root, forward slashes (the link's own path for linked files). */
  path: string
  /** Real absolute path (inside the root). */
  real: string
}

/** Limits for a walk. */
export interface ScanLimits {
  /** Most files indexed. */
  maxFiles: number
}

function inside(base: string, real: string): boolean {
  return real === base || real.startsWith(base + nodePath.sep)
}

/** Folders never walked into: hidden ones (`.git`) and `node_modules`. */
function skipDir(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules'
}

/**
 * List every `.md` file below `root` (sorted by path). Symbolic links are followed only
 * when their target stays inside the root; a link leading out is skipped with a warning.
 * Linked folders are walked once (loops are cut).
 */
export async function scanRoot(root: string, limits: ScanLimits): Promise<{ base: string; files: FoundFile[]; diagnostics: Diagnostic[] }> {
  const base = await realpath(root)
  const files: FoundFile[] = []
  const diagnostics: Diagnostic[] = []
  const seenDirs = new Set<string>([base])
  let limited = false

  async function walk(realDir: string, rel: string): Promise<void> {
    let dirents: Dirent[]
    try {
      dirents = await readdir(realDir, { withFileTypes: true })
    } catch (error) {
      diagnostics.push(diagnostic('DIRECTORY_UNREADABLE', 'error', `Cannot read folder ${rel || '.'}: ${(error as Error).message}`, { file: rel || '.' }))
      return
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const d of dirents) {
      if (limited) return
      const relPath = rel === '' ? d.name : `${rel}/${d.name}`
      let real = nodePath.join(realDir, d.name)
      let isDir = d.isDirectory()
      let isFile = d.isFile()
      if (d.isSymbolicLink()) {
        try {
          real = await realpath(real)
        } catch {
          diagnostics.push(diagnostic('SYMLINK_BROKEN', 'warning', `Skipped ${relPath}: broken symbolic link`, { file: relPath }))
          continue
        }
        if (!inside(base, real)) {
          diagnostics.push(diagnostic('SYMLINK_OUTSIDE_ROOT', 'warning', `Skipped ${relPath}: symbolic link leads outside the library root`, { file: relPath }))
          continue
        }
        const s = await stat(real).catch(() => undefined)
        isDir = s?.isDirectory() ?? false
        isFile = s?.isFile() ?? false
      }
      if (isDir) {
        if (skipDir(d.name) || seenDirs.has(real)) continue
        seenDirs.add(real)
        await walk(real, relPath)
      } else if (isFile && /\.md$/i.test(d.name)) {
        if (files.length >= limits.maxFiles) {
          limited = true
          diagnostics.push(diagnostic('LIMIT_MAX_FILES', 'warning', `Stopped indexing after ${limits.maxFiles} files (maxFiles)`, { file: relPath }))
          return
        }
        files.push({ path: relPath, real })
      }
    }
  }
  await walk(base, '')
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { base, files, diagnostics }
}

/** Result of reading one file. */
export type ReadResult = { ok: true; source: string; bytes: number; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] }

/** Read a file as UTF-8 (BOM kept for the parser to report), refusing files over `maxBytes`. */
export async function readSource(file: FoundFile, base: string, maxBytes: number): Promise<ReadResult> {
  try {
    // Re-check the real path: the tree may have changed since the walk.
    const real = await realpath(file.real)
    if (!inside(base, real)) {
      return { ok: false, diagnostics: [diagnostic('SYMLINK_OUTSIDE_ROOT', 'error', `${file.path} now leads outside the library root; not read`, { file: file.path })] }
    }
    const handle = await open(real, 'r')
    try {
      const s = await handle.stat()
      if (s.size > maxBytes) {
        return {
          ok: false,
          diagnostics: [diagnostic('FILE_TOO_LARGE', 'error', `${file.path} is ${s.size} bytes, over the ${maxBytes}-byte limit; not read`, { file: file.path })],
        }
      }
      const bytes = await handle.readFile()
      const { text, valid } = decodeUtf8(bytes)
      const diagnostics = valid ? [] : [diagnostic('INVALID_UTF8', 'warning', 'File is not valid UTF-8; invalid bytes were replaced with U+FFFD', { file: file.path })]
      return { ok: true, source: text, bytes: bytes.length, diagnostics }
    } finally {
      await handle.close()
    }
  } catch (error) {
    return { ok: false, diagnostics: [diagnostic('FILE_UNREADABLE', 'error', `Cannot read ${file.path}: ${(error as Error).message}`, { file: file.path })] }
  }
}

/** Run `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
