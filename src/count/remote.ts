/**
 * Ready remote counters: Anthropic's `POST /v1/messages/count_tokens` and Google's
 * `models/{model}:countTokens`, as async counters (`{ count(text): Promise<number> }`)
 * for `assembleWithCounter`. No SDK: one `fetch` per count, with a timeout; every failure
 * is a {@link RemoteCounterError} with a code, its message written in one place
 * ({@link describeRemoteFailure}). The API key is sent in a header and never appears in
 * an error.
 *
 * @module
 */
import { InvalidOptionError, PromptfoldError, type PromptfoldErrorOptions } from '../errors.js'

/** Why a remote count failed. */
export type RemoteCounterCode =
  /** 401 or 403: the key was refused. */
  | 'REMOTE_AUTH_FAILED'
  /** 429: too many requests; `retryAfterMs` says when to try again when the provider said. */
  | 'REMOTE_RATE_LIMITED'
  /** 5xx (Anthropic's 529 "overloaded" too). */
  | 'REMOTE_SERVER_ERROR'
  /** Another 4xx: the request was refused (an unknown model, a bad body). */
  | 'REMOTE_REQUEST_REJECTED'
  /** A 2xx answer that is not JSON or has no whole token count where the API puts it. */
  | 'REMOTE_BAD_RESPONSE'
  /** No answer within `timeout` milliseconds. */
  | 'REMOTE_TIMEOUT'
  /** `fetch` itself failed (connection refused, DNS). */
  | 'REMOTE_UNREACHABLE'

/** Every {@link RemoteCounterCode}. */
export const REMOTE_COUNTER_CODES: readonly RemoteCounterCode[] = [
  'REMOTE_AUTH_FAILED',
  'REMOTE_RATE_LIMITED',
  'REMOTE_SERVER_ERROR',
  'REMOTE_REQUEST_REJECTED',
  'REMOTE_BAD_RESPONSE',
  'REMOTE_TIMEOUT',
  'REMOTE_UNREACHABLE',
]

/** The facts a {@link RemoteCounterError} message is written from. */
export interface RemoteFailure {
  /** What went wrong. */
  code: RemoteCounterCode
  /** The counter's name, e.g. `'anthropic/claude-sonnet-4-5'`. */
  counter: string
  /** HTTP status, when there was an answer. */
  status?: number | undefined
  /** The provider's own error message, when it gave one (cut to 300 characters). */
  providerMessage?: string | undefined
  /** Milliseconds the provider asked to wait (`retry-after`), when it did. */
  retryAfterMs?: number | undefined
  /** The timeout that ran out (`REMOTE_TIMEOUT`). */
  timeoutMs?: number | undefined
}

/**
 * The message of a remote failure: the only place these messages are worded.
 *
 * @param f - The failure's facts.
 * @returns One sentence (or two, with the provider's own message).
 */
export function describeRemoteFailure(f: RemoteFailure): string {
  const status = f.status !== undefined ? ` (HTTP ${f.status})` : ''
  const said = f.providerMessage ? `: ${f.providerMessage}` : ''
  switch (f.code) {
    case 'REMOTE_AUTH_FAILED':
      return `${f.counter} refused the API key${status}${said}`
    case 'REMOTE_RATE_LIMITED':
      return `${f.counter} is rate limited${status}${f.retryAfterMs !== undefined ? `; retry after ${f.retryAfterMs} ms` : ''}${said}`
    case 'REMOTE_SERVER_ERROR':
      return `${f.counter} failed on its side${status}${said}`
    case 'REMOTE_REQUEST_REJECTED':
      return `${f.counter} rejected the count request${status}${said}`
    case 'REMOTE_BAD_RESPONSE':
      return `${f.counter} answered without a token count${status}${said}`
    case 'REMOTE_TIMEOUT':
      return `${f.counter} did not answer within ${f.timeoutMs ?? 0} ms`
    case 'REMOTE_UNREACHABLE':
      return `${f.counter} could not be reached${said}`
  }
}

/** A remote count failed; `code` says why (see {@link RemoteCounterCode}). */
export class RemoteCounterError extends PromptfoldError {
  declare readonly code: RemoteCounterCode
  /** The counter's name, e.g. `'gemini/gemini-2.5-pro'`. */
  readonly counter: string
  /** HTTP status, when there was an answer. */
  readonly status: number | undefined
  /** Milliseconds the provider asked to wait before retrying (429), when it said. */
  readonly retryAfterMs: number | undefined
  constructor(failure: RemoteFailure, options?: PromptfoldErrorOptions) {
    super(failure.code, describeRemoteFailure(failure), options)
    this.name = 'RemoteCounterError'
    this.counter = failure.counter
    this.status = failure.status
    this.retryAfterMs = failure.retryAfterMs
  }
}

/** The `fetch` a remote counter calls: the global one's shape. */
export type FetchFunction = (input: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{
  status: number
  headers: { get(name: string): string | null }
  text(): Promise<string>
}>

/** Options shared by {@link anthropicCounter} and {@link geminiCounter}. */
export interface RemoteCounterOptions {
  /** The provider's API key. Required. */
  apiKey: string
  /** The model whose tokenizer counts, e.g. `'claude-sonnet-4-5'` (a provider prefix such as `anthropic/` is dropped). Required. */
  model: string
  /** Where the API is. Default: the provider's public endpoint. */
  baseURL?: string
  /** The `fetch` to call. Default: the global `fetch`. */
  fetch?: FetchFunction
  /** Milliseconds to wait for one answer. Default `30000`. */
  timeout?: number
}

/** Options of {@link anthropicCounter}. */
export interface AnthropicCounterOptions extends RemoteCounterOptions {
  /** The `anthropic-version` header. Default `'2023-06-01'`. */
  anthropicVersion?: string
}

/** An async counter backed by a provider's count-tokens endpoint. */
export interface RemoteTokenCounter {
  /** `'<provider>/<model>'`, e.g. `'anthropic/claude-sonnet-4-5'`; reports name the counter by it. */
  readonly name: string
  /** The model counted for (without a provider prefix). */
  readonly model: string
  /** The provider: `'anthropic'` or `'google'`. */
  readonly provider: 'anthropic' | 'google'
  /**
   * Tokens of `text` sent as one user message, as the endpoint counts it: the count
   * includes the provider's framing of that message (a few tokens), so it is at least the
   * text's share of a real request. `''` counts 0 without a request.
   */
  count(text: string): Promise<number>
}

/** Defaults of the remote counters. */
export const REMOTE_COUNTER_DEFAULTS = {
  anthropicBaseURL: 'https://api.anthropic.com',
  geminiBaseURL: 'https://generativelanguage.googleapis.com',
  anthropicVersion: '2023-06-01',
  timeout: 30_000,
} as const

/** The checked options every remote counter needs. */
interface Endpoint {
  name: string
  model: string
  url: string
  headers: Record<string, string>
  fetch: FetchFunction
  timeout: number
}

function checkOptions(options: RemoteCounterOptions, provider: 'anthropic' | 'google', prefixes: readonly string[]): { model: string; fetch: FetchFunction; timeout: number; baseURL: string | undefined } {
  if (!options || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object with apiKey and model')
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') throw new InvalidOptionError('apiKey', 'must be a non-empty string')
  if (typeof options.model !== 'string' || options.model.trim() === '') throw new InvalidOptionError('model', 'must be a non-empty model name')
  const timeout = options.timeout ?? REMOTE_COUNTER_DEFAULTS.timeout
  if (typeof timeout !== 'number' || !(timeout > 0)) throw new InvalidOptionError('timeout', `must be a positive number of milliseconds, got ${String(timeout)}`)
  if (options.baseURL !== undefined && (typeof options.baseURL !== 'string' || !/^https?:\/\//.test(options.baseURL))) {
    throw new InvalidOptionError('baseURL', `must be an http(s) URL, got ${String(options.baseURL)}`)
  }
  const f = options.fetch ?? (globalThis.fetch as unknown as FetchFunction | undefined)
  if (typeof f !== 'function') throw new InvalidOptionError('fetch', `must be a function (no global fetch in this runtime for the ${provider} counter)`)
  let model = options.model.trim()
  for (const p of prefixes) if (model.startsWith(p)) model = model.slice(p.length)
  return { model, fetch: f, timeout, baseURL: options.baseURL?.replace(/\/+$/, '') }
}

/**
 * An async counter over Anthropic's token counting endpoint: `POST {baseURL}/v1/messages/count_tokens`
 * with the headers `x-api-key`, `anthropic-version` and `content-type: application/json`
 * and the body `{"model", "messages": [{"role": "user", "content": text}]}`; the answer's
 * `input_tokens` is the count.
 *
 * @param options - `apiKey`, `model` (required); `baseURL`, `fetch`, `timeout`, `anthropicVersion`.
 * @returns The counter; each `count` rejects with a {@link RemoteCounterError} on failure.
 * @throws {@link InvalidOptionError} for a missing key or model or a bad option.
 * @example
 * const counter = anthropicCounter({ apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' })
 * const { text, report } = await assembleWithCounter(doc, { counter, budget: 8000, resolver })
 */
export function anthropicCounter(options: AnthropicCounterOptions): RemoteTokenCounter {
  const o = checkOptions(options, 'anthropic', ['anthropic/'])
  const version = options.anthropicVersion ?? REMOTE_COUNTER_DEFAULTS.anthropicVersion
  if (typeof version !== 'string' || version === '') throw new InvalidOptionError('anthropicVersion', 'must be a non-empty string')
  const endpoint: Endpoint = {
    name: `anthropic/${o.model}`,
    model: o.model,
    url: `${o.baseURL ?? REMOTE_COUNTER_DEFAULTS.anthropicBaseURL}/v1/messages/count_tokens`,
    headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey, 'anthropic-version': version },
    fetch: o.fetch,
    timeout: o.timeout,
  }
  return Object.freeze({
    name: endpoint.name,
    model: o.model,
    provider: 'anthropic' as const,
    count: (text: string) =>
      countRemote(endpoint, text, (t) => ({ model: o.model, messages: [{ role: 'user', content: t }] }), (body) => (body as { input_tokens?: unknown } | null)?.input_tokens),
  })
}

/**
 * An async counter over Google's Gemini API: `POST {baseURL}/v1beta/models/{model}:countTokens`
 * with the headers `x-goog-api-key` and `content-type: application/json` and the body
 * `{"contents": [{"role": "user", "parts": [{"text": text}]}]}`; the answer's `totalTokens`
 * is the count.
 *
 * @param options - `apiKey`, `model` (required; `google/` and `models/` prefixes are dropped); `baseURL`, `fetch`, `timeout`.
 * @returns The counter; each `count` rejects with a {@link RemoteCounterError} on failure.
 * @throws {@link InvalidOptionError} for a missing key or model or a bad option.
 */
export function geminiCounter(options: RemoteCounterOptions): RemoteTokenCounter {
  const o = checkOptions(options, 'google', ['google/', 'models/'])
  const endpoint: Endpoint = {
    name: `gemini/${o.model}`,
    model: o.model,
    url: `${o.baseURL ?? REMOTE_COUNTER_DEFAULTS.geminiBaseURL}/v1beta/models/${encodeURIComponent(o.model)}:countTokens`,
    headers: { 'content-type': 'application/json', 'x-goog-api-key': options.apiKey },
    fetch: o.fetch,
    timeout: o.timeout,
  }
  return Object.freeze({
    name: endpoint.name,
    model: o.model,
    provider: 'google' as const,
    count: (text: string) =>
      countRemote(endpoint, text, (t) => ({ contents: [{ role: 'user', parts: [{ text: t }] }] }), (body) => (body as { totalTokens?: unknown } | null)?.totalTokens),
  })
}

/** One count: the request, the timeout, the answer read or turned into a {@link RemoteCounterError}. */
async function countRemote(e: Endpoint, text: string, body: (text: string) => unknown, read: (json: unknown) => unknown): Promise<number> {
  if (typeof text !== 'string') throw new InvalidOptionError('text', `expected a string, got ${text === null ? 'null' : typeof text}`)
  if (text === '') return 0
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, e.timeout)
  const fail = (f: Omit<RemoteFailure, 'counter'>, cause?: unknown): never => {
    throw new RemoteCounterError({ counter: e.name, ...f }, cause === undefined ? undefined : { cause })
  }
  try {
    let res: Awaited<ReturnType<FetchFunction>>
    try {
      res = await e.fetch(e.url, { method: 'POST', headers: e.headers, body: JSON.stringify(body(text)), signal: controller.signal })
    } catch (err) {
      return timedOut ? fail({ code: 'REMOTE_TIMEOUT', timeoutMs: e.timeout }) : fail({ code: 'REMOTE_UNREACHABLE', providerMessage: errorText(err) }, err)
    }
    let raw: string
    try {
      raw = await res.text()
    } catch (err) {
      return timedOut ? fail({ code: 'REMOTE_TIMEOUT', timeoutMs: e.timeout }) : fail({ code: 'REMOTE_BAD_RESPONSE', status: res.status }, err)
    }
    const json = parseJson(raw)
    if (res.status < 200 || res.status > 299) return fail(httpFailure(res.status, json, res.headers.get('retry-after')))
    const n = read(json)
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return fail({ code: 'REMOTE_BAD_RESPONSE', status: res.status, providerMessage: json === undefined ? 'the body is not JSON' : 'no whole token count in the answer' })
    return n
  } finally {
    clearTimeout(timer)
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown
  } catch {
    return undefined
  }
}

/** A failed HTTP answer's facts. Both providers put their message at `error.message`. */
function httpFailure(status: number, json: unknown, retryAfter: string | null): Omit<RemoteFailure, 'counter'> {
  const message = (json as { error?: { message?: unknown } } | undefined)?.error?.message
  const providerMessage = typeof message === 'string' ? message.slice(0, 300) : undefined
  const code: RemoteCounterCode =
    status === 401 || status === 403 ? 'REMOTE_AUTH_FAILED' : status === 429 ? 'REMOTE_RATE_LIMITED' : status >= 500 ? 'REMOTE_SERVER_ERROR' : 'REMOTE_REQUEST_REJECTED'
  const seconds = retryAfter !== null && /^\d+(\.\d+)?$/.test(retryAfter.trim()) ? Number(retryAfter) : undefined
  return { code, status, providerMessage, ...(code === 'REMOTE_RATE_LIMITED' && seconds !== undefined ? { retryAfterMs: Math.round(seconds * 1000) } : {}) }
}

function errorText(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code
  const message = err instanceof Error ? err.message : String(err)
  return typeof cause === 'string' ? `${message} (${cause})` : message
}
