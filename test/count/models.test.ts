/** Model → encoding mapping, option handling and errors. */
import { describe, expect, it } from 'vitest'
import { InvalidOptionError, UnknownEncodingError } from '../../src/errors.js'
import { createTokenCounter, encodingForModel } from '../../src/count/index.js'

const O200K = [
  'gpt-4o', 'gpt-4o-2024-05-13', 'gpt-4o-2024-08-06', 'gpt-4o-2024-11-20', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18',
  'gpt-4.1', 'gpt-4.1-2025-04-14', 'gpt-4.1-mini', 'gpt-4.1-mini-2025-04-14', 'gpt-4.1-nano', 'gpt-4.1-nano-2025-04-14',
  'o1', 'o1-2024-12-17', 'o1-mini', 'o1-mini-2024-09-12', 'o1-preview', 'o1-preview-2024-09-12', 'o1-pro', 'o1-pro-2025-03-19',
  'o3', 'o3-2025-04-16', 'o3-mini', 'o3-mini-2025-01-31', 'o3-pro',
  'o4-mini', 'o4-mini-2025-04-16',
  'gpt-5', 'gpt-5-2025-08-07', 'gpt-5-mini', 'gpt-5-mini-2025-08-07', 'gpt-5-nano', 'gpt-5-nano-2025-08-07', 'gpt-5-chat-latest', 'gpt-5.1',
  // Case and surrounding space are ignored; js-tiktoken's own table fills in the rest.
  'GPT-4o', ' gpt-4o', 'gpt-4o ', 'gpt-4o-realtime', 'gpt-4o-audio-preview', 'chatgpt-4o-latest',
]

const CL100K = [
  'gpt-4', 'gpt-4-0314', 'gpt-4-0613', 'gpt-4-turbo', 'gpt-4-turbo-2024-04-09',
  'gpt-3.5-turbo', 'gpt-3.5-turbo-0125', 'gpt-3.5-turbo-0613', 'gpt-3.5-turbo-1106', 'gpt-3.5-turbo-16k', 'gpt-3.5-turbo-16k-0613',
  'gpt-3.5-turbo-instruct', 'gpt-3.5-turbo-instruct-0914',
  'text-embedding-3-small', 'text-embedding-3-large', 'gpt-4-32k', 'text-embedding-ada-002',
]

const UNKNOWN = [
  '', 'gpt', 'gpt-3', 'gpt-4x', 'gpt-40', 'gpt-4o-2024', 'gpt-4.10', 'gpt-50',
  'o2', 'o10', 'o4', 'o4-mini-high-extra!', 'anthropic/claude-sonnet-4-5',
  'text-embedding-3', 'claude-3-opus', 'davinci', 'gpt2',
]

describe('encodingForModel', () => {
  it.each(O200K)('maps %s to o200k_base', (model) => {
    expect(encodingForModel(model)).toBe('o200k_base')
  })

  it.each(CL100K)('maps %s to cl100k_base', (model) => {
    expect(encodingForModel(model)).toBe('cl100k_base')
  })

  it.each(UNKNOWN)('rejects %j with UnknownEncodingError', (model) => {
    let thrown: unknown
    try {
      encodingForModel(model)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(UnknownEncodingError)
    expect((thrown as UnknownEncodingError).code).toBe('UNKNOWN_ENCODING')
    expect((thrown as Error).message).toContain(JSON.stringify(model))
  })

  it('rejects a non-string model with InvalidOptionError', () => {
    expect(() => encodingForModel(42 as unknown as string)).toThrow(InvalidOptionError)
  })
})

describe('createTokenCounter', () => {
  it('defaults to o200k_base', () => {
    expect(createTokenCounter().encoding).toBe('o200k_base')
    expect(createTokenCounter({}).encoding).toBe('o200k_base')
  })

  it('returns one shared counter per encoding', () => {
    const o200k = createTokenCounter()
    expect(createTokenCounter({ encoding: 'o200k_base' })).toBe(o200k)
    expect(createTokenCounter({ model: 'gpt-4o' })).toBe(o200k)
    expect(createTokenCounter({ model: 'gpt-5-mini', encoding: 'o200k_base' })).toBe(o200k)
    const cl100k = createTokenCounter({ encoding: 'cl100k_base' })
    expect(cl100k).not.toBe(o200k)
    expect(createTokenCounter({ model: 'gpt-4' })).toBe(cl100k)
    expect(cl100k.encoding).toBe('cl100k_base')
  })

  it('returns frozen counters', () => {
    const counter = createTokenCounter()
    expect(Object.isFrozen(counter)).toBe(true)
  })

  it('throws UnknownEncodingError for an unknown encoding or model', () => {
    for (const options of [{ encoding: 'p50k_base' }, { encoding: 'O200K_BASE' }, { encoding: '' }, { model: 'anthropic/claude-sonnet-4-5' }, { model: 'davinci' }]) {
      let thrown: unknown
      try {
        createTokenCounter(options as never)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(UnknownEncodingError)
      expect((thrown as UnknownEncodingError).code).toBe('UNKNOWN_ENCODING')
    }
  })

  it('throws InvalidOptionError for options of the wrong type or a contradiction', () => {
    const cases: Array<[unknown, string]> = [
      [null, 'options'],
      ['o200k_base', 'options'],
      [{ encoding: 200 }, 'encoding'],
      [{ model: 4 }, 'model'],
      [{ encoding: 'cl100k_base', model: 'gpt-4o' }, 'encoding'],
    ]
    for (const [options, option] of cases) {
      let thrown: unknown
      try {
        createTokenCounter(options as never)
      } catch (error) {
        thrown = error
      }
      expect(thrown, JSON.stringify(options)).toBeInstanceOf(InvalidOptionError)
      expect((thrown as InvalidOptionError).code).toBe('INVALID_OPTION')
      expect((thrown as InvalidOptionError).option).toBe(option)
    }
  })

  it('rejects non-string text with InvalidOptionError', () => {
    const counter = createTokenCounter()
    for (const text of [undefined, null, 42, ['a'], { toString: () => 'a' }]) {
      expect(() => counter.count(text as unknown as string)).toThrow(InvalidOptionError)
    }
  })
})
