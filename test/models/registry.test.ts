import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodingForModel } from '../../src/count/index.js'
import { findModelInfo, listModels, modelInfo, UnknownModelError } from '../../src/models/index.js'

describe('modelInfo', () => {
  it('knows the ids the issue names, with and without their provider prefix', () => {
    const cases: Array<[string, string, string, boolean, string]> = [
      ['openai/gpt-4o', 'openai/gpt-4o', 'o200k_base', true, 'o200k_base'],
      ['gpt-4o', 'openai/gpt-4o', 'o200k_base', true, 'o200k_base'],
      ['openai/gpt-4.1', 'openai/gpt-4.1', 'o200k_base', true, 'o200k_base'],
      ['openai/o3', 'openai/o3', 'o200k_base', true, 'o200k_base'],
      ['anthropic/claude-sonnet-4-5', 'anthropic/claude-sonnet-4-5', 'anthropic', false, 'o200k_base'],
      ['claude-sonnet-4-5', 'anthropic/claude-sonnet-4-5', 'anthropic', false, 'o200k_base'],
      ['anthropic/claude-opus-4-1', 'anthropic/claude-opus-4-1', 'anthropic', false, 'o200k_base'],
      ['google/gemini-2.5-pro', 'google/gemini-2.5-pro', 'gemini', false, 'o200k_base'],
      ['gemini-2.5-pro', 'google/gemini-2.5-pro', 'gemini', false, 'o200k_base'],
      ['meta-llama/llama-3.1-8b-instruct', 'meta-llama/llama-3.1-8b-instruct', 'llama3', false, 'cl100k_base'],
      ['llama-3.1-8b-instruct', 'meta-llama/llama-3.1-8b-instruct', 'llama3', false, 'cl100k_base'],
      ['Meta-Llama/Llama-3.1-8B-Instruct', 'meta-llama/llama-3.1-8b-instruct', 'llama3', false, 'cl100k_base'],
      ['Qwen/Qwen2.5-72B-Instruct', 'qwen/qwen2.5-72b-instruct', 'qwen2', false, 'cl100k_base'],
      ['qwen/qwen-2.5-72b-instruct', 'qwen/qwen2.5-72b-instruct', 'qwen2', false, 'cl100k_base'],
      ['mistral/mistral-nemo', 'mistral/mistral-nemo', 'tekken', false, 'o200k_base'],
      ['mistralai/mistral-nemo', 'mistral/mistral-nemo', 'tekken', false, 'o200k_base'],
    ]
    for (const [id, canonical, tokenizer, exact, encoding] of cases) {
      const m = modelInfo(id)
      expect([id, m.id, m.tokenizer.id, m.tokenizer.exact, m.tokenizer.encoding]).toEqual([id, canonical, tokenizer, exact, encoding])
    }
  })

  it('gives the documented limits, and leaves undocumented ones undefined', () => {
    const limits = (id: string) => {
      const m = modelInfo(id)
      return [m.contextWindow, m.maxOutputTokens]
    }
    expect(limits('gpt-4o')).toEqual([128_000, 16_384])
    expect(limits('gpt-4o-2024-05-13')).toEqual([128_000, 4_096])
    expect(limits('gpt-4.1')).toEqual([1_047_576, 32_768])
    expect(limits('o3')).toEqual([200_000, 100_000])
    expect(limits('gpt-5')).toEqual([400_000, 128_000])
    expect(limits('gpt-4')).toEqual([8_192, 8_192])
    expect(limits('claude-sonnet-4-5')).toEqual([200_000, 64_000])
    expect(limits('claude-opus-4-1')).toEqual([200_000, 32_000])
    expect(limits('gemini-2.5-pro')).toEqual([1_048_576, 65_536])
    expect(limits('llama-3.1-8b-instruct')).toEqual([131_072, undefined])
    expect(limits('qwen/qwen3-8b')).toEqual([undefined, undefined])
    expect(limits('deepseek-ai/DeepSeek-V3')).toEqual([undefined, undefined])
  })

  it('resolves dated snapshots to their model under their own name', () => {
    const m = modelInfo('gpt-4o-2024-08-06')
    expect([m.id, m.name, m.contextWindow, m.maxOutputTokens, m.tokenizer.encoding]).toEqual(['openai/gpt-4o-2024-08-06', 'gpt-4o-2024-08-06', 128_000, 16_384, 'o200k_base'])
    expect(modelInfo('claude-sonnet-4-5-20250929').id).toBe('anthropic/claude-sonnet-4-5')
    expect(modelInfo('anthropic/claude-sonnet-4.5').id).toBe('anthropic/claude-sonnet-4-5')
    expect(modelInfo('openai/gpt-4.1-2025-04-14').name).toBe('gpt-4.1-2025-04-14')
  })

  it('resolves other OpenAI ids through encodingForModel, limits undefined', () => {
    expect(modelInfo('gpt-4-32k')).toEqual({ id: 'openai/gpt-4-32k', name: 'gpt-4-32k', provider: 'openai', tokenizer: { id: 'cl100k_base', exact: true, encoding: 'cl100k_base' }, aliases: ['gpt-4-32k'] })
    expect(modelInfo('openai/gpt-5-chat-latest').tokenizer.id).toBe('o200k_base')
  })

  it('throws UNKNOWN_MODEL with close matches', () => {
    const error = (id: string) => {
      try {
        modelInfo(id)
      } catch (e) {
        return e as UnknownModelError
      }
      throw new Error('no error')
    }
    const e = error('claude-sonet-4-5')
    expect(e).toBeInstanceOf(UnknownModelError)
    expect([e.code, e.model, e.suggestions]).toEqual(['UNKNOWN_MODEL', 'claude-sonet-4-5', ['anthropic/claude-sonnet-4-5', 'anthropic/claude-sonnet-4']])
    expect(e.message).toBe('Unknown model "claude-sonet-4-5"; did you mean "anthropic/claude-sonnet-4-5", "anthropic/claude-sonnet-4"?')
    expect(error('gemini-2.5-pr').suggestions[0]).toBe('google/gemini-2.5-pro')
    expect(error('openai/gpt-4p').suggestions.slice(0, 2)).toEqual(['openai/gpt-4', 'openai/gpt-4o'])
    const far = error('totally-unrelated-model-name')
    expect([far.suggestions, far.message]).toEqual([[], 'Unknown model "totally-unrelated-model-name"; see listModels() for the known ids'])
    expect(error('').code).toBe('UNKNOWN_MODEL')
    expect(findModelInfo('nope/nope')).toBeUndefined()
  })

  it('lists every model once, with a canonical provider-prefixed id and consistent tokenizers', () => {
    const models = listModels()
    expect(new Set(models.map((m) => m.id)).size).toBe(models.length)
    for (const m of models) {
      expect(m.id).toMatch(/^[a-z-]+\/[a-z0-9.-]+$/)
      expect(modelInfo(m.id)).toBe(m)
      for (const a of m.aliases) expect(modelInfo(a).id).toBe(m.id)
      // An exact tokenizer is the encoding itself; OpenAI models are exact and agree with encodingForModel.
      if (m.tokenizer.exact) expect(m.tokenizer.id).toBe(m.tokenizer.encoding)
      if (m.provider === 'openai') expect([m.tokenizer.exact, m.tokenizer.encoding]).toEqual([true, encodingForModel(m.id)])
      if (m.contextWindow !== undefined && m.maxOutputTokens !== undefined) expect(m.maxOutputTokens).toBeLessThanOrEqual(m.contextWindow)
      expect(Object.isFrozen(m)).toBe(true)
    }
  })

  it('is case- and space-insensitive (property)', () => {
    const ids = listModels().flatMap((m) => [m.id, ...m.aliases])
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.array(fc.boolean(), { maxLength: 64 }), fc.constantFrom('', ' ', '\t'), (id, upper, pad) => {
        const mixed = [...id].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')
        expect(modelInfo(`${pad}${mixed}${pad}`).id).toBe(modelInfo(id).id)
      }),
    )
  })
})

describe('encodingForModel with provider-prefixed OpenAI ids', () => {
  it('accepts openai/<model>', () => {
    expect(encodingForModel('openai/gpt-4o')).toBe('o200k_base')
    expect(encodingForModel('OpenAI/GPT-4')).toBe('cl100k_base')
    expect(encodingForModel('openai/gpt-4.1-mini')).toBe('o200k_base')
  })
  it('still rejects other providers', () => {
    expect(() => encodingForModel('anthropic/claude-sonnet-4-5')).toThrow(/Unknown model/)
  })
})
