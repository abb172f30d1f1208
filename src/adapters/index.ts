/**
 * Adapters: plain functions from an assembly (`assemble`) or a whole request
 * (`assembleRequest`) to the objects the providers' SDKs take. No SDK is imported: the
 * shapes are written here, and the tests check them against each SDK's published types.
 *
 * Where a provider caches prompt prefixes on request (Anthropic), the system prompt is
 * split where the assembly's stable prefix ends (`report.stablePrefix`), and the block
 * that ends it carries the cache breakpoint.
 *
 * @module
 */
import type { Assembly } from '../assemble/index.js'
import { InvalidOptionError } from '../errors.js'
import type { ModelInfo } from '../models/registry.js'
import { isReasoningModel } from '../request/conventions.js'
import type { ChatMessage, RequestAssembly, RequestTool } from '../request/types.js'

/** What an adapter takes: an assembly, or a whole request. */
export type AdapterInput = Assembly | RequestAssembly

/** Options every adapter takes. */
export interface AdapterOptions {
  /** Model id to send. Default: the request's model as its provider's API names it (`gpt-4o`); required for an assembly where the SDK needs one. */
  model?: string
  /** Conversation to send after the system prompt, for an assembly (a request has its own). Default `[]`. */
  messages?: readonly ChatMessage[]
}

/** A system or developer message of OpenAI Chat Completions. */
export type OpenAIChatSystemMessage = { role: 'system' | 'developer'; content: string }
/** A user or assistant message of OpenAI Chat Completions. */
export type OpenAIChatMessage = { role: 'user' | 'assistant'; content: string; name?: string }
/** A function tool of OpenAI Chat Completions. */
export type OpenAIChatTool = { type: 'function'; function: { name: string; description: string; parameters: Record<string, unknown> } }

/** Parameters for OpenAI's `client.chat.completions.create` (assignable to the SDK's `ChatCompletionCreateParamsNonStreaming`). */
export type OpenAIChatParams = {
  model: string
  messages: Array<OpenAIChatSystemMessage | OpenAIChatMessage>
  tools?: OpenAIChatTool[]
  max_completion_tokens?: number
}

/** Options of {@link toOpenAIChat}. */
export interface OpenAIChatOptions extends AdapterOptions {
  /** Role of the system prompt's message. Default: the request's `systemRole`; for an assembly `'developer'` for OpenAI reasoning models named in `model` (`o1`, `o3`, `o4-mini`, `gpt-5`...), `'system'` otherwise. */
  role?: 'system' | 'developer'
}

/**
 * OpenAI Chat Completions parameters: the system prompt as the first message
 * (`developer` or `system`), then the messages (with their `name`, except in a request to
 * another provider's model served in OpenAI's format, whose count left names out); the tools
 * as function tools; the request's output reserve as `max_completion_tokens` when above 0.
 *
 * @param input - An assembly or a request.
 * @param options - Model, messages (for an assembly), role.
 * @returns Parameters for `client.chat.completions.create`.
 * @throws {@link InvalidOptionError} when the model is not known (an assembly without `model`).
 */
export function toOpenAIChat(input: AdapterInput, options: OpenAIChatOptions = {}): OpenAIChatParams {
  const p = parts(input, options)
  const role = options.role ?? p.systemRole ?? (isReasoningName(p.modelName) ? 'developer' : 'system')
  // A request to another provider's model was counted without names (only OpenAI documents them): send none.
  const names = p.provider === undefined || p.provider === 'openai'
  const params: OpenAIChatParams = {
    model: requireModel(p.modelName, 'toOpenAIChat'),
    messages: [{ role, content: p.text }, ...p.messages.map((m): OpenAIChatMessage => (m.name === undefined || !names ? { role: m.role, content: m.content } : { role: m.role, content: m.content, name: m.name }))],
  }
  if (p.tools.length > 0) params.tools = p.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }))
  if (p.reserveOutput > 0) params.max_completion_tokens = p.reserveOutput
  return params
}

/** An input message of OpenAI Responses. */
export type OpenAIResponsesMessage = { role: 'user' | 'assistant'; content: string }
/** A function tool of OpenAI Responses. */
export type OpenAIResponsesTool = { type: 'function'; name: string; description: string; parameters: Record<string, unknown>; strict: boolean }

/** Parameters for OpenAI's `client.responses.create` (assignable to the SDK's `ResponseCreateParamsNonStreaming`). */
export type OpenAIResponsesParams = {
  model: string
  instructions: string
  input: OpenAIResponsesMessage[]
  tools?: OpenAIResponsesTool[]
  max_output_tokens?: number
}

/**
 * OpenAI Responses parameters: the system prompt as `instructions`, the messages as
 * `input`, the tools as function tools (`strict: false`: the schemas are sent as given),
 * the output reserve as `max_output_tokens` when above 0.
 *
 * @param input - An assembly or a request.
 * @param options - Model, messages (for an assembly).
 * @returns Parameters for `client.responses.create`.
 * @throws {@link InvalidOptionError} when the model is not known (an assembly without `model`).
 */
export function toOpenAIResponses(input: AdapterInput, options: AdapterOptions = {}): OpenAIResponsesParams {
  const p = parts(input, options)
  const params: OpenAIResponsesParams = {
    model: requireModel(p.modelName, 'toOpenAIResponses'),
    instructions: p.text,
    input: p.messages.map((m) => ({ role: m.role, content: m.content })),
  }
  if (p.tools.length > 0) params.tools = p.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters, strict: false }))
  if (p.reserveOutput > 0) params.max_output_tokens = p.reserveOutput
  return params
}

/** A system text block of Anthropic Messages, with the cache breakpoint when it ends the stable prefix. */
export type AnthropicTextBlock = { type: 'text'; text: string; cache_control?: { type: 'ephemeral' } }
/** A message of Anthropic Messages. */
export type AnthropicMessage = { role: 'user' | 'assistant'; content: string }
/** A tool of Anthropic Messages. */
export type AnthropicTool = { name: string; description: string; input_schema: { type: 'object'; [key: string]: unknown } }

/** Parameters for Anthropic's `client.messages.create` (assignable to the SDK's `MessageCreateParamsNonStreaming`). */
export type AnthropicMessagesParams = {
  model: string
  max_tokens: number
  system?: AnthropicTextBlock[]
  messages: AnthropicMessage[]
  tools?: AnthropicTool[]
}

/** Options of {@link toAnthropicMessages}. */
export interface AnthropicMessagesOptions extends AdapterOptions {
  /** `max_tokens` (Anthropic requires it). Default: the request's output reserve when above 0; otherwise this option is required. */
  maxTokens?: number
  /** Put a cache breakpoint (`cache_control: { type: 'ephemeral' }`) on the block that ends the stable prefix. Default `true`. */
  cache?: boolean
}

/**
 * Anthropic Messages parameters: the system prompt as text blocks, split where the
 * stable prefix ends, the block ending it with `cache_control: { type: 'ephemeral' }` (a
 * whole-text prefix is one block with the breakpoint; no stable prefix, one block
 * without); the messages (names dropped: Anthropic has none); the tools with
 * `input_schema`.
 *
 * Anthropic caches a prefix only from its minimum cacheable length on; below it the
 * breakpoint is accepted and ignored.
 *
 * @param input - An assembly or a request.
 * @param options - Model, messages (for an assembly), `maxTokens`, `cache`.
 * @returns Parameters for `client.messages.create`.
 * @throws {@link InvalidOptionError} when the model or `max_tokens` is not known.
 */
export function toAnthropicMessages(input: AdapterInput, options: AnthropicMessagesOptions = {}): AnthropicMessagesParams {
  const p = parts(input, options)
  const maxTokens = options.maxTokens ?? (p.reserveOutput > 0 ? p.reserveOutput : undefined)
  if (maxTokens === undefined || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new InvalidOptionError('maxTokens', 'Anthropic requires max_tokens: pass `maxTokens` (a whole number, 1 or more), or give assembleRequest a `reserveOutput`')
  }
  const params: AnthropicMessagesParams = { model: requireModel(p.modelName, 'toAnthropicMessages'), max_tokens: maxTokens, messages: p.messages.map((m) => ({ role: m.role, content: m.content })) }
  const blocks = systemBlocks(p.text, p.stable, options.cache ?? true).map(([text, cached]): AnthropicTextBlock => (cached ? { type: 'text', text, cache_control: { type: 'ephemeral' } } : { type: 'text', text }))
  if (blocks.length > 0) params.system = blocks
  if (p.tools.length > 0) params.tools = p.tools.map((t) => ({ name: t.name, description: t.description, input_schema: { ...t.parameters, type: 'object' } }))
  return params
}

/** Anthropic's cache breakpoint as the Vercel AI SDK takes it in `providerOptions`. */
export type VercelAnthropicCache = { anthropic: { cacheControl: { type: 'ephemeral' } } }
/** A system message of the Vercel AI SDK's `instructions`. */
export type VercelSystemMessage = { role: 'system'; content: string; providerOptions?: VercelAnthropicCache }
/** A user or assistant message of the Vercel AI SDK. */
export type VercelMessage = { role: 'user' | 'assistant'; content: string }

/** Options for the Vercel AI SDK's `generateText` / `streamText` (assignable to the SDK's `Prompt` and call settings); add `model` and `tools` yourself. */
export type VercelAIParams = {
  instructions: string | VercelSystemMessage[]
  messages: VercelMessage[]
  maxOutputTokens?: number
}

/** Options of {@link toVercelAI}. */
export interface VercelAIOptions extends AdapterOptions {
  /** Split `instructions` at the stable prefix and mark it for Anthropic's cache (`providerOptions.anthropic.cacheControl`). Default: `true` for a request to an Anthropic model, `false` otherwise. */
  cache?: boolean
}

/**
 * Vercel AI SDK options: the system prompt as `instructions` (the SDK rejects system
 * messages inside `messages`), the messages, the output reserve as `maxOutputTokens`
 * when above 0. With `cache`, `instructions` are system messages split at the stable
 * prefix, the one ending it with `providerOptions.anthropic.cacheControl`.
 *
 * Tools are not converted: the AI SDK's tools carry schemas built by its own helpers
 * (`tool`, `jsonSchema`), which promptfold does not import; pass `tools` yourself (the
 * request's `tools` hold each one's name, description and JSON Schema).
 *
 * @param input - An assembly or a request.
 * @param options - Messages (for an assembly), `cache`.
 * @returns Options to spread into `generateText` / `streamText` with your `model`.
 */
export function toVercelAI(input: AdapterInput, options: VercelAIOptions = {}): VercelAIParams {
  const p = parts(input, options)
  const cache = options.cache ?? p.provider === 'anthropic'
  const instructions = cache
    ? systemBlocks(p.text, p.stable, true).map(([content, cached]): VercelSystemMessage => (cached ? { role: 'system', content, providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } } } : { role: 'system', content }))
    : p.text
  const params: VercelAIParams = { instructions, messages: p.messages.map((m) => ({ role: m.role, content: m.content })) }
  if (p.reserveOutput > 0) params.maxOutputTokens = p.reserveOutput
  return params
}

/** Options for the OpenAI Agents SDK's `new Agent({ name, ...these })` (assignable to the SDK's `AgentOptions` with a `name`). */
export type OpenAIAgentsParams = {
  instructions: string
  model?: string
  modelSettings?: { maxTokens: number }
}

/**
 * OpenAI Agents SDK options: the system prompt as the agent's `instructions`; for a
 * request to an OpenAI model, its `model`, and the output reserve as
 * `modelSettings.maxTokens` when above 0. Messages are the run's input: pass them to `run`.
 *
 * @param input - An assembly or a request.
 * @param options - Model.
 * @returns Options to spread into `new Agent({ name, ... })`.
 */
export function toOpenAIAgents(input: AdapterInput, options: Pick<AdapterOptions, 'model'> = {}): OpenAIAgentsParams {
  const p = parts(input, options)
  const params: OpenAIAgentsParams = { instructions: p.text }
  const model = options.model ?? (p.provider === 'openai' ? p.modelName : undefined)
  if (model !== undefined) params.model = model
  if (p.reserveOutput > 0) params.modelSettings = { maxTokens: p.reserveOutput }
  return params
}

/** What every adapter reads from its input. */
interface Parts {
  text: string
  /** Characters of the stable prefix. */
  stable: number
  modelName: string | undefined
  provider: ModelInfo['provider'] | undefined
  systemRole: 'system' | 'developer' | undefined
  messages: readonly ChatMessage[]
  tools: readonly Required<RequestTool>[]
  reserveOutput: number
}

function parts(input: AdapterInput, options: AdapterOptions): Parts {
  if (input === null || typeof input !== 'object') throw new InvalidOptionError('input', 'expected an assembly (from assemble) or a request (from assembleRequest)')
  if ('system' in input && 'model' in input) {
    const r = input
    return {
      text: r.system.text,
      stable: stableChars(r.system),
      modelName: options.model ?? r.model.name,
      provider: r.model.provider,
      systemRole: r.systemRole,
      messages: r.messages,
      tools: r.tools,
      reserveOutput: r.reserveOutput,
    }
  }
  const a = input as Assembly
  if (typeof a.text !== 'string' || a.report === null || typeof a.report !== 'object') throw new InvalidOptionError('input', 'expected an assembly (from assemble) or a request (from assembleRequest)')
  return { text: a.text, stable: stableChars(a), modelName: options.model, provider: undefined, systemRole: undefined, messages: options.messages ?? [], tools: [], reserveOutput: 0 }
}

function stableChars(a: Assembly): number {
  const chars = a.report.stablePrefix?.chars ?? 0
  return Math.max(0, Math.min(chars, a.text.length))
}

function requireModel(model: string | undefined, fn: string): string {
  if (model === undefined || model.length === 0) throw new InvalidOptionError('model', `${fn} needs a model: pass \`model\` (an assembly does not name one)`)
  return model
}

function isReasoningName(name: string | undefined): boolean {
  return name !== undefined && isReasoningModel({ provider: 'openai', name } as ModelInfo)
}

/**
 * The system prompt as blocks `[text, cached]`: split where the stable prefix ends, the
 * prefix block marked when `cache`. No empty blocks; a remainder of white space only stays
 * with the prefix.
 */
function systemBlocks(text: string, stable: number, cache: boolean): Array<[string, boolean]> {
  if (text.length === 0) return []
  if (!cache || stable === 0) return [[text, false]]
  const rest = text.slice(stable)
  if (rest.trim() === '') return [[text, true]]
  return [
    [text.slice(0, stable), true],
    [rest, false],
  ]
}
