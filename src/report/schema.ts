/**
 * The assembly report: plain JSON describing what an assembly did. The types are written
 * by hand ({@link AssemblyReport}, {@link ReferenceReport} and the objects inside); the zod
 * schemas check them, and a compile-time assertion keeps each schema's output and its
 * interface the same type.
 *
 * @module
 */
import { type Level, LEVELS } from '../assemble/levels.js'
import type { z as Zod } from 'zod'
import { lazyObject } from '../lazy.js'
import { loadZod } from '../platform/index.js'
import type { Assignable } from '../schema-types.js'
import type { Decision } from '../render/lines.js'
import type { Strategy } from '../select/items.js'
import { DIAGNOSTIC_CODES, type Diagnostic, type ReferenceKind } from '../types.js'
import { REFERENCE_CAUSES, type ReferenceCause } from './causes.js'

/** One reference and what was decided about it. */
export interface ReferenceReport {
  /** Normalized URI (or bare id for related entries). */
  uri: string
  /** The reference as written. */
  raw: string
  /** How it appears: a slot, a mention in prose, or a related resource in the frontmatter. */
  kind: ReferenceKind
  /** What was done with it. */
  decision: Decision
  /** Why, in one sentence (written from {@link ReferenceReport.cause}). */
  reason: string
  /** Why, as a code; `reason` is written from it. */
  cause: ReferenceCause
  /** Measured tokens of the target's body (its nested slots deferred); `null` when unknown. */
  tokens: number | null
  /** Selection value (candidates only); `null` otherwise. */
  value: number | null
  /** 1 for references in the root document, 2 for references in a document inlined at depth 1, ... */
  depth: number
  /** URI (or path) of the document holding the reference; `null` when it has neither. */
  from: string | null
  /** 1-based line in that document. */
  line: number
  /** Titles of the sections the reference sits in, outermost first. */
  sectionPath: string[]
  /** The target's frontmatter `estimatedTokens`, when given; `null` otherwise. */
  declaredTokens: number | null
  /** The `(~N tokens)` hint next to the reference, when given; `null` otherwise. */
  hintTokens: number | null
  /** With `levels`: the level the reference was placed at (`full`, `summary`, `outline` or `pointer`). */
  level?: ReportLevel
  /** With `levels`: the next level up and the tokens it would add; absent at `full`. */
  nextLevel?: { level: ReportLevel; tokens: number }
}

/** A level of detail a reference is placed at (see `AssembleOptions.levels`). */
export type ReportLevel = Level

/** The document an {@link AssemblyReport} is about. */
export interface ReportDocument {
  /** Its URI; `null` when it has none. */
  uri: string | null
  /** Its path; `null` when it has none. */
  path: string | null
  /** Its frontmatter `id`; `null` when it has none. */
  id: string | null
  /** Its title (the first heading, or a name derived from the path). */
  title: string
}

/** What the assembly would cost at the two extremes. */
export interface ReportBaselines {
  /** Every slot deferred (equals `coreTokens`). */
  coreOnly: number
  /** Every resolvable slot inlined, up to `maxDepth`, ignoring the budget. */
  traditional: number
}

/** What the assembly saved against the traditional baseline. */
export interface ReportSavings {
  /** `traditional - totalTokens`. */
  tokens: number
  /** `tokens / traditional * 100`, one decimal. */
  percent: number
}

/** Measured token efficiency: core only, one example at a time, everything embedded. */
export interface ReportEfficiency {
  /** Tokens of the core (every slot deferred). */
  coreOnly: number
  /** Core plus each single top-level example inlined alone. */
  withOneExample: Array<{
    /** The example's URI. */
    uri: string
    /** Tokens of the core with this example inlined. */
    tokens: number
  }>
  /** Tokens with every resolvable slot inlined (the traditional baseline). */
  allEmbedded: number
  /** Savings against all embedded, in percent. */
  savingsRange: {
    /** With the largest single example inlined. */
    min: number
    /** With the core only. */
    max: number
  }
}

/** Wall-clock milliseconds per stage of an assembly. */
export interface ReportTimings {
  /** Resolving (fetching and parsing) the documents referenced. */
  resolveMs: number
  /** Measuring the candidates. */
  measureMs: number
  /** Choosing what to inline. */
  selectMs: number
  /** The whole assembly. */
  totalMs: number
}

/** One check of the text by the verifying counter (see {@link ReportCounter}). */
export interface ReportCounterCheck {
  /** Tokens of the text checked, by the proxy counter that chose it. */
  proxyTokens: number
  /** Tokens of the same text, by the verifying counter. */
  verifiedTokens: number
}

/**
 * Which counter decided what, when an async (remote) counter verified the assembly
 * (`assembleWithCounter`): the proxy counted and chose, the verifier checked the final text
 * against the budget and references were dropped until it fit.
 */
export interface ReportCounter {
  /** The local counter that measured and chose (every other count of the report is in it; equals `encoding`). */
  proxy: string
  /** The counter that verified the returned text against the budget, e.g. `'anthropic/claude-sonnet-4-5'`. */
  verifier: string
  /** Tokens of the returned text by the verifier: the count the budget was checked against. */
  verifiedTokens: number
  /** `verifiedTokens / totalTokens`, three decimals; `null` when `totalTokens` is 0. */
  calibration: number | null
  /** Requests the verifier made for this assembly (counts not already cached). */
  remoteCalls: number
  /** Counts of this assembly answered from the cache by content digest (sha256). */
  cachedCounts: number
  /** URIs the proxy's choice inlined that were dropped to fit the verified count, in the order dropped. */
  dropped: string[]
  /** Every check of a text by the verifier, in order; the last is the returned text. */
  checks: ReportCounterCheck[]
}

/**
 * Where the assembled text's stable prefix ends: the core text before the first slot,
 * the same bytes whatever the budget, the query or the strategy (a prompt cache can
 * keep it). `text.slice(0, chars)` is the prefix.
 */
export interface ReportStablePrefix {
  /** Length of the prefix in UTF-16 code units (JavaScript string length); 0 when the text starts with a slot. */
  chars: number
  /** Tokens of the prefix counted on its own (as a separate block of a request), in the report's encoding. */
  tokens: number
}

/** What an assembly did: exact tokens, every reference's decision, baselines and savings. */
export interface AssemblyReport {
  /** Report format version. */
  version: 1
  /** The document assembled. */
  document: ReportDocument
  /** Budget asked for; `null` means no cap. */
  budget: number | null
  /** Token encoding the counts are in (`'custom'` for a caller's counter without a name). */
  encoding: string
  /** Selection strategy used. */
  strategy: Strategy
  /** The task text that weighted the selection; `null` when none was given. */
  query: string | null
  /** Exact token count of the returned text. */
  totalTokens: number
  /** Tokens of the core: the text with every slot deferred. */
  coreTokens: number
  /** Every reference met, in document order, and what was decided about it. */
  references: ReferenceReport[]
  /** Costs at the two extremes. */
  baselines: ReportBaselines
  /** Savings against the traditional baseline. */
  savings: ReportSavings
  /** Measured token efficiency. */
  efficiency: ReportEfficiency
  /** Every diagnostic of the assembly, the root document's first. */
  diagnostics: Diagnostic[]
  /** Wall-clock milliseconds per stage. The only field that differs between identical runs. */
  timings: ReportTimings
  /** Which counter decided what, when an async counter verified the text (`assembleWithCounter`); absent otherwise. */
  counter?: ReportCounter
  /** Where the stable prefix of the text ends (set by `assemble`; absent in reports written before it existed). */
  stablePrefix?: ReportStablePrefix
}

function buildSchemas(zod: typeof Zod) {
  const int = () => zod.number().int()
  const referenceReportSchema = zod.object({
    uri: zod.string(),
    raw: zod.string(),
    kind: zod.enum(['slot', 'mention', 'related', 'link', 'path']),
    decision: zod.enum(['inlined', 'deferred', 'missing', 'cycle', 'duplicate', 'excluded', 'invalid']),
    reason: zod.string(),
    cause: zod.enum(REFERENCE_CAUSES),
    tokens: int().nullable(),
    value: zod.number().nullable(),
    depth: int(),
    from: zod.string().nullable(),
    line: int(),
    sectionPath: zod.array(zod.string()),
    declaredTokens: zod.number().nullable(),
    hintTokens: zod.number().nullable(),
    level: zod.enum(LEVELS).optional(),
    nextLevel: zod.object({ level: zod.enum(LEVELS), tokens: int() }).optional(),
  })

  const diagnosticSchema = zod.object({
    code: zod.enum(DIAGNOSTIC_CODES),
    severity: zod.enum(['error', 'warning', 'info']),
    message: zod.string(),
    file: zod.string().optional(),
    line: zod.number().optional(),
    column: zod.number().optional(),
  })

  const assemblyReportSchema = zod.object({
    version: zod.literal(1),
    document: zod.object({ uri: zod.string().nullable(), path: zod.string().nullable(), id: zod.string().nullable(), title: zod.string() }),
    budget: zod.number().nullable(),
    encoding: zod.string(),
    strategy: zod.enum(['greedy', 'optimal']),
    query: zod.string().nullable(),
    totalTokens: int(),
    coreTokens: int(),
    references: zod.array(referenceReportSchema),
    baselines: zod.object({ coreOnly: int(), traditional: int() }),
    savings: zod.object({ tokens: int(), percent: zod.number() }),
    efficiency: zod.object({
      coreOnly: int(),
      withOneExample: zod.array(zod.object({ uri: zod.string(), tokens: int() })),
      allEmbedded: int(),
      savingsRange: zod.object({ min: zod.number(), max: zod.number() }),
    }),
    diagnostics: zod.array(diagnosticSchema),
    timings: zod.object({ resolveMs: zod.number(), measureMs: zod.number(), selectMs: zod.number(), totalMs: zod.number() }),
    counter: zod
      .object({
        proxy: zod.string(),
        verifier: zod.string(),
        verifiedTokens: int(),
        calibration: zod.number().nullable(),
        remoteCalls: int(),
        cachedCounts: int(),
        dropped: zod.array(zod.string()),
        checks: zod.array(zod.object({ proxyTokens: int(), verifiedTokens: int() })),
      })
      .optional(),
    stablePrefix: zod.object({ chars: int(), tokens: int() }).optional(),
  })
  return { referenceReportSchema, assemblyReportSchema }
}

type Built = ReturnType<typeof buildSchemas>

/** The zod type of {@link referenceReportSchema}, written out so the declarations stay short and self-contained. */
type ReferenceReportSchema = Zod.ZodObject<
  {
    uri: Zod.ZodType<string>
    raw: Zod.ZodType<string>
    kind: Zod.ZodType<ReferenceKind>
    decision: Zod.ZodType<Decision>
    reason: Zod.ZodType<string>
    cause: Zod.ZodType<ReferenceCause>
    tokens: Zod.ZodType<number | null>
    value: Zod.ZodType<number | null>
    depth: Zod.ZodType<number>
    from: Zod.ZodType<string | null>
    line: Zod.ZodType<number>
    sectionPath: Zod.ZodType<string[]>
    declaredTokens: Zod.ZodType<number | null>
    hintTokens: Zod.ZodType<number | null>
    level: Zod.ZodOptional<Zod.ZodType<ReportLevel>>
    nextLevel: Zod.ZodOptional<Zod.ZodType<{ level: ReportLevel; tokens: number }>>
  },
  Zod.core.$strip
>

/** The zod type of {@link assemblyReportSchema}, written out like {@link ReferenceReportSchema}. */
type AssemblyReportSchema = Zod.ZodObject<
  {
    version: Zod.ZodType<1>
    document: Zod.ZodObject<{ uri: Zod.ZodType<string | null>; path: Zod.ZodType<string | null>; id: Zod.ZodType<string | null>; title: Zod.ZodType<string> }, Zod.core.$strip>
    budget: Zod.ZodType<number | null>
    encoding: Zod.ZodType<string>
    strategy: Zod.ZodType<Strategy>
    query: Zod.ZodType<string | null>
    totalTokens: Zod.ZodType<number>
    coreTokens: Zod.ZodType<number>
    references: Zod.ZodArray<ReferenceReportSchema>
    baselines: Zod.ZodObject<{ coreOnly: Zod.ZodType<number>; traditional: Zod.ZodType<number> }, Zod.core.$strip>
    savings: Zod.ZodObject<{ tokens: Zod.ZodType<number>; percent: Zod.ZodType<number> }, Zod.core.$strip>
    efficiency: Zod.ZodObject<
      {
        coreOnly: Zod.ZodType<number>
        withOneExample: Zod.ZodType<ReportEfficiency['withOneExample']>
        allEmbedded: Zod.ZodType<number>
        savingsRange: Zod.ZodType<ReportEfficiency['savingsRange']>
      },
      Zod.core.$strip
    >
    diagnostics: Zod.ZodType<Diagnostic[]>
    timings: Zod.ZodObject<{ resolveMs: Zod.ZodType<number>; measureMs: Zod.ZodType<number>; selectMs: Zod.ZodType<number>; totalMs: Zod.ZodType<number> }, Zod.core.$strip>
    counter: Zod.ZodOptional<Zod.ZodType<ReportCounter>>
    stablePrefix: Zod.ZodOptional<Zod.ZodObject<{ chars: Zod.ZodType<number>; tokens: Zod.ZodType<number> }, Zod.core.$strip>>
  },
  Zod.core.$strip
>

// Each schema's output and its interface are the same type (each assignable to the other),
// for the schema as built and as declared; the build fails when they drift apart.
type ReferenceBuilt = Zod.output<Built['referenceReportSchema']>
type ReportBuilt = Zod.output<Built['assemblyReportSchema']>
type ReferenceDeclared = Zod.output<ReferenceReportSchema>
type ReportDeclared = Zod.output<AssemblyReportSchema>
type SchemasMatchInterfaces = [
  Assignable<ReferenceBuilt, ReferenceReport>,
  Assignable<ReferenceReport, ReferenceBuilt>,
  Assignable<ReportBuilt, AssemblyReport>,
  Assignable<AssemblyReport, ReportBuilt>,
  Assignable<ReferenceDeclared, ReferenceReport>,
  Assignable<ReferenceReport, ReferenceDeclared>,
  Assignable<ReportDeclared, AssemblyReport>,
  Assignable<AssemblyReport, ReportDeclared>,
]

let schemas: Built | undefined
const built = (): Built => {
  schemas ??= buildSchemas(loadZod())
  return schemas
}

/**
 * Schema of {@link ReferenceReport}: one reference and what was decided about it. A zod
 * object schema, built (and zod loaded) on first use.
 */
export const referenceReportSchema: ReferenceReportSchema = lazyObject(() => built().referenceReportSchema as unknown as ReferenceReportSchema)

/** Schema of {@link AssemblyReport}. A zod object schema, built (and zod loaded) on first use. */
export const assemblyReportSchema: AssemblyReportSchema = lazyObject(() => built().assemblyReportSchema as unknown as AssemblyReportSchema)
