/**
 * The markdown parser: one unified processor with remark-parse, built once.
 *
 * @module
 */
import type { Root } from 'mdast'
import remarkParse from 'remark-parse'
import { unified } from 'unified'

let processor: ReturnType<typeof create> | undefined

function create() {
  return unified().use(remarkParse).freeze()
}

/** Parse markdown into an mdast tree (positions relative to `text`). */
export function parseMarkdown(text: string): Root {
  processor ??= create()
  return processor.parse(text)
}
