/**
 * The adapters' objects, exactly, and type-checked against each SDK's own published types
 * (devDependencies, imported as types only: `npx tsc --noEmit -p .` checks the assignments).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type Anthropic from '@anthropic-ai/sdk'
import type { AgentOptions } from '@openai/agents'
import type { CallSettings, Prompt } from 'ai'
import type OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { toAnthropicMessages, toOpenAIAgents, toOpenAIChat, toOpenAIResponses, toVercelAI } from '../../src/adapters/index.js'
import { assemble } from '../../src/assemble/index.js'
import { InvalidOptionError } from '../../src/errors.js'
import { assemblyReportSchema } from '../../src/report/schema.js'
import { assembleRequest, type ChatMessage, type RequestTool } from '../../src/request/index.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { tiktokenCount } from '../helpers/oracle.js'

const EXAMPLE = 'A worked example, with enough words in it to cost more tokens than the one-line pointer that stands in for it when it is deferred.'
const resolver = memoryResolver({ 'orchestr8://examples/a': `# Example A\n\n${EXAMPLE}\n` })
const SOURCE = '# Agent\n\nYou deploy models.\n\n## Examples\n\n```\norchestr8://examples/a\n```\n\nAlways answer briefly.\n'
const PREFIX = '# Agent\n\nYou deploy models.\n\n## Examples\n\n'
const MESSAGES: ChatMessage[] = [
  { role: 'user', content: 'Deploy it.', name: 'dana' },
  { role: 'assistant', content: 'Which version?' },
  { role: 'user', content: 'Seven.' },
]
const TOOL: RequestTool = { name: 'deploy', description: 'Deploy a model.', parameters: { type: 'object', properties: { version: { type: 'integer' } }, required: ['version'] } }

async function request(model: string) {
  return assembleRequest({ system: SOURCE, messages: MESSAGES, tools: [TOOL], model, budget: 2000, reserveOutput: 500, resolver })
}

describe('toOpenAIChat', () => {
  it('puts the system prompt first, then the messages, the tools and the output reserve', async () => {
    const r = await request('openai/gpt-4o')
    const params: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = toOpenAIChat(r)
    expect(params).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: r.system.text },
        { role: 'user', content: 'Deploy it.', name: 'dana' },
        { role: 'assistant', content: 'Which version?' },
        { role: 'user', content: 'Seven.' },
      ],
      tools: [{ type: 'function', function: { name: 'deploy', description: 'Deploy a model.', parameters: TOOL.parameters } }],
      max_completion_tokens: 500,
    })
    expect(r.system.text).toBe(`${PREFIX}### Example A\n\n${EXAMPLE}\n\nAlways answer briefly.\n`)
  })

  it('uses developer for reasoning models, and takes an assembly with a model', async () => {
    expect(toOpenAIChat(await request('o3')).messages[0]).toEqual({ role: 'developer', content: expect.any(String) })
    const a = await assemble(SOURCE, { resolver })
    const params: OpenAI.Chat.ChatCompletionCreateParams = toOpenAIChat(a, { model: 'gpt-5', messages: [{ role: 'user', content: 'Hi' }] })
    expect(params).toEqual({ model: 'gpt-5', messages: [{ role: 'developer', content: a.text }, { role: 'user', content: 'Hi' }] })
    expect(toOpenAIChat(a, { model: 'gpt-4o' }).messages).toEqual([{ role: 'system', content: a.text }])
    expect(toOpenAIChat(a, { model: 'gpt-5', role: 'system' }).messages[0]?.role).toBe('system')
    expect(toOpenAIChat(await request('llama-3.1-8b-instruct')).messages[1]).toEqual({ role: 'user', content: 'Deploy it.' })
    expect(() => toOpenAIChat(a)).toThrow(InvalidOptionError)
    expect(() => toOpenAIChat(a)).toThrow('Invalid option `model`: toOpenAIChat needs a model: pass `model` (an assembly does not name one)')
  })
})

describe('toOpenAIResponses', () => {
  it('sends the system prompt as instructions and the messages as input', async () => {
    const r = await request('gpt-4.1')
    const params: OpenAI.Responses.ResponseCreateParamsNonStreaming = toOpenAIResponses(r)
    expect(params).toEqual({
      model: 'gpt-4.1',
      instructions: r.system.text,
      input: [
        { role: 'user', content: 'Deploy it.' },
        { role: 'assistant', content: 'Which version?' },
        { role: 'user', content: 'Seven.' },
      ],
      tools: [{ type: 'function', name: 'deploy', description: 'Deploy a model.', parameters: TOOL.parameters, strict: false }],
      max_output_tokens: 500,
    })
    const a = await assemble('Be brief.\n')
    expect(toOpenAIResponses(a, { model: 'gpt-4o' })).toEqual({ model: 'gpt-4o', instructions: 'Be brief.\n', input: [] })
  })
})

describe('toAnthropicMessages', () => {
  it('splits the system prompt where the stable prefix ends and puts the cache breakpoint on that block', async () => {
    const r = await request('anthropic/claude-sonnet-4-5')
    const params = toAnthropicMessages(r)
    const typed: Anthropic.MessageCreateParamsNonStreaming = params
    expect(typed).toBe(params)
    expect(params).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 500,
      system: [
        { type: 'text', text: PREFIX, cache_control: { type: 'ephemeral' } },
        { type: 'text', text: r.system.text.slice(PREFIX.length) },
      ],
      messages: [
        { role: 'user', content: 'Deploy it.' },
        { role: 'assistant', content: 'Which version?' },
        { role: 'user', content: 'Seven.' },
      ],
      tools: [{ name: 'deploy', description: 'Deploy a model.', input_schema: { type: 'object', properties: { version: { type: 'integer' } }, required: ['version'] } }],
    })
    // Round trip: the blocks are the text; the cached block is the report's stable prefix, characters and tokens.
    const report = assemblyReportSchema.parse(JSON.parse(JSON.stringify(r.system.report)))
    expect(params.system?.map((b) => b.text).join('')).toBe(r.system.text)
    expect(params.system?.[0]?.text.length).toBe(report.stablePrefix?.chars)
    expect(tiktokenCount(params.system?.[0]?.text ?? '')).toBe(report.stablePrefix?.tokens)
  })

  it('keeps the breakpoint where the stable prefix ends at every budget', async () => {
    const decisions: unknown[] = []
    for (const budget of [65, 85, 2000]) {
      const r = await assembleRequest({ system: SOURCE, messages: MESSAGES, model: 'claude-opus-4-1', budget, reserveOutput: 10, resolver })
      const p = toAnthropicMessages(r)
      expect(p.system?.[0]).toEqual({ type: 'text', text: PREFIX, cache_control: { type: 'ephemeral' } })
      decisions.push(r.system.report.references[0]?.decision)
    }
    expect(decisions).toEqual(['deferred', 'inlined', 'inlined'])
  })

  it('one block with the breakpoint when the whole text is stable; none when no prefix is; none with cache: false', async () => {
    const plain = await assemble('# Only core\n\nNothing to load.\n')
    expect(toAnthropicMessages(plain, { model: 'claude-sonnet-4-5', maxTokens: 100 }).system).toEqual([{ type: 'text', text: plain.text, cache_control: { type: 'ephemeral' } }])
    const first = await assemble('```\norchestr8://examples/a\n```\n\nAfter.\n', { resolver })
    expect(toAnthropicMessages(first, { model: 'claude-sonnet-4-5', maxTokens: 100 }).system).toEqual([{ type: 'text', text: first.text }])
    const r = await request('claude-sonnet-4-5')
    expect(toAnthropicMessages(r, { cache: false }).system).toEqual([{ type: 'text', text: r.system.text }])
    const empty = await assemble('')
    expect(toAnthropicMessages(empty, { model: 'claude-sonnet-4-5', maxTokens: 1 })).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 1, messages: [] })
  })

  it('needs max_tokens', async () => {
    const r = await assembleRequest({ system: SOURCE, model: 'claude-sonnet-4-5', budget: 1000, resolver })
    expect(() => toAnthropicMessages(r)).toThrow('Invalid option `maxTokens`: Anthropic requires max_tokens: pass `maxTokens` (a whole number, 1 or more), or give assembleRequest a `reserveOutput`')
    expect(toAnthropicMessages(r, { maxTokens: 64 }).max_tokens).toBe(64)
  })
})

describe('toVercelAI', () => {
  it('gives instructions and messages; for Anthropic, system messages with cacheControl on the stable prefix', async () => {
    const r = await request('anthropic/claude-sonnet-4-5')
    const params = toVercelAI(r)
    const prompt: Prompt & CallSettings = params
    expect(prompt).toBe(params)
    expect(params).toEqual({
      instructions: [
        { role: 'system', content: PREFIX, providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } } },
        { role: 'system', content: r.system.text.slice(PREFIX.length) },
      ],
      messages: [
        { role: 'user', content: 'Deploy it.' },
        { role: 'assistant', content: 'Which version?' },
        { role: 'user', content: 'Seven.' },
      ],
      maxOutputTokens: 500,
    })
    const o = await request('gpt-4o')
    const openai: Prompt & CallSettings = toVercelAI(o)
    expect(openai).toEqual({ instructions: o.system.text, messages: expect.any(Array), maxOutputTokens: 500 })
    const a = await assemble(SOURCE, { resolver })
    expect(toVercelAI(a, { messages: [{ role: 'user', content: 'Hi' }] })).toEqual({ instructions: a.text, messages: [{ role: 'user', content: 'Hi' }] })
    expect((toVercelAI(a, { cache: true }).instructions as unknown[]).length).toBe(2)
  })
})

describe('toOpenAIAgents', () => {
  it('gives the agent its instructions, and for OpenAI models its model and max tokens', async () => {
    const r = await request('gpt-4o')
    const agent: AgentOptions = { name: 'deployer', ...toOpenAIAgents(r) }
    expect(agent).toEqual({ name: 'deployer', instructions: r.system.text, model: 'gpt-4o', modelSettings: { maxTokens: 500 } })
    expect(toOpenAIAgents(await request('claude-sonnet-4-5'))).toEqual({ instructions: expect.any(String), modelSettings: { maxTokens: 500 } })
    const a = await assemble('Be brief.\n')
    expect(toOpenAIAgents(a)).toEqual({ instructions: 'Be brief.\n' })
    expect(toOpenAIAgents(a, { model: 'gpt-5' })).toEqual({ instructions: 'Be brief.\n', model: 'gpt-5' })
  })
})

describe('adapters', () => {
  it('reject what is not an assembly or a request', () => {
    for (const bad of [null, 42, {}, { text: 1 }]) expect(() => toOpenAIChat(bad as never, { model: 'gpt-4o' })).toThrow(InvalidOptionError)
  })

  it('import no SDK at run time', () => {
    const dir = join(import.meta.dirname, '../../src/adapters')
    for (const f of readdirSync(dir)) {
      const src = readFileSync(join(dir, f), 'utf8')
      expect(src).not.toMatch(/from ['"](?:openai|@anthropic-ai\/sdk|ai|@openai\/agents)['"/]/)
    }
  })
})
