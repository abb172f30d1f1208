/**
 * Lazy, synchronous loading of the heavy dependencies (zod, gray-matter with js-yaml,
 * unified with remark-parse and micromark), so that `import 'promptfold'` loads none
 * of them: each is loaded the first time something needs it, with `require`, which
 * is synchronous (`parseDocument` is). The ES-module-only markdown stack is bundled
 * into `dist/markdown-engine.cjs` for that, so it loads on every Node 20.x.
 *
 * @module
 */
import { createRequire } from 'node:module'
import type { z } from 'zod'

/**
 * A `require` that works in both builds: the ES module build derives one from
 * `import.meta.url`; the CommonJS build from its module-scoped `__filename`.
 */
export function localRequire(): NodeJS.Require {
  // The ES module build has import.meta.url; the CommonJS build has an empty import.meta
  // and its own __filename. A global __filename (`node -e` sets '[eval]') must not win.
  const url = (import.meta as { url?: unknown }).url
  if (typeof url === 'string' && url.length > 0) return createRequire(url)
  return createRequire(__filename)
}

/** `load` run once, on the first call; later calls return its result. */
export function once<T>(load: () => T): () => T {
  let done = false
  let value: T
  return () => {
    if (!done) {
      value = load()
      done = true
    }
    return value
  }
}

/** zod's `z`, loaded on first use. */
export const loadZod = once(() => (localRequire()('zod') as { z: typeof z }).z)

/**
 * An object that stands for `create()` and creates it on first use: reading,
 * testing (`in`) or writing any property, or `instanceof`, builds the real object
 * and makes it the stand-in's prototype, so from then on every property is the real one's, at no
 * extra cost. Methods of the real object see the stand-in as `this`; zod's
 * schemas close over their instance, so a lazy schema behaves as the schema.
 */
export function lazyObject<T extends object>(create: () => T): T {
  const stand = Object.create(null) as T
  let real: T | undefined
  const materialize = (): T => {
    if (real === undefined) {
      real = create()
      Object.setPrototypeOf(stand, real)
    }
    return real
  }
  const loader = new Proxy(Object.create(null) as object, {
    get: (_, key, receiver) => Reflect.get(materialize(), key, receiver),
    has: (_, key) => Reflect.has(materialize(), key),
    // `instanceof` walks the prototype chain: the stand-in's next prototype is the real one's.
    getPrototypeOf: () => Reflect.getPrototypeOf(materialize()),
    set: (_, key, value, receiver) => {
      materialize()
      return Reflect.set(receiver, key, value)
    },
  })
  Object.setPrototypeOf(stand, loader)
  return stand
}
