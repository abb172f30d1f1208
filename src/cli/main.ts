#!/usr/bin/env node
/**
 * Entry of the `promptfold` binary (built to `dist/cli.js` with a shebang).
 * Everything happens in `./program.ts`; this file only sets the exit code.
 *
 * @module
 */
import { run } from './program.js'

// A closed pipe (`promptfold assemble x.md | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

process.exitCode = await run(process.argv.slice(2))
