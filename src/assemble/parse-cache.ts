/**
 * Parsed documents shared across assemblies in one process, bounded by entries and by
 * the bytes of source they hold. Documents are plain data and never mutated, so one
 * parse can serve every assembly that resolves the same content under the same URI.
 *
 * @module
 */
import type { ParseStore } from '../cache/types.js'
import { digestOf, type PromptDocument, parseDocument } from '../parse/document.js'
import type { Frontmatter } from '../parse/frontmatter.js'

/** Most parsed documents kept. */
export const PARSE_CACHE_MAX_ENTRIES = 2000

/**
 * Most source text kept, in UTF-16 code units (about twice as many bytes in memory, plus
 * the parse). A document larger than a quarter of this is parsed but never kept.
 */
export const PARSE_CACHE_MAX_CHARS = 32 * 1024 * 1024

/** What {@link parseCached} is asked to parse, and everything that changes the result. */
export interface ParseRequest {
  source: string
  uri: string
  path: string | undefined
  schemes: readonly string[]
  maxDocumentBytes: number
  parseStore: ParseStore | undefined
}

/** Bounds of a {@link ParseCache}. */
export interface ParseCacheLimits {
  /** Most documents kept. Default {@link PARSE_CACHE_MAX_ENTRIES}. */
  maxEntries?: number
  /** Most source text kept, in UTF-16 code units. Default {@link PARSE_CACHE_MAX_CHARS}. */
  maxChars?: number
}

/** How much a parse cache holds. */
export interface ParseCacheStats {
  /** Parsed documents kept. */
  entries: number
  /** UTF-16 code units of source text kept. */
  chars: number
}

/** Parsed documents in least-recently-used order, bounded by entries and by source size. */
export class ParseCache {
  readonly #entries = new Map<string, PromptDocument<Frontmatter>>()
  readonly #maxEntries: number
  readonly #maxChars: number
  #chars = 0

  constructor(limits: ParseCacheLimits = {}) {
    this.#maxEntries = limits.maxEntries ?? PARSE_CACHE_MAX_ENTRIES
    this.#maxChars = limits.maxChars ?? PARSE_CACHE_MAX_CHARS
  }

  /**
   * Parse a resolved document, reusing an earlier parse of the same content, URI, path,
   * schemes and size limit. A document larger than a quarter of the size bound is parsed
   * but not kept.
   *
   * @param request The source and the options of the parse.
   * @returns The parsed document (shared: do not mutate it).
   */
  parse(request: ParseRequest): PromptDocument<Frontmatter> {
    const { source, uri, path, schemes, maxDocumentBytes, parseStore } = request
    // Keys hold digests, never the text: V8 hashes long strings by length only.
    const key = `${digestOf(source)}\u0000${uri}\u0000${path ?? ''}\u0000${schemes.join(',')}\u0000${maxDocumentBytes}`
    const hit = this.#entries.get(key)
    if (hit) {
      // A Map keeps insertion order: moving a hit to the end keeps the least recently used first.
      this.#entries.delete(key)
      this.#entries.set(key, hit)
      return hit
    }
    const doc = parseDocument(source, { uri, schemes, maxDocumentBytes, ...(path !== undefined ? { path } : {}), ...(parseStore ? { parseStore } : {}) })
    if (source.length <= this.#maxChars / 4) {
      this.#entries.set(key, doc)
      this.#chars += source.length
      this.#evict()
    }
    return doc
  }

  /** What the cache holds now. */
  stats(): ParseCacheStats {
    return { entries: this.#entries.size, chars: this.#chars }
  }

  /** Empty the cache; returns what it held. */
  clear(): ParseCacheStats {
    const stats = this.stats()
    this.#entries.clear()
    this.#chars = 0
    return stats
  }

  /** Drop the least recently used entries until both bounds hold. */
  #evict(): void {
    for (const [key, doc] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#chars <= this.#maxChars) return
      this.#entries.delete(key)
      this.#chars -= doc.source.length
    }
  }
}

/** The cache every assembly in this process shares. */
const shared = new ParseCache()

/** Parse through the shared cache (see {@link ParseCache.parse}). */
export function parseCached(request: ParseRequest): PromptDocument<Frontmatter> {
  return shared.parse(request)
}

/**
 * Empty the process-wide cache of documents parsed by `assemble` (for long-running
 * servers that want memory back, and for tests). Returns what it held.
 *
 * @example
 * clearParseCache() // { entries: 12, chars: 48210 }
 */
export function clearParseCache(): ParseCacheStats {
  return shared.clear()
}

/** What the process-wide parse cache of `assemble` holds now. */
export function parseCacheStats(): ParseCacheStats {
  return shared.stats()
}
