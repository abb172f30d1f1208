/**
 * The MCP handshake of `promptfold serve`, without the MCP SDK: what the server answers to
 * `initialize` (capabilities, instructions, protocol version), and early answers to it and to
 * `resources/list`.
 *
 * `promptfold serve` answers `initialize` before it loads the SDK (about 150 ms of module
 * loading) and the library: {@link answerInitializeEarly} reads stdin from the moment the
 * command starts, answers a well-formed `initialize` as the SDK's `Server` would (the same
 * result: test/mcp/handshake.test.ts compares them), and keeps every byte read for `serve`,
 * which hands the request on to the SDK (its answer is not sent twice) and reads on from
 * there. Anything else (a first line that is not a plain `initialize`) is left to the SDK.
 * Given the early listing (`./early-list.ts`), it also answers the `resources/list` requests
 * that follow, from a walk of the library's folder, until another request comes.
 *
 * Nothing here imports the SDK.
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream'

/** The Skills extension (SEP-2640) identifier, as declared under `capabilities.extensions`. */
export const SKILLS_EXTENSION = 'io.modelcontextprotocol/skills'

/** The capabilities the server declares. */
export const SERVER_CAPABILITIES = {
  resources: { listChanged: true, subscribe: true },
  prompts: {},
  extensions: { [SKILLS_EXTENSION]: { directoryRead: true } },
}

/**
 * The protocol versions the server negotiates, latest first: the SDK's
 * `SUPPORTED_PROTOCOL_VERSIONS` (of the SDK promptfold is developed with; a test checks they agree).
 */
export const PROTOCOL_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07']

/**
 * The server's `instructions`: what the library holds and how to reach it. Without counts (a
 * server answering `initialize` while its library loads) they say the same without numbers.
 */
export function instructionsFor(scheme: string, counts?: { documents: number; skills: number }): string {
  const base = `Resources of a promptfold library${counts !== undefined ? ` (${counts.documents} documents)` : ''}. Read ${scheme}://match?query=... to find documents for a task, and ${scheme}://agents/<path>?budget=N&query=... for an agent assembled under a token budget.`
  if (counts?.skills === 0) return base
  const serves = counts === undefined ? 'Skills (folders holding a SKILL.md), when the library has any, are served' : `It also serves ${counts.skills} skill${counts.skills === 1 ? '' : 's'}`
  return `${base} ${serves} (Skills extension ${SKILLS_EXTENSION}): skills/list and skills/get give each skill's frontmatter and files; read skill://<skill-path>/<file> for a file and skill://<skill-path>/SKILL.md?budget=N&query=... for a skill assembled under a token budget.`
}

/** Who the server says it is, and the scheme its instructions name. */
export interface ServerIdentity {
  name: string
  version: string
  scheme: string
}

/** A JSON-RPC request object. */
interface Request {
  jsonrpc: '2.0'
  id: string | number
  method: string
  params?: unknown
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * The result the SDK's `Server` gives to `initialize` with these params, when they are plainly
 * well formed (`protocolVersion` a string, `capabilities` an object, `clientInfo` with string
 * `name` and `version`); `undefined` otherwise (the SDK then answers, with its own checks).
 */
export function initializeResult(params: unknown, identity: ServerIdentity): Record<string, unknown> | undefined {
  if (!isObject(params) || typeof params.protocolVersion !== 'string' || !isObject(params.capabilities)) return undefined
  const client = params.clientInfo
  if (!isObject(client) || typeof client.name !== 'string' || typeof client.version !== 'string') return undefined
  const protocolVersion = PROTOCOL_VERSIONS.includes(params.protocolVersion) ? params.protocolVersion : PROTOCOL_VERSIONS[0]
  return { protocolVersion, capabilities: SERVER_CAPABILITIES, serverInfo: { name: identity.name, version: identity.version }, instructions: instructionsFor(identity.scheme) }
}

/**
 * The early listing (see {@link answerInitializeEarly}): the result of `resources/list` for a
 * cursor (`undefined` for the first page), or `undefined` when it cannot answer (a cursor it did
 * not give out: the server answers that request).
 */
export type EarlyLister = (cursor: string | undefined) => Record<string, unknown> | undefined

/** What {@link answerInitializeEarly} hands to `serve`: the bytes read, and the requests it answered. */
export interface EarlyStart {
  /** Every chunk read from stdin so far, from the first byte (the answered request's line included). */
  chunks: Buffer[]
  /** The `initialize` request answered, with the length in bytes of its line and newline. */
  answered?: { request: Request; lineBytes: number }
  /** Byte ranges `[start, end)` of the lines (newline included) answered early after the first: `resources/list` requests, not to be answered again. */
  skipped: [number, number][]
  /** Whether a `resources/list` was answered from the early listing (the server then tells the client the list changed once the library is loaded). */
  listed: boolean
}

/** Where an early start waits on its stream for `serve` (a global symbol: the CLI and `promptfold/mcp` are separate bundles). */
const EARLY = Symbol.for('promptfold.serve.earlyStart')

/** The first line is looked for in this many bytes at most; a longer one is left to `serve`. */
const FIRST_LINE_BYTES = 64 * 1024

/** `params` of a `resources/list` the early listing may answer: none, or only `cursor` (a string) and `_meta`; the cursor, or `false` for other params. */
function listCursor(params: unknown): string | undefined | false {
  if (params === undefined) return undefined
  if (!isObject(params) || Object.keys(params).some((k) => k !== 'cursor' && k !== '_meta')) return false
  if (params.cursor !== undefined && typeof params.cursor !== 'string') return false
  return params.cursor as string | undefined
}

/**
 * Read `stdin` from now on and answer a first line that is a well-formed `initialize` request
 * on `stdout`, as the SDK would (see {@link initializeResult}). Every byte read is kept for
 * `serve`, which takes it with {@link takeEarlyStart} when it starts reading the stream itself.
 *
 * With `lister` (the walk of the library's folder, `./early-list.ts`, which may still be
 * loading), the lines after an answered `initialize` are read on: `notifications/initialized`
 * is kept for `serve`, and each `resources/list` (no params but `cursor` and `_meta`) is
 * answered from the early listing, and not handed to `serve`. The first other line stops the
 * reading: it and everything after it is `serve`'s, in order. When that line is a
 * `resources/read`, `onRead` is given its URI (the server may start on it: see
 * `./early-read.ts`); the request is still `serve`'s to answer.
 */
export function answerInitializeEarly(stdin: Readable, stdout: Writable, identity: ServerIdentity, lister?: Promise<EarlyLister>, onRead?: (uri: string) => void): void {
  const state: EarlyStart = { chunks: [], skipped: [], listed: false }
  let all: Buffer = Buffer.alloc(0)
  let offset = 0
  let looking = true
  let taken = false
  let list: EarlyLister | 'loading' | undefined
  if (lister !== undefined) {
    list = 'loading'
    lister.then(
      (l) => {
        list = l
        pump()
      },
      () => {
        list = undefined
        pump()
      },
    )
  }
  const answer = (id: string | number, result: Record<string, unknown>) => stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`)
  /** One complete line from `offset`: whether reading goes on after it. */
  const line = (text: string, end: number): boolean | 'wait' => {
    let request: unknown
    try {
      request = JSON.parse(text)
    } catch {
      return false
    }
    if (!isObject(request) || request.jsonrpc !== '2.0') return false
    const id = request.id
    const plainId = typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id))
    if (offset === 0) {
      if (request.method !== 'initialize' || !plainId) return false
      const result = initializeResult(request.params, identity)
      if (result === undefined) return false
      answer(id as string | number, result)
      state.answered = { request: request as unknown as Request, lineBytes: end }
      return list !== undefined
    }
    if (request.method === 'notifications/initialized' && id === undefined) return true
    if (request.method === 'resources/read' && isObject(request.params) && typeof request.params.uri === 'string') onRead?.(request.params.uri)
    if (request.method !== 'resources/list' || !plainId) return false
    const cursor = listCursor(request.params)
    if (cursor === false) return false
    if (list === 'loading') return 'wait'
    const result = list?.(cursor)
    if (result === undefined) return false
    answer(id as string | number, result)
    state.skipped.push([offset, end])
    state.listed = true
    return true
  }
  /** Read the complete lines not read yet, while looking. */
  const pump = (): void => {
    while (looking && !taken) {
      const newline = all.indexOf(10, offset)
      if (newline === -1) {
        if (all.length - offset > FIRST_LINE_BYTES) looking = false
        return
      }
      const next = line(all.subarray(offset, newline).toString('utf8'), newline + 1)
      if (next === 'wait') return
      looking = next
      offset = newline + 1
    }
  }
  const onData = (chunk: Buffer | string) => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    state.chunks.push(buffer)
    if (!looking) return
    all = all.length === 0 ? buffer : Buffer.concat([all, buffer])
    pump()
  }
  stdin.on('data', onData)
  Object.defineProperty(stdin, EARLY, {
    configurable: true,
    value: (): EarlyStart => {
      taken = true
      stdin.off('data', onData)
      delete (stdin as unknown as Record<symbol, unknown>)[EARLY]
      return state
    },
  })
}

/**
 * The early start waiting on `stream`, if any: reading for it stops, and its bytes and answered
 * request are returned (once). Call it in the same turn as adding your own `data` listener.
 */
export function takeEarlyStart(stream: Readable): EarlyStart | undefined {
  const take = (stream as unknown as Record<symbol, unknown>)[EARLY]
  return typeof take === 'function' ? (take as () => EarlyStart)() : undefined
}
