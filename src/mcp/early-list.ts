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
import { documentUri, type FoundFile, SKILL_FILE, scanRoot, skillPathOf } from '../library/scan.js'
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

/** Options of {@link earlyWalk}. */
export interface WalkListingOptions {
  /** The library's first scheme (documents are `<scheme>://<path without .md>`). */
  scheme: string
  /** Most files walked, as `loadLibrary`'s `maxFiles`. Default {@link EARLY_MAX_FILES}. */
  maxFiles?: number
}

/**
 * Every resource `resources/list` gives for the library below `root`, from a walk alone: each
 * document (`<scheme>://<path without .md>`) and each skill's `SKILL.md`
 * (`skill://<skill-path>/SKILL.md`), in the order of the library's entries, each with its file
 * (and its path, by which pages are cut), and the root's real path.
 */
interface FoundListing {
  base: string
  listing: { path: string; file: FoundFile; resource: EarlyResource }[]
}

function walkFound(root: string, options: WalkListingOptions): FoundListing {
  const scan = scanRoot(root, { maxFiles: options.maxFiles ?? EARLY_MAX_FILES })
  const listing: FoundListing['listing'] = []
  for (const file of scan.files) {
    if (file.skill === undefined) {
      listing.push({ path: file.path, file, resource: { uri: documentUri(options.scheme, file.path), name: file.path.replace(/\.md$/i, ''), mimeType: 'text/markdown' } })
    } else if (file.path === (file.skill === '' ? SKILL_FILE : `${file.skill}/${SKILL_FILE}`)) {
      const skillPath = skillPathOf(file.skill, scan.base)
      listing.push({ path: file.path, file, resource: { uri: skillUri(skillPath, SKILL_FILE), name: skillPath.slice(skillPath.lastIndexOf('/') + 1), mimeType: 'text/markdown', _meta: { 'promptfold/kind': 'skill' } } })
    }
  }
  return { base: scan.base, listing }
}

/** The early listing of a root and the files its resources are, from one walk (see {@link earlyWalk}). */
export interface EarlyWalk {
  /**
   * The early lister for `./handshake.ts`: pages of the walk's resources (walked once, at the
   * first request), each result marked `_meta["promptfold/loading"]: true`. A cursor it did not
   * give out, or a walk that fails, is left to the server.
   */
  lister: EarlyLister
  /**
   * The file a resource URI (a query or fragment after it is ignored) names in the walk, and the
   * root's real path to read it under (`readSource`); `undefined` when it names none, or the walk fails.
   */
  fileOf(uri: string): { file: FoundFile; base: string } | undefined
}

/** The early lister of `root` and the file of each listed resource, from one walk made at the first request. */
export function earlyWalk(root: string, options: WalkListingOptions & { pageSize?: number }): EarlyWalk {
  let found: FoundListing | undefined
  let byUri: Map<string, FoundFile> | undefined
  const walked = (): FoundListing | undefined => {
    try {
      found ??= walkFound(root, options)
    } catch {
      return undefined
    }
    return found
  }
  return {
    lister: (cursor) => {
      const after = cursor === undefined ? undefined : decodeListCursor(cursor)
      if (cursor !== undefined && after === undefined) return undefined
      const walk = walked()
      if (walk === undefined) return undefined
      const page = listPage(walk.listing, after, options.pageSize ?? DEFAULT_RESOURCES_PAGE_SIZE, (e) => e.resource)
      return { ...page, _meta: { 'promptfold/loading': true } }
    },
    fileOf: (uri) => {
      const walk = walked()
      if (walk === undefined) return undefined
      byUri ??= new Map(walk.listing.map((e) => [e.resource.uri, e.file]))
      const file = byUri.get(uri.replace(/[?#][\s\S]*$/, ''))
      return file === undefined ? undefined : { file, base: walk.base }
    },
  }
}
