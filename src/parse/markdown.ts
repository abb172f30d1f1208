/**
 * The markdown parser: one unified processor with remark-parse, built once, run with a
 * limit of CPU time.
 *
 * micromark (under remark-parse) copies its whole event list each time a container (list,
 * block quote) closes, so a long document made of many short lists or quotes takes time
 * quadratic in its length: 10,000 list items between paragraphs took minutes. A long body is
 * therefore parsed in segments cut only where nothing can carry over from one segment to the
 * next (see {@link segmentCuts}), and the trees are joined with positions shifted back; the
 * result is the tree a single parse gives. Link reference definitions are the one thing that
 * reaches across segments (a `[label]` anywhere is a link when a definition of `label` exists
 * anywhere): a body with definitions is parsed in segments, and the segments that could use a
 * label are parsed again behind a line `[label]: x` per label defined in the body, whose nodes
 * are then dropped (see {@link parseMarkdownBounded}).
 *
 * Some inputs are superlinear inside one paragraph or one list (nested emphasis, runs of
 * backticks, a list of 300,000 items), and no cut helps there: the parse runs with a limit of
 * CPU time ({@link PARSE_TIME_LIMIT_MS}, see `bounded.ts`), and a body it cannot finish within
 * it is refused, the refusal remembered by the body's digest.
 *
 * @module
 */
import type { Root, RootContent } from 'mdast'
import type { Node } from 'unist'
import { InvalidOptionError } from '../errors.js'
import { driveOffThread, loadMarkdownEngine as engine } from '../platform/index.js'
import { type Refusal, RefusalMemo, runWithin } from './bounded.js'
import { walkTree } from './walk.js'

let processor: ReturnType<typeof create> | undefined

function create() {
  const { unified, remarkParse } = engine()
  return unified().use(remarkParse).freeze()
}

/**
 * Bodies longer than this many characters are parsed in segments of about this size. Smaller
 * segments parse list-heavy bodies faster (a container's close costs in proportion to its
 * segment so far: 10,000 headings over one-item lists, 350 KB, took 2.2 s of CPU time in 16 KB
 * segments and 1.2 s in 2 KB ones) and cost nothing measurable on other bodies.
 */
export const SEGMENT_CHARS = 2 * 1024

/** A line that opens an HTML block which, unlike other blocks, can run across blank lines (CommonMark kinds 1-5). */
const HTML_OPEN = /^ {0,3}(?:<(script|pre|style|textarea)(?=[\s>]|$)|(<!--)|(<\?)|(<!\[CDATA\[)|(<![A-Za-z]))/i
/** A fence line: up to three spaces, then three or more backticks or tildes. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/
/** A list item marker at the start of a line (a cut there would split one list in two). */
const LIST_MARKER = /^(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/
/** A link reference definition: it may be used anywhere in the document, so such bodies are never cut. */
const DEFINITION = /^ {0,3}\[[^\]\n]+\]:/m

function htmlCloser(m: RegExpExecArray): RegExp {
  if (m[1]) return new RegExp(`</${m[1]}>`, 'i')
  if (m[2]) return /-->/
  if (m[3]) return /\?>/
  if (m[4]) return /\]\]>/
  return />/
}

/**
 * Offsets (line starts) where `text` can be cut into independently parsed segments of about
 * `size` characters. A cut is made only before a line that starts at column 1 with a
 * character other than a list marker, right after a blank line, outside any fence or
 * multi-line HTML block: there every container and leaf block has ended, and the new line
 * cannot continue anything but a label defined elsewhere. Bodies with link reference
 * definitions are not cut unless `definitions` is true (then the caller must tell each
 * segment the labels defined in the others, as {@link parseMarkdownBounded} does).
 *
 * @param definitions Whether to cut bodies holding a line that starts like a definition. Default `false`.
 */
export function segmentCuts(text: string, size: number, definitions = false): number[] {
  if (text.length <= size || (!definitions && DEFINITION.test(text))) return []
  const cuts: number[] = []
  let last = 0
  let fence: { char: string; length: number } | undefined
  let html: RegExp | undefined
  let blank = false
  let at = 0
  const eol = /\r\n|\r|\n/g
  while (at < text.length) {
    // Lines end as markdown ends them: at \r\n, \n or a lone \r.
    eol.lastIndex = at
    const m = eol.exec(text)
    const end = m ? m.index + m[0].length : text.length
    const line = text.slice(at, m ? m.index : text.length)
    const isBlank = /^[ \t]*$/.test(line)
    if (fence) {
      const f = FENCE.exec(line)
      if (f?.[1] && f[1][0] === fence.char && f[1].length >= fence.length && line.slice(f[0].length).trim() === '') fence = undefined
    } else if (html) {
      if (html.test(line)) html = undefined
    } else {
      if (blank && !isBlank && at - last >= size && /^[^\s]/.test(line) && !LIST_MARKER.test(line) && !FENCE.test(line) && !HTML_OPEN.test(line)) {
        cuts.push(at)
        last = at
      }
      const f = FENCE.exec(line)
      const h = HTML_OPEN.exec(line)
      if (f?.[1]) fence = { char: f[1][0] as string, length: f[1].length }
      else if (h) {
        const closer = htmlCloser(h)
        if (!closer.test(line.slice(h[0].length))) html = closer
      }
    }
    blank = isBlank
    at = end
  }
  return cuts
}

/** Shift every position in `tree` by `offset` characters and `lines` lines. */
function shift(tree: Node, offset: number, lines: number): void {
  const stack: Node[] = [tree]
  while (stack.length > 0) {
    const node = stack.pop() as Node & { children?: Node[] }
    const p = node.position
    if (p) {
      if (p.start.offset !== undefined) p.start.offset += offset
      if (p.end.offset !== undefined) p.end.offset += offset
      p.start.line += lines
      p.end.line += lines
    }
    if (node.children) for (const c of node.children) stack.push(c)
  }
}

/** Default limit of one markdown parse, in milliseconds of CPU time (see {@link parseMarkdownBounded}). */
export const PARSE_TIME_LIMIT_MS = 2000

/** Options of {@link parseMarkdownBounded}. */
export interface MarkdownOptions {
  /** Segment size for long bodies (see the module notes); `Infinity` parses in one go. Default {@link SEGMENT_CHARS}. */
  segmentChars?: number
  /** Milliseconds of CPU time the parse may take before it is stopped and the body refused; `Infinity` for no limit. Default {@link PARSE_TIME_LIMIT_MS}. */
  timeLimitMs?: number
}

/** A markdown parse: the tree, or an empty tree and why the body was refused. */
export type MarkdownParse = { tree: Root; refusal?: undefined } | { tree: Root; refusal: Refusal }

/** `options` with their defaults, checked (one place for both the synchronous and the off-thread parse). */
function checkedOptions(options: MarkdownOptions): { segmentChars: number; timeLimitMs: number } {
  const segmentChars = options.segmentChars ?? SEGMENT_CHARS
  const timeLimitMs = options.timeLimitMs ?? PARSE_TIME_LIMIT_MS
  if (typeof segmentChars !== 'number' || !(segmentChars >= 1)) throw new InvalidOptionError('segmentChars', `must be a number of characters of at least 1, got ${String(segmentChars)}`)
  if (typeof timeLimitMs !== 'number' || !(timeLimitMs > 0)) throw new InvalidOptionError('timeLimitMs', `must be a positive number of milliseconds, got ${String(timeLimitMs)}`)
  return { segmentChars, timeLimitMs }
}

/** Refusals of this process, by digest of the body and time limit. */
const refusals = new RefusalMemo()

/**
 * Parse markdown into an mdast tree (positions relative to `text`), within a limit of CPU
 * time. A body whose parse runs past `timeLimitMs` (or overflows the stack) is refused: the answer is an
 * empty tree and the {@link Refusal}, and the refusal is remembered by the body's SHA-256
 * digest, so the same body is refused again at once, for the life of the process (256 bodies
 * are remembered, least recently refused first out). Never throws for content.
 *
 * @example
 * const { tree, refusal } = parseMarkdownBounded('# Title\n\nText.\n')
 * // refusal === undefined; tree.children[0].type === 'heading'
 */
export function parseMarkdownBounded(text: string, options: MarkdownOptions = {}): MarkdownParse {
  const { segmentChars, timeLimitMs } = checkedOptions(options)
  const key = refusals.key(text, timeLimitMs)
  const known = refusals.get(key)
  if (known !== undefined) return { tree: emptyTree(text), refusal: known }
  const ready = offThreadTrees.get(key)
  if (ready !== undefined) {
    offThreadTrees.delete(key)
    return { tree: ready }
  }
  processor ??= create()
  const run = runWithin(() => parseSegmented(text, segmentChars), timeLimitMs)
  if (run.ok) return { tree: run.value }
  refusals.set(key, run.refusal)
  return { tree: emptyTree(text), refusal: run.refusal }
}

/** Trees parsed off the event loop, waiting for the synchronous parse of their body (by key; oldest first out). */
const offThreadTrees = new Map<string, Root>()

/** Most trees parsed off the event loop kept for a later synchronous parse. */
const OFF_THREAD_TREES = 64

/**
 * Parse markdown off the event loop, in a worker thread, within the same limit of CPU time as
 * {@link parseMarkdownBounded}, and hand the outcome to the next synchronous parse of the same
 * body under the same limit: a refusal is remembered as if it had been met here, and a tree is
 * kept (64 at most) and returned by that parse instead of parsing again. The event loop is
 * free meanwhile, so a server can parse its documents in the background however long one of
 * them takes. Where no worker can be started the body is parsed here, synchronously. Do not
 * change the tree returned: it is the one a later parse hands out.
 */
export async function parseMarkdownOffThread(text: string, options: MarkdownOptions = {}): Promise<MarkdownParse> {
  const { segmentChars, timeLimitMs } = checkedOptions(options)
  const key = refusals.key(text, timeLimitMs)
  const known = refusals.get(key)
  if (known !== undefined) return { tree: emptyTree(text), refusal: known }
  const kept = offThreadTrees.get(key)
  if (kept !== undefined) return { tree: kept }
  // The same body asked for again while the worker parses it: one parse, one answer.
  let running = offThreadRuns.get(key)
  if (running === undefined) {
    running = parseOffThreadNow(text, key, segmentChars, timeLimitMs, options).finally(() => offThreadRuns.delete(key))
    offThreadRuns.set(key, running)
  }
  return running
}

/** Parses off the event loop under way, by key (see {@link parseMarkdownOffThread}). */
const offThreadRuns = new Map<string, Promise<MarkdownParse>>()

/** The worker's parse of `text` (key `key`), kept for the next synchronous parse (see {@link parseMarkdownOffThread}). */
async function parseOffThreadNow(text: string, key: string, segmentChars: number, timeLimitMs: number, options: MarkdownOptions): Promise<MarkdownParse> {
  const run = await driveOffThread(segmented(text, segmentChars), timeLimitMs)
  if (run === undefined) return parseMarkdownBounded(text, options)
  if (!run.ok) {
    refusals.set(key, run.refusal)
    return { tree: emptyTree(text), refusal: run.refusal }
  }
  offThreadTrees.delete(key)
  offThreadTrees.set(key, run.value)
  while (offThreadTrees.size > OFF_THREAD_TREES) offThreadTrees.delete(offThreadTrees.keys().next().value as string)
  return { tree: run.value }
}

/**
 * Parse markdown into an mdast tree (positions relative to `text`), as
 * {@link parseMarkdownBounded} does with the default time limit; a refused body gives an empty
 * tree (no sections, no references).
 * @param segmentChars Segment size for long bodies (see the module notes); `Infinity` parses in one go.
 */
export function parseMarkdown(text: string, segmentChars: number = SEGMENT_CHARS): Root {
  return parseMarkdownBounded(text, { segmentChars }).tree
}

/**
 * The refusal remembered for `text` under `timeLimitMs` (default {@link PARSE_TIME_LIMIT_MS}),
 * if any, without parsing: a digest and a lookup.
 */
export function rememberedRefusal(text: string, timeLimitMs: number = PARSE_TIME_LIMIT_MS): Refusal | undefined {
  return refusals.get(refusals.key(text, timeLimitMs))
}

/** Forget every remembered refusal and every tree parsed off the event loop and not yet handed out (tests, and a caller that wants a refused body tried again). */
export function clearParseRefusals(): void {
  refusals.clear()
  offThreadTrees.clear()
}

/** The tree of nothing, spanning `text`. */
function emptyTree(text: string): Root {
  return { type: 'root', children: [], position: { start: { line: 1, column: 1, offset: 0 }, end: endPoint(text) } }
}

/** The point after the last character of `text`, as the parser writes it. */
function endPoint(text: string): { line: number; column: number; offset: number } {
  const lastLineStart = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1
  return { line: lineEndings(text) + 1, column: text.length - lastLineStart + 1, offset: text.length }
}

/** Longest `[label]: x` prefix, as a share of the segment it is put before (a longer one: larger segments). */
const LABEL_PREFIX_SHARE = 0.25

/** The whole parse of `text`, in segments where it can be cut (see the module notes). */
function parseSegmented(text: string, segmentChars: number): Root {
  const parse = (processor ??= create()).parse.bind(processor)
  const steps = segmented(text, segmentChars)
  let step = steps.next()
  while (!step.done) step = steps.next(step.value.map((t) => parse(t)))
  return step.value
}

/**
 * The segmented parse of `text` as steps: each step yields the texts to parse and is given
 * their trees (in order); the last returns the joined tree. Driven synchronously by
 * {@link parseSegmented} and, off the event loop, by `parseMarkdownOffThread` (`offload.ts`).
 */
export function* segmented(text: string, segmentChars: number): Generator<string[], Root, Root[]> {
  const cuts = segmentCuts(text, segmentChars, true)
  if (cuts.length === 0) return (yield [text])[0] as Root
  const parts: { from: number; lines: number; text: string; tree?: Root }[] = []
  let from = 0
  let lines = 0
  for (const to of [...cuts, text.length]) {
    const part = text.slice(from, to)
    parts.push({ from, lines, text: part })
    lines += lineEndings(part)
    from = to
  }
  const trees = yield parts.map((p) => p.text)
  parts.forEach((p, i) => {
    p.tree = trees[i]
  })
  const labels = definedLabels(parts.map((p) => p.tree as Root))
  if (labels.size > 0) {
    // Each segment learns every label of the body: `[label]: x` lines, a blank line, the segment.
    const prefix = `${[...labels].map((l) => `[${l}]: x\n`).join('')}\n`
    // Many labels: fewer, larger segments, so the prefix costs at most a quarter more.
    if (prefix.length > LABEL_PREFIX_SHARE * segmentChars) return yield* segmented(text, Math.ceil(prefix.length / LABEL_PREFIX_SHARE))
    const prefixLines = lineEndings(prefix)
    // No label can be used without a closing bracket.
    const again = parts.filter((p) => p.text.includes(']'))
    const reparsed = yield again.map((p) => prefix + p.text)
    for (const [i, p] of again.entries()) {
      const tree = reparsed[i] as Root
      const dropped = tree.children.splice(0, labels.size)
      const first = tree.children[0]
      if (dropped.length !== labels.size || dropped.some((n) => n.type !== 'definition') || (first?.position?.start.offset ?? prefix.length) < prefix.length) return (yield [text])[0] as Root
      shift(tree, -prefix.length, -prefixLines)
      p.tree = tree
    }
  }
  const whole: Root = { type: 'root', children: [], position: { start: { line: 1, column: 1, offset: 0 }, end: endPoint(text) } }
  for (const p of parts) {
    const tree = p.tree as Root
    shift(tree, p.from, p.lines)
    for (const c of tree.children as RootContent[]) whole.children.push(c)
  }
  return whole
}

/**
 * The labels defined in `trees`, written so that a definition of each defines the same
 * identifier (an identifier is the label as written, white space collapsed, case folded).
 */
function definedLabels(trees: readonly Root[]): Set<string> {
  const labels = new Set<string>()
  for (const tree of trees) {
    walkTree(tree, (node) => {
      if (node.type === 'definition') labels.add(node.identifier)
      // Definitions are blocks: nothing inside a paragraph, heading, code or HTML is one.
      return node.type === 'paragraph' || node.type === 'heading' || node.type === 'code' || node.type === 'html' || node.type === 'table' ? 'skip' : undefined
    })
  }
  return labels
}

/** Line endings as markdown counts them: `\r\n`, `\n` and a lone `\r` are one each. */
function lineEndings(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++
  }
  return n
}
