/**
 * `promptfold report <file>`: the measured token-efficiency table of a document
 * (core only, core + each example, all embedded, savings range).
 *
 * @module
 */
import { Command } from 'commander'
import type { EncodingName } from '../../index.js'
import { encodingOption, modelOption, rootOption, saveReportOption } from '../options.js'

/** Options of `promptfold report`. */
export interface ReportCommandOptions {
  root?: string
  json?: boolean
  markdown?: boolean
  encoding?: EncodingName
  model?: string
  saveReport?: string | boolean
  /** False with `--no-cache`. */
  cache?: boolean
}

/** Register the command. */
export function reportCommand(): Command {
  return new Command('report')
    .description('print the measured token-efficiency table of a document: core only, core + each example, all embedded, savings range')
    .argument('<file>', 'markdown document (agent, skill, ...)')
    .addOption(rootOption())
    .option('--json', 'print {"document", "encoding", "efficiency"} as JSON')
    .option('--markdown', 'print the figures as the "Token Efficiency" bullet list documents carry, ready to paste')
    .addOption(encodingOption())
    .addOption(modelOption())
    .option('--no-cache', 'do not read or write the persistent caches of counts and parsed documents ($XDG_CACHE_HOME/promptfold)')
    .addOption(saveReportOption())
    .addHelpText(
      'after',
      `
Every figure is an exact token count of assembled text (no budget, slots followed as by assemble).
The table is fitted to the terminal's width (COLUMNS when not a terminal; at least 80).
Exit codes: 0 ok, 1 failed, 2 bad usage. With --json, a failure prints {"error": {...}} on stdout.

Example:
  $ promptfold report agents/mlops-specialist.md
`,
    )
    .action(async (file: string, options: ReportCommandOptions) => {
      const { runReport } = await import('../actions/report.js')
      await runReport(file, options)
    })
}
