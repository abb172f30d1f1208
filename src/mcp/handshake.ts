/**
 * The MCP handshake of `promptfold serve`, without the MCP SDK: what the server answers to
 * `initialize` (capabilities, instructions, protocol version), and an early answer to it.
 *
 * `promptfold serve` answers `initialize` before it loads the SDK (about 150 ms of module
 * loading) and the library: {@link answerInitializeEarly} reads stdin from the moment the
 * command starts, answers a well-formed `initialize` as the SDK's `Server` would (the same
 * result: test/mcp/handshake.test.ts compares them), and keeps every byte read for `serve`,
 * which hands the request on to the SDK (its answer is not sent twice) and reads on from
 * there. Anything else (a first line that is not a plain `initialize`) is left to the SDK.
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

/** What {@link answerInitializeEarly} hands to `serve`: the bytes read, and the request it answered. */
export interface EarlyStart {
  /** Every chunk read from stdin so far, from the first byte (the answered request's line included). */
  chunks: Buffer[]
  /** The `initialize` request answered, with the length in bytes of its line and newline. */
  answered?: { request: Request; lineBytes: number }
}

/** Where an early start waits on its stream for `serve` (a global symbol: the CLI and `promptfold/mcp` are separate bundles). */
const EARLY = Symbol.for('promptfold.serve.earlyStart')

/** The first line is looked for in this many bytes at most; a longer one is left to `serve`. */
const FIRST_LINE_BYTES = 64 * 1024

/**
 * Read `stdin` from now on and answer a first line that is a well-formed `initialize` request
 * on `stdout`, as the SDK would (see {@link initializeResult}). Every byte read is kept for
 * `serve`, which takes it with {@link takeEarlyStart} when it starts reading the stream itself.
 */
export function answerInitializeEarly(stdin: Readable, stdout: Writable, identity: ServerIdentity): void {
  const state: EarlyStart = { chunks: [] }
  let bytes = 0
  let looking = true
  const onData = (chunk: Buffer | string) => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    state.chunks.push(buffer)
    bytes += buffer.length
    if (!looking) return
    const all = state.chunks.length === 1 ? buffer : Buffer.concat(state.chunks)
    const newline = all.indexOf(10)
    if (newline === -1) {
      if (bytes > FIRST_LINE_BYTES) looking = false
      return
    }
    looking = false
    let request: unknown
    try {
      request = JSON.parse(all.subarray(0, newline).toString('utf8'))
    } catch {
      return
    }
    if (!isObject(request) || request.jsonrpc !== '2.0' || request.method !== 'initialize' || !(typeof request.id === 'string' || (typeof request.id === 'number' && Number.isInteger(request.id)))) return
    const result = initializeResult(request.params, identity)
    if (result === undefined) return
    stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: request.id, result })}\n`)
    state.answered = { request: request as unknown as Request, lineBytes: newline + 1 }
  }
  stdin.on('data', onData)
  Object.defineProperty(stdin, EARLY, {
    configurable: true,
    value: (): EarlyStart => {
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
