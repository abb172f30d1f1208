/**
 * The one-line stand-ins that replace slots that are not inlined. Each keeps the
 * URI, so a model can still ask for the document, and states its measured cost.
 *
 * @module
 */

/** Decision taken for a reference (see the report). */
export type Decision = 'inlined' | 'deferred' | 'missing' | 'cycle' | 'duplicate' | 'excluded' | 'invalid'

/** Line for a slot that could be loaded but was not. */
export function deferredLine(uri: string, tokens: number | undefined): string {
  return tokens === undefined ? `→ Load on demand: ${uri}\n` : `→ Load on demand: ${uri} (${tokens} tokens)\n`
}

/** Line for a slot whose target is not available. */
export function missingLine(uri: string): string {
  return `→ Unavailable: ${uri}\n`
}

/** Line for a slot whose target is already in the text (an ancestor, or inlined earlier). */
export function aboveLine(uri: string): string {
  return `→ Loaded above: ${uri}\n`
}

/** Line for a reference that cannot be used at all. */
export function invalidLine(raw: string): string {
  const shown = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw
  return `→ Invalid reference: ${shown.replace(/[\r\n]+/g, ' ')}\n`
}
