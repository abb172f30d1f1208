/**
 * Pages of `resources/list`, shared by the server and the early listing of `promptfold serve`
 * (no MCP SDK here): the resources of entries sorted by path, at most a page size of them and
 * about {@link MAX_RESOURCES_PAGE_CHARS} characters, and an opaque cursor holding the path of
 * the last one listed (keyset pagination: a page boundary survives a refresh, and a cursor of
 * the early listing is good for the loaded library).
 *
 * @module
 */

/** Default page size of `resources/list`: 1000 resources. */
export const DEFAULT_RESOURCES_PAGE_SIZE = 1000

/** A `resources/list` page ends before its resources' text passes about this many characters (4 Mi). */
export const MAX_RESOURCES_PAGE_CHARS = 4 * 1024 * 1024

/** The fields of a listed resource that its size is estimated from. */
interface Sized {
  uri: string
  name: string
  title?: string
  description?: string
}

/** A page: the resources, and the cursor of the next page when there is one. */
export type ListPage<R> = { resources: R[]; nextCursor?: string }

/** The cursor of the page after the entry at `path`. */
function encodeCursor(path: string): string {
  return Buffer.from(JSON.stringify(['resources', path]), 'utf8').toString('base64url')
}

/** The path a cursor of {@link encodeCursor} holds, or `undefined` for a cursor this server did not give out. */
export function decodeListCursor(cursor: string): string | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2 && value[0] === 'resources' && typeof value[1] === 'string') return value[1]
  } catch {
    // not one of ours
  }
  return undefined
}

/**
 * The page of `entries` (sorted by `path`) after the entry at `after` (all from the first when
 * `undefined`): `resourceOf` is called for each entry listed only.
 */
export function listPage<E extends { path: string }, R extends Sized>(entries: readonly E[], after: string | undefined, pageSize: number, resourceOf: (entry: E) => R): ListPage<R> {
  // The first entry whose path sorts after the cursor's (binary search).
  let lo = 0
  if (after !== undefined) {
    let hi = entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((entries[mid] as E).path <= after) lo = mid + 1
      else hi = mid
    }
  }
  const resources: R[] = []
  let chars = 0
  let next = lo
  for (; next < entries.length && resources.length < pageSize && (resources.length === 0 || chars < MAX_RESOURCES_PAGE_CHARS); next++) {
    const r = resourceOf(entries[next] as E)
    chars += r.uri.length + r.name.length + (r.title?.length ?? 0) + (r.description?.length ?? 0) + 200
    resources.push(r)
  }
  const last = entries[next - 1]
  return next < entries.length && last !== undefined ? { resources, nextCursor: encodeCursor(last.path) } : { resources }
}
