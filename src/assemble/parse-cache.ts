/**
 * Parsed documents shared across assemblies in one process, bounded by entries and by
 * the bytes of source they hold. Documents are plain data and never mutated, so one
 * parse can serve every assembly that resolves the same content under the same URI.
 *
 * @module
 */
import type { ParseStore } from '../cache/store.js'
import { digestOf, type PromptDocument, parseDocument } from '../parse/document.js'
import type { Frontmatter } from '../parse/frontmatter.js'

/** Most parsed documents kept. */
export const PARSE_CACHE_MAX_ENTRIES = 2000

/**
 * Most source text kept, in UTF-16 code units (about twice as many bytes in memory, plus
 * the parse). A document larger than a quarter of this is parsed but never kept.
 */
export const PARSE_CACHE_MAX_CHARS = 32 * 1024 * 1024

/** Entries in least-recently-used order (a Map keeps insertion order; a hit moves to the end). */
const cache = new Map<string, PromptDocument<Frontmatter>>()
let chars = 0

/** What {@link parseCached} is asked to parse, and everything that changes the result. */
export interface ParseRequest {
  source: string
  uri: string
  path: string | undefined
  schemes: readonly string[]
  maxDocumentBytes: number
  parseStore: ParseStore | undefined
}

/**
 * Parse a resolved document, reusing an earlier parse of the same content, URI, path,
 * schemes and size limit.
 *
 * @param request The source and the options of the parse.
 * @returns The parsed document (shared: do not mutate it).
 */
export function parseCached(request: ParseRequest): PromptDocument<Frontmatter> {
  const { source, uri, path, schemes, maxDocumentBytes, parseStore } = request
  // Keys hold digests, never the text: V8 hashes long strings by length only.
  const key = `${digestOf(source)}\u0000${uri}\u0000${path ?? ''}\u0000${schemes.join(',')}\u0000${maxDocumentBytes}`
  const hit = cache.get(key)
  if (hit) {
    cache.delete(key)
    cache.set(key, hit)
    return hit
  }
  const doc = parseDocument(source, { uri, schemes, maxDocumentBytes, ...(path !== undefined ? { path } : {}), ...(parseStore ? { parseStore } : {}) })
  if (source.length <= PARSE_CACHE_MAX_CHARS / 4) {
    cache.set(key, doc)
    chars += source.length
    evict()
  }
  return doc
}

/** Drop the least recently used entries until both bounds hold. */
function evict(): void {
  for (const [key, doc] of cache) {
    if (cache.size <= PARSE_CACHE_MAX_ENTRIES && chars <= PARSE_CACHE_MAX_CHARS) return
    cache.delete(key)
    chars -= doc.source.length
  }
}

/** How much the shared parse cache holds. */
export interface ParseCacheStats {
  /** Parsed documents kept. */
  entries: number
  /** UTF-16 code units of source text kept. */
  chars: number
}

/**
 * Empty the process-wide cache of documents parsed by `assemble` (for long-running
 * servers that want memory back, and for tests). Returns what it held.
 *
 * @example
 * clearParseCache() // { entries: 12, chars: 48210 }
 */
export function clearParseCache(): ParseCacheStats {
  const stats = parseCacheStats()
  cache.clear()
  chars = 0
  return stats
}

/** What the process-wide parse cache of `assemble` holds now. */
export function parseCacheStats(): ParseCacheStats {
  return { entries: cache.size, chars }
}
