/**
 * Relative references (Agent Skills): files a document points at by relative path.
 *
 * - A **link** is a markdown link (or link definition) whose destination is a relative path:
 *   `[guide](./reference/x.md)`, `[FORMS.md](FORMS.md)`, `[x]: docs/x.md`. URLs (`https:`,
 *   `mailto:`, any `scheme:`), `#anchors`, protocol-relative `//host` and absolute `/paths`
 *   are not references; a `#fragment` or `?query` after the path is dropped.
 * - A **path** is inline code that is one relative file path: `` `shared/model-migration.md` ``,
 *   `` `scripts/with_server.py` ``. It must have a folder or a file extension, and no white
 *   space, pattern or variable characters: `{lang}/README.md`, `*.md`, `$HOME/x`, `~/x.json`
 *   are illustrations, not references. Many such paths are illustrative, so a path counts only
 *   when the file exists (see `fileExists` in `parseDocument`); links count either way (a link
 *   to a file that is not there is broken).
 * - Images are not references; paths in fenced code blocks are not either.
 *
 * Targets are resolved against the document's folder, relative to the root the document's
 * `path` is relative to; a target that leads above that root is not a reference
 * (`LINK_OUTSIDE_ROOT`). The reference's `uri` is the target's path from the root
 * (`mcp-builder/reference/evaluation.md`), its `raw` the path as written.
 *
 * @module
 */
import type { Definition, InlineCode, Link, Nodes, Root } from 'mdast'
import type { Diagnostic, ReferenceKind } from '../types.js'
import { diagnostic } from './diagnostics.js'
import type { Reference } from './references.js'
import { type Locator, type Section, sectionAt } from './sections.js'
import { walkTree } from './walk.js'

/** A URL scheme (`https:`, `mailto:`, `file:`, `c:` is a drive and refused too). */
const SCHEME = /^[a-z][a-z0-9+.-]*:/i

/** Inline code that is one relative path: segments of file-name characters, a folder or an extension. */
const PATH_CODE = /^(?:\.{1,2}\/)*[\w+-][\w@+.-]*(?:\/[\w@+.-]+)*\/?$/

/** A file extension at the end of a path (`.md`, `.py`, `.json`), letters and digits, 1-10 long. */
const EXTENSION = /\.[A-Za-z0-9]{1,10}$/

/** Longest written path considered (longer inline code is prose or data, not a path). */
const MAX_PATH_CHARS = 1024

/**
 * The folder of a document path relative to its root, or `undefined` when the path is not a
 * plain relative path (absent, absolute, a drive, or leading above its root): relative
 * references cannot be followed from such a document.
 */
export function documentFolder(path: string | undefined): string | undefined {
  if (path === undefined) return undefined
  const p = path.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '')
  if (p === '' || p.startsWith('/') || /^[a-z]:/i.test(p) || p === '..' || p.startsWith('../')) return undefined
  const at = p.lastIndexOf('/')
  return at === -1 ? '' : p.slice(0, at)
}

/**
 * Resolve a written relative path against a folder (both relative to the same root).
 * Returns the normalized root-relative path, or `undefined` when it leads above the root or
 * names no file (empty, or only folders).
 *
 * @example
 * resolveRelative('skills/pdf', './reference/../forms.md') // 'skills/pdf/forms.md'
 */
export function resolveRelative(folder: string, written: string): string | undefined {
  const out = folder === '' ? [] : folder.split('/')
  for (const segment of written.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') {
      if (out.length === 0) return undefined
      out.pop()
    } else out.push(segment)
  }
  return out.length === 0 ? undefined : out.join('/')
}

/** The path part of a link destination: without `#fragment` or `?query`, percent-decoded once (undefined when not a relative path). */
export function linkPath(url: string): string | undefined {
  const trimmed = url.trim()
  if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('/') || trimmed.startsWith('\\') || SCHEME.test(trimmed)) return undefined
  const cut = trimmed.search(/[?#]/)
  const path = cut === -1 ? trimmed : trimmed.slice(0, cut)
  if (path === '' || path.endsWith('/')) return undefined
  try {
    const decoded = decodeURIComponent(path)
    return decoded.includes('\u0000') || decoded.includes('\\') ? undefined : decoded
  } catch {
    return undefined
  }
}

/** Whether inline code is written as one relative file path (not a pattern, URL or command). */
export function isPathCode(value: string): boolean {
  if (value.length > MAX_PATH_CHARS || !PATH_CODE.test(value) || value.endsWith('/')) return false
  const last = value.slice(value.lastIndexOf('/') + 1)
  // A folder or an extension; a bare word (`foo`) or a version (`1.2`) is not a file path.
  if (!value.includes('/') && !EXTENSION.test(last)) return false
  if (/^[\d.]+$/.test(last)) return false
  return last !== '.' && last !== '..'
}

/** Options of {@link extractRelativeReferences}. */
export interface RelativeOptions {
  /** The document's folder relative to its root (from {@link documentFolder}). */
  folder: string
  /** File to name in diagnostics. */
  file?: string | undefined
}

/**
 * Every link and path reference in a parsed body, in document order, with diagnostics for
 * targets that lead outside the root (also listed in `outside`). Positions are turned into file coordinates with `locate`.
 */
export function extractRelativeReferences(
  tree: Root,
  source: string,
  locate: Locator,
  sections: readonly Section[],
  options: RelativeOptions,
): { references: Reference[]; diagnostics: Diagnostic[]; outside: Array<Pick<Reference, 'kind' | 'raw' | 'position'>> } {
  const references: Reference[] = []
  const diagnostics: Diagnostic[] = []
  const outside: Array<Pick<Reference, 'kind' | 'raw' | 'position'>> = []
  const add = (kind: ReferenceKind, written: string, raw: string, fileOffset: number): void => {
    const position = locate.point(fileOffset - locate.offset(0))
    const target = resolveRelative(options.folder, written)
    if (target === undefined) {
      outside.push({ kind, raw, position })
      diagnostics.push(
        diagnostic('LINK_OUTSIDE_ROOT', 'warning', `${kind === 'link' ? 'Link' : 'Path'} ${truncate(raw)} leads outside the library root; not followed`, {
          file: options.file,
          line: position.line,
          column: position.column,
        }),
      )
      return
    }
    const section = sectionAt(sections, fileOffset)
    references.push({
      uri: target,
      raw,
      kind,
      position,
      sectionPath: section ? [...section.path] : [],
      parsed: { uri: target, scheme: '', path: target, legacy: false },
    })
  }
  walkTree(tree, (node: Nodes, ancestors: readonly Nodes[]) => {
    if (node.type === 'code' || node.type === 'image' || node.type === 'imageReference' || node.type === 'html') return 'skip'
    const pos = node.position
    if (!pos || pos.start.offset === undefined || pos.end.offset === undefined) return undefined
    const start = locate.offset(pos.start.offset)
    const end = locate.offset(pos.end.offset)
    if (node.type === 'link' || node.type === 'definition') {
      const written = linkPath((node as Link | Definition).url)
      const at = written === undefined ? undefined : destination(source, start, end, node as Link | Definition)
      if (written !== undefined && at !== undefined) add('link', written, source.slice(at.start, at.end), at.start)
      return node.type === 'link' ? 'skip' : undefined
    }
    if (node.type === 'inlineCode') {
      const value = (node as InlineCode).value
      if (ancestors.some((a) => a.type === 'link' || a.type === 'linkReference')) return undefined
      if (isPathCode(value)) {
        const at = source.indexOf(value, start)
        if (at !== -1 && at < end) add('path', value, value, at)
      }
    }
    return undefined
  })
  return { references, diagnostics, outside }
}

/**
 * Where a link's destination is written in the source: after the link text's `](` (inline
 * links) or after the label's `]:` (definitions), without `<>`. Undefined for reference-style
 * links (their destination is the definition's).
 */
function destination(source: string, start: number, end: number, node: Link | Definition): { start: number; end: number } | undefined {
  let from: number
  if (node.type === 'link') {
    const last = node.children[node.children.length - 1]
    const textEnd = last?.position?.end.offset
    // The text's end is a body offset; the node's start is a file offset: shift by the difference.
    const shift = start - (node.position?.start.offset ?? 0)
    from = textEnd !== undefined ? textEnd + shift : start + 1
    const open = source.indexOf('](', from)
    if (open === -1 || open >= end) return undefined
    from = open + 2
  } else {
    const colon = source.indexOf(']:', start)
    if (colon === -1 || colon >= end) return undefined
    from = colon + 2
  }
  while (from < end && /\s/.test(source[from] as string)) from++
  if (source[from] === '<') {
    const close = source.indexOf('>', from + 1)
    return close === -1 || close > end ? undefined : { start: from + 1, end: close }
  }
  let to = from
  let depth = 0
  while (to < end) {
    const c = source[to] as string
    if (/\s/.test(c)) break
    if (c === '\\') {
      to += 2
      continue
    }
    if (c === '(') depth++
    else if (c === ')') {
      if (depth === 0) break
      depth--
    }
    to++
  }
  return to > from ? { start: from, end: Math.min(to, end) } : undefined
}

function truncate(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}…` : s
}
