/**
 * promptfold's portable core: parse, count, assemble, report, requests, adapters, catalogs and
 * `memoryResolver`. It imports no `node:` module: this is what `promptfold` is in browsers,
 * workers and edge runtimes (the `browser`, `worker`, `workerd` and `edge-light` conditions).
 * In Node, `promptfold` is this and {@link ./node.ts} together (src/index.ts).
 *
 * @module
 */
export {
  type Assembly,
  type AssembleOptions,
  assemble,
  clearParseCache,
  fillPlaceholders,
  type MatchFunction,
  type ParseCacheStats,
  parseCacheStats,
} from './assemble/index.js'
export type { CountStore, ParseStore } from './cache/types.js'
export { createTokenCounter, type EncodingName, encodingForModel, loadEncoding, type TokenCounter, type TokenCounterOptions } from './count/index.js'
export {
  AccessDeniedError,
  BudgetExceededError,
  EncodingNotLoadedError,
  IncludeError,
  InvalidOptionError,
  LimitExceededError,
  PromptfoldError,
  type PromptfoldErrorOptions,
  UnknownEncodingError,
} from './errors.js'
export { type ParseOptions, type PromptDocument, parseDocument, uriFromPath } from './parse/document.js'
export { type Frontmatter, type FrontmatterSchema, frontmatterSchema } from './parse/frontmatter.js'
export type { Reference, SlotBlock } from './parse/references.js'
export type { Section } from './parse/sections.js'
export { DEFAULT_SCHEMES, type MatchQuery, normalizeUri, type ParsedUri, parseUri } from './parse/uri.js'
export type { Decision } from './render/lines.js'
export { type FormatEfficiencyOptions, type FormatReportOptions, formatEfficiency, formatNumber, formatReport, type ReportPart } from './report/format.js'
export { type ExplainedPart, explainParts, formatSourceMap } from './report/explain.js'
export { type Level, LEVEL_VALUES, LEVELS, type PartialLevel } from './assemble/levels.js'
export { formatReportHtml, type HtmlReportInput, type HtmlReportOptions } from './report/html.js'
export type { GeneratedKind, SourceMap, SourceSpan } from './render/source-map.js'
export { type CauseDetail, describeCause, REFERENCE_CAUSES, type ReferenceCause } from './report/causes.js'
export {
  type AssemblyReport,
  assemblyReportSchema,
  type ReferenceReport,
  type ReportBaselines,
  type ReportCounter,
  type ReportCounterCheck,
  type ReportDocument,
  type ReportEfficiency,
  type ReportSavings,
  type ReportLevel,
  type ReportStablePrefix,
  type ReportTimings,
  referenceReportSchema,
} from './report/schema.js'
export { tokenizerJsonCounter, TokenizerUnsupportedError } from './count/tokenizer-json.js'
export type { TokenizerJsonCounterOptions } from './count/tokenizer-json.js'
export { type AssembleWithCounterOptions, ASYNC_DEFAULTS, type AsyncTokenCounter, assembleWithCounter, type CachedCounter, cachedCounter } from './count/async.js'
export {
  type AnthropicCounterOptions,
  anthropicCounter,
  describeRemoteFailure,
  type FetchFunction,
  geminiCounter,
  REMOTE_COUNTER_CODES,
  REMOTE_COUNTER_DEFAULTS,
  type RemoteCounterCode,
  RemoteCounterError,
  type RemoteCounterOptions,
  type RemoteFailure,
  type RemoteTokenCounter,
} from './count/remote.js'
export { type FitPreview, type FitPreviewFit, type FitPreviewModel, type FitPreviewOptions, type FitPreviewRow, fitPreview, type FormatFitPreviewOptions, formatFitPreview } from './preview/index.js'
export { findModelInfo, listModels, modelInfo, UnknownModelError } from './models/index.js'
export type { ModelInfo, ModelProvider, ModelTokenizer, TokenizerId } from './models/index.js'
export { assembleRequest, RequestBudgetError } from './request/index.js'
export type { AssembleRequestOptions, ChatMessage, RequestAssembly, RequestPart, RequestReport, RequestRow, RequestRowBasis, RequestTool, SystemInput } from './request/index.js'
export { toAnthropicMessages, toOpenAIAgents, toOpenAIChat, toOpenAIResponses, toVercelAI } from './adapters/index.js'
export type {
  AdapterInput,
  AdapterOptions,
  AnthropicMessage,
  AnthropicMessagesOptions,
  AnthropicMessagesParams,
  AnthropicTextBlock,
  AnthropicTool,
  OpenAIAgentsParams,
  OpenAIChatMessage,
  OpenAIChatOptions,
  OpenAIChatParams,
  OpenAIChatSystemMessage,
  OpenAIChatTool,
  OpenAIResponsesMessage,
  OpenAIResponsesParams,
  OpenAIResponsesTool,
  VercelAIOptions,
  VercelAIParams,
  VercelAnthropicCache,
  VercelMessage,
  VercelSystemMessage,
} from './adapters/index.js'
export { composeResolvers, memoryResolver, type ResolveContext, type ResolvedDocument, type ResolveResult, type Resolver } from './resolve/resolver.js'
export type { Strategy } from './select/items.js'
export { DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode, type Point, type ReferenceKind, type Severity } from './types.js'
export {
  CATALOG_CAUSES,
  CATALOG_FORMATS,
  type CatalogCause,
  type CatalogDecision,
  type CatalogFormat,
  type CatalogLibrary,
  type CatalogLocation,
  type CatalogReport,
  type CatalogSkillReport,
  describeCatalogCause,
  type SkillCatalog,
  type SkillCatalogOptions,
  skillCatalog,
} from './library/catalog.js'
export { normalizeCategory } from './library/category.js'
export { MATCH_FIELD_WEIGHTS, MATCH_FIELDS, type MatchField, type MatchOptions, type MatchResult } from './library/match.js'
export type { DanglingReference, GraphEdge, GraphOptions, LibraryGraph, LookupVia, OtherReference } from './library/graph.js'
export type { Library, LibraryEntry, LibraryFile, LibraryLookup, RefreshResult, SkillFile, TokensOptions } from './library/library.js'
