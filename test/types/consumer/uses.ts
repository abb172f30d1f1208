import {
  type AssemblyReport,
  assemblyReportSchema,
  DIAGNOSTIC_CODES,
  type Diagnostic,
  type DiagnosticCode,
  describeCause,
  type Frontmatter,
  frontmatterSchema,
  REFERENCE_CAUSES,
  type ReferenceCause,
  type ReferenceReport,
} from 'promptfold'

/** Reads fields of every public report and document type: any drift is a compile error. */
export function summary(report: AssemblyReport, meta: Frontmatter): string {
  const rows: ReferenceReport[] = report.references
  const causes: ReferenceCause[] = rows.map((r) => r.cause)
  const tokens: Array<number | null> = rows.map((r) => r.tokens)
  const diagnostics: Diagnostic[] = report.diagnostics
  const codes: DiagnosticCode[] = diagnostics.map((d) => d.code)
  const files: Array<string | undefined> = diagnostics.map((d) => d.file)
  const id: string | undefined = meta.id
  const tags: string[] = meta.tags
  const owner: unknown = meta['owner']
  const again: AssemblyReport = assemblyReportSchema.parse(report)
  const parsed: Frontmatter = frontmatterSchema.parse({ id: 'x' })
  const budget: number | null = report.budget
  return [
    report.version, report.totalTokens, report.savings.percent, report.efficiency.savingsRange.max, report.timings.totalMs, budget,
    report.document.title, causes, tokens, codes, files, id, tags, owner, again.coreTokens, parsed.useWhen,
    DIAGNOSTIC_CODES.length, REFERENCE_CAUSES.length, describeCause('NOT_FOUND'),
  ].join(' ')
}
