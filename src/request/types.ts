/**
 * Types of a whole request: chat messages, tool definitions, the options of
 * `assembleRequest`, and its report (one row per part, each with its token count and
 * whether that count is exact).
 *
 * @module
 */
import type { Assembly, AssembleOptions } from '../assemble/index.js'
import type { ModelInfo } from '../models/registry.js'
import type { PromptDocument } from '../parse/document.js'
import type { AssemblyReport } from '../report/schema.js'

/** One message of the conversation (text only). The system prompt is not a message here: it is `system`. */
export interface ChatMessage {
  /** Who wrote it. */
  role: 'user' | 'assistant'
  /** Its text. */
  content: string
  /** Optional participant name (OpenAI's `name`; other providers have none, and it is left out there). */
  name?: string
}

/** A tool (function) the model may call, as a JSON Schema for its arguments. */
export interface RequestTool {
  /** The function's name. */
  name: string
  /** What it does. Default `''`. */
  description?: string
  /** JSON Schema of its arguments (an object schema). Default `{ type: 'object', properties: {} }`. */
  parameters?: Record<string, unknown>
}

/** `system` given with its own assemble options (they win over the same options given at the top level). */
export interface SystemInput extends Omit<AssembleOptions, 'budget' | 'model'> {
  /** The document: from `parseDocument`, or markdown source. */
  doc: PromptDocument<unknown> | string
}

/** Options of `assembleRequest`: the request's parts, the model, the budget, and assemble options for the system prompt. */
export interface AssembleRequestOptions extends Omit<AssembleOptions, 'budget' | 'model'> {
  /** The system prompt: a document (parsed or markdown source), or `{ doc, ...assemble options }`. */
  system: PromptDocument<unknown> | string | SystemInput
  /** The conversation after the system prompt. Default `[]`. */
  messages?: readonly ChatMessage[]
  /** Tools the model may call. Default `[]`. */
  tools?: readonly RequestTool[]
  /** A model id the registry knows (`'openai/gpt-4o'`, `'claude-sonnet-4-5'`, ...), or a model from `modelInfo`. */
  model: string | ModelInfo
  /** Tokens the whole request may take, the output reserve included. Default: the model's context window (an error when the registry does not know it). */
  budget?: number
  /**
   * Tokens kept free for the answer. Default: 0 when `budget` is given; when the budget is the
   * model's context window, the model's documented `maxOutputTokens` up to half the window (0 when
   * not documented).
   */
  reserveOutput?: number
  /**
   * Message role of the system prompt for OpenAI chat conventions (the overhead counts its role
   * name). Default `'developer'` for OpenAI reasoning models (`o1`, `o3`, `o4-mini`, `gpt-5`...),
   * `'system'` otherwise.
   */
  systemRole?: 'system' | 'developer'
}

/** Which part of the request a row is. */
export type RequestPart = 'system' | 'message' | 'tools' | 'overhead' | 'reserveOutput'

/**
 * How a row's count was made (its `reason` is written from it):
 *
 * - `encoding`: counted with the model's own tokenizer (exact);
 * - `proxy`: counted with a local proxy encoding, the model's tokenizer not being available locally (not exact);
 * - `counter`: counted with the caller's counter (exact only if that counter is the model's tokenizer: reported not exact);
 * - `documented`: a provider's documented convention for this model (OpenAI's per-message tokens and reply priming; exact);
 * - `convention`: OpenAI's convention applied to a model it is not documented for (not exact);
 * - `approximation`: a documented approximation (OpenAI's tool serialization), or the JSON of the definitions counted locally (not exact);
 * - `reserved`: tokens kept free for the answer (exact by definition).
 */
export type RequestRowBasis = 'encoding' | 'proxy' | 'counter' | 'documented' | 'convention' | 'approximation' | 'reserved'

/** One part of a request and its tokens. */
export interface RequestRow {
  /** Which part. */
  part: RequestPart
  /** For `message` rows: its index in `messages`; `null` otherwise. */
  index: number | null
  /** For `system` and `message` rows: the role; `null` otherwise. */
  role: string | null
  /** Tokens of the part. */
  tokens: number
  /** Whether `tokens` is the provider's exact count. */
  exact: boolean
  /** How the count was made, as a code. */
  basis: RequestRowBasis
  /** How the count was made, in one sentence (written from `basis`). */
  reason: string
}

/** What `assembleRequest` did: a row per part of the request, totals, and the system prompt's assembly report. */
export interface RequestReport {
  /** The model's canonical id. */
  model: string
  /** Its provider. */
  provider: ModelInfo['provider']
  /** The encoding every local count is in (`'custom'` for a caller's counter without a name). */
  encoding: string
  /** The budget of the whole request. */
  budget: number
  /** Where the budget came from: the `budget` option, or the model's context window. */
  budgetSource: 'option' | 'contextWindow'
  /** Tokens kept free for the answer (also the `reserveOutput` row). */
  reserveOutput: number
  /** Tokens the system prompt was assembled under: the budget less every other row. */
  systemBudget: number
  /** One row per part, in request order: `system`, each message, `tools` (when any), `overhead`, `reserveOutput`. */
  rows: RequestRow[]
  /** Sum of every row's tokens, the output reserve included. Never more than `budget`. */
  totalTokens: number
  /** `totalTokens` less the output reserve: the tokens of the request as sent. */
  inputTokens: number
  /** `budget - totalTokens`. */
  left: number
  /** Whether every row is exact. */
  exact: boolean
  /** The report of the system prompt's assembly. */
  assembly: AssemblyReport
}

/** Result of `assembleRequest`: the parts of the request, ready for an adapter, and its report. */
export interface RequestAssembly {
  /** The model. */
  model: ModelInfo
  /** The assembled system prompt. */
  system: Assembly
  /** Role the system prompt's overhead was counted with (OpenAI chat). */
  systemRole: 'system' | 'developer'
  /** The messages, as given. */
  messages: ChatMessage[]
  /** The tools, as given (description and parameters defaulted). */
  tools: Required<RequestTool>[]
  /** Tokens kept free for the answer (adapters send it as the output limit when it is above 0). */
  reserveOutput: number
  /** What was counted and how. */
  report: RequestReport
}
