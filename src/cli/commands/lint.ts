/**
 * `promptfold lint <dir|file>...`: check a library; exit 1 when there are errors.
 *
 * @module
 */
import { Command } from 'commander'
import type { EncodingName } from '../../index.js'
import { encodingOption, modelOption } from '../options.js'

/** Options of `promptfold lint`. */
export interface LintCommandOptions {
  root?: string
  json?: boolean
  fix?: boolean
  encoding?: EncodingName
  model?: string
}

/** Register the command. */
export function lintCommand(): Command {
  return new Command('lint')
    .description('check documents: frontmatter, unresolved references, slot cycles, duplicate ids, ids that differ from file names, token estimates and hints more than 25% off')
    .argument('<paths...>', 'markdown files and folders (folders are searched for .md files)')
    .option('--root <dir>', 'library root for every file (default: found per file, as for assemble)')
    .option('--json', 'print the findings as JSON')
    .option('--fix', 'rewrite frontmatter estimatedTokens values that are off to the measured count (nothing else in the file changes)')
    .addOption(encodingOption())
    .addOption(modelOption())
    .addHelpText(
      'after',
      `
Rules: FRONTMATTER_* and REFERENCE_* (parse diagnostics), UNRESOLVED_REFERENCE, SLOT_CYCLE,
DUPLICATE_ID, ID_MISMATCH (warning), ESTIMATE_OFF (fixable), HINT_OFF.
estimatedTokens is compared with the tokens of the document's body (the text after the
frontmatter); a (~N tokens) hint with the measured cost of the document it points at.
Exit codes: 0 no errors (warnings allowed), 1 errors, 2 bad usage.

Examples:
  $ promptfold lint resources/
  $ promptfold lint resources/ --fix
  $ promptfold lint agents/mlops-specialist.md --json
`,
    )
    .action(async (paths: string[], options: LintCommandOptions) => {
      const { runLint } = await import('../actions/lint.js')
      await runLint(paths, options)
    })
}
