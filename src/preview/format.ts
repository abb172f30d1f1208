/**
 * The fit preview as text: the table of tokens by model, then what each budget inlines.
 *
 * @module
 */
import { InvalidOptionError } from '../errors.js'
import { formatNumber } from '../report/number.js'
import { wrapText } from '../report/format.js'
import type { FitPreview } from './index.js'

/** Options of {@link formatFitPreview}. */
export interface FormatFitPreviewOptions {
  /** First line. Default `'Fit preview (measured)'`. */
  title?: string
  /** Widest line in characters (20 or more); labels wrap to fit. Default: no limit. */
  width?: number
  /** Styles the title and the budget headings (e.g. bold in a terminal). Default: none. */
  style?: (text: string) => string
}

const SEP = '  '
/** The narrowest label column beside the numbers (see `tableLines`). */
const MIN_LABEL = 28
/** Marks a model counted with a proxy encoding. */
const PROXY = ' ~'

/**
 * The preview as plain text: a table (a row for the core, each reference as "core + uri",
 * everything embedded; a column of tokens per model, `~` after a model counted with a proxy
 * encoding), a note naming the proxies, then for each budget one line per model: the total
 * and the references inlined, or that the core does not fit.
 *
 * @param preview - From `fitPreview`.
 * @param options - `title`, `width`, `style`.
 * @returns The text, ending with a newline.
 * @throws {@link InvalidOptionError} for a `width` that is not a whole number of 20 or more.
 */
export function formatFitPreview(preview: FitPreview, options: FormatFitPreviewOptions = {}): string {
  const width = options.width ?? Number.POSITIVE_INFINITY
  if (width !== Number.POSITIVE_INFINITY && (!Number.isInteger(width) || width < 20)) throw new InvalidOptionError('width', `must be a whole number of 20 or more, got ${String(width)}`)
  const style = options.style ?? ((t: string) => t)
  const out = wrapText(options.title ?? 'Fit preview (measured)', width).map(style)
  out.push(...tableLines(preview, width))
  const proxies = preview.models.filter((m) => !m.exact)
  if (proxies.length > 0) {
    out.push('', ...wrapText(`~ not the model's own tokenizer: counted with ${proxies.map((m) => `${m.counter} (${m.id})`).join(', ')}`, width, width - 2).map((l, i) => (i === 0 ? l : `  ${l}`)))
  }
  const budgets = [...new Set(preview.fits.map((f) => f.budget))]
  const references = preview.rows.filter((r) => r.kind === 'reference').length
  for (const budget of budgets) {
    out.push('', style(`Budget ${formatNumber(budget)} tokens`))
    // Models with the same outcome share a line.
    const groups = new Map<string, FitPreview['fits']>()
    for (const f of preview.fits.filter((x) => x.budget === budget)) {
      const key = JSON.stringify([f.fits, f.totalTokens, f.inlined])
      groups.set(key, [...(groups.get(key) ?? []), f])
    }
    for (const fits of groups.values()) {
      const f = fits[0] as FitPreview['fits'][number]
      const names = fits.map((x) => `${x.model}${x.exact ? '' : PROXY}`).join(', ')
      const head = f.fits ? `${names}: ${formatNumber(f.totalTokens ?? 0)} tokens, ${f.inlined.length} of ${references} references inlined` : `${names}: the core does not fit`
      out.push(...indented(head, 2, width))
      if (f.inlined.length > 0) out.push(...indented(f.inlined.join(', '), 4, width))
    }
  }
  return `${out.join('\n')}\n`
}

/** `text` wrapped to `width`, each line indented by `by` spaces (continuation lines by two more). */
function indented(text: string, by: number, width: number): string[] {
  const room = Math.max(10, width - by)
  return wrapText(text, room, room - 2).map((l, i) => `${' '.repeat(by + (i === 0 ? 0 : 2))}${l}`)
}

/** The table of tokens: labels, then a right-aligned column per model. */
function tableLines(preview: FitPreview, width: number): string[] {
  const heads = preview.models.map((m) => `${m.id}${m.exact ? '' : PROXY}`)
  const rows: Array<[string, string[]]> = preview.rows.map((r) => [
    r.kind === 'core' ? 'core only' : r.kind === 'all' ? 'all embedded' : `${'  '.repeat(Math.max(0, (r.depth ?? 1) - 1))}core + ${r.uri ?? ''}`,
    r.tokens.map(formatNumber),
  ])
  const widths = heads.map((h, i) => Math.max(h.length, ...rows.map(([, cells]) => cells[i]?.length ?? 0)))
  const numbers = widths.reduce((sum, w) => sum + w + SEP.length, 0)
  const longest = Math.max(0, ...rows.map(([label]) => label.length))
  // Labels wrap beside the numbers while that leaves them MIN_LABEL characters; with more
  // models than that allows, each label takes lines of its own above its numbers.
  const stacked = width - numbers < Math.min(longest, MIN_LABEL)
  const w0 = stacked ? 2 : Math.min(longest, width - numbers)
  const line = (label: string, cells: readonly string[]) => [label.padEnd(w0), ...cells.map((c, i) => c.padStart(widths[i] ?? 0))].join(SEP).trimEnd()
  const out = [line('', heads), line('-'.repeat(w0), widths.map((w) => '-'.repeat(w)))]
  for (const [label, cells] of rows) {
    const pieces = wrapText(label, stacked ? width : w0, (stacked ? width : w0) - 2).map((p, i) => (i === 0 ? p : `  ${p}`))
    if (stacked) out.push(...pieces, line('', cells))
    else out.push(...pieces.slice(0, -1), line(pieces[pieces.length - 1] ?? '', cells))
  }
  return out
}
