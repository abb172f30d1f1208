/**
 * The early listing of `promptfold serve`: `resources/list` answered from a walk of the
 * library's folder (`scanRoot`, the walk `loadLibrary` starts with), before the MCP SDK and the
 * library are loaded (`./handshake.ts` answers with it). No file is read: every resource has its
 * URI (the one the loaded library gives it, derived from its path), a `name` from its path,
 * and `mimeType`; `title`, `description`, `size` and `_meta` counts come with the library, and
 * `serve` then sends `notifications/resources/list_changed`. Pages and cursors are the
 * server's (`./list-page.ts`), so a client may go on paging from the loaded library.
 *
 * Nothing here imports the MCP SDK or the library index.
 *
 * @module
 */
import { documentUri, SKILL_FILE, scanRoot, skillPathOf } from '../library/scan.js'
import type { EarlyLister } from './handshake.js'
import { DEFAULT_RESOURCES_PAGE_SIZE, decodeListCursor, listPage } from './list-page.js'
import { skillUri } from './skill-uri.js'

/** `maxFiles` of the walk when none is given: `DEFAULT_MAX_FILES` of `loadLibrary` (a test checks they agree). */
export const EARLY_MAX_FILES = 10_000

/** A resource of the early listing. */
export interface EarlyResource {
  uri: string
  name: string
  mimeType: 'text/markdown'
  _meta?: { 'promptfold/kind': 'skill' }
}

/** Options of {@link walkListing}. */
export interface WalkListingOptions {
  /** The library's first scheme (documents are `<scheme>://<path without .md>`). */
  scheme: string
  /** Most files walked, as `loadLibrary`'s `maxFiles`. Default {@link EARLY_MAX_FILES}. */
  maxFiles?: number
}

/**
 * Every resource `resources/list` gives for the library below `root`, by path, from a walk
 * alone: each document (`<scheme>://<path without .md>`) and each skill's `SKILL.md`
 * (`skill://<skill-path>/SKILL.md`), in the order of the library's entries.
 */
export function walkListing(root: string, options: WalkListingOptions): { path: string; resource: EarlyResource }[] {
  const scan = scanRoot(root, { maxFiles: options.maxFiles ?? EARLY_MAX_FILES })
  const listing: { path: string; resource: EarlyResource }[] = []
  for (const file of scan.files) {
    if (file.skill === undefined) {
      listing.push({ path: file.path, resource: { uri: documentUri(options.scheme, file.path), name: file.path.replace(/\.md$/i, ''), mimeType: 'text/markdown' } })
    } else if (file.path === (file.skill === '' ? SKILL_FILE : `${file.skill}/${SKILL_FILE}`)) {
      const skillPath = skillPathOf(file.skill, scan.base)
      listing.push({ path: file.path, resource: { uri: skillUri(skillPath, SKILL_FILE), name: skillPath.slice(skillPath.lastIndexOf('/') + 1), mimeType: 'text/markdown', _meta: { 'promptfold/kind': 'skill' } } })
    }
  }
  return listing
}

/**
 * The early lister of `root` for `./handshake.ts`: pages of {@link walkListing} (walked once,
 * at the first request), each result marked `_meta["promptfold/loading"]: true`. A cursor it did
 * not give out, or a walk that fails, is left to the server.
 */
export function earlyLister(root: string, options: WalkListingOptions & { pageSize?: number }): EarlyLister {
  let listing: { path: string; resource: EarlyResource }[] | undefined
  return (cursor) => {
    const after = cursor === undefined ? undefined : decodeListCursor(cursor)
    if (cursor !== undefined && after === undefined) return undefined
    try {
      listing ??= walkListing(root, options)
    } catch {
      return undefined
    }
    const page = listPage(listing, after, options.pageSize ?? DEFAULT_RESOURCES_PAGE_SIZE, (e) => e.resource)
    return { ...page, _meta: { 'promptfold/loading': true } }
  }
}
