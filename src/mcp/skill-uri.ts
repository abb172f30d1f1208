/**
 * `skill://` URIs of skill files, without the MCP SDK (the early listing of `promptfold serve`
 * uses it before the SDK is loaded; `./skills.ts` re-exports it).
 *
 * @module
 */

/** Scheme of skill resources. */
export const SKILL_SCHEME = 'skill'

/** Characters left as written in a URI path segment (RFC 3986 unreserved, sub-delims, `:` and `@`); others are percent-encoded. */
function encodeSegment(segment: string): string {
  return segment.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]/gu, (c) => encodeURIComponent(c))
}

/** `skill://<skill-path>/<file>` (or `skill://<skill-path>` for `file` `''`), each segment percent-encoded where needed. */
export function skillUri(skillPath: string, file = ''): string {
  const path = file === '' ? skillPath : `${skillPath}/${file}`
  return `${SKILL_SCHEME}://${path.split('/').map(encodeSegment).join('/')}`
}
