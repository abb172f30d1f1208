/**
 * Helpers for lazy, synchronous loading: {@link once} and {@link lazyObject}. The loaders of
 * the heavy dependencies (zod, gray-matter with js-yaml, unified with remark-parse) are the
 * platform's (`src/platform/`): in Node each is `require`d the first time something needs
 * it, so that `import 'promptfold'` loads none of them.
 *
 * @module
 */

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
