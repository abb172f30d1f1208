/**
 * `promptfold report <file>`: the measured token-efficiency table of a document
 * (core only, core + each example, all embedded, savings range); with `--models`, the
 * fit preview of the document for several models at once (`fitPreview`).
 *
 * @module
 */
import { Command, InvalidArgumentError } from 'commander'
import type { EncodingName } from '../../index.js'
import { encodingOption, modelOption, nonNegativeInteger, rootOption, saveReportOption } from '../options.js'

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
  /** `--models a,b,c`: the fit preview for these models instead of the efficiency table. */
  models?: string[]
  /** `--budgets n,m` (with `--models`): what each budget inlines for each model. */
  budgets?: number[]
  /** `--html FILE`: also write the report as one self-contained HTML page. */
  html?: string
  /** `--budget N` (with `--html`): the budget of the assembly the page shows. */
  budget?: number
  /** `--query TEXT` (with `--html`): the task of the assembly the page shows. */
  query?: string
}

/** Parse a comma-separated list of model ids or encoding names: `gpt-4o,claude-sonnet-4-5`. */
export function modelList(value: string): string[] {
  const ids = value.split(',').map((s) => s.trim())
  if (ids.some((s) => s === '')) throw new InvalidArgumentError(`expected model ids separated by commas, got "${value}".`)
  if (new Set(ids).size !== ids.length) throw new InvalidArgumentError(`a model is named twice in "${value}".`)
  return ids
}

/** Parse a comma-separated list of budgets: `2000,4000`. */
export function budgetList(value: string): number[] {
  return value.split(',').map((s) => nonNegativeInteger(s))
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
    .option('--models <list>', 'fit preview instead: core, each reference and all embedded in the tokens of each model (ids such as gpt-4o,claude-sonnet-4-5,llama-3.1-8b-instruct, or encodings); ~ marks a model counted with a proxy encoding', modelList)
    .option('--html <file>', 'also write the report as one self-contained HTML page: the budget as a bar by core and reference, the efficiency chart, the references, the prompt coloured by source (hover: file and line)')
    .option('--budget <n>', 'with --html: the budget of the assembly the page shows (default: no budget, everything inlined)', nonNegativeInteger)
    .option('--query <text>', 'with --html: the task of the assembly the page shows')
    .option('--budgets <list>', 'with --models: what each budget (tokens, comma-separated) inlines for each model', budgetList)
    .addHelpText(
      'after',
      `
Every figure is an exact token count of assembled text (no budget, slots followed as by assemble);
with --models, a model marked ~ is counted with its proxy encoding (its own tokenizer is not local).
The table is fitted to the terminal's width (COLUMNS when not a terminal; at least 80).
Exit codes: 0 ok, 1 failed, 2 bad usage. With --json, a failure prints {"error": {...}} on stdout.

Examples:
  $ promptfold report agents/mlops-specialist.md
  $ promptfold report agents/mlops-specialist.md --models gpt-4o,claude-sonnet-4-5 --budgets 2000,4000
`,
    )
    .action(async (file: string, options: ReportCommandOptions) => {
      const { runReport } = await import('../actions/report.js')
      await runReport(file, options)
    })
}
