/**
 * `fileSystemResolver`: `scheme://a/b` -> `<root>/a/b.md`, confined to `root`.
 *
 * @module
 */
import { type FileHandle, open, realpath } from 'node:fs/promises'
import * as nodePath from 'node:path'
import { AccessDeniedError, LimitExceededError } from '../errors.js'
import { diagnostic } from '../parse/diagnostics.js'
import { DEFAULT_MAX_DOCUMENT_BYTES } from '../parse/document.js'
import { parseUri } from '../parse/uri.js'
import { formatNumber } from '../report/number.js'
import { CONFINED_OPEN_FLAGS, checkOpened, isInside } from './confined.js'
import type { ResolveContext, ResolvedDocument, Resolver } from './resolver.js'

/** Options for {@link fileSystemResolver}. */
export interface FileSystemResolverOptions {
  /** Folder that URIs are resolved against. Nothing outside it is ever read. */
  root: string
  /** File extension appended to the URI path. Default `'.md'`. */
  extension?: string
  /** Largest file read, in bytes. Default 5 MiB. Larger files throw {@link LimitExceededError}. */
  maxBytes?: number
}

export { DEFAULT_MAX_DOCUMENT_BYTES }

/**
 * Check that a decoded URI path is a plain relative path and return its segments.
 * Refuses `..`, `.`, empty segments, absolute paths, drive letters, backslashes and NUL.
 */
export function safeSegments(path: string): string[] | string {
  if (path.includes('\u0000')) return 'NUL character in path'
  if (path.includes('\\')) return 'backslash in path'
  if (path.startsWith('/')) return 'absolute path'
  if (/^[a-z]:/i.test(path)) return 'drive letter in path'
  const segments = path.split('/')
  for (const s of segments) {
    if (s === '..' || s === '.') return `"${s}" segment in path`
    if (s === '') return 'empty segment in path'
    if (s.includes('%')) {
      // Already decoded once; a second layer of escapes is refused rather than decoded again.
      if (/%(2e|2f|5c|00)/i.test(s)) return 'percent-encoded separator or dot in path'
    }
  }
  return segments
}

/**
 * A resolver that reads `<root>/<path><extension>` for `scheme://<path>` (any scheme), and
 * `<root>/<path>` for a `link` or `path` reference (its URI is a path from the root, extension
 * included).
 *
 * Confined to `root`: `..` in any spelling, absolute paths, drive letters, NUL bytes
 * and symbolic links (also linked folders) whose target is outside `root` throw
 * {@link AccessDeniedError}. A missing file resolves to `undefined`. The file is opened
 * first and then checked (the descriptor must lie inside `root`), so a path swapped for a
 * link between the check and the read is refused, never read.
 */
export function fileSystemResolver(options: FileSystemResolverOptions): Resolver {
  if (!options || typeof options.root !== 'string' || options.root === '') {
    throw new TypeError('fileSystemResolver: `root` must be a non-empty string')
  }
  const extension = options.extension ?? '.md'
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES
  const root = nodePath.resolve(options.root)
  let realRoot: Promise<string> | undefined

  return async (uri: string, context?: ResolveContext): Promise<ResolvedDocument | undefined> => {
    // A link or path reference names a file by its path from the root, extension included.
    const file = context?.kind === 'link' || context?.kind === 'path'
    // Bare ids (no scheme) name documents by id, which only a library can look up.
    if (!file && !uri.includes('://')) return undefined
    const { parsed } = file ? { parsed: { uri, path: uri, invalid: undefined, search: undefined } } : parseUri(uri)
    if (parsed.invalid) throw new AccessDeniedError(uri, `Refused ${describe(uri)}: ${parsed.invalid}`)
    if (parsed.search !== undefined) return undefined
    const segments = safeSegments(parsed.path)
    if (typeof segments === 'string') throw new AccessDeniedError(uri, `Refused ${describe(uri)}: ${segments}`)
    realRoot ??= realpath(root)
    let base: string
    try {
      base = await realRoot
    } catch {
      realRoot = undefined
      return undefined
    }
    const relative = `${segments.join('/')}${file || parsed.path.endsWith(extension) ? '' : extension}`
    const candidate = nodePath.join(base, ...relative.split('/'))
    let real: string
    try {
      real = await realpath(candidate)
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
    if (!isInside(base, real)) {
      throw new AccessDeniedError(uri, `Refused ${describe(uri)}: it leads outside the root through a symbolic link`)
    }
    // Open first, then check what was opened: the path may have been swapped since `realpath`
    // (a file for a link, a folder for a link out). O_NOFOLLOW refuses a final link, O_NONBLOCK
    // keeps a FIFO or a device from blocking, and the descriptor itself must lie inside the root.
    let handle: FileHandle
    try {
      handle = await open(real, CONFINED_OPEN_FLAGS)
    } catch (error) {
      // Swapped away, or for a link (ELOOP) since `realpath`: as if it were not there.
      if (isNotFound(error)) return undefined
      throw error
    }
    try {
      if (!checkOpened(handle, real, base)) {
        throw new AccessDeniedError(uri, `Refused ${describe(uri)}: it leads outside the root through a symbolic link`)
      }
      const stat = await handle.stat()
      if (!stat.isFile()) return undefined
      if (stat.size > maxBytes) {
        throw new LimitExceededError('maxBytes', `${relative} is ${formatNumber(stat.size)} bytes, over the ${formatNumber(maxBytes)}-byte limit`, { file: relative })
      }
      const bytes = await handle.readFile()
      const { text, valid } = decodeUtf8(bytes)
      const doc: ResolvedDocument = { source: text, uri: parsed.uri, path: relative }
      if (!valid) {
        doc.diagnostics = [diagnostic('INVALID_UTF8', 'warning', 'File is not valid UTF-8; invalid bytes were replaced with U+FFFD', { file: relative })]
      }
      return doc
    } finally {
      await handle.close()
    }
  }
}

/** Decode UTF-8, reporting whether the bytes were valid. */
export function decodeUtf8(bytes: Uint8Array): { text: string; valid: boolean } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), valid: true }
  } catch {
    return { text: new TextDecoder('utf-8').decode(bytes), valid: false }
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG'
}

function describe(uri: string): string {
  return uri.length > 120 ? `${uri.slice(0, 120)}…` : uri
}
