/**
 * Plain data types shared by every stage of the pipeline.
 *
 * @module
 */

/** A point in a source file. `line` and `column` are 1-based, `offset` is 0-based (UTF-16 units). */
export interface Point {
  line: number
  column: number
  offset: number
}

/** How serious a diagnostic is. `error` means data was lost or ignored; `warning` means it was recovered. */
export type Severity = 'error' | 'warning' | 'info'

/** A problem found in a document. Parsing collects these instead of throwing. */
export interface Diagnostic {
  /** Stable machine-readable code, e.g. `'FRONTMATTER_MISSING'`. */
  code: string
  severity: Severity
  message: string
  /** File the problem is in, when known. */
  file?: string | undefined
  /** 1-based line in the file, when known. */
  line?: number | undefined
  /** 1-based column, when known. */
  column?: number | undefined
}

/** How a reference appears in a document. */
export type ReferenceKind = 'slot' | 'mention' | 'related'
