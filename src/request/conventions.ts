/**
 * Provider conventions: the tokens a chat request costs beyond its texts (per-message
 * framing, reply priming, tool definitions), and which of them are documented exactly.
 *
 * OpenAI's cookbook "How to count tokens with tiktoken" documents the chat framing for
 * its chat models: every message costs 3 tokens plus the tokens of its role (and of its
 * name plus 1 when it has one), and every reply is primed with 3 tokens
 * (`<|start|>assistant<|message|>`). It documents only an approximation for tool
 * definitions (`num_tokens_for_tools`). Anthropic and Google document no local
 * convention at all: their count-tokens endpoints are the exact source.
 *
 * @module
 */
import type { TokenCounter } from '../count/counter.js'
import type { ModelInfo } from '../models/registry.js'
import type { ChatMessage, RequestRowBasis, RequestTool } from './types.js'

/** OpenAI chat framing (cookbook, gpt-3.5-turbo-0613 and later, gpt-4, gpt-4o, gpt-4o-mini). */
export const OPENAI_CHAT = Object.freeze({ perMessage: 3, perName: 1, replyPriming: 3 })

/** The cookbook's constants for tool definitions (`num_tokens_for_tools`), gpt-4o and gpt-4o-mini. */
const TOOLS_GPT4O = Object.freeze({ funcInit: 7, propInit: 3, propKey: 3, enumInit: -3, enumItem: 3, funcEnd: 12 })
/** The same, gpt-3.5-turbo and gpt-4. */
const TOOLS_GPT4 = Object.freeze({ funcInit: 10, propInit: 3, propKey: 3, enumInit: -3, enumItem: 3, funcEnd: 12 })

/** A count and how it was made. */
export interface Counted {
  tokens: number
  exact: boolean
  basis: RequestRowBasis
}

/**
 * Whether OpenAI documents the chat framing of this model: the cookbook covers
 * gpt-3.5-turbo (but its first snapshot, -0301), gpt-4, gpt-4-turbo, gpt-4o and gpt-4o-mini.
 */
export function documentsChatFraming(model: ModelInfo): boolean {
  if (model.provider !== 'openai') return false
  const name = model.name
  if (name.startsWith('gpt-3.5-turbo')) return !name.startsWith('gpt-3.5-turbo-0301')
  return /^gpt-4o(?:-mini)?(?:-|$)/.test(name) || /^gpt-4(?:-turbo)?(?:-\d|-preview|-32k|$)/.test(name)
}

/** Whether the model is an OpenAI reasoning model, whose instructions are a `developer` message. */
export function isReasoningModel(model: ModelInfo): boolean {
  return model.provider === 'openai' && /^(?:o1|o3|o4|gpt-5)(?:[-.]|$)/.test(model.name)
}

/**
 * Tokens of the chat framing: per message (the system prompt's included), its role,
 * its name, and the reply priming. Exact where OpenAI documents the convention for the
 * model; OpenAI's convention as an estimate elsewhere.
 */
export function framingTokens(model: ModelInfo, systemRole: string, messages: readonly ChatMessage[], counter: Pick<TokenCounter, 'count'>): Counted {
  let tokens = OPENAI_CHAT.perMessage + counter.count(systemRole)
  for (const m of messages) {
    tokens += OPENAI_CHAT.perMessage + counter.count(m.role)
    if (m.name !== undefined && model.provider === 'openai') tokens += counter.count(m.name) + OPENAI_CHAT.perName
  }
  tokens += OPENAI_CHAT.replyPriming
  const exact = documentsChatFraming(model)
  return { tokens, exact, basis: exact ? 'documented' : 'convention' }
}

/**
 * Tokens of the tool definitions: OpenAI's documented approximation for OpenAI models;
 * elsewhere the JSON of the definitions as the provider takes them, counted locally.
 * Never exact.
 */
export function toolTokens(model: ModelInfo, tools: readonly Required<RequestTool>[], counter: Pick<TokenCounter, 'count'>): Counted {
  if (tools.length === 0) return { tokens: 0, exact: true, basis: 'approximation' }
  if (model.provider !== 'openai') {
    const shaped = tools.map((t) =>
      model.provider === 'anthropic' ? { name: t.name, description: t.description, input_schema: t.parameters } : { name: t.name, description: t.description, parameters: t.parameters },
    )
    return { tokens: counter.count(JSON.stringify(shaped)), exact: false, basis: 'approximation' }
  }
  const k = /^gpt-(?:3\.5-turbo|4)(?:-\d|-turbo|-32k|$)/.test(model.name) ? TOOLS_GPT4 : TOOLS_GPT4O
  let tokens = 0
  for (const t of tools) {
    tokens += k.funcInit + counter.count(`${t.name}:${trimPeriod(t.description)}`)
    const properties = (t.parameters as { properties?: unknown }).properties
    const entries = properties !== null && typeof properties === 'object' ? Object.entries(properties as Record<string, unknown>) : []
    if (entries.length > 0) {
      tokens += k.propInit
      for (const [key, raw] of entries) {
        const prop = (raw !== null && typeof raw === 'object' ? raw : {}) as { type?: unknown; description?: unknown; enum?: unknown }
        tokens += k.propKey
        if (Array.isArray(prop.enum)) {
          tokens += k.enumInit
          for (const item of prop.enum) tokens += k.enumItem + counter.count(String(item))
        }
        const type = Array.isArray(prop.type) ? prop.type.join(',') : typeof prop.type === 'string' ? prop.type : ''
        const description = typeof prop.description === 'string' ? prop.description : ''
        tokens += counter.count(`${key}:${type}:${trimPeriod(description)}`)
      }
    }
  }
  tokens += k.funcEnd
  return { tokens, exact: false, basis: 'approximation' }
}

function trimPeriod(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text
}

/**
 * The reason of a row, written from its basis: the one place request-report prose is made.
 *
 * @param basis - How the count was made.
 * @param model - The request's model.
 * @param encoding - The encoding the local counts are in.
 */
export function describeBasis(basis: RequestRowBasis, model: ModelInfo, encoding: string): string {
  switch (basis) {
    case 'encoding':
      return `counted with ${encoding}, ${model.id}'s own tokenizer`
    case 'proxy':
      return `counted with ${encoding} as a proxy: ${model.id}'s tokenizer (${model.tokenizer.id}) is not available locally`
    case 'counter':
      return `counted with the counter given (${encoding}); promptfold cannot tell whether it is ${model.id}'s tokenizer`
    case 'documented':
      return `OpenAI's documented chat framing: ${OPENAI_CHAT.perMessage} tokens per message plus its role, ${OPENAI_CHAT.perName} per name, ${OPENAI_CHAT.replyPriming} priming the reply`
    case 'convention':
      return `estimated with OpenAI's chat framing (${OPENAI_CHAT.perMessage} per message plus its role, ${OPENAI_CHAT.replyPriming} priming the reply): no exact convention is documented for ${model.id}`
    case 'approximation':
      return model.provider === 'openai'
        ? `OpenAI's documented approximation of how tool definitions are serialized (num_tokens_for_tools)`
        : `the JSON of the tool definitions counted with ${encoding}: ${model.provider} documents no local count of tools`
    case 'reserved':
      return 'kept free for the answer'
  }
}
