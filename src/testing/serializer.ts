/**
 * A snapshot serializer for assemblies and reports (`expect.addSnapshotSerializer`, vitest
 * and jest): the value is printed without `timings` (the only field that differs between
 * identical runs), with absolute paths below a root written relative to it, and every
 * number kept.
 *
 * @module
 */
import { isAssemblyReport, isAssemblyResult, isTaskReport } from './subject.js'

/** Options of {@link createPromptfoldSerializer}. */
export interface PromptfoldSerializerOptions {
  /**
   * Absolute folder that paths are made relative to: in every string, `<root>/` is removed
   * and `<root>` alone becomes `.`. Default `process.cwd()` when the serializer is created.
   */
  root?: string
}

/**
 * The `printer` a snapshot serializer is handed (pretty-format's plugin API); `Config` and
 * `Refs` are the test runner's own types, passed through untouched.
 */
export type SnapshotPrinter<Config = unknown, Refs = unknown> = (value: unknown, config: Config, indentation: string, depth: number, refs: Refs) => string

/** A snapshot serializer (pretty-format's plugin shape, which vitest and jest both take). */
export interface SnapshotSerializer {
  /** Whether this serializer prints `value`. */
  test(value: unknown): boolean
  /** `value` printed (by `printer`, after normalizing). */
  serialize<Config, Refs>(value: unknown, config: Config, indentation: string, depth: number, refs: Refs, printer: SnapshotPrinter<Config, Refs>): string
}

/** Whether the serializer takes `value`: an assembly, a task assembly, or either report. */
export function isSnapshotSubject(value: unknown): boolean {
  return isAssemblyResult(value) || isAssemblyReport(value) || isTaskReport(value)
}

/**
 * A serializer for assemblies and reports, with paths relative to `options.root`.
 *
 * @example
 * expect.addSnapshotSerializer(createPromptfoldSerializer({ root: fixturesRoot }))
 */
export function createPromptfoldSerializer(options: PromptfoldSerializerOptions = {}): SnapshotSerializer {
  const root = (options.root ?? process.cwd()).replace(/\/+$/, '')
  // The normalized copies: printing them must not come back here.
  const made = new WeakSet<object>()
  const relative = (s: string): string => (root === '' ? s : s.split(`${root}/`).join('').split(root).join('.'))
  const normalize = (value: unknown): unknown => {
    if (typeof value === 'string') return relative(value)
    if (Array.isArray(value)) {
      const copy = value.map(normalize)
      made.add(copy)
      return copy
    }
    if (typeof value === 'object' && value !== null) {
      const report = isAssemblyReport(value)
      const copy: Record<string, unknown> = {}
      for (const [key, v] of Object.entries(value)) if (!(report && key === 'timings')) copy[key] = normalize(v)
      made.add(copy)
      return copy
    }
    return value
  }
  return {
    test: (value) => typeof value === 'object' && value !== null && !made.has(value) && isSnapshotSubject(value),
    serialize: (value, config, indentation, depth, refs, printer) => printer(normalize(value), config, indentation, depth, refs),
  }
}

/** The serializer with paths relative to the working folder: `expect.addSnapshotSerializer(promptfoldSerializer)`. */
export const promptfoldSerializer: SnapshotSerializer = createPromptfoldSerializer()
