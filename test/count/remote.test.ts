/**
 * The ready remote counters against a local HTTP server on 127.0.0.1 that checks every
 * request's shape (method, path, headers, JSON body) against the providers' documented
 * APIs and answers as they do. Never the internet.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { anthropicCounter, describeRemoteFailure, geminiCounter, REMOTE_COUNTER_CODES, REMOTE_COUNTER_DEFAULTS, RemoteCounterError } from '../../src/count/remote.js'
import { InvalidOptionError } from '../../src/errors.js'

interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: unknown
}

/** What the server does next: answer by the documented shape, or fail in a chosen way. */
type Mode = 'ok' | 401 | 403 | 429 | 500 | 529 | 400 | 'bad-json' | 'no-count' | 'hang'

let server: Server
let base: string
let mode: Mode = 'ok'
const seen: Seen[] = []

/** A count both fake providers agree on: one token per character, plus 7 for the user turn's framing. */
const fakeTokens = (text: string) => [...text].length + 7

function anthropic(req: Seen, res: ServerResponse): void {
  const problems: string[] = []
  if (req.method !== 'POST') problems.push('method')
  if (req.headers['x-api-key'] !== 'sk-ant-test') problems.push('x-api-key')
  if (req.headers['anthropic-version'] !== '2023-06-01') problems.push('anthropic-version')
  if (!String(req.headers['content-type']).startsWith('application/json')) problems.push('content-type')
  const body = req.body as { model?: unknown; messages?: Array<{ role?: unknown; content?: unknown }> }
  if (body?.model !== 'claude-sonnet-4-5') problems.push('model')
  const m = body?.messages
  if (!Array.isArray(m) || m.length !== 1 || m[0]?.role !== 'user' || typeof m[0]?.content !== 'string' || m[0].content === '') problems.push('messages')
  if (Object.keys(body ?? {}).sort().join() !== 'messages,model') problems.push('extra fields')
  if (problems.length > 0) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: `bad ${problems.join(', ')}` } }))
    return
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: fakeTokens(m?.[0]?.content as string) }))
}

function gemini(req: Seen, res: ServerResponse): void {
  const problems: string[] = []
  if (req.method !== 'POST') problems.push('method')
  if (req.headers['x-goog-api-key'] !== 'AIza-test') problems.push('x-goog-api-key')
  if (!String(req.headers['content-type']).startsWith('application/json')) problems.push('content-type')
  const body = req.body as { contents?: Array<{ role?: unknown; parts?: Array<{ text?: unknown }> }> }
  const c = body?.contents
  const parts = c?.[0]?.parts
  if (!Array.isArray(c) || c.length !== 1 || c[0]?.role !== 'user' || !Array.isArray(parts) || parts.length !== 1 || typeof parts[0]?.text !== 'string') problems.push('contents')
  if (Object.keys(body ?? {}).join() !== 'contents') problems.push('extra fields')
  if (problems.length > 0) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 400, message: `bad ${problems.join(', ')}`, status: 'INVALID_ARGUMENT' } }))
    return
  }
  const total = fakeTokens(parts?.[0]?.text as string)
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ totalTokens: total, promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }] }))
}

function failure(res: ServerResponse, m: Exclude<Mode, 'ok' | 'hang'>): void {
  if (m === 'bad-json') res.writeHead(200, { 'content-type': 'application/json' }).end('{"input_tokens": 1')
  else if (m === 'no-count') res.writeHead(200, { 'content-type': 'application/json' }).end('{"tokens": 3}')
  else {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (m === 429) headers['retry-after'] = '2'
    res.writeHead(m, headers).end(JSON.stringify({ type: 'error', error: { type: 'some_error', message: `provider says ${m}` } }))
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      let body: unknown
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        body = undefined
      }
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body }
      seen.push(s)
      if (mode === 'hang') return
      if (mode !== 'ok') return failure(res, mode)
      if (s.url === '/v1/messages/count_tokens') return anthropic(s, res)
      if (s.url === '/v1beta/models/gemini-2.5-pro:countTokens') return gemini(s, res)
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 404, message: `no route ${s.url}`, status: 'NOT_FOUND' } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

beforeEach(() => {
  mode = 'ok'
  seen.length = 0
})

const claude = (extra: Record<string, unknown> = {}) => anthropicCounter({ apiKey: 'sk-ant-test', model: 'claude-sonnet-4-5', baseURL: base, ...extra })
const gem = (extra: Record<string, unknown> = {}) => geminiCounter({ apiKey: 'AIza-test', model: 'gemini-2.5-pro', baseURL: base, ...extra })

async function rejection(p: Promise<unknown>): Promise<RemoteCounterError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(RemoteCounterError)
  return e as RemoteCounterError
}

describe('anthropicCounter', () => {
  it('POSTs /v1/messages/count_tokens with x-api-key, anthropic-version and {model, messages}; counts input_tokens', async () => {
    const c = claude()
    expect(await c.count('Hello, world')).toBe(12 + 7)
    expect(seen).toHaveLength(1)
    expect(seen[0]?.method).toBe('POST')
    expect(seen[0]?.url).toBe('/v1/messages/count_tokens')
    expect(seen[0]?.body).toEqual({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello, world' }] })
    expect(c.name).toBe('anthropic/claude-sonnet-4-5')
    expect(c.provider).toBe('anthropic')
  })

  it('drops a provider prefix from the model; counts the empty text 0 without a request', async () => {
    const c = anthropicCounter({ apiKey: 'sk-ant-test', model: 'anthropic/claude-sonnet-4-5', baseURL: `${base}/` })
    expect(c.model).toBe('claude-sonnet-4-5')
    expect(await c.count('')).toBe(0)
    expect(seen).toHaveLength(0)
    expect(await c.count('ünïcode ✓')).toBe(9 + 7)
  })

  it('anthropicVersion is sent as given', async () => {
    const c = claude({ anthropicVersion: '2099-01-01' })
    const e = await rejection(c.count('x'))
    expect(seen[0]?.headers['anthropic-version']).toBe('2099-01-01')
    expect(e.code).toBe('REMOTE_REQUEST_REJECTED')
    expect(e.message).toBe('anthropic/claude-sonnet-4-5 rejected the count request (HTTP 400): bad anthropic-version')
  })

  it('the default endpoint is api.anthropic.com (seen through the fetch option)', async () => {
    const urls: string[] = []
    const fake = async (url: string) => {
      urls.push(url)
      return { status: 200, headers: { get: () => null }, text: async () => '{"input_tokens": 5}' }
    }
    expect(await anthropicCounter({ apiKey: 'k', model: 'claude-opus-4-1', fetch: fake }).count('hi')).toBe(5)
    expect(urls).toEqual(['https://api.anthropic.com/v1/messages/count_tokens'])
  })
})

describe('geminiCounter', () => {
  it('POSTs /v1beta/models/{model}:countTokens with x-goog-api-key and {contents}; counts totalTokens', async () => {
    const c = gem()
    expect(await c.count('The quick brown fox')).toBe(19 + 7)
    expect(seen[0]?.url).toBe('/v1beta/models/gemini-2.5-pro:countTokens')
    expect(seen[0]?.body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'The quick brown fox' }] }] })
    expect(c.name).toBe('gemini/gemini-2.5-pro')
    expect(c.provider).toBe('google')
  })

  it('drops google/ and models/ prefixes; the default endpoint is generativelanguage.googleapis.com', async () => {
    expect(gem({ model: 'google/gemini-2.5-pro' }).model).toBe('gemini-2.5-pro')
    expect(await gem({ model: 'models/gemini-2.5-pro' }).count('ab')).toBe(9)
    const urls: string[] = []
    const fake = async (url: string) => {
      urls.push(url)
      return { status: 200, headers: { get: () => null }, text: async () => '{"totalTokens": 4}' }
    }
    expect(await geminiCounter({ apiKey: 'k', model: 'gemini-2.5-flash', fetch: fake }).count('hi')).toBe(4)
    expect(urls).toEqual(['https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens'])
  })

  it('an unknown model is the provider 404, REMOTE_REQUEST_REJECTED with its message', async () => {
    const e = await rejection(gem({ model: 'gemini-9' }).count('x'))
    expect(e.code).toBe('REMOTE_REQUEST_REJECTED')
    expect(e.status).toBe(404)
    expect(e.message).toBe('gemini/gemini-9 rejected the count request (HTTP 404): no route /v1beta/models/gemini-9:countTokens')
  })
})

describe('remote failures are typed errors with codes', () => {
  const cases: Array<[Mode, string, number | undefined, string]> = [
    [401, 'REMOTE_AUTH_FAILED', 401, 'anthropic/claude-sonnet-4-5 refused the API key (HTTP 401): provider says 401'],
    [403, 'REMOTE_AUTH_FAILED', 403, 'anthropic/claude-sonnet-4-5 refused the API key (HTTP 403): provider says 403'],
    [429, 'REMOTE_RATE_LIMITED', 429, 'anthropic/claude-sonnet-4-5 is rate limited (HTTP 429); retry after 2000 ms: provider says 429'],
    [500, 'REMOTE_SERVER_ERROR', 500, 'anthropic/claude-sonnet-4-5 failed on its side (HTTP 500): provider says 500'],
    [529, 'REMOTE_SERVER_ERROR', 529, 'anthropic/claude-sonnet-4-5 failed on its side (HTTP 529): provider says 529'],
    [400, 'REMOTE_REQUEST_REJECTED', 400, 'anthropic/claude-sonnet-4-5 rejected the count request (HTTP 400): provider says 400'],
    ['bad-json', 'REMOTE_BAD_RESPONSE', 200, 'anthropic/claude-sonnet-4-5 answered without a token count (HTTP 200): the body is not JSON'],
    ['no-count', 'REMOTE_BAD_RESPONSE', 200, 'anthropic/claude-sonnet-4-5 answered without a token count (HTTP 200): no whole token count in the answer'],
  ]
  for (const [m, code, status, message] of cases) {
    it(`${m} → ${code}`, async () => {
      mode = m
      const e = await rejection(claude().count('x'))
      expect(e.code).toBe(code)
      expect(e.status).toBe(status)
      expect(e.message).toBe(message)
      expect(e.retryAfterMs).toBe(m === 429 ? 2000 : undefined)
      expect(e.message).not.toContain('sk-ant-test')
    })
  }

  it('gemini maps the same statuses (401 → REMOTE_AUTH_FAILED)', async () => {
    mode = 401
    expect((await rejection(gem().count('x'))).code).toBe('REMOTE_AUTH_FAILED')
  })

  it('no answer within `timeout` → REMOTE_TIMEOUT', async () => {
    mode = 'hang'
    const e = await rejection(claude({ timeout: 150 }).count('x'))
    expect(e.code).toBe('REMOTE_TIMEOUT')
    expect(e.message).toBe('anthropic/claude-sonnet-4-5 did not answer within 150 ms')
    server.closeAllConnections()
  })

  it('nothing listening → REMOTE_UNREACHABLE', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    const e = await rejection(anthropicCounter({ apiKey: 'k', model: 'm', baseURL: `http://127.0.0.1:${port}` }).count('x'))
    expect(e.code).toBe('REMOTE_UNREACHABLE')
    expect(e.message.startsWith('anthropic/m could not be reached: ')).toBe(true)
  })

  it('every code has a message; the codes are the documented list', () => {
    expect(REMOTE_COUNTER_CODES).toHaveLength(7)
    for (const code of REMOTE_COUNTER_CODES) expect(describeRemoteFailure({ code, counter: 'c' }).startsWith('c ')).toBe(true)
  })
})

describe('options', () => {
  it('apiKey and model are required; timeout, baseURL and anthropicVersion are checked', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ model: 'm' }, 'apiKey'],
      [{ apiKey: ' ', model: 'm' }, 'apiKey'],
      [{ apiKey: 'k' }, 'model'],
      [{ apiKey: 'k', model: 'm', timeout: 0 }, 'timeout'],
      [{ apiKey: 'k', model: 'm', baseURL: 'ftp://x' }, 'baseURL'],
      [{ apiKey: 'k', model: 'm', fetch: 'no' }, 'fetch'],
    ]
    for (const [options, option] of bad) {
      for (const make of [anthropicCounter, geminiCounter]) {
        const e = (() => {
          try {
            make(options as never)
          } catch (err) {
            return err
          }
        })()
        expect(e).toBeInstanceOf(InvalidOptionError)
        expect((e as InvalidOptionError).option).toBe(option)
      }
    }
    expect(() => anthropicCounter({ apiKey: 'k', model: 'm', anthropicVersion: '' })).toThrow(InvalidOptionError)
  })

  it('defaults: the public endpoints, anthropic-version 2023-06-01, a 30 s timeout', () => {
    expect(REMOTE_COUNTER_DEFAULTS).toEqual({
      anthropicBaseURL: 'https://api.anthropic.com',
      geminiBaseURL: 'https://generativelanguage.googleapis.com',
      anthropicVersion: '2023-06-01',
      timeout: 30_000,
    })
  })

  it('count() of a non-string rejects with INVALID_OPTION', async () => {
    await expect(claude().count(3 as never)).rejects.toMatchObject({ code: 'INVALID_OPTION' })
  })
})
