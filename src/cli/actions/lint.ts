/**
 * `promptfold lint`: the implementation (loaded when the command runs).
 *
 * @module
 */
import type { LintCommandOptions } from '../commands/lint.js'
import { EXIT, styles } from '../io.js'
import { type LintFinding, type LintOptions, type LintResult, lint } from '../lint.js'

/** Run `lint`; sets exit code 1 when there are errors. */
export async function runLint(paths: string[], options: LintCommandOptions): Promise<void> {
  const lintOptions: LintOptions = {}
  if (options.root !== undefined) lintOptions.root = options.root
  if (options.fix) lintOptions.fix = true
  if (options.encoding !== undefined) lintOptions.encoding = options.encoding
  if (options.model !== undefined) lintOptions.model = options.model
  const result = await lint(paths, lintOptions)
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatLint(result))
  if (result.errorCount > 0) process.exitCode = EXIT.failure
}

/** One finding as `file:line:col: severity: message [RULE]`. */
export function formatFinding(f: LintFinding, s = styles(process.stdout)): string {
  const where = `${f.file}${f.line !== null ? `:${f.line}${f.column !== null ? `:${f.column}` : ''}` : ''}`
  const sev = f.fixed ? s.green('fixed') : f.severity === 'error' ? s.red('error') : s.yellow('warning')
  return `${where}: ${sev}: ${f.message} ${s.dim(`[${f.rule}]`)}`
}

/** The whole result as text, with a summary line. */
export function formatLint(result: LintResult, s = styles(process.stdout)): string {
  const lines = result.findings.map((f) => formatFinding(f, s))
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`
  const summary = `${plural(result.errorCount, 'error')}, ${plural(result.warningCount, 'warning')}${result.fixedCount > 0 ? `, ${result.fixedCount} fixed` : ''} in ${plural(result.files.length, 'file')}`
  if (lines.length > 0) lines.push('')
  lines.push(result.errorCount > 0 ? s.red(summary) : result.warningCount > 0 ? s.yellow(summary) : s.green(summary))
  return `${lines.join('\n')}\n`
}
