/**
 * `assembleRequest`: a whole chat request under one budget. The messages, the tool
 * definitions, the chat framing and the output reserve are counted first; the system
 * prompt is assembled under what is left.
 *
 * @module
 */
import { type Assembly, assemble } from '../assemble/index.js'
import { createTokenCounter } from '../count/counter.js'
import { isEncodingName } from '../count/encodings.js'
import { BudgetExceededError, InvalidOptionError, PromptfoldError, type PromptfoldErrorOptions } from '../errors.js'
import { type ModelInfo, modelInfo } from '../models/registry.js'
import { type Counted, describeBasis, framingTokens, isReasoningModel, toolTokens } from './conventions.js'
import type { AssembleRequestOptions, ChatMessage, RequestAssembly, RequestRow, RequestTool, SystemInput } from './types.js'

/** The messages, tools, framing and output reserve of a request already take more than its budget. */
export class RequestBudgetError extends PromptfoldError {
  /** The request's budget. */
  readonly budget: number
  /** Tokens the parts other than the system prompt take. */
  readonly requiredTokens: number
  /** `requiredTokens - budget`: how far over the budget they are before the system prompt. */
  readonly overBy: number
  /** Those tokens, part by part. */
  readonly parts: { messages: number; tools: number; overhead: number; reserveOutput: number }
  constructor(budget: number, parts: RequestBudgetError['parts'], options?: PromptfoldErrorOptions) {
    const required = parts.messages + parts.tools + parts.overhead + parts.reserveOutput
    super(
      'REQUEST_OVER_BUDGET',
      `The messages (${parts.messages} tokens), tools (${parts.tools}), framing (${parts.overhead}) and output reserve (${parts.reserveOutput}) take ${required} tokens: ${required - budget} over the request budget of ${budget} before any system prompt`,
      options,
    )
    this.name = 'RequestBudgetError'
    this.budget = budget
    this.requiredTokens = required
    this.overBy = required - budget
    this.parts = parts
  }
}

/**
 * Assemble a whole chat request under one budget: the system prompt gets what is left
 * after the messages, the tool definitions, the chat framing and the output reserve.
 *
 * Every part is counted with the model's encoding (or its local proxy, or the `counter` /
 * `encoding` given); the report has a row per part saying whether its count is exact. The
 * system prompt is assembled by `assemble` with the budget left, so it never makes the
 * request go over.
 *
 * @param options The system prompt, messages, tools, model, budget, output reserve, and assemble options for the system prompt.
 * @returns The parts of the request and its report.
 * @throws {@link RequestBudgetError} (`REQUEST_OVER_BUDGET`) when the parts other than the system prompt alone exceed the budget.
 * @throws {@link BudgetExceededError} (`BUDGET_EXCEEDED`) when what is left is below the system prompt's core; its `minimumBudget` is a request budget that works.
 * @throws {@link UnknownModelError} (`UNKNOWN_MODEL`) for a model id the registry does not know.
 * @throws {@link InvalidOptionError} (`INVALID_OPTION`) for bad options, and when no `budget` is given and the model's context window is not known.
 * @example
 * const { system, report } = await assembleRequest({ system: doc, messages, model: 'openai/gpt-4o', budget: 8000, reserveOutput: 1000 })
 */
export async function assembleRequest(options: AssembleRequestOptions): Promise<RequestAssembly> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object with `system` and `model`')
  const { system, messages: rawMessages, tools: rawTools, model: rawModel, budget: rawBudget, reserveOutput: rawReserve, systemRole: rawRole, ...top } = options
  const model = resolveModel(rawModel)
  const { doc, ...own } = systemInput(system)
  const assembleOptions = { ...stripModel(top), ...own }
  const messages = checkMessages(rawMessages)
  const tools = checkTools(rawTools)
  const systemRole = checkRole(rawRole, model)
  const { counter, contentBasis } = countingFor(model, assembleOptions)
  const encoding = typeof counter.encoding === 'string' ? counter.encoding : 'custom'

  const { budget, budgetSource } = budgetFor(model, rawBudget)
  const reserveOutput = reserveFor(model, rawReserve, budgetSource, budget)
  const contentExact = contentBasis === 'encoding'
  const messageRows = messages.map((m, index): RequestRow => row('message', index, m.role, { tokens: counter.count(m.content), exact: contentExact, basis: contentBasis }, model, encoding))
  const toolsCounted = toolTokens(model, tools, counter)
  const framing = framingTokens(model, systemRole, messages, counter)
  const parts = { messages: sum(messageRows), tools: toolsCounted.tokens, overhead: framing.tokens, reserveOutput }
  const fixed = parts.messages + parts.tools + parts.overhead + parts.reserveOutput
  const systemBudget = budget - fixed
  if (systemBudget < 0) throw new RequestBudgetError(budget, parts)

  const assembly = await assembleSystem(doc, { ...assembleOptions, counter, budget: systemBudget }, budget, fixed)
  const rows: RequestRow[] = [
    row('system', null, systemRole, { tokens: assembly.report.totalTokens, exact: contentExact, basis: contentBasis }, model, encoding),
    ...messageRows,
    ...(tools.length > 0 ? [row('tools', null, null, toolsCounted, model, encoding)] : []),
    row('overhead', null, null, framing, model, encoding),
    row('reserveOutput', null, null, { tokens: reserveOutput, exact: true, basis: 'reserved' }, model, encoding),
  ]
  const totalTokens = sum(rows)
  return {
    model,
    system: assembly,
    systemRole,
    messages,
    tools,
    reserveOutput,
    report: {
      model: model.id,
      provider: model.provider,
      encoding,
      budget,
      budgetSource,
      reserveOutput,
      systemBudget,
      rows,
      totalTokens,
      inputTokens: totalTokens - reserveOutput,
      left: budget - totalTokens,
      exact: rows.every((r) => r.exact),
      assembly: assembly.report,
    },
  }
}

function row(part: RequestRow['part'], index: number | null, role: string | null, counted: Counted, model: ModelInfo, encoding: string): RequestRow {
  return { part, index, role, tokens: counted.tokens, exact: counted.exact, basis: counted.basis, reason: describeBasis(counted.basis, model, encoding) }
}

function sum(rows: readonly { tokens: number }[]): number {
  return rows.reduce((total, r) => total + r.tokens, 0)
}

/** Assemble the system prompt; a core too large for what is left is reported against the request's budget. */
async function assembleSystem(doc: SystemInput['doc'], options: Parameters<typeof assemble>[1], budget: number, fixed: number): Promise<Assembly> {
  try {
    return await assemble(doc, options)
  } catch (error) {
    if (error instanceof BudgetExceededError) throw new BudgetExceededError(budget, error.minimumBudget + fixed, { file: error.file, cause: error })
    throw error
  }
}

function resolveModel(model: unknown): ModelInfo {
  if (typeof model === 'string') return modelInfo(model)
  if (model !== null && typeof model === 'object' && typeof (model as ModelInfo).id === 'string' && typeof (model as ModelInfo).tokenizer?.encoding === 'string') return model as ModelInfo
  throw new InvalidOptionError('model', 'expected a model id (e.g. "openai/gpt-4o") or a ModelInfo from modelInfo()')
}

function systemInput(system: unknown): SystemInput {
  if (typeof system === 'string') return { doc: system }
  if (system !== null && typeof system === 'object') {
    if ('doc' in system && !('source' in system)) return system as SystemInput
    return { doc: system as SystemInput['doc'] }
  }
  throw new InvalidOptionError('system', 'expected a document from parseDocument, markdown source, or { doc, ...assemble options }')
}

/** Assemble options without `model` (the request's model decides the encoding) or `budget` (computed). */
function stripModel<T extends object>(options: T): T {
  const copy = { ...options } as T & { model?: unknown; budget?: unknown }
  delete copy.model
  delete copy.budget
  return copy
}

function checkMessages(messages: unknown): ChatMessage[] {
  if (messages === undefined) return []
  if (!Array.isArray(messages)) throw new InvalidOptionError('messages', 'expected an array of { role, content }')
  return messages.map((m, i) => {
    const ok = m !== null && typeof m === 'object' && (m.role === 'user' || m.role === 'assistant') && typeof m.content === 'string' && (m.name === undefined || typeof m.name === 'string')
    if (!ok) throw new InvalidOptionError('messages', `messages[${i}] must be { role: 'user' | 'assistant', content: string, name?: string }`)
    return m.name === undefined ? { role: m.role, content: m.content } : { role: m.role, content: m.content, name: m.name }
  })
}

function checkTools(tools: unknown): Required<RequestTool>[] {
  if (tools === undefined) return []
  if (!Array.isArray(tools)) throw new InvalidOptionError('tools', 'expected an array of { name, description?, parameters? }')
  return tools.map((t, i) => {
    const ok =
      t !== null &&
      typeof t === 'object' &&
      typeof t.name === 'string' &&
      t.name.length > 0 &&
      (t.description === undefined || typeof t.description === 'string') &&
      (t.parameters === undefined || (t.parameters !== null && typeof t.parameters === 'object' && !Array.isArray(t.parameters)))
    if (!ok) throw new InvalidOptionError('tools', `tools[${i}] must be { name: string, description?: string, parameters?: JSON Schema object }`)
    return { name: t.name, description: t.description ?? '', parameters: t.parameters ?? { type: 'object', properties: {} } }
  })
}

function checkRole(role: unknown, model: ModelInfo): 'system' | 'developer' {
  if (role === undefined) return isReasoningModel(model) ? 'developer' : 'system'
  if (role === 'system' || role === 'developer') return role
  throw new InvalidOptionError('systemRole', `expected 'system' or 'developer', got ${JSON.stringify(role)}`)
}

/** The counter of every part, and how content counts relate to the model's tokenizer. */
function countingFor(model: ModelInfo, options: { counter?: unknown; encoding?: unknown }): { counter: { count(text: string): number; encoding?: string }; contentBasis: 'encoding' | 'proxy' | 'counter' } {
  if (options.counter !== undefined) {
    const c = options.counter as { count?: unknown }
    if (c === null || typeof c !== 'object' || typeof c.count !== 'function') throw new InvalidOptionError('counter', 'expected an object with count(text): number')
    return { counter: options.counter as { count(text: string): number; encoding?: string }, contentBasis: 'counter' }
  }
  if (options.encoding !== undefined && !isEncodingName(options.encoding)) throw new InvalidOptionError('encoding', `expected 'o200k_base' or 'cl100k_base', got ${JSON.stringify(options.encoding)}`)
  const encoding = (options.encoding as typeof model.tokenizer.encoding | undefined) ?? model.tokenizer.encoding
  const exact = model.tokenizer.exact && encoding === model.tokenizer.encoding
  return { counter: createTokenCounter({ encoding }), contentBasis: exact ? 'encoding' : 'proxy' }
}

function budgetFor(model: ModelInfo, budget: unknown): { budget: number; budgetSource: 'option' | 'contextWindow' } {
  if (budget === undefined) {
    if (model.contextWindow === undefined) throw new InvalidOptionError('budget', `the context window of ${model.id} is not known: pass \`budget\` (tokens of the whole request)`)
    return { budget: model.contextWindow, budgetSource: 'contextWindow' }
  }
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 0) throw new InvalidOptionError('budget', `expected a whole number of tokens, 0 or more, got ${String(budget)}`)
  return { budget, budgetSource: 'option' }
}

function reserveFor(model: ModelInfo, reserve: unknown, source: 'option' | 'contextWindow', budget: number): number {
  if (reserve === undefined) {
    if (source === 'option' || model.maxOutputTokens === undefined) return 0
    return Math.min(model.maxOutputTokens, Math.floor(budget / 2))
  }
  if (typeof reserve !== 'number' || !Number.isInteger(reserve) || reserve < 0) throw new InvalidOptionError('reserveOutput', `expected a whole number of tokens, 0 or more, got ${String(reserve)}`)
  return reserve
}
