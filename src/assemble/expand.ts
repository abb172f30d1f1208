/**
 * Phase 3 of `assemble`: expanding. Walks the root document's references, fetches their
 * targets, and builds the {@link AssemblyTree}: a report row for every reference, a
 * candidate for every slot that could be inlined (followed into the target's own slots
 * up to `maxDepth`), and a fixed outcome, with its cause, for every other.
 *
 * @module
 */
import { diagnostic } from '../parse/diagnostics.js'
import type { PromptDocument } from '../parse/document.js'
import type { Reference } from '../parse/references.js'
import type { MatchQuery } from '../parse/uri.js'
import { describeOpenEnd } from '../render/close.js'
import { minDepth } from '../render/headings.js'
import { APPENDIX_DEPTH, type DocNode, type SlotEntry } from '../render/render.js'
import { documentFolder } from '../parse/paths.js'
import { CAUSE_DECISION, type CauseDetail, describeTarget, type ReferenceCause } from '../report/causes.js'
import { formatNumber } from '../report/number.js'
import type { Fetcher, Resolution } from './fetch.js'
import { levelDocument, outlineOf, type PartialLevel, summaryOf } from './levels.js'
import type { Settings } from './settings.js'
import type { AssemblyTree, Row } from './tree.js'

/** State of one expansion: the settings, the fetcher, the tree being built, what was reported once. */
interface ExpandContext {
  readonly settings: Settings
  readonly fetcher: Fetcher
  readonly tree: AssemblyTree
  /** URIs whose document diagnostics are already reported. */
  readonly diagnosed: Set<string>
  /** One-time diagnostics already given. */
  readonly once: Set<'LIMIT_MAX_DOCUMENTS' | 'LIMIT_MAX_DEPTH' | 'LIMIT_MAX_MATCHES'>
}

/** Where in the tree a reference sits. */
interface Place {
  node: DocNode
  /** Depth of the references of `node` (1 for the root's). */
  depth: number
  /** URIs of the documents being assembled above (cycles are never followed). */
  ancestors: ReadonlySet<string>
  /** Candidate index of `node`, or -1 for the root. */
  parent: number
  /** Heading depth an inlined document starts below when its slot is before any heading. */
  floorDepth: number
}

/**
 * Build the assembly tree of `root`.
 *
 * @param root The document being assembled.
 * @param settings The assembly's settings.
 * @param fetcher Fetches targets (one per assembly).
 */
export async function expandTree(root: PromptDocument<unknown>, settings: Settings, fetcher: Fetcher): Promise<AssemblyTree> {
  const node: DocNode = { doc: root, shift: 0, slots: new Map() }
  const tree: AssemblyTree = { root: node, rows: [], candidates: [], firstByUri: new Map(), excluded: [], others: [], diagnostics: [...root.diagnostics] }
  const ctx: ExpandContext = { settings, fetcher, tree, diagnosed: new Set(), once: new Set() }
  await expandNode(ctx, { node, depth: 1, ancestors: new Set(root.uri ? [root.uri] : []), parent: -1, floorDepth: 0 })
  return tree
}

/** Expand the references of one document: slots in order (targets fetched concurrently), then, at the top, mentions and related entries. */
async function expandNode(ctx: ExpandContext, at: Place): Promise<void> {
  const refs = at.node.doc.references
  for (const r of refs) {
    if (r.kind === 'slot' && !r.parsed.invalid && r.parsed.search === undefined && !at.ancestors.has(r.uri) && at.depth <= ctx.settings.maxDepth) {
      void ctx.fetcher.fetch(r.uri, at.node.doc.uri)
    }
  }
  const otherRows: Row[] = []
  const linked: Array<[number, Reference]> = []
  for (const [i, r] of refs.entries()) {
    if (r.kind === 'link' || r.kind === 'path') {
      if (at.depth === 1) linked.push([i, r])
      continue
    }
    if (r.kind !== 'slot') {
      if (at.depth === 1) otherRows.push(await otherRow(ctx, r, at))
      continue
    }
    const entry: SlotEntry = { uri: r.uri, raw: r.raw }
    at.node.slots.set(i, entry)
    if (r.parsed.match && !r.parsed.invalid && ctx.settings.match) await expandMatch(ctx, r, entry, at)
    else await slotRow(ctx, r, entry, at)
  }
  await expandLinked(ctx, linked, at)
  ctx.tree.rows.push(...otherRows)
}

/**
 * Files the root document links by relative path (`link`, `path`): each distinct file is a
 * candidate appended after the body under `## <path>` (in order of first mention; later
 * mentions are duplicates). A `path` (inline code) whose file is not found is no reference
 * at all: many such paths are illustrations.
 */
async function expandLinked(ctx: ExpandContext, linked: ReadonlyArray<[number, Reference]>, at: Place): Promise<void> {
  const from = at.node.doc.uri
  for (const [, r] of linked) void ctx.fetcher.fetch(r.uri, from, r.kind)
  const folder = documentFolder(at.node.doc.path) ?? ''
  at.node.appendix = []
  for (const [i, r] of linked) {
    if (r.kind === 'path') {
      const res = await ctx.fetcher.fetch(r.uri, from, r.kind)
      if (!res.ok && res.cause === 'NOT_FOUND') continue
    }
    const row = newRow(r, at)
    ctx.tree.rows.push(row)
    const first = ctx.tree.firstByUri.get(r.uri)
    if (first !== undefined || at.node.appendix.some((j) => at.node.doc.references[j]?.uri === r.uri)) {
      fix(row, 'DUPLICATE', { linked: true })
      continue
    }
    const entry: SlotEntry = { uri: r.uri, raw: r.raw, appendix: folder !== '' && r.uri.startsWith(`${folder}/`) ? r.uri.slice(folder.length + 1) : r.uri }
    row.entry = entry
    at.node.slots.set(i, entry)
    at.node.appendix.push(i)
    await decideTarget(ctx, r, r.uri, row, at)
  }
}

/** A new row for a reference, deferred until decided. */
function newRow(r: Reference, at: Place, entry?: SlotEntry, uri?: string): Row {
  const row: Row = { ref: r, owner: at.node, depth: at.depth, decision: 'deferred', cause: 'NOT_SELECTED', detail: {}, tokens: null, declaredTokens: null }
  if (entry) row.entry = entry
  if (uri !== undefined) row.uri = uri
  return row
}

/** Fix a row's outcome (and its slot entry's, which rendering reads). */
export function fix(row: Row, cause: ReferenceCause, detail: CauseDetail = {}): void {
  const decision = CAUSE_DECISION[cause]
  row.decision = decision
  row.cause = cause
  row.detail = detail
  if (row.entry && decision !== 'inlined') row.entry.fixed = decision
}

/** Decide a plain slot: invalid, a query URI, or a target to follow. */
async function slotRow(ctx: ExpandContext, r: Reference, entry: SlotEntry, at: Place): Promise<void> {
  const row = newRow(r, at, entry)
  ctx.tree.rows.push(row)
  if (r.parsed.invalid) return fix(row, 'INVALID_URI', { message: r.parsed.invalid })
  if (r.parsed.search !== undefined) return fix(row, r.parsed.match ? 'DYNAMIC' : 'QUERY_STRING')
  await decideTarget(ctx, r, r.uri, row, at)
}

/** Expand a dynamic `match` slot into one slot entry (and row) per matched URI. */
async function expandMatch(ctx: ExpandContext, r: Reference, entry: SlotEntry, at: Place): Promise<void> {
  const filled = fillPlaceholders(r.parsed.match as MatchQuery, ctx.settings.vars)
  entry.expansion = []
  const lone = newRow(r, at, entry)
  if (filled.unfilled.length > 0) {
    ctx.tree.rows.push(lone)
    ctx.tree.diagnostics.push(diagnostic('MATCH_PLACEHOLDER', 'warning', `Unfilled placeholders in ${r.raw.slice(0, 200)}: ${filled.unfilled.join(', ')}`, { file: at.node.doc.path, line: r.position.line }))
    return fix(lone, 'PLACEHOLDER', { placeholders: filled.unfilled })
  }
  const answer = await ctx.fetcher.match(filled.query, at.node.doc.uri)
  if (!answer.ok) {
    ctx.tree.rows.push(lone)
    if (answer.cause === 'MATCH_FAILED') return fix(lone, 'MATCH_FAILED', { message: answer.message ?? '' })
    once(ctx, 'LIMIT_MAX_MATCHES', `Stopped expanding dynamic slots after ${formatNumber(ctx.settings.maxMatches)} match searches (maxMatches), first left out: ${r.raw.slice(0, 200)}`, where(at, r))
    return fix(lone, 'MAX_MATCHES', { limit: ctx.settings.maxMatches })
  }
  if (answer.clipped !== undefined) {
    ctx.tree.diagnostics.push(diagnostic('LIMIT_MAX_MATCH_RESULTS', 'warning', `${r.raw.slice(0, 200)}: ${answer.clipped}`, where(at, r)))
  }
  const uris = answer.uris
  if (uris.length === 0) {
    ctx.tree.rows.push(lone)
    return fix(lone, 'NO_MATCH', { query: filled.query.query })
  }
  for (const uri of uris) {
    const sub: SlotEntry = { uri, raw: r.raw }
    entry.expansion.push(sub)
    const row = newRow(r, at, sub, uri)
    ctx.tree.rows.push(row)
    await decideTarget(ctx, r, uri, row, at)
  }
}

/** Decide one slot target: cycle, duplicate, depth, resolution, exclusion, or a new candidate (then expand it). */
async function decideTarget(ctx: ExpandContext, r: Reference, uri: string, row: Row, at: Place): Promise<void> {
  const { settings, tree } = ctx
  const entry = row.entry as SlotEntry
  if (at.ancestors.has(uri)) {
    tree.diagnostics.push(diagnostic('REFERENCE_CYCLE', 'warning', `Cycle: ${uri} refers back to a document being assembled; not followed`, where(at, r)))
    return fix(row, 'CYCLE', { uri })
  }
  const first = tree.firstByUri.get(uri)
  if (first !== undefined) {
    entry.firstOccurrence = first
    return fix(row, 'DUPLICATE')
  }
  if (at.depth > settings.maxDepth) {
    if (!ctx.once.has('LIMIT_MAX_DEPTH')) {
      ctx.once.add('LIMIT_MAX_DEPTH')
      tree.diagnostics.push(diagnostic('LIMIT_MAX_DEPTH', 'info', `Slots deeper than maxDepth ${settings.maxDepth} are deferred, not followed (first: ${uri})`, where(at, r)))
    }
    return fix(row, 'DEPTH', { limit: settings.maxDepth })
  }
  const res = await ctx.fetcher.fetch(uri, at.node.doc.uri, r.kind)
  useResolution(ctx, uri, res, at, r)
  if (!res.ok) return unresolved(ctx, row, res, uri, at)
  const canonical = res.doc.uri
  // The resolver may name the document differently (a flat path, an alias): dedupe and
  // detect cycles on its canonical URI too.
  if (canonical !== undefined && canonical !== uri) {
    if (at.ancestors.has(canonical)) {
      tree.diagnostics.push(diagnostic('REFERENCE_CYCLE', 'warning', `Cycle: ${uri} (${canonical}) refers back to a document being assembled; not followed`, where(at, r)))
      return fix(row, 'CYCLE', { uri, canonical })
    }
    const firstCanonical = tree.firstByUri.get(canonical)
    if (firstCanonical !== undefined) {
      entry.firstOccurrence = firstCanonical
      return fix(row, 'DUPLICATE', { uri, canonical })
    }
  }
  await addCandidate(ctx, r, uri, row, at, res.doc)
}

/** A slot whose target was found: excluded, or a new candidate whose own slots are expanded next. */
async function addCandidate(ctx: ExpandContext, r: Reference, uri: string, row: Row, at: Place, target: PromptDocument): Promise<void> {
  const { tree } = ctx
  const entry = row.entry as SlotEntry
  row.declaredTokens = declaredTokens(target)
  const block = r.block !== undefined ? at.node.doc.blocks[r.block] : undefined
  const sectionDepth = entry.appendix !== undefined ? APPENDIX_DEPTH : block && block.sectionDepth > 0 ? Math.min(6, block.sectionDepth + at.node.shift) : at.floorDepth
  const child: DocNode = { doc: target, shift: sectionDepth + 1 - minDepth(target.sections), slots: new Map() }
  entry.child = child
  if (ctx.settings.exclude.has(uri)) {
    // Known and measured, but never inlined.
    fix(row, 'EXCLUDED')
    tree.excluded.push({ row, child })
    return
  }
  if (target.openEnd) {
    const message = `${uri} ends inside ${describeOpenEnd(target.openEnd)}; closed with ${target.openEnd.close} where it is inlined, so the text after the slot keeps its structure`
    tree.diagnostics.push(diagnostic('INLINED_UNCLOSED', 'warning', message, { file: target.path ?? target.uri ?? uri, line: target.openEnd.line }))
  }
  // With levels of detail, the partial levels come first, chained: each must be chosen for the next.
  const parent = addLevels(ctx, r, uri, row, at, target, child.shift)
  const index = tree.candidates.length
  const canonical = target.uri
  entry.candidate = index
  row.candidate = index
  tree.firstByUri.set(uri, index)
  if (canonical !== undefined) tree.firstByUri.set(canonical, index)
  tree.candidates.push({ index, parent, slotParent: at.parent, child, ref: r, uri, row })
  const ancestors = new Set([...at.ancestors, uri, ...(canonical !== undefined ? [canonical] : [])])
  await expandNode(ctx, { node: child, depth: at.depth + 1, ancestors, parent: index, floorDepth: sectionDepth + 1 })
}

/**
 * The partial levels of a reference as candidates (with `levels`): its outline, then its
 * summary, each the parent of the next, when the document has one and it is shorter than
 * what comes after it. Returns the parent of the `full` candidate.
 */
function addLevels(ctx: ExpandContext, r: Reference, uri: string, row: Row, at: Place, target: PromptDocument, shift: number): number {
  const allowed = ctx.settings.levels
  let parent = at.parent
  if (!allowed) return parent
  const entry = row.entry as SlotEntry
  const full = target.source.length - target.bodyOffset
  const summary = allowed.has('summary') ? summaryOf(target)?.text : undefined
  const outline = allowed.has('outline') ? outlineOf(target) : undefined
  const texts: Array<[PartialLevel, string | undefined, number]> = [
    ['outline', outline, summary?.length ?? full],
    ['summary', summary, full],
  ]
  entry.levels = []
  for (const [level, text, above] of texts) {
    if (text === undefined || text.length >= above) continue
    const index = ctx.tree.candidates.length
    const child: DocNode = { doc: levelDocument(level, uri, text), shift, slots: new Map() }
    ctx.tree.candidates.push({ index, parent, slotParent: at.parent, child, ref: r, uri, row, level })
    entry.levels.push({ level, candidate: index, child })
    parent = index
  }
  return parent
}

/** A target that could not be had: deferred at the document limit, else missing or refused with a diagnostic. */
function unresolved(ctx: ExpandContext, row: Row, res: Extract<Resolution, { ok: false }>, uri: string, at: Place): void {
  const detail: CauseDetail = res.message !== undefined ? { message: res.message } : {}
  if (res.cause === 'DYNAMIC') return fix(row, 'DYNAMIC')
  // A binary file (an image, a PDF) is a fine thing to link; it is just never inlined.
  if (res.cause !== 'MAX_DOCUMENTS' && res.cause !== 'BINARY') {
    const code = res.cause === 'ACCESS_DENIED' ? 'REFERENCE_REFUSED' : 'REFERENCE_MISSING'
    ctx.tree.diagnostics.push(diagnostic(code, 'warning', `${uri}: ${describeTarget(res.cause, detail)}`, where(at, row.ref)))
  }
  fix(row, res.cause, res.cause === 'MAX_DOCUMENTS' ? { limit: ctx.settings.maxDocuments } : detail)
}

/** The row of a mention or related entry: resolved (to check it and measure it), never inlined. */
async function otherRow(ctx: ExpandContext, r: Reference, at: Place): Promise<Row> {
  const row = newRow(r, at)
  const listed: ReferenceCause = r.kind === 'mention' ? 'MENTION' : 'RELATED'
  if (r.parsed.invalid) {
    fix(row, 'INVALID_URI', { message: r.parsed.invalid })
  } else if (r.parsed.search !== undefined) {
    fix(row, listed)
  } else if (at.ancestors.has(r.uri)) {
    fix(row, 'CYCLE', { uri: r.uri, self: true })
  } else {
    const res = await ctx.fetcher.fetch(r.uri, at.node.doc.uri)
    useResolution(ctx, r.uri, res, at, r)
    if (res.ok) {
      fix(row, listed)
      row.declaredTokens = declaredTokens(res.doc)
      ctx.tree.others.push({ row, doc: res.doc })
    } else if (res.cause === 'MAX_DOCUMENTS') {
      fix(row, 'MAX_DOCUMENTS', { limit: ctx.settings.maxDocuments })
    } else if (res.cause === 'DYNAMIC') {
      fix(row, listed)
    } else {
      fix(row, res.cause, res.message !== undefined ? { message: res.message } : {})
    }
  }
  return row
}

/** Report a resolved document's own diagnostics once, when the assembly first uses it (deterministic order). */
function useResolution(ctx: ExpandContext, uri: string, res: Resolution, at: Place, r: Reference): void {
  if (!res.ok && res.cause === 'MAX_DOCUMENTS' && !ctx.once.has('LIMIT_MAX_DOCUMENTS')) {
    ctx.once.add('LIMIT_MAX_DOCUMENTS')
    ctx.tree.diagnostics.push(diagnostic('LIMIT_MAX_DOCUMENTS', 'warning', `Stopped resolving after ${ctx.settings.maxDocuments} documents (maxDocuments), first left out: ${uri}`, where(at, r)))
  }
  if (ctx.diagnosed.has(uri)) return
  ctx.diagnosed.add(uri)
  ctx.tree.diagnostics.push(...res.diagnostics)
}

/** Give a one-time warning (the first time its limit is hit in the assembly). */
function once(ctx: ExpandContext, code: 'LIMIT_MAX_MATCHES', message: string, at: ReturnType<typeof where>): void {
  if (ctx.once.has(code)) return
  ctx.once.add(code)
  ctx.tree.diagnostics.push(diagnostic(code, 'warning', message, at))
}

function where(at: Place, r: Reference): { file: string | undefined; line: number; column: number } {
  return { file: at.node.doc.path ?? at.node.doc.uri, line: r.position.line, column: r.position.column }
}

function declaredTokens(doc: PromptDocument<unknown>): number | null {
  const v = (doc.meta as { estimatedTokens?: unknown } | undefined)?.estimatedTokens
  return typeof v === 'number' ? v : null
}

/**
 * Replace `${name}` placeholders in a match query from `vars`; report the names left unfilled.
 *
 * @param query A parsed `match?query=...` reference.
 * @param vars Values by placeholder name.
 */
export function fillPlaceholders(query: MatchQuery, vars: Readonly<Record<string, string>>): { query: MatchQuery; unfilled: string[] } {
  const unfilled = new Set<string>()
  const fill = (s: string) =>
    s.replace(/\$\{([^}]*)\}/g, (m, name: string) => {
      const v = Object.hasOwn(vars, name) ? vars[name] : undefined
      if (v === undefined) {
        unfilled.add(name)
        return m
      }
      return v
    })
  const params: Record<string, string> = {}
  for (const [k, v] of Object.entries(query.params)) params[k] = fill(v)
  const filled: MatchQuery = { ...query, query: fill(query.query), categories: query.categories.map(fill), tags: query.tags.map(fill), params }
  return { query: filled, unfilled: [...unfilled].sort() }
}
