/**
 * Terminal output for the CLI: colors (only on a TTY, never under `NO_COLOR`),
 * the error type that carries an exit code, and one-line error messages.
 *
 * @module
 */

/** Exit codes of every command. */
export const EXIT = {
  /** Success (for `lint`: no errors). */
  ok: 0,
  /** The command ran but failed: lint errors, a budget below the core, an include that cannot fit, an I/O error. */
  failure: 1,
  /** Bad usage: unknown option, bad option value, missing or unreadable input. */
  usage: 2,
} as const

/** A failure the CLI reports as one line, with the exit code to use. */
export class CliError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode: number = EXIT.failure) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}

/** A command-line mistake (exit code 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage)
    this.name = 'UsageError'
  }
}

/** Whether to color output written to `stream`: `NO_COLOR` (non-empty) turns colors off, `FORCE_COLOR` on, else only on a TTY. */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true
  if (stream.isTTY !== true) return false
  return typeof stream.hasColors === 'function' ? stream.hasColors() : true
}

/** ANSI styles, or identity functions when colors are off. */
export interface Styles {
  enabled: boolean
  red(s: string): string
  yellow(s: string): string
  green(s: string): string
  cyan(s: string): string
  dim(s: string): string
  bold(s: string): string
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`
const plain = (s: string) => s

/** Styles for `stream`. */
export function styles(stream: NodeJS.WriteStream): Styles {
  const on = useColor(stream)
  return {
    enabled: on,
    red: on ? wrap(31, 39) : plain,
    yellow: on ? wrap(33, 39) : plain,
    green: on ? wrap(32, 39) : plain,
    cyan: on ? wrap(36, 39) : plain,
    dim: on ? wrap(2, 22) : plain,
    bold: on ? wrap(1, 22) : plain,
  }
}

/** Error codes of the library that mean the command line asked for something invalid. */
const USAGE_CODES = new Set(['INVALID_OPTION', 'UNKNOWN_ENCODING'])

/** The shape of a promptfold error (see `src/errors.ts`); checked by shape so this module does not load the library. */
interface LibraryError extends Error {
  code: string
  file?: string | undefined
  line?: number | undefined
  minimumBudget?: number
}

/** Hints added to library errors, by code. */
function hint(error: LibraryError): string {
  if (error.code === 'BUDGET_EXCEEDED' && typeof error.minimumBudget === 'number') return `; use --budget ${error.minimumBudget} or more`
  return ''
}

/** Turn anything thrown into one line and an exit code. User mistakes never show a stack trace. */
export function describeError(error: unknown, env: NodeJS.ProcessEnv = process.env): { message: string; exitCode: number; stack?: string } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode }
  if (isLibraryError(error)) {
    const where = error.file ? ` (${error.file}${error.line ? `:${error.line}` : ''})` : ''
    return {
      message: `${oneLine(error.message)}${hint(error)} [${error.code}]${where}`,
      exitCode: USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.failure,
    }
  }
  const message = error instanceof Error ? error.message : String(error)
  const result: { message: string; exitCode: number; stack?: string } = {
    message: `internal error: ${oneLine(message)} (this is a bug in promptfold; set PROMPTFOLD_DEBUG=1 for a stack trace)`,
    exitCode: EXIT.failure,
  }
  if (env.PROMPTFOLD_DEBUG && error instanceof Error && error.stack) result.stack = error.stack
  return result
}

/** A `PromptfoldError` (every class in `src/errors.ts` has a string `code` and a `file` field). */
function isLibraryError(error: unknown): error is LibraryError {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) && 'file' in (error as object)
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim()
}

/** Write an error line to stderr. */
export function printError(message: string, stream: NodeJS.WriteStream = process.stderr): void {
  const s = styles(stream)
  stream.write(`${s.red('error:')} ${message}\n`)
}
