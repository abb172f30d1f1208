/**
 * Error classes thrown by promptfold. Every error carries a stable string `code`
 * so callers can branch without parsing messages, and every class can be checked
 * with `instanceof`.
 *
 * Content problems inside documents are never thrown: they become diagnostics.
 * Errors are for misuse (bad options), impossible requests (a budget below the
 * core) and refused access (a path outside a resolver's root).
 *
 * @module
 */

/** Fields shared by every promptfold error. */
export interface PromptfoldErrorOptions {
  /** File the error is about, when there is one. */
  file?: string | undefined
  /** 1-based line in `file`, when known. */
  line?: number | undefined
  /** Underlying error. */
  cause?: unknown
}

/** Base class of every error promptfold throws. */
export class PromptfoldError extends Error {
  /** Stable machine-readable code, e.g. `'BUDGET_EXCEEDED'`. */
  readonly code: string
  /** File the error is about, when there is one. */
  readonly file: string | undefined
  /** 1-based line in `file`, when known. */
  readonly line: number | undefined

  constructor(code: string, message: string, options: PromptfoldErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'PromptfoldError'
    this.code = code
    this.file = options.file
    this.line = options.line
  }
}

/** An option passed to a promptfold function is invalid (wrong type or range). */
export class InvalidOptionError extends PromptfoldError {
  /** Name of the offending option. */
  readonly option: string
  constructor(option: string, message: string, options?: PromptfoldErrorOptions) {
    super('INVALID_OPTION', `Invalid option \`${option}\`: ${message}`, options)
    this.name = 'InvalidOptionError'
    this.option = option
  }
}

/** The requested encoding or model is not supported. */
export class UnknownEncodingError extends PromptfoldError {
  constructor(message: string, options?: PromptfoldErrorOptions) {
    super('UNKNOWN_ENCODING', message, options)
    this.name = 'UnknownEncodingError'
  }
}

/** The core of a document alone does not fit the budget. */
export class BudgetExceededError extends PromptfoldError {
  /** The budget that was asked for. */
  readonly budget: number
  /** A budget that works: the measured cost of the core with every slot deferred. */
  readonly minimumBudget: number
  constructor(budget: number, minimumBudget: number, options?: PromptfoldErrorOptions) {
    super(
      'BUDGET_EXCEEDED',
      `Budget of ${budget} tokens is below the ${minimumBudget} tokens the core needs`,
      options,
    )
    this.name = 'BudgetExceededError'
    this.budget = budget
    this.minimumBudget = minimumBudget
  }
}

/** A reference forced in with `include` cannot be inlined (it does not fit, or cannot be resolved). */
export class IncludeError extends PromptfoldError {
  /** The URI that could not be included. */
  readonly uri: string
  constructor(uri: string, message: string, options?: PromptfoldErrorOptions) {
    super('INCLUDE_FAILED', message, options)
    this.name = 'IncludeError'
    this.uri = uri
  }
}

/** A resolver refused a URI because it would read outside its root. */
export class AccessDeniedError extends PromptfoldError {
  /** The URI that was refused. */
  readonly uri: string
  constructor(uri: string, message: string, options?: PromptfoldErrorOptions) {
    super('ACCESS_DENIED', message, options)
    this.name = 'AccessDeniedError'
    this.uri = uri
  }
}

/** A resource limit (document size, number of resolved documents) was hit. */
export class LimitExceededError extends PromptfoldError {
  /** Which limit, e.g. `'maxDocumentBytes'`. */
  readonly limit: string
  constructor(limit: string, message: string, options?: PromptfoldErrorOptions) {
    super('LIMIT_EXCEEDED', message, options)
    this.name = 'LimitExceededError'
    this.limit = limit
  }
}

/**
 * Counting needs an encoding's rank data that is not loaded yet. Only the portable build
 * (browsers, workers, edge runtimes) throws it: it loads rank data on demand, so await
 * `loadEncoding(encoding)` once before counting synchronously there. Node loads it itself.
 */
export class EncodingNotLoadedError extends PromptfoldError {
  /** The encoding whose rank data is missing. */
  readonly encoding: string
  constructor(encoding: string, options?: PromptfoldErrorOptions) {
    super('ENCODING_NOT_LOADED', `The ${encoding} rank data is not loaded in this runtime: \`await loadEncoding('${encoding}')\` once before counting`, options)
    this.name = 'EncodingNotLoadedError'
    this.encoding = encoding
  }
}
