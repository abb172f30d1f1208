/**
 * The assembly report: plain JSON describing what an assembly did, with its zod schema.
 *
 * @module
 */
import type { z as Zod } from 'zod'
import { lazyObject, loadZod } from '../lazy.js'

function buildSchemas(z: typeof Zod) {
  const decision = z.enum(['inlined', 'deferred', 'missing', 'cycle', 'duplicate', 'excluded', 'invalid'])

  /** One reference and what was decided about it. */
  const referenceReportSchema = z.object({
    /** Normalized URI (or bare id for related entries). */
    uri: z.string(),
    /** As written. */
    raw: z.string(),
    kind: z.enum(['slot', 'mention', 'related']),
    decision,
    /** Why, in one sentence. */
    reason: z.string(),
    /** Measured tokens of the target's body (its nested slots deferred); null when unknown. */
    tokens: z.number().int().nullable(),
    /** Selection value (candidates only). */
    value: z.number().nullable(),
    /** 1 for references in the root document, 2 for references in a document inlined at depth 1, ... */
    depth: z.number().int(),
    /** URI (or path) of the document holding the reference. */
    from: z.string().nullable(),
    /** 1-based line in that document. */
    line: z.number().int(),
    /** Section titles the reference sits in. */
    sectionPath: z.array(z.string()),
    /** The target's frontmatter `estimatedTokens`, when given. */
    declaredTokens: z.number().nullable(),
    /** The `(~N tokens)` hint next to the reference, when given. */
    hintTokens: z.number().nullable(),
  })

  const diagnosticSchema = z.object({
    code: z.string(),
    severity: z.enum(['error', 'warning', 'info']),
    message: z.string(),
    file: z.string().optional(),
    line: z.number().optional(),
    column: z.number().optional(),
  })

  const assemblyReportSchema = z.object({
    /** Report format version. */
    version: z.literal(1),
    document: z.object({ uri: z.string().nullable(), path: z.string().nullable(), id: z.string().nullable(), title: z.string() }),
    /** Budget asked for; null means no cap. */
    budget: z.number().nullable(),
    encoding: z.string(),
    strategy: z.enum(['greedy', 'optimal']),
    query: z.string().nullable(),
    /** Exact token count of the returned text. */
    totalTokens: z.number().int(),
    /** Tokens of the core: the text with every slot deferred. */
    coreTokens: z.number().int(),
    references: z.array(referenceReportSchema),
    baselines: z.object({
      /** Every slot deferred (equals `coreTokens`). */
      coreOnly: z.number().int(),
      /** Every resolvable slot inlined, up to `maxDepth`, ignoring the budget. */
      traditional: z.number().int(),
    }),
    savings: z.object({
      /** `traditional - totalTokens`. */
      tokens: z.number().int(),
      /** `tokens / traditional * 100`, one decimal. */
      percent: z.number(),
    }),
    efficiency: z.object({
      coreOnly: z.number().int(),
      /** Core plus each single top-level example inlined alone. */
      withOneExample: z.array(z.object({ uri: z.string(), tokens: z.number().int() })),
      allEmbedded: z.number().int(),
      /** Savings against all embedded: with the largest single example (min) and core only (max), in percent. */
      savingsRange: z.object({ min: z.number(), max: z.number() }),
    }),
    diagnostics: z.array(diagnosticSchema),
    /** Wall-clock milliseconds per stage. The only field that differs between identical runs. */
    timings: z.object({ resolveMs: z.number(), measureMs: z.number(), selectMs: z.number(), totalMs: z.number() }),
  })
  return { referenceReportSchema, assemblyReportSchema }
}

type Schemas = ReturnType<typeof buildSchemas>
let schemas: Schemas | undefined
const built = (): Schemas => {
  schemas ??= buildSchemas(loadZod())
  return schemas
}

/** Schema of {@link ReferenceReport}: one reference and what was decided about it. Built (and zod loaded) on first use. */
export const referenceReportSchema: Schemas['referenceReportSchema'] = lazyObject(() => built().referenceReportSchema)

/** Schema of {@link AssemblyReport}. Built (and zod loaded) on first use. */
export const assemblyReportSchema: Schemas['assemblyReportSchema'] = lazyObject(() => built().assemblyReportSchema)

/** What an assembly did: exact tokens, every reference's decision, baselines and savings. */
export type AssemblyReport = Zod.infer<typeof assemblyReportSchema>
/** One reference in an {@link AssemblyReport}. */
export type ReferenceReport = Zod.infer<typeof referenceReportSchema>
