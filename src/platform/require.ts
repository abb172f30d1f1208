/**
 * A `require` for the Node builds, to load dependencies on first use (Node only).
 *
 * @module
 */
import { createRequire } from 'node:module'

/**
 * A `require` that works in both Node builds: the ES module build derives one from
 * `import.meta.url`; the CommonJS build from its module-scoped `__filename`.
 */
export function localRequire(): NodeJS.Require {
  // The ES module build has import.meta.url; the CommonJS build has an empty import.meta
  // and its own __filename. A global __filename (`node -e` sets '[eval]') must not win.
  const url = (import.meta as { url?: unknown }).url
  if (typeof url === 'string' && url.length > 0) return createRequire(url)
  return createRequire(__filename)
}
