/**
 * Option value parsers shared by the commands (commander calls them; a thrown
 * `InvalidArgumentError` becomes a one-line usage error, exit code 2).
 *
 * @module
 */
import { InvalidArgumentError, Option } from 'commander'

/** Parse a non-negative integer such as `3000`. */
export function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a whole number of 0 or more, got "${value}".`)
  const n = Number(value.trim())
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is too large.`)
  return n
}

/** Collect a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** `--encoding o200k_base|cl100k_base`. */
export function encodingOption(): Option {
  return new Option('--encoding <name>', 'tokenizer to count with (default o200k_base)').choices(['o200k_base', 'cl100k_base'])
}

/** `--model NAME`. */
export function modelOption(): Option {
  return new Option('--model <name>', 'count with the encoding of this OpenAI model (gpt-4o, gpt-4.1, o3, gpt-5, gpt-4, gpt-3.5-turbo, ...)')
}

/** `--root DIR`. */
export function rootOption(): Option {
  return new Option('--root <dir>', 'library root that orchestr8:// URIs resolve against (default: the parent of the nearest agents/, examples/, skills/, ... folder above the file)')
}

/** `--save-report [DIR]`. */
export function saveReportOption(): Option {
  return new Option('--save-report [dir]', 'also write the report as markdown to DIR/<category>/<kind>-<id>-YYYY-MM-DD.md (default DIR .promptfold/reports)')
}

/** Default folder of `--save-report`. */
export const DEFAULT_REPORT_DIR = '.promptfold/reports'
