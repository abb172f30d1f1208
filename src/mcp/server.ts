/**
 * `createServer(library)`: a library as an MCP server (resources, resource templates,
 * prompts), built on `@modelcontextprotocol/sdk`.
 *
 * - Every entry is a resource: its canonical URI, `name` (id or file name), `title` (first
 *   heading), `description` (its `useWhen`), `mimeType: text/markdown`, `size` in bytes (as
 *   MCP defines it) and its exact token count in `_meta["promptfold/tokens"]`.
 * - `<scheme>://agents/{+path}?budget={budget}&query={query}`: the agent assembled under a
 *   budget (any entry accepts `?budget=` / `?query=`). The second content item is the
 *   assembly report (JSON).
 * - `<scheme>://match?query={query}&categories={categories}&tags={tags}&maxResults={maxResults}`:
 *   ranked matches, as a markdown list and as JSON.
 * - A prompt per agent with arguments `task` and `budget`; the report is in `_meta`.
 * - Skills (folders holding a `SKILL.md`): the Skills extension (SEP-2640,
 *   `io.modelcontextprotocol/skills`, see `./skills.ts`): `skills/list`, `skills/get`,
 *   `resources/directory/read`, every file readable as `skill://<skill-path>/<file>`, and
 *   `skill://<skill-path>/SKILL.md?budget={budget}&query={query}` assembled under a budget.
 *
 * Unknown URIs answer "resource not found" (-32002); hostile or malformed URIs and bad
 * arguments answer "invalid params" (-32602). Neither stops the server.
 *
 * @module
 */
// The low-level Server is used on purpose: resources change with `library.refresh()` and
// URIs are parsed and confined by promptfold itself rather than by URI-template matching.
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  ErrorCode,
  GetPromptRequestSchema,
  type GetPromptResult,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  type ListResourcesResult,
  ListResourceTemplatesRequestSchema,
  McpError,
  type Prompt,
  ReadResourceRequestSchema,
  type ReadResourceResult,
  RequestSchema,
  type Resource,
  type ServerResult,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { assemble } from '../assemble/index.js'
import type { CountStore, ParseStore } from '../cache/store.js'
import { createTokenCounter, type EncodingName, type TokenCounter } from '../count/index.js'
import { rankTableArrival } from '../count/ranks.js'
import { BudgetExceededError, InvalidOptionError, PromptfoldError } from '../errors.js'
import { parseDocument } from '../parse/document.js'
import { parseMarkdownOffThread } from '../parse/markdown.js'
import { MAX_URI_LENGTH, parseMatchQuery, parseUri } from '../parse/uri.js'
import type { AssemblyReport } from '../report/schema.js'
import { safeSegments } from '../resolve/fs.js'
import type { Library, LibraryEntry, RefreshResult } from '../library/library.js'
import { VERSION } from '../version.js'
import { markdownBody } from './early-read.js'
import { instructionsFor, SERVER_CAPABILITIES } from './handshake.js'
import { DEFAULT_RESOURCES_PAGE_SIZE, decodeListCursor, listPage, MAX_RESOURCES_PAGE_CHARS } from './list-page.js'
import {
  DEFAULT_SKILLS_PAGE_SIZE,
  GetSkillRequestSchema,
  getSkill,
  ListSkillsRequestSchema,
  type ListSkillsResult,
  listSkills,
  locateSkillUri,
  parseSkillUri,
  ReadDirectoryRequestSchema,
  type ReadDirectoryResult,
  readSkillDirectory,
  readSkillFile,
  SKILLS_ERROR_RPC_CODES,
  SkillsRequestError,
  type ServedSkill,
  type SkillEntryResult,
  servedSkills,
  skillUri,
} from './skills.js'
import { type TreeWatch, watchTree } from './watch.js'

/** MCP error code for "resource not found" (MCP specification, resources). */
export const RESOURCE_NOT_FOUND = -32002

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** Server name reported to clients. Default `'promptfold'`. */
  name?: string
  /** Server version reported to clients. Default: promptfold's version. */
  version?: string
  /** Budget used by prompts and assembled views that give none. Default `8000`. */
  defaultBudget?: number
  /** Largest budget accepted. Default `1000000`. */
  maxBudget?: number
  /** Encoding tokens are counted with. Default `'o200k_base'`. */
  encoding?: EncodingName
  /**
   * Follow the files below the library's root: `true` watches the root (`fs.watch`: on Linux
   * each folder the library reads, elsewhere the root recursively; see `./watch.ts`) and
   * refreshes the library {@link WATCH_DEBOUNCE_MS} after a change, falling
   * back to polling `library.refresh()` every {@link WATCH_POLL_MS} where watching is
   * unavailable or fails; `'poll'` polls only; `false` never refreshes. After a refresh that
   * changed something, clients get `notifications/resources/list_changed` and, for each
   * subscribed resource that changed or was removed, `notifications/resources/updated`.
   * Stopped when the server closes. Default `false` (`serve` defaults to `true`).
   */
  watch?: boolean | 'poll'
  /**
   * Do each document's costly first-use work (parse, title, exact token count) in the
   * background from the moment the server is connected, and again for the documents a refresh
   * adds or changes: the markdown is parsed in a worker thread, the rest one document per turn
   * of the event loop. Requests then find it done: the first `resources/list` over a large
   * library does not count every document at once, and a document whose markdown cannot be
   * parsed within the parse's limit is refused (and remembered) without holding the event loop.
   * A request that comes first does the work it needs itself, as without warming.
   * Default `false` (`serve` defaults to `true`).
   */
  warm?: boolean
  /**
   * Longest time, in milliseconds, an assembled view or a prompt may spend getting its
   * documents parsed (off the event loop, see {@link warm}) before it is answered with the MCP
   * error `-32001` (request timeout); the parsing goes on in the background and a later request
   * finds it done. The assembly itself, once every document is parsed, is not timed. Default
   * {@link DEFAULT_REQUEST_TIMEOUT_MS}; `Infinity` for none.
   */
  requestTimeoutMs?: number
  /** Called each time the background warming of {@link warm} has emptied its queue, with how many documents it warmed since the last call. Default: none. */
  onWarmed?: (documents: number) => void
  /**
   * Where exact token counts are kept between sessions (see `fileCountStore`): a document's
   * whole-text count is looked up there before it is counted (key `<encoding>:<base64 of the
   * SHA-256 of its text>`, the key `assemble` uses), and counts made while serving are set into
   * it; assembled views and prompts pass it to `assemble`. Writing it to disk is the caller's
   * (`serve` leaves that to its `parseStore`'s `flush`; the CLI flushes both). Default: none.
   */
  countStore?: CountStore
  /**
   * Skills in one `skills/list` page and children in one `resources/directory/read` page.
   * Default {@link DEFAULT_SKILLS_PAGE_SIZE} (50).
   */
  skillsPageSize?: number
  /**
   * Most resources in one `resources/list` page; a longer list is cut into pages, each with a
   * `nextCursor` for the next (a page also ends before its JSON would pass about
   * {@link MAX_RESOURCES_PAGE_CHARS} characters). Default {@link DEFAULT_RESOURCES_PAGE_SIZE} (1000).
   */
  resourcesPageSize?: number
}

/** Default {@link CreateServerOptions.requestTimeoutMs}: 30 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

/** Delay between a file event below the root and the library refresh it causes, in milliseconds. */
export const WATCH_DEBOUNCE_MS = 50

/** Interval of the polling fallback of {@link CreateServerOptions.watch}, in milliseconds. */
export const WATCH_POLL_MS = 1000

export { DEFAULT_RESOURCES_PAGE_SIZE, MAX_RESOURCES_PAGE_CHARS }

const MAX_QUERY_LENGTH = 2000

/**
 * An `McpError` whose `message` is the message alone. The SDK's `McpError` writes
 * `MCP error <code>: ` into `message`, the server sends `message` on the wire, and the
 * client's `McpError` adds the prefix again ("MCP error -32602: MCP error -32602: ...").
 * This one sends the bare message, so a client shows the prefix once; `code` and `data`
 * are unchanged.
 */
class RequestError extends McpError {
  constructor(code: number, message: string, data?: unknown) {
    super(code, message, data)
    this.message = message
    this.name = 'RequestError'
  }
}

function invalid(message: string, data?: unknown): McpError {
  return new RequestError(ErrorCode.InvalidParams, message, data)
}

function notFound(uri: string): McpError {
  return new RequestError(RESOURCE_NOT_FOUND, `Resource not found: ${shorten(uri)}`, { uri: shorten(uri) })
}

function internal(message: string): McpError {
  return new RequestError(ErrorCode.InternalError, message)
}

/** One sentence for the first problem a request's params have, e.g. `Invalid params of resources/read: params.uri: expected string, received number.` */
function paramsSentence(method: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const first = issues[0]
  if (first === undefined) return `Invalid params of ${method}.`
  const where = first.path.length > 0 ? first.path.map(String).join('.') : 'the request'
  const message = first.message.replace(/^Invalid input: /, '')
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
  return `Invalid params of ${method}: ${shorten(where)}: ${shorten(message)}${more}.`
}

function shorten(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s
}

function baseName(path: string): string {
  return (path.split('/').pop() ?? path).replace(/\.md$/i, '')
}

/**
 * Create an MCP server over a library. Connect it to a transport to use it:
 * `await createServer(library).connect(new StdioServerTransport())`.
 */
export function createServer(library: Library, options: CreateServerOptions = {}): Server {
  return serverOver(library, library.schemes[0] ?? 'orchestr8', options)
}

/** What `serve` shares with {@link serverOver}: its persistent listing, and its parse store. */
export interface ServeState {
  /** Titles (`library.title`) by `<uri>\0<digest>`, `undefined` for an entry without one; the server adds what it learns. */
  titles: Map<string, string | undefined>
  /** The library's parse store, passed to `assemble` too: documents parsed in an earlier session are read back, not parsed. */
  parseStore?: ParseStore
  /**
   * Runs `parse` (which parses through the library's store, or through the store it is given)
   * only as far as every parse it makes is read back from the store, and says whether it ran
   * through: a parse that the store holds costs no markdown parse, so nothing is parsed off the
   * event loop for it first (see parseAhead). `serve` gives it, with its store.
   */
  stored?: (parse: (store: ParseStore) => unknown) => boolean
}

/**
 * The server of {@link createServer} over a library that may still be loading (for `serve`):
 * `initialize` is answered at once (its result does not depend on the library); every other
 * request waits for `source`, and fails as the load did if it fails. Watching and warming
 * start once it is loaded (and, for warming, connected). `scheme` is the library's first scheme.
 */
export function serverOver(source: Library | Promise<Library>, scheme: string, options: CreateServerOptions = {}, known: ServeState = { titles: new Map() }): Server {
  // Set once `source` is loaded; every use below is in a handler (which waits for it) or after it.
  let library = undefined as unknown as Library
  let ready = false
  const loaded = Promise.resolve(source).then((l) => {
    library = l
    ready = true
    return l
  })
  loaded.catch(() => undefined)
  const defaultBudget = options.defaultBudget ?? 8000
  const resourcesPageSize = options.resourcesPageSize ?? DEFAULT_RESOURCES_PAGE_SIZE
  if (!Number.isSafeInteger(resourcesPageSize) || resourcesPageSize < 1) throw new InvalidOptionError('resourcesPageSize', `must be a whole number of resources, at least 1, got ${String(resourcesPageSize)}`)
  const maxBudget = options.maxBudget ?? 1_000_000
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  if (typeof requestTimeoutMs !== 'number' || !(requestTimeoutMs > 0)) throw new InvalidOptionError('requestTimeoutMs', `must be a positive number of milliseconds, got ${String(requestTimeoutMs)}`)
  const counter: TokenCounter = createTokenCounter(options.encoding !== undefined ? { encoding: options.encoding } : {})
  let counted = false
  /** Count once, so that the encoder is loaded (its first count loads its ranks). */
  const counterReady = (): void => {
    if (counted) return
    counted = true
    counter.count('promptfold')
  }
  const server = new Server(
    { name: options.name ?? 'promptfold', version: options.version ?? VERSION },
    {
      capabilities: SERVER_CAPABILITIES,
      instructions: instructionsFor(scheme, libraryCounts(source)),
    },
  )
  // Requests being handled: the background warming waits while there are any (see warmLibrary).
  const requests = inFlight()
  const skillsPage = (cursor: string | undefined) => ({ cursor, pageSize: options.skillsPageSize ?? DEFAULT_SKILLS_PAGE_SIZE })

  /**
   * Register a handler whose params are checked here rather than by the SDK: the SDK parses
   * a request with its schema before the handler runs and answers a mismatch with -32603 and
   * the validator's dump. Here the request is registered under a schema that only fixes the
   * method, and a mismatch answers -32602 with one sentence naming the field.
   */
  function handle<
    S extends
      | typeof SubscribeRequestSchema
      | typeof UnsubscribeRequestSchema
      | typeof ReadResourceRequestSchema
      | typeof GetPromptRequestSchema
      | typeof ListResourcesRequestSchema
      | typeof ListResourceTemplatesRequestSchema
      | typeof ListPromptsRequestSchema
      | typeof ListSkillsRequestSchema
      | typeof GetSkillRequestSchema
      | typeof ReadDirectoryRequestSchema,
  >(schema: S, handler: (request: ReturnType<S['parse']>) => Promise<ServerResult | ListSkillsResult | { skill: SkillEntryResult } | ReadDirectoryResult>): void {
    const method = schema.shape.method.value
    server.setRequestHandler(RequestSchema.extend({ method: schema.shape.method }), async (request) => {
      requests.started()
      try {
        if (!ready) await loaded
        const checked = schema.safeParse(request)
        if (!checked.success) throw invalid(paramsSentence(method, checked.error.issues))
        // Results of the Skills methods are not in the SDK's ServerResult union; they are plain JSON results all the same.
        return (await handler(checked.data as ReturnType<S['parse']>)) as ServerResult
      } catch (error) {
        if (error instanceof SkillsRequestError) throw new RequestError(SKILLS_ERROR_RPC_CODES[error.code], error.message, { code: error.code, subject: error.subject })
        throw error
      } finally {
        requests.ended()
      }
    })
  }

  const agentTemplate = `${scheme}://agents/{+path}?budget={budget}&query={query}`
  const skillTemplates = [
    {
      uriTemplate: 'skill://{+skillPath}/SKILL.md?budget={budget}&query={query}',
      name: 'assembled-skill',
      title: 'Skill assembled under a token budget',
      description: 'A SKILL.md with the files it references inlined by relevance to `query` while the exact token count stays within `budget`. The second content item is the assembly report (JSON).',
      mimeType: 'text/markdown',
    },
    {
      uriTemplate: 'skill://{+skillPath}/{+file}',
      name: 'skill-file',
      title: 'A file of a skill',
      description: 'Any file of a skill folder, as listed by skills/get; text as text, other files as base64 blobs. A folder is listed with resources/directory/read.',
    },
  ]
  const matchTemplate = `${scheme}://match?query={query}&categories={categories}&tags={tags}&maxResults={maxResults}`

  // What resources/list shows of an entry that costs a parse (title) or a count (tokens),
  // by `<uri>\0<digest>` and by digest: learned by the warming, by reads, or from `countStore`.
  const titles = known.titles
  const counts = new Map<string, number>()
  const countStore = options.countStore
  const storeKey = (digest: string) => `${counter.encoding}:${Buffer.from(digest, 'hex').toString('base64')}`
  // With warming, resources/list never parses or counts: it gives what is known, and a list
  // that lacked something is followed by notifications/resources/list_changed once the warming
  // has learned it (see docs/mcp.md). Without warming it parses and counts what it lists.
  const listKnownOnly = options.warm === true
  let listLacked = false

  /** Exact tokens of an entry's whole text: known, stored, or counted when `count` (else `undefined`); `null` for an entry without text. */
  function tokensOf(entry: LibraryEntry, count: boolean): number | null | undefined {
    if (entry.digest === '') return null
    let n = counts.get(entry.digest)
    if (n === undefined && countStore !== undefined) {
      n = countStore.get(storeKey(entry.digest))
      if (n !== undefined) counts.set(entry.digest, n)
    }
    if (n !== undefined || !count) return n
    const counted = library.tokens(entry.uri, { counter })
    if (counted === undefined) return null
    counts.set(entry.digest, counted)
    countStore?.set(storeKey(entry.digest), counted)
    return counted
  }

  /** An entry's title (`library.title`): known, or found (parsing it) when `parse`. The outer `undefined` means "not known yet". */
  function titleOf(entry: LibraryEntry, parse: boolean): { title: string | undefined } | undefined {
    const key = `${entry.uri}\u0000${entry.digest}`
    if (titles.has(key)) return { title: titles.get(key) }
    if (!parse) return undefined
    const title = library.title(entry.uri)
    titles.set(key, title)
    return { title }
  }

  /** Title and tokens of a listed entry, as {@link listKnownOnly} allows; notes when something was left out. */
  function listed(entry: LibraryEntry): { title: string | undefined; known: boolean; tokens: number | null | undefined } {
    const title = titleOf(entry, !listKnownOnly)
    const tokens = tokensOf(entry, !listKnownOnly)
    if (title === undefined || tokens === undefined) listLacked = true
    return { title: title?.title, known: title !== undefined, tokens }
  }

  /** `_meta` of a listed resource: the token count when known (absent while not counted yet, `null` for an entry without text). */
  function listMeta(entry: LibraryEntry, tokens: number | null | undefined, kind?: string): Record<string, unknown> {
    return {
      ...(tokens !== undefined ? { 'promptfold/tokens': tokens } : {}),
      'promptfold/encoding': counter.encoding,
      'promptfold/category': entry.category,
      ...(kind !== undefined ? { 'promptfold/kind': kind } : {}),
    }
  }

  handle(ListResourcesRequestSchema, async (request) => {
    const cursor = request.params?.cursor
    const after = cursor === undefined ? undefined : decodeListCursor(cursor)
    if (cursor !== undefined && after === undefined) throw invalid(`Invalid cursor ${shorten(JSON.stringify(cursor))}: not one this server gave out`)
    const skills = new Map(servedSkills(library).map((s) => [s.entry, s]))
    const page: ListResourcesResult = listPage(library.entries, after, resourcesPageSize, (e) => {
      const skill = skills.get(e)
      return skill ? skillResource(skill) : documentResource(e)
    })
    return page
  })

  /** A document in `resources/list`. */
  function documentResource(e: LibraryEntry): Resource {
    const { title, known, tokens } = listed(e)
    const r: Resource = {
      uri: e.uri,
      name: e.aliases.includes(e.id ?? '') ? (e.id as string) : e.path.replace(/\.md$/i, ''),
      ...(known ? { title: title ?? baseName(e.path) } : {}),
      mimeType: 'text/markdown',
      size: e.bytes,
      _meta: listMeta(e, tokens),
    }
    const useWhen = e.meta.useWhen.join('; ')
    if (useWhen) r.description = useWhen
    return r
  }

  /** A skill in `resources/list`: its `SKILL.md`, named and described by its frontmatter (SEP-2640 resource metadata). */
  function skillResource({ entry, skillPath }: ServedSkill): Resource {
    const { title, known, tokens } = listed(entry)
    const r: Resource = {
      uri: skillUri(skillPath, 'SKILL.md'),
      name: entry.name ?? skillPath.slice(skillPath.lastIndexOf('/') + 1),
      ...(known ? { title: title ?? entry.name ?? skillPath } : {}),
      mimeType: 'text/markdown',
      size: entry.bytes,
      _meta: listMeta(entry, tokens, 'skill'),
    }
    if (entry.description) r.description = entry.description
    return r
  }

  handle(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      ...(servedSkills(library).length > 0 ? skillTemplates : []),
      {
        uriTemplate: agentTemplate,
        name: 'assembled-agent',
        title: 'Agent assembled under a token budget',
        description: 'An agent with its examples inlined by relevance to `query` while the exact token count stays within `budget`. The second content item is the assembly report (JSON).',
        mimeType: 'text/markdown',
      },
      {
        uriTemplate: matchTemplate,
        name: 'match',
        title: 'Documents matching a task',
        description: 'Documents ranked for `query` (BM25F over title, useWhen, tags, capabilities, headings). `categories` and `tags` are comma-separated filters. Markdown list first, JSON second.',
        mimeType: 'text/markdown',
      },
    ],
  }))

  handle(ReadResourceRequestSchema, async (request) => read(request.params.uri))

  // Subscribed URIs, each with the canonical URI of the entry it named when subscribed (or
  // itself when it named none yet). A URI with a query (an assembled view, a match) depends
  // on other documents: it is told about every change. A skill file's URI is told about every
  // change to a file of its skill (skillRoots: the skill's root directory, `skill://<skill-path>`).
  const subscriptions = new Map<string, string>()
  const skillRoots = new Map<string, string>()

  handle(SubscribeRequestSchema, async (request) => {
    const uri = request.params.uri
    if (uri.length > MAX_URI_LENGTH) throw invalid(`uri is longer than ${MAX_URI_LENGTH} characters`)
    subscriptions.set(uri, canonicalOf(uri) ?? uri)
    const root = skillRootOf(uri)
    if (root !== undefined) skillRoots.set(uri, root)
    return {}
  })

  /** The entry URI a subscribed URI depends on: the entry it names, or for a skill file the skill's entry. */
  function canonicalOf(uri: string): string | undefined {
    try {
      return library.get(uri)?.uri ?? locateSkillUri(library, uri)?.skill.entry.uri
    } catch {
      return undefined
    }
  }

  /** `skill://<skill-path>` of the skill a `skill://` URI points into, when it points into one. */
  function skillRootOf(uri: string): string | undefined {
    try {
      const found = locateSkillUri(library, uri)
      return found ? skillUri(found.skill.skillPath) : undefined
    } catch {
      return undefined
    }
  }

  handle(UnsubscribeRequestSchema, async (request) => {
    subscriptions.delete(request.params.uri)
    skillRoots.delete(request.params.uri)
    return {}
  })

  /** Tell connected clients what a refresh changed (nothing when it changed nothing). */
  async function notify(result: RefreshResult): Promise<void> {
    const touched = new Set([...result.added, ...result.changed, ...result.removed])
    if (touched.size === 0 || server.transport === undefined) return
    const updated: string[] = []
    for (const [uri, canonical] of [...subscriptions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const now = canonicalOf(uri)
      const root = skillRoots.get(uri) ?? skillRootOf(uri)
      const inSkill = root !== undefined && [...touched].some((t) => t === root || t.startsWith(`${root}/`))
      if (uri.includes('?') || inSkill || touched.has(uri) || touched.has(canonical) || (now !== undefined && touched.has(now))) updated.push(uri)
      if (now !== undefined) subscriptions.set(uri, now)
      const rootNow = skillRootOf(uri)
      if (rootNow !== undefined) skillRoots.set(uri, rootNow)
    }
    try {
      await server.sendResourceListChanged()
      for (const uri of updated) await server.sendResourceUpdated({ uri })
    } catch {
      // The client went away between the check and the send: nothing to tell.
    }
  }

  // Entries (URI and digest) whose markdown was parsed ahead, off the event loop (see parseAhead).
  const prepared = new Set<string>()
  /** The warming has emptied its queue: a list that lacked titles or counts is told to look again. */
  const warmed = (documents: number): void => {
    if (listLacked && server.transport !== undefined) {
      listLacked = false
      server.sendResourceListChanged().catch(() => undefined)
    }
    options.onWarmed?.(documents)
  }
  const learn = (entry: LibraryEntry): void => {
    titleOf(entry, true)
    tokensOf(entry, true)
  }
  let warmer: Warmer | undefined
  let stopWatching = (): void => undefined
  let closed = false
  let connected = false
  let watching = false
  /** Start following the files and warming, once the library is loaded (warming: and connected). */
  const start = (): void => {
    if (closed || !ready) return
    if (options.watch && !watching) {
      watching = true
      stopWatching = watchLibrary(library, options.watch, async (result) => {
        warmer?.add([...result.added, ...result.changed])
        await notify(result)
      })
    }
    if (options.warm === true && connected && warmer === undefined) {
      warmer = warmLibrary(library, learn, prepared, warmed, requests.idle, known.stored)
      warmer.add(library.entries.map((e) => e.uri))
    }
  }
  void loaded.then(start, () => undefined)
  // Stop following the files when the server closes, whoever set `onclose` (serve does).
  let onclose: (() => void) | undefined
  Object.defineProperty(server, 'onclose', {
    configurable: true,
    enumerable: true,
    get: () => () => {
      closed = true
      stopWatching()
      warmer?.stop()
      onclose?.()
    },
    set: (handler: (() => void) | undefined) => {
      onclose = handler
    },
  })

  if (options.warm === true) {
    const connect = server.connect.bind(server)
    server.connect = async (transport) => {
      await connect(transport)
      connected = true
      start()
    }
  }

  handle(ListSkillsRequestSchema, async (request) => listSkills(library, skillsPage(request.params?.cursor)))

  handle(GetSkillRequestSchema, async (request) => getSkill(library, request.params.uri))

  handle(ReadDirectoryRequestSchema, async (request) => readSkillDirectory(library, request.params.uri, skillsPage(request.params.cursor)))

  handle(ListPromptsRequestSchema, async () => ({ prompts: agentPrompts().map(({ prompt }) => prompt) }))

  handle(GetPromptRequestSchema, async (request): Promise<GetPromptResult> => {
    const name = request.params.name
    const found = agentPrompts().find((p) => p.prompt.name === name)
    if (!found) throw invalid(`Unknown prompt: ${shorten(String(name))}`)
    const args = request.params.arguments ?? {}
    const budget = parseBudget(args.budget)
    const task = typeof args.task === 'string' ? args.task.trim() : ''
    if (task.length > MAX_QUERY_LENGTH) throw invalid(`task is longer than ${MAX_QUERY_LENGTH} characters`)
    const { text, report } = await assembleEntry(found.entry, budget, task)
    const messages: GetPromptResult['messages'] = [{ role: 'user', content: { type: 'text', text } }]
    if (task) messages.push({ role: 'user', content: { type: 'text', text: `Task: ${task}` } })
    return {
      description: `${library.title(found.entry.uri) ?? found.prompt.name}, assembled in ${report.totalTokens} of ${budget} tokens`,
      messages,
      _meta: { 'promptfold/report': report },
    }
  })

  function agentPrompts(): { prompt: Prompt; entry: LibraryEntry }[] {
    const agents = library.entries.filter((e) => e.category === 'agent' && e.digest !== '')
    const used = new Set<string>()
    return agents.map((entry) => {
      let name = entry.id && entry.aliases.includes(entry.id) ? entry.id : entry.path.replace(/\.md$/i, '')
      if (used.has(name)) name = entry.path.replace(/\.md$/i, '')
      used.add(name)
      const prompt: Prompt = {
        name,
        title: library.title(entry.uri) ?? name,
        arguments: [
          { name: 'task', description: 'What the agent should do; examples are chosen by relevance to it.', required: false },
          { name: 'budget', description: `Hard cap in tokens for the assembled prompt (default ${defaultBudget}).`, required: false },
        ],
      }
      const useWhen = entry.meta.useWhen.join('; ')
      if (useWhen) prompt.description = useWhen
      return { prompt, entry }
    })
  }

  function parseBudget(value: unknown): number {
    if (value === undefined || value === '') return defaultBudget
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN
    if (!Number.isSafeInteger(n) || n < 0) throw invalid(`budget must be a non-negative integer number of tokens, got ${shorten(String(value))}`)
    if (n > maxBudget) throw invalid(`budget ${n} is above the largest accepted (${maxBudget})`)
    return n
  }

  async function assembleEntry(entry: LibraryEntry, budget: number, query: string): Promise<{ text: string; report: AssemblyReport }> {
    const parsing = withinRequestTime(parseAhead(library, entry.uri, prepared, PARSE_AHEAD_DEPTH, known.stored), entry.uri)
    // While the worker parses (or starts, for the first request), the encoder's ranks are
    // loaded here (once per process, ~20 ms), or taken from the worker when `serve` had it
    // build them (expectRankTable): the assembly below counts with them.
    await rankTableArrival(counter.encoding as EncodingName)
    counterReady()
    await parsing
    const doc = library.document(entry.uri)
    if (!doc) throw internal(`${entry.uri} could not be read`)
    try {
      // No timings: the same read gives the same bytes (they would be the only field that differs).
      return await assemble(doc, { budget, resolver: library, counter, timings: false, match: library.resolveMatch, schemes: library.schemes, ...(countStore !== undefined ? { countStore } : {}), ...(known.parseStore !== undefined ? { parseStore: known.parseStore } : {}), ...(query ? { query } : {}) })
    } catch (error) {
      if (error instanceof BudgetExceededError) {
        throw invalid(`Budget ${budget} is below the ${error.minimumBudget} tokens the core of ${entry.uri} needs`, { minimumBudget: error.minimumBudget })
      }
      if (error instanceof PromptfoldError) throw invalid(error.message, { code: error.code })
      throw error
    }
  }

  /** `work`, or the MCP error -32001 once it has taken {@link CreateServerOptions.requestTimeoutMs}. */
  async function withinRequestTime<T>(work: Promise<T>, uri: string): Promise<T> {
    if (!(requestTimeoutMs <= 2 ** 31 - 1)) return work
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RequestError(ErrorCode.RequestTimeout, `${shorten(uri)}: its documents could not be parsed within ${requestTimeoutMs} ms; try again later`, { uri: shorten(uri), timeoutMs: requestTimeoutMs })), requestTimeoutMs)
      timer.unref()
    })
    try {
      return await Promise.race([work, late])
    } finally {
      clearTimeout(timer)
      work.catch(() => undefined)
    }
  }

  async function read(uri: string): Promise<ReadResourceResult> {
    if (typeof uri !== 'string' || uri.length === 0) throw invalid('uri must be a non-empty string')
    if (uri.length > MAX_URI_LENGTH) throw invalid(`uri is longer than ${MAX_URI_LENGTH} characters`)
    if (parseSkillUri(uri) !== undefined) return readSkill(uri)
    const { parsed } = parseUri(uri)
    if (!library.schemes.includes(parsed.scheme)) throw notFound(uri)
    if (parsed.invalid) throw invalid(`Invalid resource URI ${shorten(uri)}: ${parsed.invalid}`)
    const segments = safeSegments(parsed.path)
    if (typeof segments === 'string') throw invalid(`Refused resource URI ${shorten(uri)}: ${segments}`)

    const params = parsed.search !== undefined ? parseMatchQuery(parsed.search) : undefined
    const isMatch = parsed.path === 'match' || (parsed.path.endsWith('/match') && segments.length === 2)
    if (isMatch && !library.get(`${scheme}://${parsed.path}`)) {
      const malformed = params?.errors.find((e) => e.startsWith('malformed percent-escape'))
      if (malformed !== undefined) throw invalid(`Invalid query in ${shorten(uri)}: ${malformed}`)
      return readMatch(uri, parsed.path, params?.match.params ?? {})
    }

    const entry = library.get(`${scheme}://${parsed.path}`)
    if (!entry) throw notFound(uri)
    const source = library.source(entry.uri)
    if (source === undefined) throw internal(`${entry.uri} could not be read: ${entry.diagnostics.map((d) => d.message).join('; ')}`)

    if (parsed.search !== undefined) return assembledView(uri, entry, parsed.search)
    return {
      contents: [{ uri: entry.uri, mimeType: 'text/markdown', text: source, _meta: { 'promptfold/tokens': tokensOf(entry, true) ?? null } }],
    }
  }

  /** `<uri>?budget=N&query=...`: the entry assembled under a budget, then its report (JSON). */
  async function assembledView(uri: string, entry: LibraryEntry, search: string): Promise<ReadResourceResult> {
    const params = parseMatchQuery(search)
    for (const e of params.errors) throw invalid(`Invalid query in ${shorten(uri)}: ${e}`)
    const p = params.match.params
    const unknown = Object.keys(p).filter((k) => k !== 'budget' && k !== 'query')
    if (unknown.length > 0) throw invalid(`Unknown parameter(s) ${unknown.join(', ')}: an assembled view takes budget and query`)
    const query = (p.query ?? '').trim()
    if (query.length > MAX_QUERY_LENGTH) throw invalid(`query is longer than ${MAX_QUERY_LENGTH} characters`)
    const budget = parseBudget(p.budget)
    const { text, report } = await assembleEntry(entry, budget, query)
    return {
      contents: [
        { uri, mimeType: 'text/markdown', text },
        { uri: `${uri}#report`, mimeType: 'application/json', text: JSON.stringify(report) },
      ],
      _meta: { 'promptfold/totalTokens': report.totalTokens, 'promptfold/budget': budget },
    }
  }

  /**
   * A `skill://` URI: a file of a skill as written (through `library.readFile`), or with a query
   * the skill's `SKILL.md` assembled under a budget. Unknown files answer -32002 like unknown
   * documents; malformed URIs -32602.
   */
  async function readSkill(uri: string): Promise<ReadResourceResult> {
    try {
      const found = locateSkillUri(library, uri)
      if (found?.search !== undefined) {
        if (found.file !== 'SKILL.md' && found.file !== '') throw invalid(`Only a skill's SKILL.md has an assembled view (budget, query): ${shorten(uri)}`)
        return await assembledView(uri, found.skill.entry, found.search)
      }
      const content = await readSkillFile(library, uri)
      return { contents: [content] }
    } catch (error) {
      if (error instanceof SkillsRequestError) {
        if (error.code === 'SKILL_FILE_NOT_FOUND') throw notFound(uri)
        throw new RequestError(SKILLS_ERROR_RPC_CODES[error.code], error.message, { code: error.code, subject: error.subject })
      }
      throw error
    }
  }

  function readMatch(uri: string, path: string, p: Record<string, string>): ReadResourceResult {
    const query = (p.query ?? p.q ?? '').trim()
    if (query === '') throw invalid('A match URI needs a non-empty query parameter')
    if (query.length > MAX_QUERY_LENGTH) throw invalid(`query is longer than ${MAX_QUERY_LENGTH} characters`)
    const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    const categories = list(p.categories ?? p.category)
    if (path.endsWith('/match')) categories.push(path.slice(0, -'/match'.length))
    const tags = list(p.tags ?? p.tag)
    let maxResults = 10
    if (p.maxResults !== undefined) {
      maxResults = Number(p.maxResults)
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) throw invalid(`maxResults must be an integer from 1 to 1000, got ${shorten(p.maxResults)}`)
    }
    let minScore: number | undefined
    if (p.minScore !== undefined) {
      minScore = Number(p.minScore)
      if (!Number.isFinite(minScore)) throw invalid(`minScore must be a number, got ${shorten(p.minScore)}`)
    }
    const results = library.match(query, { categories, tags, maxResults, ...(minScore !== undefined ? { minScore } : {}) })
    const lines = results.map((r, i) => {
      const e = library.get(r.uri)
      const useWhen = e?.meta.useWhen[0]
      const tokens = e !== undefined ? tokensOf(e, true) : undefined
      return `${i + 1}. ${r.uri} (score ${r.score}, ${tokens ?? '?'} tokens): ${library.title(r.uri) ?? ''}${useWhen ? `. Use when: ${useWhen}` : ''}`
    })
    const text = results.length > 0 ? `${lines.join('\n')}\n` : `No document matches "${query}".\n`
    return {
      contents: [
        { uri, mimeType: 'text/markdown', text },
        { uri: `${uri}#report`, mimeType: 'application/json', text: JSON.stringify({ query, categories, tags, maxResults, minScore: minScore ?? null, results }) },
      ],
    }
  }

  return server
}

/** Documents and skills of a loaded library, for the instructions; none while it loads. */
function libraryCounts(source: Library | Promise<Library>): { documents: number; skills: number } | undefined {
  if (typeof (source as Partial<Promise<Library>>).then === 'function') return undefined
  const library = source as Library
  const skills = library.entries.filter((e) => e.kind === 'skill').length
  return { documents: library.entries.length - skills, skills }
}

/** A count of requests being handled, and a way to wait until none is. */
function inFlight(): { started(): void; ended(): void; idle(): Promise<void> | undefined } {
  let count = 0
  let waiting: (() => void)[] = []
  return {
    started() {
      count++
    },
    ended() {
      count--
      if (count > 0) return
      const resolve = waiting
      waiting = []
      for (const r of resolve) r()
    },
    idle: () => (count === 0 ? undefined : new Promise<void>((resolve) => waiting.push(resolve))),
  }
}

/** A background warmer of library entries (see {@link CreateServerOptions.warm}). */
interface Warmer {
  /** Queue entries by URI (each is warmed once per queueing, in order). */
  add(uris: readonly string[]): void
  /** Stop; nothing more is warmed. */
  stop(): void
}

/**
 * Warm entries one at a time: the markdown of each is parsed off the event loop first
 * (`parseMarkdownOffThread`: a worker thread, within the parse's limit of CPU time), then
 * `learn` takes its title (`library.title`, which finds that parse ready, or the refusal
 * remembered) and exact token count on the event loop, one entry per turn
 * (`setImmediate`). Between two entries every pending request and I/O callback runs, so a
 * request waits at most for one entry's work on the loop, and never for a slow parse; no entry
 * is begun while a request is being handled (`idle` gives a promise then).
 */
function warmLibrary(library: Library, learn: (entry: LibraryEntry) => void, prepared: Set<string>, onWarmed: (documents: number) => void, idle: () => Promise<void> | undefined, stored: ServeState['stored']): Warmer {
  const queue: string[] = []
  let stopped = false
  let busy = false
  let warmed = 0
  const warmOne = async (uri: string): Promise<void> => {
    try {
      if (library.get(uri) === undefined) return
      await parseAhead(library, uri, prepared, 0, stored)
      const entry = library.get(uri)
      if (stopped || entry === undefined) return
      learn(entry)
      warmed++
    } catch {
      // A request for it will meet the same fault and answer it.
    }
  }
  const step = async (): Promise<void> => {
    // Requests come first: the warming waits while any is being handled (each request does the
    // work it needs itself), so that it takes neither the event loop nor the parser's worker from them.
    for (let wait = idle(); wait !== undefined && !stopped; wait = idle()) await wait
    if (stopped) return
    const uri = queue.shift()
    if (uri !== undefined) await warmOne(uri)
    if (stopped) return
    if (queue.length > 0) {
      setImmediate(() => void step()).unref()
      return
    }
    busy = false
    const n = warmed
    warmed = 0
    onWarmed(n)
  }
  return {
    add(uris) {
      if (stopped) return
      queue.push(...uris)
      if (busy) return
      busy = true
      setImmediate(() => void step()).unref()
    },
    stop() {
      stopped = true
      queue.length = 0
    },
  }
}

/** How deep {@link parseAhead} follows slots (the default `maxDepth` of `assemble`). */
const PARSE_AHEAD_DEPTH = 2

/** Most documents {@link parseAhead} parses for one request (the default `maxDocuments` of `assemble`). */
const PARSE_AHEAD_DOCUMENTS = 100

/**
 * Parse off the event loop, before an assembly, the markdown of `uri` and of the library
 * documents its slots name (to the depth and count `assemble` goes by default) that are not
 * parsed yet: the assembly then finds every parse ready (or refused and remembered), so one
 * request's slow parse does not hold the others. Nothing changes in what is assembled.
 * `prepared` holds `<uri>\0<digest>` of entries parsed ahead for the library, and
 * `<uri>\0<digest>\0resolved` of those parsed ahead a second time for the assembly. A parse
 * that a persistent store holds (`stored`, see {@link ServeState.stored}) is read back from it
 * instead: nothing to parse, so the request does not wait for the parser's worker.
 */
async function parseAhead(library: Library, uri: string, prepared: Set<string>, maxDepth: number = PARSE_AHEAD_DEPTH, stored?: ServeState['stored']): Promise<void> {
  const seen = new Set<string>()
  let level = [uri]
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = []
    for (const u of level) {
      const entry = library.get(u)
      if (entry === undefined || seen.has(entry.uri) || seen.size >= PARSE_AHEAD_DOCUMENTS) continue
      seen.add(entry.uri)
      // Parsed once per content: the library keeps its parse (the key holds the digest).
      const key = `${entry.uri}\u0000${entry.digest}`
      if (!prepared.has(key)) {
        if (stored?.(() => library.document(entry.uri)) !== true) {
          const body = markdownBody(library.source(entry.uri))
          if (body !== undefined) await parseMarkdownOffThread(body)
        }
        prepared.add(key)
      }
      const doc = library.document(entry.uri)
      // A referenced document is parsed again by the assembly (through the resolver, which hands
      // it the source, with the same options): that parse finds a second tree ready, once per
      // content, or reads it back from the store.
      if (depth > 0 && !prepared.has(`${key}\u0000resolved`)) {
        const source = library.source(entry.uri)
        const held = source !== undefined && stored?.((store) => parseDocument(source, { uri: entry.uri, path: entry.path, schemes: [...library.schemes], parseStore: store })) === true
        const body = held ? undefined : markdownBody(source)
        if (body !== undefined) await parseMarkdownOffThread(body)
        prepared.add(`${key}\u0000resolved`)
      }
      if (depth < maxDepth) for (const r of doc?.references ?? []) if (r.kind === 'slot') next.push(r.uri)
    }
    level = next
  }
}

/**
 * Refresh `library` when files below its root change and pass each refresh's result to
 * `changed`: `fs.watch` ({@link watchTree}) with a {@link WATCH_DEBOUNCE_MS} debounce, or polling every
 * {@link WATCH_POLL_MS} (`mode` `'poll'`, or when watching is unavailable or fails). Timers
 * are unref'd. Returns the function that stops it.
 */
function watchLibrary(library: Library, mode: true | 'poll', changed: (result: RefreshResult) => Promise<void>): () => void {
  let stopped = false
  let running = false
  let again = false
  let timer: NodeJS.Timeout | undefined
  let poller: NodeJS.Timeout | undefined
  let watcher: TreeWatch | undefined

  async function run(): Promise<void> {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = true
    try {
      do {
        again = false
        const result = await library.refresh()
        if (!stopped) await changed(result)
      } while (again && !stopped)
    } catch {
      // A refresh that fails leaves the library as it was; the next event or poll tries again.
    } finally {
      running = false
    }
  }

  function schedule(): void {
    if (stopped || timer !== undefined) return
    timer = setTimeout(() => {
      timer = undefined
      void run()
    }, WATCH_DEBOUNCE_MS)
    timer.unref()
  }

  function poll(): void {
    if (stopped || poller !== undefined) return
    watcher?.close()
    watcher = undefined
    poller = setInterval(() => void run(), WATCH_POLL_MS)
    poller.unref()
    // Changes made while watching failed are picked up now.
    schedule()
  }

  if (mode === 'poll') poll()
  else watcher = watchTree(library.root, schedule, poll)

  return () => {
    stopped = true
    watcher?.close()
    watcher = undefined
    if (timer !== undefined) clearTimeout(timer)
    if (poller !== undefined) clearInterval(poller)
    timer = poller = undefined
  }
}
