import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BudgetExceededError, InvalidOptionError } from '../../src/errors.js'
import { modelInfo, UnknownModelError } from '../../src/models/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { assemblyReportSchema } from '../../src/report/schema.js'
import { assembleRequest, type ChatMessage, RequestBudgetError, type RequestTool } from '../../src/request/index.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { tiktokenCount } from '../helpers/oracle.js'

const resolver = memoryResolver({
  'orchestr8://examples/a': '# Example A\n\nA worked example about deploying a model, with enough words to cost some tokens.\n',
  'orchestr8://examples/b': '# Example B\n\nAnother worked example, about monitoring a deployed model and rolling it back.\n',
})
const SOURCE = '# Agent\n\nYou deploy models.\n\n## Deploying\n\n```\norchestr8://examples/a\n```\n\n## Monitoring\n\n```\norchestr8://examples/b\n```\n'
const doc = parseDocument(SOURCE)
const MESSAGES: ChatMessage[] = [
  { role: 'user', content: 'Deploy the churn model to staging.' },
  { role: 'assistant', content: 'Which registry version?' },
  { role: 'user', content: 'Version 7.', name: 'dana' },
]
const WEATHER: RequestTool = {
  name: 'get_weather',
  description: 'Get the weather.',
  parameters: { type: 'object', properties: { city: { type: 'string', description: 'The city.' }, unit: { type: 'string', enum: ['c', 'f'] } } },
}

/** OpenAI cookbook's num_tokens_from_messages, written independently: 3 per message, every value encoded, 1 per name, 3 priming. */
function cookbookMessages(messages: Array<Record<string, string>>, encoding: 'o200k_base' | 'cl100k_base' = 'o200k_base'): number {
  let n = 0
  for (const m of messages) {
    n += 3
    for (const [k, v] of Object.entries(m)) {
      n += tiktokenCount(v, encoding)
      if (k === 'name') n += 1
    }
  }
  return n + 3
}

describe('assembleRequest', () => {
  it('gives the system prompt what the messages, framing and reserve leave, with a row per part (gpt-4o, exact)', async () => {
    const r = await assembleRequest({ system: doc, messages: MESSAGES, model: 'openai/gpt-4o', budget: 200, reserveOutput: 50, resolver })
    const text = r.system.text
    const api = [{ role: 'system', content: text }, ...MESSAGES.map((m) => ({ ...m }))]
    const expected = cookbookMessages(api)
    expect(r.report.inputTokens).toBe(expected)
    expect(r.report.totalTokens).toBe(expected + 50)
    expect(r.report.rows.map((x) => [x.part, x.index, x.role, x.exact, x.basis])).toEqual([
      ['system', null, 'system', true, 'encoding'],
      ['message', 0, 'user', true, 'encoding'],
      ['message', 1, 'assistant', true, 'encoding'],
      ['message', 2, 'user', true, 'encoding'],
      ['overhead', null, null, true, 'documented'],
      ['reserveOutput', null, null, true, 'reserved'],
    ])
    expect(r.report.rows[0]?.tokens).toBe(tiktokenCount(text))
    expect(r.report.rows.map((x) => x.tokens).slice(1, 4)).toEqual(MESSAGES.map((m) => tiktokenCount(m.content)))
    // 4 messages x 3 + roles (system, user, assistant, user: 1 token each) + name (dana) + 1 + 3 priming
    expect(r.report.rows[4]?.tokens).toBe(4 * 3 + 4 + tiktokenCount('dana') + 1 + 3)
    expect(r.report.rows[4]?.reason).toBe("OpenAI's documented chat framing: 3 tokens per message plus its role, 1 per name, 3 priming the reply")
    expect([r.report.budget, r.report.budgetSource, r.report.reserveOutput, r.report.left, r.report.exact, r.report.encoding, r.report.model]).toEqual([200, 'option', 50, 200 - expected - 50, true, 'o200k_base', 'openai/gpt-4o'])
    expect(r.report.systemBudget).toBe(200 - (expected - tiktokenCount(text)) - 50)
    expect(r.report.assembly).toBe(r.system.report)
    expect(assemblyReportSchema.safeParse(JSON.parse(JSON.stringify(r.report.assembly))).success).toBe(true)
  })

  it('inlines less when the messages take more (the budget binds the whole request)', async () => {
    const roomy = await assembleRequest({ system: doc, model: 'gpt-4o', budget: 85, resolver })
    const tight = await assembleRequest({ system: doc, messages: MESSAGES, model: 'gpt-4o', budget: 85, resolver })
    const decisions = (r: typeof roomy) => r.system.report.references.map((x) => x.decision)
    expect([decisions(roomy), decisions(tight)]).toEqual([
      ['inlined', 'inlined'],
      ['inlined', 'deferred'],
    ])
    expect([roomy.report.totalTokens, tight.report.totalTokens]).toEqual([59, 85])
  })

  it('defaults the budget to the context window and the reserve to the documented max output', async () => {
    const r = await assembleRequest({ system: 'Be brief.\n', model: 'gpt-4o' })
    expect([r.report.budget, r.report.budgetSource, r.report.reserveOutput]).toEqual([128_000, 'contextWindow', 16_384])
    const gpt4 = await assembleRequest({ system: 'Be brief.\n', model: 'gpt-4' })
    expect([gpt4.report.budget, gpt4.report.reserveOutput]).toEqual([8_192, 4_096])
    const llama = await assembleRequest({ system: 'Be brief.\n', model: 'llama-3.1-8b-instruct' })
    expect([llama.report.budget, llama.report.reserveOutput]).toEqual([131_072, 0])
    const given = await assembleRequest({ system: 'Be brief.\n', model: 'gpt-4o', budget: 1000 })
    expect(given.report.reserveOutput).toBe(0)
  })

  it('asks for a budget when the context window is not known', async () => {
    await expect(assembleRequest({ system: 'x', model: 'qwen/qwen3-8b' })).rejects.toThrow(InvalidOptionError)
    await expect(assembleRequest({ system: 'x', model: 'qwen/qwen3-8b' })).rejects.toThrow('Invalid option `budget`: the context window of qwen/qwen3-8b is not known: pass `budget` (tokens of the whole request)')
  })

  it('says by how much the messages alone exceed the budget (REQUEST_OVER_BUDGET)', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'word '.repeat(100) }]
    const e = await assembleRequest({ system: doc, messages, model: 'gpt-4o', budget: 50, reserveOutput: 10 }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(RequestBudgetError)
    const err = e as RequestBudgetError
    const content = tiktokenCount('word '.repeat(100))
    const overhead = 2 * 3 + 2 + 3
    expect([err.code, err.budget, err.parts, err.requiredTokens, err.overBy]).toEqual(['REQUEST_OVER_BUDGET', 50, { messages: content, tools: 0, overhead, reserveOutput: 10 }, content + overhead + 10, content + overhead + 10 - 50])
    expect(err.message).toBe(`The messages (${content} tokens), tools (0), framing (${overhead}) and output reserve (10) take ${content + overhead + 10} tokens: ${content + overhead + 10 - 50} over the request budget of 50 before any system prompt`)
  })

  it('reports a core that does not fit what is left against the request budget', async () => {
    const base = await assembleRequest({ system: doc, messages: MESSAGES, model: 'gpt-4o', budget: 1000, resolver })
    const fixed = base.report.inputTokens - base.report.rows[0]!.tokens
    const e = (await assembleRequest({ system: doc, messages: MESSAGES, model: 'gpt-4o', budget: fixed + 3, resolver }).catch((x: unknown) => x)) as BudgetExceededError
    expect(e).toBeInstanceOf(BudgetExceededError)
    expect([e.code, e.budget, e.minimumBudget]).toEqual(['BUDGET_EXCEEDED', fixed + 3, fixed + base.report.assembly.coreTokens])
    // and that minimum works
    const ok = await assembleRequest({ system: doc, messages: MESSAGES, model: 'gpt-4o', budget: e.minimumBudget, resolver })
    expect(ok.report.left).toBeGreaterThanOrEqual(0)
  })

  it('counts tools with OpenAI\'s documented approximation, not exact', async () => {
    const r = await assembleRequest({ system: 'Be brief.\n', model: 'gpt-4o', budget: 1000, tools: [WEATHER] })
    const tools = r.report.rows.find((x) => x.part === 'tools')
    // num_tokens_for_tools (gpt-4o): 7 + "get_weather:Get the weather" + 3 + (3 + "city:string:The city") + (3 - 3 + 3 + "c" + 3 + "f" + "unit:string:") + 12
    const expected = 7 + tiktokenCount('get_weather:Get the weather') + 3 + 3 + tiktokenCount('city:string:The city') + 3 - 3 + 3 + tiktokenCount('c') + 3 + tiktokenCount('f') + tiktokenCount('unit:string:') + 12
    expect([tools?.tokens, tools?.exact, tools?.basis]).toEqual([expected, false, 'approximation'])
    expect(r.report.exact).toBe(false)
    expect(r.tools).toEqual([{ name: 'get_weather', description: 'Get the weather.', parameters: WEATHER.parameters }])
  })

  it('marks Anthropic, Google and open models not exact: proxy counts, estimated framing', async () => {
    for (const [model, encoding, tokenizer] of [
      ['claude-sonnet-4-5', 'o200k_base', 'anthropic'],
      ['gemini-2.5-pro', 'o200k_base', 'gemini'],
      ['llama-3.1-8b-instruct', 'cl100k_base', 'llama3'],
    ] as const) {
      const r = await assembleRequest({ system: doc, messages: MESSAGES, model, budget: 500, resolver, tools: [WEATHER] })
      expect(r.report.rows.map((x) => [x.part, x.exact, x.basis])).toEqual([
        ['system', false, 'proxy'],
        ['message', false, 'proxy'],
        ['message', false, 'proxy'],
        ['message', false, 'proxy'],
        ['tools', false, 'approximation'],
        ['overhead', false, 'convention'],
        ['reserveOutput', true, 'reserved'],
      ])
      expect(r.report.encoding).toBe(encoding)
      const id = modelInfo(model).id
      expect(r.report.rows[0]?.reason).toBe(`counted with ${encoding} as a proxy: ${id}'s tokenizer (${tokenizer}) is not available locally`)
      expect(r.report.rows[1]?.tokens).toBe(tiktokenCount(MESSAGES[0]!.content, encoding))
      // no `name` outside OpenAI: 4 messages x 3, 4 roles, 3 priming
      expect(r.report.rows[5]?.tokens).toBe(12 + 4 + 3)
    }
  })

  it('uses developer for OpenAI reasoning models, and takes systemRole', async () => {
    expect((await assembleRequest({ system: 'x', model: 'o3', budget: 100 })).systemRole).toBe('developer')
    expect((await assembleRequest({ system: 'x', model: 'gpt-5', budget: 100 })).systemRole).toBe('developer')
    expect((await assembleRequest({ system: 'x', model: 'gpt-4o', budget: 100 })).systemRole).toBe('system')
    const dev = await assembleRequest({ system: 'x', model: 'gpt-4o', budget: 100, systemRole: 'developer' })
    expect([dev.systemRole, dev.report.rows[0]?.role]).toEqual(['developer', 'developer'])
    // OpenAI documents the framing for gpt-4o, not for o3 (estimated there)
    expect((await assembleRequest({ system: 'x', model: 'o3', budget: 100 })).report.rows.find((x) => x.part === 'overhead')?.basis).toBe('convention')
  })

  it('takes { doc, ...assemble options } for the system prompt, a caller counter, and an encoding', async () => {
    const r = await assembleRequest({ system: { doc: SOURCE, resolver, exclude: ['orchestr8://examples/a'] }, model: 'gpt-4o', budget: 1000 })
    expect(r.system.report.references.map((x) => x.decision)).toEqual(['excluded', 'inlined'])
    const words = { count: (t: string) => t.split(/\s+/).filter(Boolean).length, encoding: 'words' }
    const c = await assembleRequest({ system: 'one two three', model: 'gpt-4o', budget: 1000, counter: words, messages: [{ role: 'user', content: 'four five' }] })
    expect(c.report.rows.map((x) => [x.part, x.tokens, x.basis])).toEqual([
      ['system', 3, 'counter'],
      ['message', 2, 'counter'],
      ['overhead', 3 + 1 + 3 + 1 + 3, 'documented'],
      ['reserveOutput', 0, 'reserved'],
    ])
    expect(c.report.encoding).toBe('words')
    const cl = await assembleRequest({ system: 'hello', model: 'gpt-4o', budget: 1000, encoding: 'cl100k_base' })
    expect([cl.report.encoding, cl.report.rows[0]?.basis, cl.report.rows[0]?.exact]).toEqual(['cl100k_base', 'proxy', false])
  })

  it('rejects bad options with typed errors', async () => {
    const bad: Array<[unknown, string]> = [
      [null, 'options'],
      [{ system: 'x', model: 42 }, 'model'],
      [{ system: 42, model: 'gpt-4o' }, 'system'],
      [{ system: 'x', model: 'gpt-4o', budget: -1 }, 'budget'],
      [{ system: 'x', model: 'gpt-4o', budget: 1.5 }, 'budget'],
      [{ system: 'x', model: 'gpt-4o', reserveOutput: -3 }, 'reserveOutput'],
      [{ system: 'x', model: 'gpt-4o', messages: [{ role: 'system', content: 'x' }] }, 'messages'],
      [{ system: 'x', model: 'gpt-4o', messages: 'hi' }, 'messages'],
      [{ system: 'x', model: 'gpt-4o', tools: [{ description: 'no name' }] }, 'tools'],
      [{ system: 'x', model: 'gpt-4o', systemRole: 'user' }, 'systemRole'],
      [{ system: 'x', model: 'gpt-4o', counter: {} }, 'counter'],
      [{ system: 'x', model: 'gpt-4o', encoding: 'p50k_base' }, 'encoding'],
    ]
    for (const [options, option] of bad) {
      const e = await assembleRequest(options as never).catch((x: unknown) => x)
      expect([e instanceof InvalidOptionError, (e as InvalidOptionError).option]).toEqual([true, option])
    }
    const unknown = await assembleRequest({ system: 'x', model: 'gpt-4p' }).catch((x: unknown) => x)
    expect((unknown as UnknownModelError).code).toBe('UNKNOWN_MODEL')
  })

  it('never goes over budget; totals are the sum of the rows; exact rows match an independent count (property)', async () => {
    const message = fc.record({ role: fc.constantFrom('user' as const, 'assistant' as const), content: fc.string({ maxLength: 60 }) }, { requiredKeys: ['role', 'content'] })
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { maxLength: 4 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom('gpt-4o', 'gpt-4o-mini', 'gpt-4', 'claude-sonnet-4-5', 'llama-3.1-8b-instruct'),
        fc.boolean(),
        async (messages, budget, reserveOutput, model, withTools) => {
          let r
          try {
            r = await assembleRequest({ system: doc, messages, model, budget, reserveOutput, resolver, ...(withTools ? { tools: [WEATHER] } : {}) })
          } catch (error) {
            expect(error instanceof RequestBudgetError || error instanceof BudgetExceededError).toBe(true)
            return
          }
          const sum = r.report.rows.reduce((s, x) => s + x.tokens, 0)
          expect(r.report.totalTokens).toBe(sum)
          expect(r.report.totalTokens).toBeLessThanOrEqual(budget)
          expect(r.report.left).toBe(budget - sum)
          expect(r.report.inputTokens).toBe(sum - reserveOutput)
          expect(r.report.exact).toBe(r.report.rows.every((x) => x.exact))
          const info = modelInfo(model)
          for (const x of r.report.rows.filter((row) => row.exact)) {
            if (x.part === 'system') expect(x.tokens).toBe(tiktokenCount(r.system.text, info.tokenizer.encoding))
            if (x.part === 'message') expect(x.tokens).toBe(tiktokenCount(messages[x.index!]!.content, info.tokenizer.encoding))
            if (x.part === 'overhead') expect(x.tokens + r.report.rows.filter((y) => y.part === 'system' || y.part === 'message').reduce((s, y) => s + y.tokens, 0)).toBe(
              cookbookMessages([{ role: 'system', content: r.system.text }, ...messages.map((m) => ({ role: m.role, content: m.content }))], info.tokenizer.encoding),
            )
            if (x.part === 'reserveOutput') expect(x.tokens).toBe(reserveOutput)
          }
        },
      ),
      { numRuns: 60 },
    )
  })
})
