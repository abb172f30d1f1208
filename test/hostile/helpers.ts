/**
 * Shared checks for the hostile-input suite: every problem must come back as a typed
 * error or a diagnostic with a code, the file and a line, never as an unhandled throw.
 */
import { clearParseCache } from '../../src/assemble/index.js'
import { clearParseRefusals } from '../../src/parse/markdown.js'
import { expect } from 'vitest'
import type { Assembly } from '../../src/assemble/index.js'
import { createTokenCounter } from '../../src/count/index.js'
import { PromptfoldError } from '../../src/errors.js'
import { assemblyReportSchema } from '../../src/report/schema.js'
import type { Diagnostic } from '../../src/types.js'
import { tiktokenCount } from '../helpers/oracle.js'

/** Every diagnostic is well formed: a code, a severity, a message, and (when it names a file) a 1-based line. */
export function expectWellFormed(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    expect(d.code).toMatch(/^[A-Z][A-Z0-9_]+$/)
    expect(['error', 'warning', 'info']).toContain(d.severity)
    expect(typeof d.message).toBe('string')
    expect(d.message.length).toBeGreaterThan(0)
    if (d.line !== undefined) expect(Number.isInteger(d.line) && d.line >= 1).toBe(true)
    if (d.column !== undefined) expect(Number.isInteger(d.column) && d.column >= 1).toBe(true)
  }
}

/** The diagnostic with `code`, checked to name `file` and a line. */
export function expectDiagnostic(diagnostics: readonly Diagnostic[], code: string, where: { file?: string; line?: number } = {}): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code)
  expect(found.length, `expected a ${code} diagnostic in ${JSON.stringify(diagnostics.map((d) => d.code))}`).toBeGreaterThan(0)
  const d = where.line !== undefined ? (found.find((x) => x.line === where.line) ?? found[0]) : found[0]
  if (!d) throw new Error('unreachable')
  if (where.file !== undefined) expect(d.file).toBe(where.file)
  expect(d.line, `${code} has no line`).toBeTypeOf('number')
  if (where.line !== undefined) expect(d.line).toBe(where.line)
  return d
}

/**
 * A fresh count of `text`: js-tiktoken itself (the independent oracle) unless the text holds a
 * very long run without white space, where js-tiktoken's own merge is quadratic; then the
 * library's counter, called on the whole text at once (not on the runs assembly measured).
 */
export function freshCount(text: string): number {
  return /\S{2000}/.test(text) ? createTokenCounter({ encoding: 'o200k_base' }).count(text) : tiktokenCount(text)
}

/** An assembly keeps its promises: valid report, exact total, within budget. */
export function expectSound(result: Assembly, budget = Number.POSITIVE_INFINITY, exact = true): void {
  expect(assemblyReportSchema.safeParse(result.report).success).toBe(true)
  expect(result.report.totalTokens).toBeLessThanOrEqual(budget)
  if (exact) expect(result.report.totalTokens).toBe(freshCount(result.text))
  expectWellFormed(result.report.diagnostics)
}

/** Await `p` and return what it threw (or `undefined`), for asserting typed errors. */
export async function caught(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p)
    return undefined
  } catch (error) {
    return error
  }
}

/** The error is a typed promptfold error with a code. */
export function expectTyped(error: unknown, code?: string): PromptfoldError {
  expect(error).toBeInstanceOf(PromptfoldError)
  const e = error as PromptfoldError
  expect(e.code).toMatch(/^[A-Z_]+$/)
  if (code !== undefined) expect(e.code).toBe(code)
  return e
}

/** Wall-clock milliseconds of `fn`. */
export async function elapsed<T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - t }
}

/**
 * Run `attempt` until what it returns has no PARSE_LIMIT diagnostic, at most three times,
 * forgetting refusals and parsed documents in between. For tests of something else than the
 * parse's limit of CPU time whose bodies take a good part of it (1-2 s of its 2 s): under
 * contention from the tier's other files (headless Chromium, esbuild, workerd) the CPU time a
 * parse is charged grows (GC threads count), and a body can be refused.
 */
export async function withoutParseLimit<T>(attempt: () => Promise<T>, diagnosticsOf: (value: T) => readonly { code: string }[]): Promise<T> {
  let value = await attempt()
  for (let retry = 1; retry < 3 && diagnosticsOf(value).some((d) => d.code === 'PARSE_LIMIT'); retry++) {
    clearParseRefusals()
    clearParseCache()
    value = await attempt()
  }
  return value
}

