/**
 * `promptfold assemble <file>`: the assembled prompt on stdout, the report on stderr.
 *
 * @module
 */
import { Command, Option } from 'commander'
import type { EncodingName, Strategy } from '../../index.js'
import { collect, encodingOption, modelOption, nonNegativeInteger, rootOption, saveReportOption } from '../options.js'

/** Options of `promptfold assemble`, as commander parses them. */
export interface AssembleCommandOptions {
  root?: string
  budget?: number
  query?: string
  encoding?: EncodingName
  model?: string
  strategy?: Strategy
  include?: string[]
  exclude?: string[]
  maxDepth?: number
  json?: boolean
  /** Print the prompt only: no report on stderr. */
  quiet?: boolean
  out?: string
  saveReport?: string | boolean
  /** False with `--no-cache`. */
  cache?: boolean
  /** Print which file and line each part of the prompt came from (stderr; with --json, `sourceMap` in the object). */
  explain?: boolean
}

/** Register the command. */
export function assembleCommand(): Command {
  return new Command('assemble')
    .description('assemble a prompt from a document under a token budget: prompt to stdout, report to stderr')
    .argument('<file>', 'markdown document (agent, skill, ...)')
    .addOption(rootOption())
    .option('--budget <n>', 'hard cap on the tokens of the prompt (default: no cap)', nonNegativeInteger)
    .option('--query <text>', 'task description: inline the most relevant examples first')
    .addOption(encodingOption())
    .addOption(modelOption())
    .addOption(new Option('--strategy <name>', 'selection strategy').choices(['greedy', 'optimal']).default('greedy'))
    .option('--include <uri>', 'inline this slot or fail (repeatable)', collect)
    .option('--exclude <uri>', 'never inline this slot (repeatable)', collect)
    .option('--max-depth <n>', 'follow slots inside inlined documents this deep (default 2)', nonNegativeInteger)
    .option('--json', 'print one JSON object {"text", "report"} to stdout instead of the prompt and report')
    .option('-q, --quiet', 'print the prompt only: no report on stderr (errors still are); no effect with --json')
    .option('--explain', 'print on stderr which file and line each part of the prompt came from (with --json: add "sourceMap" to the object)')
    .option('--out <file>', 'write the prompt (or the JSON) to FILE instead of stdout')
    .option('--no-cache', 'do not read or write the persistent caches of counts and parsed documents ($XDG_CACHE_HOME/promptfold)')
    .addOption(saveReportOption())
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failed (budget below the core, --include that cannot fit), 2 bad usage.
With --json, a failure prints {"error": {"code", "message", "hint"}} on stdout instead of a line on stderr.
The report is fitted to the terminal's width (COLUMNS when not a terminal; at least 80).
Put <file> before --save-report, or write --save-report=DIR: a bare word after it is taken as DIR.

Examples:
  $ promptfold assemble agents/mlops-specialist.md --budget 3000
  $ promptfold assemble agents/mlops-specialist.md --budget 2000 --query "set up experiment tracking"
  $ promptfold assemble agents/mlops-specialist.md --json | jq .report.totalTokens
`,
    )
    .action(async (file: string, options: AssembleCommandOptions) => {
      // Loaded on use, so --help and --version do not load the library.
      const { runAssemble } = await import('../actions/assemble.js')
      await runAssemble(file, options)
    })
}
