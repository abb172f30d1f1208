/**
 * `serve(root)`: load a library and serve it over stdio (for `promptfold serve <root>`).
 *
 * @module
 */
import { createHash } from 'node:crypto'
import type { Readable, Writable } from 'node:stream'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { ErrorCode, type JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js'
import { DEFAULT_MAX_FILES, type Library, type LoadLibraryOptions, loadLibrary } from '../library/library.js'
import { DEFAULT_ENCODING } from '../count/encodings.js'
import { expectRankTable } from '../count/ranks.js'
import { rankTableOffThread, stopParseWorker } from '../parse/offload.js'
import type { ParseStore } from '../cache/store.js'
import { DEFAULT_SCHEMES } from '../parse/uri.js'
import { VERSION } from '../version.js'
import { takeEarlyStart } from './handshake.js'
import { startParser } from './parser.js'
import { type CreateServerOptions, type ServeState, serverOver } from './server.js'

/** How often a persistent `parseStore` is written while serving, in milliseconds. */
const FLUSH_EVERY_MS = 5000

/** Default {@link ServeOptions.maxLineBytes}: 10 MiB, the SDK's own stdio limit. */
export const DEFAULT_MAX_LINE_BYTES = 10 * 1024 * 1024

/**
 * The id under which an `initialize` answered before `serve` started (see `./handshake.ts`) is
 * handed to the SDK, so that it learns the client's capabilities; its answer to that id is not sent.
 */
const EARLY_INITIALIZE_ID = '\u0000promptfold-early-initialize'

/** Bytes kept from each end of a dropped line, to find its request id. */
const KEEP_BYTES = 256

/**
 * Options of {@link serve}. `watch` and `warm` (from {@link CreateServerOptions}) default to
 * `true` here: the served library follows edits, additions, removals and renames below the
 * root, and its documents are parsed and counted in the background from the start.
 */
export interface ServeOptions extends CreateServerOptions, Omit<LoadLibraryOptions, 'root'> {
  /** Input stream. Default `process.stdin`. */
  stdin?: Readable
  /** Output stream (JSON-RPC only; nothing else is written to it). Default `process.stdout`. */
  stdout?: Writable
  /** Where one-line status messages go. Default `process.stderr`; `null` for silence. */
  log?: Writable | null
  /**
   * Longest request line read, in bytes (without its newline). A longer line is dropped
   * without being held in memory, answered with a JSON-RPC error -32600 (with its id when
   * the line starts or ends with it) and one line on `log`; the session goes on.
   * Default {@link DEFAULT_MAX_LINE_BYTES}.
   */
  maxLineBytes?: number
}

/** The request id of a JSON-RPC line from its first or last bytes, when one is there unambiguously. */
function idOf(head: string, tail: string): string | number | undefined {
  const value = '(-?\\d{1,15}|"(?:[^"\\\\]|\\\\.){0,200}")'
  const found =
    new RegExp(`^\\s*\\{\\s*"id"\\s*:\\s*${value}\\s*[,}]`).exec(head) ??
    new RegExp(`^\\s*\\{\\s*"jsonrpc"\\s*:\\s*"2\\.0"\\s*,\\s*"id"\\s*:\\s*${value}\\s*[,}]`).exec(head) ??
    new RegExp(`[{,]\\s*"id"\\s*:\\s*${value}\\s*\\}\\s*$`).exec(tail)
  if (!found?.[1]) return undefined
  try {
    const id: unknown = JSON.parse(found[1])
    return typeof id === 'string' || typeof id === 'number' ? id : undefined
  } catch {
    return undefined
  }
}

/**
 * A newline-delimited JSON-RPC transport over two streams. Unlike the SDK's stdio transport
 * it does not end the session on a line over its limit (the SDK closes it, and the process
 * exits 0 without a word) and answers lines that are not JSON-RPC with an error; waiting
 * for `drain` uses one listener however many replies are pending (the SDK adds one per
 * reply, and more than 10 print `MaxListenersExceededWarning`).
 */
class LineTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void
  private pending: Buffer[] = []
  private pendingBytes = 0
  private dropping: { head: Buffer; tail: Buffer; bytes: number } | undefined
  private drained: Promise<void> | undefined
  private closed = false
  /** Ids of the requests passed on and not answered yet, and who waits for none to be left. */
  private readonly unanswered = new Set<string | number>()
  private whenAnswered: (() => void) | undefined
  /** Whether a `resources/list` was answered from the early listing before serve started (see `./handshake.ts`). */
  earlyListed = false

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly maxLineBytes: number,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    // What was read before serve started (and the initialize answered then) is read first,
    // without the resources/list requests answered then from the early listing.
    const early = takeEarlyStart(this.input)
    this.input.on('data', this.onData)
    this.input.on('error', this.onError)
    if (early === undefined) return
    this.earlyListed = early.listed
    if (early.answered === undefined && early.skipped.length === 0) {
      for (const chunk of early.chunks) this.onData(chunk)
      return
    }
    const all = Buffer.concat(early.chunks)
    let from = 0
    if (early.answered !== undefined) {
      this.onData(Buffer.from(`${JSON.stringify({ ...early.answered.request, id: EARLY_INITIALIZE_ID })}\n`))
      from = early.answered.lineBytes
    }
    for (const [start, end] of early.skipped) {
      this.onData(all.subarray(from, start))
      from = end
    }
    this.onData(all.subarray(from))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.input.off('data', this.onData)
    this.input.off('error', this.onError)
    if (this.input.listenerCount('data') === 0) this.input.pause()
    this.pending = []
    this.dropping = undefined
    this.onclose?.()
  }

  /** Resolves once every request passed on so far is answered (at once when none is waiting). */
  answered(): Promise<void> {
    if (this.unanswered.size === 0) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const before = this.whenAnswered
      this.whenAnswered = () => {
        before?.()
        resolve()
      }
    })
  }

  send(message: JSONRPCMessage): Promise<void> {
    const early = 'id' in message && message.id === EARLY_INITIALIZE_ID
    if ('id' in message && ('result' in message || 'error' in message) && this.unanswered.delete(message.id as string | number) && this.unanswered.size === 0) {
      const waiting = this.whenAnswered
      this.whenAnswered = undefined
      waiting?.()
    }
    if (early) return Promise.resolve()
    if (this.output.write(`${JSON.stringify(message)}\n`)) return Promise.resolve()
    this.drained ??= new Promise<void>((resolve) => {
      this.output.once('drain', () => {
        this.drained = undefined
        resolve()
      })
    })
    return this.drained
  }

  private readonly onError = (error: Error) => this.onerror?.(error)

  private readonly onData = (chunk: Buffer | string) => {
    let rest = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    while (rest.length > 0 && !this.closed) {
      const newline = rest.indexOf(10)
      this.take(newline === -1 ? rest : rest.subarray(0, newline))
      if (newline === -1) break
      this.endLine()
      rest = rest.subarray(newline + 1)
    }
  }

  private take(part: Buffer): void {
    if (part.length === 0) return
    if (this.dropping) {
      this.dropping.bytes += part.length
      this.dropping.tail = Buffer.from(Buffer.concat([this.dropping.tail, part.subarray(-KEEP_BYTES)]).subarray(-KEEP_BYTES))
      return
    }
    if (this.pendingBytes + part.length <= this.maxLineBytes) {
      this.pending.push(part)
      this.pendingBytes += part.length
      return
    }
    const head = Buffer.concat([...this.pending, part.subarray(0, KEEP_BYTES)]).subarray(0, KEEP_BYTES)
    this.dropping = { head: Buffer.from(head), tail: Buffer.from(part.subarray(-KEEP_BYTES)), bytes: this.pendingBytes + part.length }
    this.pending = []
    this.pendingBytes = 0
  }

  private endLine(): void {
    if (this.dropping) {
      const { head, tail, bytes } = this.dropping
      this.dropping = undefined
      const id = idOf(head.toString('utf8'), tail.toString('utf8'))
      this.log(`dropped a request line of ${bytes} bytes (limit ${this.maxLineBytes})${id !== undefined ? `, id ${JSON.stringify(id)}` : ''}`)
      this.reply(id, ErrorCode.InvalidRequest, `Request line of ${bytes} bytes is over the limit of ${this.maxLineBytes} bytes`)
      return
    }
    const line = Buffer.concat(this.pending).toString('utf8').replace(/\r$/, '')
    this.pending = []
    this.pendingBytes = 0
    if (line.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      this.log(`a line that is not JSON (${line.length} characters)`)
      this.reply(undefined, ErrorCode.ParseError, 'Parse error: the line is not JSON')
      return
    }
    const checked = JSONRPCMessageSchema.safeParse(value)
    if (!checked.success) {
      const raw = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined
      const id = typeof raw === 'string' || typeof raw === 'number' ? raw : undefined
      this.log(`a line that is not a JSON-RPC message${id !== undefined ? `, id ${JSON.stringify(id)}` : ''}`)
      this.reply(id, ErrorCode.InvalidRequest, 'Invalid request: the line is not a JSON-RPC 2.0 message')
      return
    }
    const message = checked.data
    if ('method' in message && 'id' in message) this.unanswered.add(message.id)
    this.onmessage?.(message)
  }

  private reply(id: string | number | undefined, code: number, message: string): void {
    void this.send({ jsonrpc: '2.0', ...(id !== undefined ? { id } : {}), error: { code, message } } as JSONRPCMessage)
  }
}

/**
 * The key of a library's listing in a parse store: the titles `resources/list` shows, kept
 * between sessions so that the next one lists them without parsing (the store's keys are 16 to
 * 128 characters of `[A-Za-z0-9_-]`; parse keys are digests, so none is of this form).
 */
function listingKey(root: string, scheme: string): string {
  return `mcp-listing-${createHash('sha256').update(`${VERSION}\u0000${scheme}\u0000${root}`).digest('base64url')}`
}

/** Thrown by a probing store (see {@link probing}) for a parse it does not hold. */
const NOT_STORED = Symbol('promptfold.serve.notStored')

/**
 * `store`, and `stored(parse)`, which runs `parse` with every read of the store that finds
 * nothing thrown: it runs through (and says `true`) only when each parse it makes is read back
 * from the store, and stops before the first that would parse markdown (`false`). The server
 * then parses off the event loop only what the store lacks (an earlier session's parses are
 * read back: src/mcp/server.ts, parseAhead).
 */
function probing(store: ParseStore): { store: ParseStore; stored: (parse: (store: ParseStore) => unknown) => boolean } {
  let active = false
  const probed: ParseStore = {
    get(key) {
      const value = store.get(key)
      if (value === undefined && active) throw NOT_STORED
      return value
    },
    set: (key, value) => store.set(key, value),
  }
  return {
    store: probed,
    stored(parse) {
      if (active) return false
      active = true
      try {
        parse(probed)
        return true
      } catch {
        // Not stored, or a fault that the parse itself will meet and report.
        return false
      } finally {
        active = false
      }
    },
  }
}

/** Rows `[uri, digest, title | null]` of a listing entry, as `serve` writes them. */
type ListingRow = [string, string, string | null]

/**
 * Put into `titles` the titles of a stored listing that still name an entry of `library` with
 * the same content (by URI and digest: a title is its entry's, never another content's).
 * Anything in the entry that is not a row of this form is left out.
 */
function readListing(store: ParseStore, key: string, library: Library, titles: ServeState['titles']): void {
  let value: unknown
  try {
    value = store.get(key)
  } catch {
    return
  }
  const rows = typeof value === 'object' && value !== null ? (value as { titles?: unknown }).titles : undefined
  if (!Array.isArray(rows)) return
  const live = new Set(library.entries.map((e) => `${e.uri}\u0000${e.digest}`))
  for (const row of rows as unknown[]) {
    if (!Array.isArray(row) || row.length !== 3) continue
    const [uri, digest, title] = row as unknown[]
    if (typeof uri !== 'string' || typeof digest !== 'string' || (title !== null && typeof title !== 'string')) continue
    const k = `${uri}\u0000${digest}`
    if (live.has(k)) titles.set(k, title ?? undefined)
  }
}

/** The rows of the titles known for the entries of `library` now. */
function listingRows(library: Library, titles: ServeState['titles']): ListingRow[] {
  const rows: ListingRow[] = []
  for (const e of library.entries) {
    const k = `${e.uri}\u0000${e.digest}`
    if (titles.has(k)) rows.push([e.uri, e.digest, titles.get(k) ?? null])
  }
  return rows
}

/**
 * Load the library below `root` and serve it as an MCP server over stdio.
 * Resolves when the client disconnects (stdin ends) or the server is closed; rejects, once the
 * server is closed, when the library cannot be loaded.
 *
 * The session starts before the library is loaded: `initialize` is answered at once, and the
 * library is loaded right after (its first turn of the event loop is left to the client's first
 * line, which is usually waiting); other requests wait for it.
 */
export async function serve(root: string, options: ServeOptions = {}): Promise<void> {
  const scheme = (options.schemes?.[0] ?? DEFAULT_SCHEMES[0] ?? 'orchestr8').toLowerCase()
  // The worker boots on another core while the server is set up and the library loads, and
  // builds the encoder's rank table meanwhile (the first count takes it instead of building it).
  if (options.warm !== false) {
    startParser()
    const encoding = options.encoding ?? DEFAULT_ENCODING
    expectRankTable(encoding, rankTableOffThread(encoding))
  }
  const probe = options.parseStore !== undefined ? probing(options.parseStore) : undefined
  const parseStore = probe?.store
  // Titles listed in an earlier session over the same store (see listingKey).
  const known: ServeState = { titles: new Map(), ...(probe !== undefined ? { parseStore: probe.store, stored: probe.stored } : {}) }
  let listing: { key: string; library: Library; saved: string } | undefined
  let load: () => void = () => undefined
  const loading = new Promise<Library>((resolve, reject) => {
    load = () =>
      void loadLibrary({
        root,
        ...(options.schemes !== undefined ? { schemes: options.schemes } : {}),
        ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
        ...(options.maxFiles !== undefined ? { maxFiles: options.maxFiles } : {}),
        ...(parseStore !== undefined ? { parseStore } : {}),
        ...(options.indexStore !== undefined ? { indexStore: options.indexStore } : {}),
      }).then((library) => {
        if (parseStore !== undefined) {
          listing = { key: listingKey(library.root, scheme), library, saved: '' }
          readListing(parseStore, listing.key, library, known.titles)
          listing.saved = `${library.version}:${listingRows(library, known.titles).length}`
        }
        resolve(library)
      }, reject)
  })
  loading.catch(() => undefined)
  // Parses made while serving (titles for listing, matching, assembled views) are written to a
  // persistent store every few seconds and at the end, so the next session starts warm.
  const store = options.parseStore as { flush?: () => unknown } | undefined
  const flush = () => {
    // The titles learned since the last write, as one entry of the store.
    if (listing !== undefined && parseStore !== undefined) {
      const rows = listingRows(listing.library, known.titles)
      const signature = `${listing.library.version}:${rows.length}`
      if (signature !== listing.saved) {
        parseStore.set(listing.key, { titles: rows })
        listing.saved = signature
      }
    }
    store?.flush?.()
  }
  const flusher = typeof store?.flush === 'function' ? setInterval(flush, FLUSH_EVERY_MS) : undefined
  flusher?.unref()
  // Serving follows the files below the root and warms its documents in the background unless
  // told not to (createServer alone does neither).
  const server = serverOver(loading, scheme, { ...options, watch: options.watch ?? true, warm: options.warm ?? true }, known)
  const stdin = options.stdin ?? process.stdin
  const stdout = options.stdout ?? process.stdout
  const log = options.log === undefined ? process.stderr : options.log
  const transport = new LineTransport(stdin, stdout, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, (line) => log?.write(`promptfold serve: ${line}\n`))
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve()
  })
  server.onerror = (error) => log?.write(`promptfold serve: ${error instanceof Error ? error.message : String(error)}\n`)
  await server.connect(transport)
  // The requests read before the end are answered first (some may be waiting for the library, or
  // for the parser's worker thread, which does not keep the process alive: a timer does, until then).
  const onEnd = () => {
    const alive = setInterval(() => undefined, 60_000)
    void transport.answered().then(() => {
      clearInterval(alive)
      return server.close()
    })
  }
  stdin.once('end', onEnd)
  stdin.once('close', onEnd)
  // Input that ended before serve listened (read for the early initialize, src/mcp/handshake.ts).
  if (stdin.readableEnded || stdin.destroyed) onEnd()
  // Two turns of the event loop: the stream's first read (the client's initialize, when it is
  // already written) comes before loading, which holds the loop while it reads the files.
  setImmediate(() => setImmediate(load))
  let library: Library
  try {
    library = await loading
  } catch (error) {
    await server.close()
    stopParseWorker()
    if (flusher !== undefined) clearInterval(flusher)
    stdin.off('end', onEnd)
    stdin.off('close', onEnd)
    throw error
  }
  // A list answered early, from the folder's walk, lacked what the library knows now.
  if (transport.earlyListed) server.sendResourceListChanged().catch(() => undefined)
  const broken = library.entries.filter((e) => e.diagnostics.some((d) => d.severity === 'error')).length
  // A library cut short at maxFiles says so here, not only in a diagnostic nobody reads.
  const limited = library.diagnostics.some((d) => d.code === 'LIMIT_MAX_FILES')
  const cut = limited ? `; indexing stopped at ${options.maxFiles ?? DEFAULT_MAX_FILES} files (--max-files raises it)` : ''
  log?.write(`promptfold serve: ${library.entries.length} documents from ${library.root}${broken > 0 ? ` (${broken} with errors)` : ''}${cut} over stdio\n`)
  await closed
  // The parser's worker (parsing ahead, warming) is not needed past the session.
  stopParseWorker()
  if (flusher !== undefined) clearInterval(flusher)
  flush()
  stdin.off('end', onEnd)
  stdin.off('close', onEnd)
}
