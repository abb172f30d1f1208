import type { Diagnostic, DiagnosticCode, Severity } from '../types.js'

/** Create a diagnostic, dropping undefined position fields so output stays compact and deterministic. */
export function diagnostic(
  code: DiagnosticCode,
  severity: Severity,
  message: string,
  where: { file?: string | undefined; line?: number | undefined; column?: number | undefined } = {},
): Diagnostic {
  const d: Diagnostic = { code, severity, message }
  if (where.file !== undefined) d.file = where.file
  if (where.line !== undefined) d.line = where.line
  if (where.column !== undefined) d.column = where.column
  return d
}
