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

/**
 * A failure the CLI reports as one line, with its exit code and the `code` of the JSON
 * error object (`--json`).
 */
export class CliError extends Error {
  /** Exit code of the process. */
  readonly exitCode: number
  /** Code of the JSON error object: `USAGE`, `IO`, ... (see {@link describeError}). */
  readonly code: string
  /** What to do about it, or `null`. Printed after the message. */
  readonly hint: string | null
  constructor(message: string, code: string, exitCode: number = EXIT.failure, hint: string | null = null) {
    super(message)
    this.name = 'CliError'
    this.code = code
    this.exitCode = exitCode
    this.hint = hint
  }
}

/** A command-line mistake (exit code 2, code `USAGE`). */
export class UsageError extends CliError {
  constructor(message: string, hint: string | null = null) {
    super(message, 'USAGE', EXIT.usage, hint)
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

/**
 * The flag of each library option the CLI sets, by the option's name in the API. Library
 * errors name API options (`maxDepth`); the CLI's messages name the flag (`--max-depth`).
 * The one table of this mapping.
 */
export const OPTION_FLAGS: Readonly<Record<string, string>> = {
  budget: '--budget',
  query: '--query',
  encoding: '--encoding',
  model: '--model',
  strategy: '--strategy',
  include: '--include',
  exclude: '--exclude',
  maxDepth: '--max-depth',
  root: '--root',
  defaultBudget: '--default-budget',
  maxBudget: '--max-budget',
}

/** The shape of a promptfold error (see `src/errors.ts`); checked by shape so this module does not load the library. */
interface LibraryError extends Error {
  code: string
  file?: string | undefined
  line?: number | undefined
  option?: string
  minimumBudget?: number
}

/** Hints added to library errors, by code. */
function libraryHint(error: LibraryError): string | null {
  if (error.code === 'BUDGET_EXCEEDED' && typeof error.minimumBudget === 'number') return `use --budget ${error.minimumBudget} or more`
  return null
}

/** A library message with the API options it names in backquotes (`` `maxDepth` ``) written as flags (`` `--max-depth` ``). */
export function withFlags(message: string): string {
  return message.replace(/`([A-Za-z]+)`/g, (all, name: string) => (Object.hasOwn(OPTION_FLAGS, name) ? `\`${OPTION_FLAGS[name]}\`` : all))
}

/** A failure as the CLI reports it: one line on stderr, or a JSON object on stdout with `--json`. */
export interface ErrorReport {
  /**
   * The library error's `code` (`BUDGET_EXCEEDED`, `INVALID_OPTION`, ...), or `USAGE` (bad
   * command line, missing or unreadable input), `IO` (a file or folder could not be written
   * or read), `INTERNAL` (a bug in promptfold).
   */
  code: string
  /** What went wrong, on one line (with the file and line it is about, when known). */
  message: string
  /** What to do about it, or `null`. */
  hint: string | null
  /** Exit code of the process. */
  exitCode: number
  /** The line printed on stderr, after `error: `. */
  line: string
  /** Stack trace of an internal error, when `PROMPTFOLD_DEBUG` is set. */
  stack?: string
}

/** Turn anything thrown into an {@link ErrorReport}. User mistakes never show a stack trace. */
export function describeError(error: unknown, env: NodeJS.ProcessEnv = process.env): ErrorReport {
  if (error instanceof CliError) {
    return { code: error.code, message: error.message, hint: error.hint, exitCode: error.exitCode, line: `${error.message}${error.hint ? ` (${error.hint})` : ''}` }
  }
  if (isLibraryError(error)) {
    const where = error.file ? ` (${error.file}${error.line ? `:${error.line}` : ''})` : ''
    const message = withFlags(oneLine(error.message))
    const hint = libraryHint(error)
    return {
      code: error.code,
      message: `${message}${where}`,
      hint,
      exitCode: USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.failure,
      line: `${message}${hint ? `; ${hint}` : ''} [${error.code}]${where}`,
    }
  }
  if (isSystemError(error)) {
    const message = oneLine(error.message)
    return { code: 'IO', message, hint: null, exitCode: EXIT.failure, line: message }
  }
  const message = oneLine(error instanceof Error ? error.message : String(error))
  const hint = 'this is a bug in promptfold; set PROMPTFOLD_DEBUG=1 for a stack trace'
  const result: ErrorReport = { code: 'INTERNAL', message: `internal error: ${message}`, hint, exitCode: EXIT.failure, line: `internal error: ${message} (${hint})` }
  if (env.PROMPTFOLD_DEBUG && error instanceof Error && error.stack) result.stack = error.stack
  return result
}

/** A `PromptfoldError` (every class in `src/errors.ts` has a string `code` and a `file` field). */
function isLibraryError(error: unknown): error is LibraryError {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) && 'file' in (error as object)
}

/** An error of a system call (`ENOENT`, `EACCES`, `ENOTDIR`, ...): reading or writing a file failed. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string' && typeof (error as NodeJS.ErrnoException).code === 'string'
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim()
}

/** The JSON error object `--json` prints on stdout: `{"error": {"code", "message", "hint"}}`. */
export function errorJson(report: ErrorReport): string {
  return `${JSON.stringify({ error: { code: report.code, message: report.message, hint: report.hint } }, null, 2)}\n`
}

/** The width to fit text reports to: `stream`'s columns on a terminal, else `COLUMNS`, else 80; never less than 80. */
export function terminalWidth(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): number {
  const tty = stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : undefined
  const columns = /^\s*\d+\s*$/.test(env.COLUMNS ?? '') ? Number(env.COLUMNS) : undefined
  return Math.max(MIN_WIDTH, tty ?? columns ?? MIN_WIDTH)
}

/** The narrowest width reports are fitted to. */
export const MIN_WIDTH = 80

/** Write an error line to stderr. */
export function printError(message: string, stream: NodeJS.WriteStream = process.stderr): void {
  const s = styles(stream)
  stream.write(`${s.red('error:')} ${message}\n`)
}
