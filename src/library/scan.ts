/**
 * Walking a library root: every markdown file below it and every file of its skill folders,
 * never leaving it.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { closeSync, type Dirent, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs'
import * as nodePath from 'node:path'
import { diagnostic } from '../parse/diagnostics.js'
import { CONFINED_OPEN_FLAGS, checkOpenedSync, isInside, readDirConfinedSync } from '../resolve/confined.js'
import { decodeUtf8 } from '../resolve/fs.js'
import type { Diagnostic } from '../types.js'

/** A file found below the root: a markdown document, or a file of a skill folder. */
export interface FoundFile {
  /** Path relative to the root, forward slashes (the link's own path for linked files). */
  path: string
  /**
   * For files of a skill folder (a folder holding `SKILL.md`, Agent Skills): that folder,
   * relative to the root (`''` for the root itself). The innermost one when skills nest.
   */
  skill?: string
  /** Real absolute path (inside the root). */
  real: string
  /** Whether the path went through a symbolic link (its target is re-checked before reading). */
  linked: boolean
}

/** Limits for a walk. */
export interface ScanLimits {
  /** Most files indexed. */
  maxFiles: number
}

/** Folders never walked into: hidden ones (`.git`) and `node_modules`. */
function skipDir(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules'
}

/** The file that makes a folder a skill (Agent Skills). */
export const SKILL_FILE = 'SKILL.md'

/** Markdown files outside skill folders that are library documents: `.md`, and Cursor rules' `.mdc`. */
export const DOCUMENT_FILE = /\.mdc?$/i

/** The URI of the library document at `path` (relative to the root, `/`-separated): `<scheme>://<path without .md or .mdc>`. */
export function documentUri(scheme: string, path: string): string {
  return `${scheme}://${path.replace(DOCUMENT_FILE, '')}`
}

/** The `<skill-path>` of a skill folder (relative to the root): the folder, or the root's own name (`base` is the root) for a skill at the root. */
export function skillPathOf(folder: string, base: string): string {
  return folder === '' ? nodePath.basename(base) : folder
}

/**
 * List every document below `root` (`.md` and `.mdc` files) and every file of each skill
 * folder (a folder holding `SKILL.md`: all its files, of any kind, recursively, minus nested
 * skill folders, which are skills of their own), sorted by path. Symbolic links are followed
 * only when their target stays inside the root; a link leading out is skipped with a warning.
 * Linked folders are walked once (loops are cut). Hidden folders and `node_modules` are skipped.
 * Other files outside skill folders are listed in `others` (at most `maxFiles`), not as
 * documents: relative links may name them.
 */
export function scanRoot(root: string, limits: ScanLimits): { base: string; files: FoundFile[]; others: FoundFile[]; diagnostics: Diagnostic[] } {
  const base = realpathSync(root)
  const files: FoundFile[] = []
  const others: FoundFile[] = []
  const diagnostics: Diagnostic[] = []
  const seenDirs = new Set<string>([base])
  let limited = false
  let othersLimited = false

  function walk(realDir: string, rel: string, linked: boolean, outerSkill: string | undefined): void {
    let dirents: Dirent[] | undefined
    try {
      // Listed through an opened, checked descriptor: a folder swapped for a link out since it was seen lists nothing.
      dirents = readDirConfinedSync(realDir, base)
    } catch (error) {
      diagnostics.push(diagnostic('DIRECTORY_UNREADABLE', 'error', `Cannot read folder ${rel || '.'}: ${(error as Error).message}`, { file: rel || '.' }))
      return
    }
    if (dirents === undefined) {
      diagnostics.push(diagnostic('SYMLINK_OUTSIDE_ROOT', 'warning', `Skipped ${rel || '.'}: the folder now leads outside the library root`, { file: rel || '.' }))
      return
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const skill = dirents.some((d) => d.name === SKILL_FILE && (d.isFile() || d.isSymbolicLink())) ? rel : outerSkill
    for (const d of dirents) {
      if (limited) return
      const relPath = rel === '' ? d.name : `${rel}/${d.name}`
      // A real folder's path is normalized, and a name holds no separator: joined as it is.
      let real = realDir.endsWith(nodePath.sep) ? realDir + d.name : realDir + nodePath.sep + d.name
      let isDir = d.isDirectory()
      let isFile = d.isFile()
      let viaLink = linked
      if (d.isSymbolicLink()) {
        viaLink = true
        try {
          real = realpathSync(real)
        } catch {
          diagnostics.push(diagnostic('SYMLINK_BROKEN', 'warning', `Skipped ${relPath}: broken symbolic link`, { file: relPath }))
          continue
        }
        if (!isInside(base, real)) {
          diagnostics.push(diagnostic('SYMLINK_OUTSIDE_ROOT', 'warning', `Skipped ${relPath}: symbolic link leads outside the library root`, { file: relPath }))
          continue
        }
        let s: ReturnType<typeof statSync> | undefined
        try {
          s = statSync(real)
        } catch {
          s = undefined
        }
        isDir = s?.isDirectory() ?? false
        isFile = s?.isFile() ?? false
      }
      if (isDir) {
        if (skipDir(d.name) || seenDirs.has(real)) continue
        seenDirs.add(real)
        walk(real, relPath, viaLink, skill)
      } else if (isFile && (skill !== undefined || DOCUMENT_FILE.test(d.name))) {
        if (files.length >= limits.maxFiles) {
          limited = true
          diagnostics.push(diagnostic('LIMIT_MAX_FILES', 'warning', `Stopped indexing after ${limits.maxFiles} files (maxFiles)`, { file: relPath }))
          return
        }
        files.push(skill !== undefined ? { path: relPath, real, linked: viaLink, skill } : { path: relPath, real, linked: viaLink })
      } else if (isFile) {
        // Not read, only known: a document may link it (a script, an image next to it).
        if (others.length < limits.maxFiles) others.push({ path: relPath, real, linked: viaLink })
        else if (!othersLimited) {
          othersLimited = true
          diagnostics.push(diagnostic('LIMIT_MAX_FILES', 'warning', `Stopped listing other files (not documents) after ${limits.maxFiles} (maxFiles); links to later ones are not found`, { file: relPath }))
        }
      }
    }
  }
  walk(base, '', false, undefined)
  const byPath = (a: FoundFile, b: FoundFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  files.sort(byPath)
  others.sort(byPath)
  return { base, files, others, diagnostics }
}

/** A file's size, modification and change times (ms) and inode, as `fstat` gave them when it was read. */
export interface ReadStat {
  size: number
  mtimeMs: number
  ctimeMs: number
  ino: number
}

/** Result of reading one file (`stat`: the opened file's, taken before its bytes were read). */
export type ReadResult = { ok: true; source: string; bytes: number; sha256?: string; stat: ReadStat; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] }

/**
 * Read a file as UTF-8 (BOM kept for the parser to report), refusing files over `maxBytes`.
 * Synchronous on purpose: hundreds of small reads are several times faster this way than
 * through `fs/promises`, and a library load is a one-off.
 *
 * Opened first, then checked: the file is opened with `O_NOFOLLOW` and `O_NONBLOCK` (a file
 * swapped for a link or a named pipe since the walk is not followed, and does not hang), and
 * the opened descriptor must lie inside `base` (a folder on the way swapped for a link out is
 * caught): otherwise the result is a `SYMLINK_OUTSIDE_ROOT` error and nothing is read.
 * With `digestBytes`, the result has the SHA-256 of the bytes as read (for skill manifests).
 */
export function readSource(file: FoundFile, base: string, maxBytes: number, digestBytes = false): ReadResult {
  const read = readBytes(file, base, maxBytes)
  if (!read.ok) return read
  const { text, valid } = decodeUtf8(read.bytes)
  const diagnostics = valid ? [] : [diagnostic('INVALID_UTF8', 'warning', 'File is not valid UTF-8; invalid bytes were replaced with U+FFFD', { file: file.path })]
  const result: ReadResult = { ok: true, source: text, bytes: read.bytes.length, stat: read.stat, diagnostics }
  if (digestBytes) result.sha256 = createHash('sha256').update(read.bytes).digest('hex')
  return result
}

/**
 * The bytes of an open file of `size` bytes (as its stat said), read to its end or to `size` bytes,
 * as `readFileSync(fd)` reads them but without the stat it takes again. A file that reports no
 * size (some special files) is read to its end.
 */
function readOpened(fd: number, size: number): Buffer {
  let buffer = Buffer.allocUnsafe(size > 0 ? size : 8192)
  let length = 0
  for (;;) {
    if (length === buffer.length) {
      if (size > 0) break
      const grown = Buffer.allocUnsafe(buffer.length * 2)
      buffer.copy(grown, 0, 0, length)
      buffer = grown
    }
    const n = readSync(fd, buffer, length, buffer.length - length, null)
    if (n === 0) break
    length += n
  }
  return length === buffer.length ? buffer : buffer.subarray(0, length)
}

/** Result of reading one file's bytes. */
export type BytesResult = { ok: true; bytes: Buffer; stat: ReadStat } | { ok: false; diagnostics: Diagnostic[] }

/** Read a file's bytes, confined to `base` and refused over `maxBytes`, as {@link readSource} does. */
export function readBytes(file: FoundFile, base: string, maxBytes: number): BytesResult {
  let fd: number | undefined
  const outside = (): BytesResult => ({
    ok: false,
    diagnostics: [diagnostic('SYMLINK_OUTSIDE_ROOT', 'error', `${file.path} now leads outside the library root; not read`, { file: file.path })],
  })
  try {
    let target = file.real
    if (file.linked) {
      // Re-take the real path: the tree may have changed since the walk.
      target = realpathSync(file.real)
      if (!isInside(base, target)) return outside()
    }
    fd = openSync(target, CONFINED_OPEN_FLAGS)
    if (!checkOpenedSync(fd, target, base)) return outside()
    const stat = fstatSync(fd)
    if (!stat.isFile()) {
      return { ok: false, diagnostics: [diagnostic('FILE_UNREADABLE', 'error', `${file.path} is no longer a regular file; not read`, { file: file.path })] }
    }
    const size = stat.size
    if (size > maxBytes) {
      return { ok: false, diagnostics: [diagnostic('FILE_TOO_LARGE', 'error', `${file.path} is ${size} bytes, over the ${maxBytes}-byte limit; not read`, { file: file.path })] }
    }
    return { ok: true, bytes: readOpened(fd, size), stat: { size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino } }
  } catch (error) {
    return { ok: false, diagnostics: [diagnostic('FILE_UNREADABLE', 'error', `Cannot read ${file.path}: ${(error as Error).message}`, { file: file.path })] }
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
