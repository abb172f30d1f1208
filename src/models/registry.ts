/**
 * The model registry: what promptfold knows about a model from its id alone: who
 * serves it, which tokenizer it uses (and whether promptfold counts it exactly), and
 * its context window and output limit where the provider documents them.
 *
 * Ids are matched case-insensitively, with or without a provider prefix
 * (`openai/gpt-4o` and `gpt-4o` are the same model). Dated snapshots
 * (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) resolve to their model unless
 * they are listed themselves. OpenAI ids the registry does not list but whose
 * encoding {@link encodingForModel} knows (`gpt-4-32k`, `gpt-5-chat-latest`) resolve
 * too, with the limits left undefined.
 *
 * Numbers are never guessed: a limit the provider does not document is `undefined`.
 * The comment above each entry names where its numbers come from.
 *
 * @module
 */
import { PromptfoldError, type PromptfoldErrorOptions } from '../errors.js'
import { type EncodingName, encodingForModel } from '../count/encodings.js'

/** Who serves (or publishes) a model. */
export type ModelProvider = 'openai' | 'anthropic' | 'google' | 'meta' | 'qwen' | 'mistral' | 'deepseek'

/**
 * A model's tokenizer: an {@link EncodingName} when it is exactly one of OpenAI's
 * encodings; otherwise the name of the tokenizer family:
 *
 * - `anthropic`: Claude's tokenizer (not published; Anthropic's count-tokens endpoint counts it);
 * - `gemini`: Gemini's SentencePiece tokenizer (Google's countTokens endpoint counts it);
 * - `llama3`: Llama 3's byte-level BPE (128K vocabulary);
 * - `qwen2`: Qwen 2 / 2.5 / 3's byte-level BPE (151K vocabulary);
 * - `tekken`: Mistral's Tekken byte-level BPE;
 * - `deepseek-v3`: DeepSeek V3's byte-level BPE.
 */
export type TokenizerId = EncodingName | 'anthropic' | 'gemini' | 'llama3' | 'qwen2' | 'tekken' | 'deepseek-v3'

/** How promptfold counts a model's tokens locally. */
export interface ModelTokenizer {
  /** The model's own tokenizer. */
  readonly id: TokenizerId
  /** `true` when counting with {@link ModelTokenizer.encoding} gives the model's exact count. */
  readonly exact: boolean
  /** The encoding to count with locally: the tokenizer itself when `exact`, the closest proxy otherwise. */
  readonly encoding: EncodingName
  /** For open models: the Hugging Face repository whose `tokenizer.json` is the exact tokenizer. */
  readonly huggingFaceRepo?: string
}

/** What the registry knows about a model. */
export interface ModelInfo {
  /** Canonical id, provider-prefixed: `'openai/gpt-4o'`, `'anthropic/claude-sonnet-4-5'`. */
  readonly id: string
  /** The id without its prefix, as the provider's own API takes it: `'gpt-4o'`. */
  readonly name: string
  /** Who serves or publishes it. */
  readonly provider: ModelProvider
  /** Its tokenizer and how promptfold counts it. */
  readonly tokenizer: ModelTokenizer
  /** Tokens of input and output together the model accepts; `undefined` when not documented. */
  readonly contextWindow?: number
  /** Most tokens one response may have; `undefined` when not documented (or when only the context window bounds it). */
  readonly maxOutputTokens?: number
  /** Other ids that name this model (lower case): bare ids, dated snapshots, other gateways' spellings. */
  readonly aliases: readonly string[]
}

/** A model id the registry does not know. */
export class UnknownModelError extends PromptfoldError {
  /** The id asked for. */
  readonly model: string
  /** Known ids close to it (edit distance), closest first; empty when none is close. */
  readonly suggestions: readonly string[]
  constructor(model: string, suggestions: readonly string[], options?: PromptfoldErrorOptions) {
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => JSON.stringify(s)).join(', ')}?` : '; see listModels() for the known ids'
    super('UNKNOWN_MODEL', `Unknown model ${JSON.stringify(model)}${hint}`, options)
    this.name = 'UnknownModelError'
    this.model = model
    this.suggestions = suggestions
  }
}

interface Entry {
  id: string
  provider: ModelProvider
  tokenizer: ModelTokenizer
  contextWindow?: number
  maxOutputTokens?: number
  aliases?: string[]
}

const O200K: ModelTokenizer = { id: 'o200k_base', exact: true, encoding: 'o200k_base' }
const CL100K: ModelTokenizer = { id: 'cl100k_base', exact: true, encoding: 'cl100k_base' }
// Claude's and Gemini's tokenizers are not published: o200k_base is the proxy (the
// remote count-tokens endpoints give the exact count).
const ANTHROPIC: ModelTokenizer = { id: 'anthropic', exact: false, encoding: 'o200k_base' }
const GEMINI: ModelTokenizer = { id: 'gemini', exact: false, encoding: 'o200k_base' }
// Llama 3's 128K vocabulary extends cl100k_base's 100K tokens with 28K more (Meta's Llama 3
// announcement; same pre-tokenizer pattern), so cl100k_base is its closest local proxy.
const llama3 = (repo: string): ModelTokenizer => ({ id: 'llama3', exact: false, encoding: 'cl100k_base', huggingFaceRepo: repo })
// Qwen's BPE vocabulary starts from cl100k_base (Qwen technical report, 2023, "Tokenization").
const qwen2 = (repo: string): ModelTokenizer => ({ id: 'qwen2', exact: false, encoding: 'cl100k_base', huggingFaceRepo: repo })
// Tekken (tiktoken-based, trained on 100+ languages): o200k_base, the other multilingual vocabulary, is the proxy.
const tekken = (repo: string): ModelTokenizer => ({ id: 'tekken', exact: false, encoding: 'o200k_base', huggingFaceRepo: repo })

/** The registry. Sources: see the comment above each group. */
const ENTRIES: readonly Entry[] = [
  // OpenAI: platform.openai.com/docs/models/<model> (also mirrored on vercel.com/ai-gateway/models/<model>).
  // gpt-4o (2024-08-06 and later) and gpt-4o-mini: 128,000 context, 16,384 output.
  { id: 'openai/gpt-4o', provider: 'openai', tokenizer: O200K, contextWindow: 128_000, maxOutputTokens: 16_384, aliases: ['chatgpt-4o-latest'] },
  // The first gpt-4o snapshot returned at most 4,096 tokens.
  { id: 'openai/gpt-4o-2024-05-13', provider: 'openai', tokenizer: O200K, contextWindow: 128_000, maxOutputTokens: 4_096 },
  { id: 'openai/gpt-4o-mini', provider: 'openai', tokenizer: O200K, contextWindow: 128_000, maxOutputTokens: 16_384 },
  // gpt-4.1 family: 1,047,576 context, 32,768 output.
  { id: 'openai/gpt-4.1', provider: 'openai', tokenizer: O200K, contextWindow: 1_047_576, maxOutputTokens: 32_768 },
  { id: 'openai/gpt-4.1-mini', provider: 'openai', tokenizer: O200K, contextWindow: 1_047_576, maxOutputTokens: 32_768 },
  { id: 'openai/gpt-4.1-nano', provider: 'openai', tokenizer: O200K, contextWindow: 1_047_576, maxOutputTokens: 32_768 },
  // o-series reasoning models: 200,000 context, 100,000 output.
  { id: 'openai/o1', provider: 'openai', tokenizer: O200K, contextWindow: 200_000, maxOutputTokens: 100_000 },
  { id: 'openai/o3', provider: 'openai', tokenizer: O200K, contextWindow: 200_000, maxOutputTokens: 100_000 },
  { id: 'openai/o3-mini', provider: 'openai', tokenizer: O200K, contextWindow: 200_000, maxOutputTokens: 100_000 },
  { id: 'openai/o3-pro', provider: 'openai', tokenizer: O200K, contextWindow: 200_000, maxOutputTokens: 100_000 },
  { id: 'openai/o4-mini', provider: 'openai', tokenizer: O200K, contextWindow: 200_000, maxOutputTokens: 100_000 },
  // gpt-5 family: 400,000 context, 128,000 output.
  { id: 'openai/gpt-5', provider: 'openai', tokenizer: O200K, contextWindow: 400_000, maxOutputTokens: 128_000 },
  { id: 'openai/gpt-5-mini', provider: 'openai', tokenizer: O200K, contextWindow: 400_000, maxOutputTokens: 128_000 },
  { id: 'openai/gpt-5-nano', provider: 'openai', tokenizer: O200K, contextWindow: 400_000, maxOutputTokens: 128_000 },
  { id: 'openai/gpt-5.1', provider: 'openai', tokenizer: O200K, contextWindow: 400_000, maxOutputTokens: 128_000 },
  // Older models: gpt-4-turbo 128,000 / 4,096; gpt-4 8,192 / 8,192; gpt-3.5-turbo (0125) 16,385 / 4,096.
  { id: 'openai/gpt-4-turbo', provider: 'openai', tokenizer: CL100K, contextWindow: 128_000, maxOutputTokens: 4_096 },
  { id: 'openai/gpt-4', provider: 'openai', tokenizer: CL100K, contextWindow: 8_192, maxOutputTokens: 8_192 },
  { id: 'openai/gpt-3.5-turbo', provider: 'openai', tokenizer: CL100K, contextWindow: 16_385, maxOutputTokens: 4_096 },

  // Anthropic: platform.claude.com/docs/en/models/<model>/overview ("Context window · Max output").
  // Sonnet 4.5, Haiku 4.5, Opus 4.5, Sonnet 4: 200K / 64K; Opus 4.1 and Opus 4: 200K / 32K (1M context on
  // Sonnet 4 / 4.5 is a beta header, not the default, so the default window is listed).
  { id: 'anthropic/claude-sonnet-4-5', provider: 'anthropic', tokenizer: ANTHROPIC, contextWindow: 200_000, maxOutputTokens: 64_000, aliases: ['claude-sonnet-4-5-20250929', 'anthropic/claude-sonnet-4.5'] },
  { id: 'anthropic/claude-haiku-4-5', provider: 'anthropic', tokenizer: ANTHROPIC, contextWindow: 200_000, maxOutputTokens: 64_000, aliases: ['claude-haiku-4-5-20251001', 'anthropic/claude-haiku-4.5'] },
  { id: 'anthropic/claude-opus-4-5', provider: 'anthropic', tokenizer: ANTHROPIC, contextWindow: 200_000, maxOutputTokens: 64_000, aliases: ['claude-opus-4-5-20251101', 'anthropic/claude-opus-4.5'] },
  { id: 'anthropic/claude-opus-4-1', provider: 'anthropic', tokenizer: ANTHROPIC, contextWindow: 200_000, maxOutputTokens: 32_000, aliases: ['claude-opus-4-1-20250805', 'anthropic/claude-opus-4.1'] },
  { id: 'anthropic/claude-sonnet-4', provider: 'anthropic', tokenizer: ANTHROPIC, contextWindow: 200_000, maxOutputTokens: 64_000, aliases: ['claude-sonnet-4-20250514', 'claude-sonnet-4-0'] },
  { id: 'anthropic/claude-opus-4', provider: 'anthropic', tokenizer: ANTHROPIC, contextWindow: 200_000, maxOutputTokens: 32_000, aliases: ['claude-opus-4-20250514', 'claude-opus-4-0'] },

  // Google: ai.google.dev/gemini-api/docs/models ("Input token limit", "Output token limit"); the context
  // window listed is the input limit. 2.5 Pro and 2.5 Flash: 1,048,576 / 65,536; 2.0 Flash: 1,048,576 / 8,192.
  { id: 'google/gemini-2.5-pro', provider: 'google', tokenizer: GEMINI, contextWindow: 1_048_576, maxOutputTokens: 65_536 },
  { id: 'google/gemini-2.5-flash', provider: 'google', tokenizer: GEMINI, contextWindow: 1_048_576, maxOutputTokens: 65_536 },
  { id: 'google/gemini-2.0-flash', provider: 'google', tokenizer: GEMINI, contextWindow: 1_048_576, maxOutputTokens: 8_192 },

  // Meta Llama 3.1 / 3.2 / 3.3: 128K context (131,072 positions, max_position_embeddings of each repository's
  // config.json on huggingface.co/meta-llama); Meta documents no output limit apart from the window.
  { id: 'meta-llama/llama-3.1-8b-instruct', provider: 'meta', tokenizer: llama3('meta-llama/Llama-3.1-8B-Instruct'), contextWindow: 131_072, aliases: ['meta-llama/meta-llama-3.1-8b-instruct'] },
  { id: 'meta-llama/llama-3.1-70b-instruct', provider: 'meta', tokenizer: llama3('meta-llama/Llama-3.1-70B-Instruct'), contextWindow: 131_072, aliases: ['meta-llama/meta-llama-3.1-70b-instruct'] },
  { id: 'meta-llama/llama-3.1-405b-instruct', provider: 'meta', tokenizer: llama3('meta-llama/Llama-3.1-405B-Instruct'), contextWindow: 131_072, aliases: ['meta-llama/meta-llama-3.1-405b-instruct'] },
  { id: 'meta-llama/llama-3.2-3b-instruct', provider: 'meta', tokenizer: llama3('meta-llama/Llama-3.2-3B-Instruct'), contextWindow: 131_072 },
  { id: 'meta-llama/llama-3.3-70b-instruct', provider: 'meta', tokenizer: llama3('meta-llama/Llama-3.3-70B-Instruct'), contextWindow: 131_072 },

  // Qwen 2.5 instruct model cards (huggingface.co/Qwen/Qwen2.5-7B-Instruct): "Context Length: Full 131,072
  // tokens and generation 8192 tokens" (beyond 32,768 with YaRN rope scaling enabled).
  { id: 'qwen/qwen2.5-7b-instruct', provider: 'qwen', tokenizer: qwen2('Qwen/Qwen2.5-7B-Instruct'), contextWindow: 131_072, maxOutputTokens: 8_192, aliases: ['qwen/qwen-2.5-7b-instruct'] },
  { id: 'qwen/qwen2.5-72b-instruct', provider: 'qwen', tokenizer: qwen2('Qwen/Qwen2.5-72B-Instruct'), contextWindow: 131_072, maxOutputTokens: 8_192, aliases: ['qwen/qwen-2.5-72b-instruct'] },
  // Qwen 3 shares Qwen 2.5's tokenizer; its window depends on rope scaling, so none is listed.
  { id: 'qwen/qwen3-8b', provider: 'qwen', tokenizer: qwen2('Qwen/Qwen3-8B') },

  // Mistral Nemo: 131,072 context (OpenRouter and Vercel AI Gateway model pages, "128k" in Mistral's announcement),
  // Tekken tokenizer (Mistral's announcement of Mistral NeMo, July 2024). No output limit documented apart from the window.
  { id: 'mistral/mistral-nemo', provider: 'mistral', tokenizer: tekken('mistralai/Mistral-Nemo-Instruct-2407'), contextWindow: 131_072, aliases: ['mistralai/mistral-nemo', 'open-mistral-nemo', 'mistralai/mistral-nemo-instruct-2407'] },

  // DeepSeek V3: byte-level BPE, 128K vocabulary (DeepSeek-V3 technical report). The API's window has changed
  // between releases, so none is listed.
  { id: 'deepseek/deepseek-v3', provider: 'deepseek', tokenizer: { id: 'deepseek-v3', exact: false, encoding: 'cl100k_base', huggingFaceRepo: 'deepseek-ai/DeepSeek-V3' }, aliases: ['deepseek-ai/deepseek-v3'] },
]

/** Optional date suffix of a snapshot: `-2024-08-06`, `-20250929`, `-0613`. */
const SNAPSHOT = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))$/

function freeze(entry: Entry): ModelInfo {
  const slash = entry.id.indexOf('/')
  const name = entry.id.slice(slash + 1)
  const aliases = [name, ...(entry.aliases ?? [])].filter((a) => a !== entry.id)
  const info: ModelInfo = {
    id: entry.id,
    name,
    provider: entry.provider,
    tokenizer: Object.freeze({ ...entry.tokenizer }),
    ...(entry.contextWindow === undefined ? {} : { contextWindow: entry.contextWindow }),
    ...(entry.maxOutputTokens === undefined ? {} : { maxOutputTokens: entry.maxOutputTokens }),
    aliases: Object.freeze([...new Set(aliases)]),
  }
  return Object.freeze(info)
}

const MODELS: readonly ModelInfo[] = Object.freeze(ENTRIES.map(freeze))

/** Every id (canonical and alias, lower case) → its model. Canonical ids first, so an alias never shadows one. */
const BY_ID: ReadonlyMap<string, ModelInfo> = (() => {
  const map = new Map<string, ModelInfo>()
  for (const m of MODELS) map.set(m.id, m)
  for (const m of MODELS) for (const a of m.aliases) if (!map.has(a)) map.set(a, m)
  return map
})()

/**
 * Every model the registry lists, in a fixed order (OpenAI, Anthropic, Google, open models).
 *
 * @returns The frozen list.
 */
export function listModels(): readonly ModelInfo[] {
  return MODELS
}

/**
 * The model an id names, or `undefined` when the registry does not know it.
 * Same matching as {@link modelInfo}.
 *
 * @param id - A model id, e.g. `'openai/gpt-4o'`, `'claude-sonnet-4-5'`.
 * @returns The model, or `undefined`.
 */
export function findModelInfo(id: string): ModelInfo | undefined {
  if (typeof id !== 'string') return undefined
  const key = id.trim().toLowerCase()
  if (key.length === 0) return undefined
  const direct = BY_ID.get(key)
  if (direct) return direct
  const undated = key.replace(SNAPSHOT, '')
  if (undated !== key) {
    const base = BY_ID.get(undated)
    if (base) return snapshotOf(base, key)
  }
  return openAiFallback(key)
}

/**
 * What the registry knows about a model.
 *
 * Ids are matched case-insensitively, with or without their provider prefix
 * (`openai/`, `anthropic/`, `google/`, `meta-llama/`, `qwen/`, `mistral/`, `deepseek/`), and
 * by the aliases each model lists (dated snapshots, other gateways' spellings such as
 * `anthropic/claude-sonnet-4.5`). A dated snapshot not listed itself takes its model's
 * entry (`gpt-4o-2024-08-06` → `gpt-4o`, with the snapshot as `name`). An OpenAI id the
 * registry does not list but whose encoding {@link encodingForModel} knows
 * (`gpt-4-32k`) gets an entry with that encoding and undefined limits.
 *
 * @param id - A model id, e.g. `'openai/gpt-4o'`, `'gpt-4o'`, `'anthropic/claude-sonnet-4-5'`.
 * @returns The model.
 * @throws {@link UnknownModelError} (`UNKNOWN_MODEL`) when the id is not known; its
 *   `suggestions` lists up to five known ids within a small edit distance.
 * @example
 * modelInfo('claude-sonnet-4-5').contextWindow // 200000
 * modelInfo('llama-3.1-8b-instruct').tokenizer // { id: 'llama3', exact: false, encoding: 'cl100k_base', ... }
 */
export function modelInfo(id: string): ModelInfo {
  const found = findModelInfo(id)
  if (found) return found
  throw new UnknownModelError(String(id), suggestModels(String(id)))
}

/** A dated snapshot of a listed model: the model's entry under the snapshot's own name. */
function snapshotOf(base: ModelInfo, key: string): ModelInfo {
  const prefix = base.id.slice(0, base.id.indexOf('/') + 1)
  const name = key.startsWith(prefix) ? key.slice(prefix.length) : key
  return Object.freeze({ ...base, id: `${prefix}${name}`, name, aliases: Object.freeze([name]) })
}

/** An OpenAI id the registry does not list, when encodingForModel knows its encoding. */
function openAiFallback(key: string): ModelInfo | undefined {
  const name = key.startsWith('openai/') ? key.slice('openai/'.length) : key
  if (name.includes('/')) return undefined
  let encoding: EncodingName
  try {
    encoding = encodingForModel(name)
  } catch {
    return undefined
  }
  return Object.freeze({ id: `openai/${name}`, name, provider: 'openai' as const, tokenizer: encoding === 'o200k_base' ? O200K : CL100K, aliases: Object.freeze([name]) })
}

/** Up to five known ids close to `id`, closest first (ties by id). */
function suggestModels(id: string): string[] {
  const key = id.trim().toLowerCase()
  const bare = key.slice(key.indexOf('/') + 1)
  const limit = Math.max(1, Math.min(3, Math.floor(bare.length / 4)))
  const scored: Array<{ id: string; d: number }> = []
  for (const m of MODELS) {
    let best = Infinity
    for (const candidate of [m.id, ...m.aliases]) {
      best = Math.min(best, editDistance(key, candidate), editDistance(bare, candidate.slice(candidate.indexOf('/') + 1)))
    }
    if (best <= limit) scored.push({ id: m.id, d: best })
  }
  scored.sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return scored.slice(0, 5).map((s) => s.id)
}

/** Levenshtein distance (insertions, deletions, substitutions; cost 1 each). */
function editDistance(a: string, b: string): number {
  if (a === b) return 0
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost)
    }
    prev = row
  }
  return prev[b.length] ?? 0
}
