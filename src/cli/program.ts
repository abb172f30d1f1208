/**
 * The `promptfold` command line: commander wiring, exit codes and error lines.
 * Commands live in `./commands/*.ts`; add a new one to {@link COMMANDS}.
 *
 * @module
 */
import { Command, CommanderError } from 'commander'
import { VERSION } from '../version.js'
import { docsFile, homepage } from './about.js'
import { assembleCommand } from './commands/assemble.js'
import { catalogCommand } from './commands/catalog.js'
import { lintCommand } from './commands/lint.js'
import { reportCommand } from './commands/report.js'
import { serveCommand } from './commands/serve.js'
import { describeError, EXIT, errorJson, printError, styles, UsageError } from './io.js'

/** Every subcommand, in help order. */
export const COMMANDS: ReadonlyArray<() => Command> = [assembleCommand, reportCommand, lintCommand, catalogCommand, serveCommand]

/** Called with commander's errors (bad usage) instead of printing them; `command` is `promptfold` or `promptfold <name>`. */
export type UsageErrorHandler = (command: string, message: string) => void

/**
 * Build the program. Errors from commander are thrown (exitOverride) and turned into exit
 * codes by {@link run}. With `onUsageError`, commander's messages go to it instead of stderr.
 */
export function createProgram(onUsageError?: UsageErrorHandler): Command {
  const program = new Command('promptfold')
    .description('Assemble prompts from markdown agent documents under a token budget, with exact token counts.')
    .version(VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .configureOutput({ outputError: usageErrorOutput('promptfold', onUsageError) })
    .exitOverride()
    .addHelpText('after', helpEpilogue)
  program.addHelpCommand('help [command]', 'show help for a command')
  for (const make of COMMANDS) {
    const cmd = make()
    cmd.helpOption('-h, --help', 'show help')
    program.addCommand(cmd)
  }
  // addCommand does not copy settings: apply exit and output handling to every subcommand.
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({ outputError: usageErrorOutput(`promptfold ${cmd.name()}`, onUsageError) })
  }
  return program
}

/** The end of `promptfold --help`: exit codes, colours, where the installed docs and the home page are. */
function helpEpilogue(): string {
  const home = homepage()
  return `
Exit codes: 0 ok, 1 failed (lint errors, budget below the core, ...), 2 bad usage.
With --json, a failure prints {"error": {"code", "message", "hint"}} on stdout.
Colors only on a terminal; NO_COLOR turns them off.
Full reference: ${docsFile('cli.md')}${home ? `\nHome page: ${home}` : ''}
`
}

/** Whether the command line asks for JSON: `--json` before any `--`. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}

/**
 * Run the CLI with `argv` (without `node` and the script). Resolves to the exit code.
 * Failures print one `error:` line on stderr, or with `--json` one JSON error object on
 * stdout (and nothing else there); the exit codes are the same either way.
 */
export async function run(argv: readonly string[]): Promise<number> {
  let usage: { command: string; message: string } | undefined
  const program = createProgram((command, message) => {
    usage = { command, message }
  })
  // Before a command runs, a `--json` is known only from the words; once it runs, from its options.
  let json = wantsJson(argv)
  program.hook('preAction', (_program, action) => {
    json = action.opts().json === true
  })
  if (argv.length === 0) {
    program.outputHelp({ error: true })
    return EXIT.usage
  }
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok
  } catch (thrown) {
    let error = thrown
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok
      error = commanderUsage(usage?.command ?? 'promptfold', usage?.message ?? error.message, argv)
    }
    const report = describeError(error)
    if (json) process.stdout.write(errorJson(report))
    else printError(report.line)
    if (report.stack) process.stderr.write(`${report.stack}\n`)
    return report.exitCode
  }
}

/** Commander's message on one line, with where to find usage (or what went wrong with `--save-report`). */
function commanderUsage(command: string, message: string, argv: readonly string[]): UsageError {
  const text = message.trim().replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ')
  const hint =
    /missing required argument/.test(text) && hasBareSaveReport(argv)
      ? '--save-report took the next word as its folder: put the file first, or write --save-report=DIR'
      : `see ${command} --help`
  return new UsageError(text, hint)
}

/** Commander's error output: to `handler` when there is one, else one line on stderr. */
function usageErrorOutput(command: string, handler: UsageErrorHandler | undefined): (message: string, write: (s: string) => void) => void {
  return (message, write) => {
    if (handler) return handler(command, message)
    const s = styles(process.stderr)
    write(`${s.red('error:')} ${describeError(commanderUsage(command, message, process.argv.slice(2))).line}\n`)
  }
}

function hasBareSaveReport(argv: readonly string[]): boolean {
  const i = argv.indexOf('--save-report')
  return i !== -1 && i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('-')
}
