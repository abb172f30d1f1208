/**
 * `promptfold lint <dir|file>...`: check a library (the library's `lintLibrary`, printed); exit 1
 * when there are errors.
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
    .description('check documents and Agent Skills: frontmatter, unresolved references, slot cycles, duplicate ids, ids that differ from file names, token estimates and hints more than 25% off; skills against the specification, their links')
    .argument('<paths...>', 'markdown files, skill folders and folders (folders are searched for .md files and skills)')
    .option('--root <dir>', 'library root for every file (default: found per file, as for assemble)')
    .option('--json', 'print the findings as JSON (each with code, file, line, column, severity, message)')
    .option('--fix', 'rewrite frontmatter estimatedTokens values that are off to the measured count (nothing else in the file changes)')
    .addOption(encodingOption())
    .addOption(modelOption())
    .addHelpText(
      'after',
      `
Codes: FRONTMATTER_*, REFERENCE_* and LINK_OUTSIDE_ROOT (the documents' diagnostics),
UNRESOLVED_REFERENCE (the library's graph().dangling, links aside), SLOT_CYCLE,
DUPLICATE_ID, ID_MISMATCH (warning), ESTIMATE_OFF (fixable), HINT_OFF. Skills (folders
holding SKILL.md) against the Agent Skills specification: SKILL_NAME_INVALID,
SKILL_NAME_MISMATCH, SKILL_DESCRIPTION_INVALID, SKILL_COMPATIBILITY_INVALID,
SKILL_METADATA_INVALID, SKILL_BODY_TOO_LONG (warning); their relative links: LINK_BROKEN,
LINK_CASE_MISMATCH, LINK_TOO_DEEP (warning). Each file is linted against the library of its
root, loaded once per root; references resolve as in assemble and MCP (exact path, id or
file name, unique flat path). estimatedTokens is compared with the tokens of the document's
body (the text after the frontmatter); a (~N tokens) hint with the measured cost of the
document it points at. On a terminal, progress is shown on stderr (not with --json).
Exit codes: 0 no errors (warnings allowed), 1 errors, 2 bad usage.

Examples:
  $ promptfold lint resources/
  $ promptfold lint resources/ --fix
  $ promptfold lint agents/mlops-specialist.md --json
  $ promptfold lint skills/pdf
`,
    )
    .action(async (paths: string[], options: LintCommandOptions) => {
      const { runLint } = await import('../actions/lint.js')
      await runLint(paths, options)
    })
}
