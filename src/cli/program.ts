/**
 * The `promptfold` command line: commander wiring, exit codes and error lines.
 * Commands live in `./commands/*.ts`; add a new one to {@link COMMANDS}.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { assembleCommand } from './commands/assemble.js'
import { lintCommand } from './commands/lint.js'
import { reportCommand } from './commands/report.js'
import { serveCommand } from './commands/serve.js'
import { describeError, EXIT, printError, styles } from './io.js'

/** Every subcommand, in help order. */
export const COMMANDS: ReadonlyArray<() => Command> = [assembleCommand, reportCommand, lintCommand, serveCommand]

/** The version in the package.json next to the built CLI (`dist/../package.json`). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown }
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0'
  } catch {
    return '0.0.0'
  }
}

/** Build the program. Errors from commander are thrown (exitOverride) and turned into exit codes by {@link run}. */
export function createProgram(): Command {
  const program = new Command('promptfold')
    .description('Assemble prompts from markdown agent documents under a token budget, with exact token counts.')
    .version(packageVersion(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .configureOutput({ outputError: oneLineError('promptfold') })
    .exitOverride()
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failed (lint errors, budget below the core, ...), 2 bad usage.
Colors only on a terminal; NO_COLOR turns them off. Full reference: docs/cli.md.
`,
    )
  program.addHelpCommand('help [command]', 'show help for a command')
  for (const make of COMMANDS) {
    const cmd = make()
    cmd.helpOption('-h, --help', 'show help')
    program.addCommand(cmd)
  }
  // addCommand does not copy settings: apply exit and output handling to every subcommand.
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({ outputError: oneLineError(`promptfold ${cmd.name()}`) })
  }
  return program
}

/** Run the CLI with `argv` (without `node` and the script). Resolves to the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = createProgram()
  if (argv.length === 0) {
    program.outputHelp({ error: true })
    return EXIT.usage
  }
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok
      // commander has already printed the message (see oneLineError).
      return EXIT.usage
    }
    const { message, exitCode, stack } = describeError(error)
    printError(message)
    if (stack) process.stderr.write(`${stack}\n`)
    return exitCode
  }
}

/** Commander's error message on one line, with where to find usage, colored like ours. */
function oneLineError(name: string): (message: string, write: (s: string) => void) => void {
  return (message, write) => {
    const s = styles(process.stderr)
    const text = message.trim().replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ')
    const hint =
      /missing required argument/.test(text) && hasBareSaveReport(process.argv.slice(2))
        ? '--save-report took the next word as its folder: put the file first, or write --save-report=DIR'
        : `see ${name} --help`
    write(`${s.red('error:')} ${text} (${hint})\n`)
  }
}

function hasBareSaveReport(argv: readonly string[]): boolean {
  const i = argv.indexOf('--save-report')
  return i !== -1 && i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('-')
}
