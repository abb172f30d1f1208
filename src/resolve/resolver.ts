/**
 * Resolvers turn a reference URI into a document source.
 *
 * A resolver is any function `(uri, context) => source | { source, ... } | undefined`,
 * sync or async. `undefined` (or `null`) means "not found". Throwing means the
 * resolver failed; assembly turns that into a `missing` decision with the reason.
 *
 * @module
 */
import { normalizeUri } from '../parse/uri.js'
import { AccessDeniedError, PromptfoldError } from '../errors.js'
import type { Diagnostic, ReferenceKind } from '../types.js'

/** A document a resolver found. */
export interface ResolvedDocument {
  /** Markdown source of the document. */
  source: string
  /** Canonical URI of the document (default: the URI that was asked for). */
  uri?: string
  /** Path to show in diagnostics (e.g. a file path relative to a root). */
  path?: string
  /** Problems the resolver noticed (e.g. invalid UTF-8 that was replaced). */
  diagnostics?: Diagnostic[]
}

/** What a resolver is told about the request. */
export interface ResolveContext {
  /** URI of the document that holds the reference, when known. */
  from?: string | undefined
  /** Aborted when the assembly gives up on this request (timeout). */
  signal?: AbortSignal | undefined
  /**
   * The kind of the reference asked for, when known. For `link` and `path` (relative references,
   * Agent Skills) the URI is a file's path from the root, extension included
   * (`pdf/reference/forms.md`), not a `scheme://` URI.
   */
  kind?: ReferenceKind | undefined
}

/** What a resolver returns: a source string, a {@link ResolvedDocument}, or `undefined`/`null` for "not found". */
export type ResolveResult = string | ResolvedDocument | undefined | null

/** Turns a normalized reference URI into a document. Any (async) function of this shape can serve. */
export type Resolver = (uri: string, context: ResolveContext) => ResolveResult | Promise<ResolveResult>

/**
 * A resolver over an in-memory record of `{ [uri]: markdownSource }`.
 * Keys are normalized, so `@orchestr8://a/b` and `orchestr8://a/b.md` both match `orchestr8://a/b`.
 */
export function memoryResolver(record: Readonly<Record<string, string>>): Resolver {
  const map = new Map<string, string>()
  for (const [key, value] of Object.entries(record)) {
    if (typeof value !== 'string') throw new PromptfoldError('INVALID_OPTION', `memoryResolver: value for "${key}" must be a string`)
    map.set(normalizeUri(key), value)
  }
  return (uri) => {
    const source = map.get(normalizeUri(uri))
    return source === undefined ? undefined : { source, uri: normalizeUri(uri) }
  }
}

/**
 * Try several resolvers in order; the first that finds the URI wins.
 * An {@link AccessDeniedError} stops the search at once. Other failures are remembered:
 * if no resolver finds the URI, the first failure is thrown.
 */
export function composeResolvers(...resolvers: Resolver[]): Resolver {
  return async (uri, context) => {
    let firstError: unknown
    for (const resolve of resolvers) {
      try {
        const result = await resolve(uri, context)
        if (result !== undefined && result !== null) return result
      } catch (error) {
        if (error instanceof AccessDeniedError) throw error
        firstError ??= error
      }
    }
    if (firstError !== undefined) throw firstError
    return undefined
  }
}

/** Normalize a resolver's answer to a {@link ResolvedDocument} (or `undefined`). */
export function toResolved(result: ResolveResult, uri: string): ResolvedDocument | undefined {
  if (result === undefined || result === null) return undefined
  if (typeof result === 'string') return { source: result, uri }
  if (typeof result !== 'object' || typeof result.source !== 'string') {
    throw new PromptfoldError('RESOLVER_RESULT', `Resolver returned ${typeof result} for ${uri}; expected a string, { source } or undefined`)
  }
  return result
}
