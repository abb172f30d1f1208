/**
 * `promptfold catalog <root>`: the skill catalog of a library under a token budget (the
 * library's `skillCatalog`): the block on stdout, a summary of what was left out on stderr.
 *
 * @module
 */
import { Command, Option } from 'commander'
import type { CatalogReport, EncodingName, SkillCatalogOptions } from '../../index.js'
import { encodingOption, modelOption, nonNegativeInteger } from '../options.js'

/** Options of `promptfold catalog`. */
export interface CatalogCommandOptions {
  budget?: number
  query?: string
  format?: 'xml' | 'markdown'
  location?: 'path' | 'absolute'
  encoding?: EncodingName
  model?: string
  json?: boolean
  /** Print the block only: no summary on stderr. */
  quiet?: boolean
  /** False with `--no-cache`. */
  cache?: boolean
}

/** Register the command. */
export function catalogCommand(): Command {
  return new Command('catalog')
    .description('print the skill catalog of a library for a system prompt (<available_skills> XML or a markdown list): the most relevant skills that fit a token budget')
    .argument('<root>', 'library folder: every folder below it holding a SKILL.md is a skill (ROOT itself may be a skill folder)')
    .option('--budget <n>', 'hard cap on the tokens of the catalog, its wrapper included (default: no cap)', nonNegativeInteger)
    .option('--query <text>', 'task description: list the skills that match it best first')
    .addOption(new Option('--format <name>', 'xml (<available_skills>) or markdown (a list)').choices(['xml', 'markdown']).default('xml'))
    .addOption(new Option('--location <kind>', "what each skill's location says: its SKILL.md path relative to ROOT, or the absolute path").choices(['path', 'absolute']).default('path'))
    .addOption(encodingOption())
    .addOption(modelOption())
    .option('--json', 'print one JSON object {"text", "report"} to stdout instead of the catalog and summary')
    .option('-q, --quiet', 'print the catalog only: no summary on stderr (errors still are); no effect with --json')
    .option('--no-cache', 'do not read or write the persistent cache of parsed documents ($XDG_CACHE_HOME/promptfold)')
    .addHelpText(
      'after',
      `
Skills are added in rank order (by match score with --query, ties and non-matching skills by
name; by name without), skipping one that does not fit and trying the next. The summary on
stderr says how many were listed, the exact tokens, and why each other skill was left out:
BUDGET, NOT_RELEVANT (matches nothing in the query and no room was left), NO_DESCRIPTION.
With no skill listed, nothing is printed on stdout.
Exit codes: 0 ok, 1 failed, 2 bad usage. With --json, a failure prints {"error": {...}} on stdout.

Examples:
  $ promptfold catalog skills/ --budget 500
  $ promptfold catalog skills/ --budget 300 --query "fill in a PDF form" --format markdown
  $ promptfold catalog skills/ --json | jq .report.totalTokens
`,
    )
    .action(async (root: string, options: CatalogCommandOptions) => {
      await runCatalog(root, options)
    })
}

/** Run `catalog` (loads the library code on use, so --help and --version do not). */
export async function runCatalog(root: string, options: CatalogCommandOptions): Promise<void> {
  const [{ createTokenCounter, describeCatalogCause, loadLibrary, skillCatalog }, { openCaches }, { checkRoot }] = await Promise.all([import('../../index.js'), import('../cache.js'), import('../document.js')])
  const base = checkRoot(root, '')
  const counter = createTokenCounter({ ...(options.encoding !== undefined ? { encoding: options.encoding } : {}), ...(options.model !== undefined ? { model: options.model } : {}) })
  const caches = openCaches(options.cache)
  const library = await loadLibrary({ root: base, ...(caches ? { parseStore: caches.parseStore, indexStore: caches.indexStore } : {}) })
  const catalogOptions: SkillCatalogOptions = { counter, format: options.format ?? 'xml', location: options.location ?? 'path' }
  if (options.budget !== undefined) catalogOptions.budget = options.budget
  if (options.query !== undefined) catalogOptions.query = options.query
  const { text, report } = skillCatalog(library, catalogOptions)
  caches?.flush()
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ text, report }, null, 2)}\n`)
    return
  }
  process.stdout.write(text)
  if (!options.quiet) process.stderr.write(catalogSummary(report, root, describeCatalogCause))
}

/**
 * The summary printed on stderr: one line of totals, then one line per skill left out, with
 * its tokens and why (the prose of its cause, from `describeCatalogCause`).
 */
export function catalogSummary(report: CatalogReport, root: string, describe: (cause: CatalogReport['skills'][number]['cause']) => string): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`
  if (report.skills.length === 0) return `catalog: no skills below ${root} (a skill is a folder holding SKILL.md)\n`
  const budget = report.budget === null ? 'no budget' : `budget ${report.budget}`
  const lines = [`catalog: ${report.listed} of ${plural(report.skills.length, 'skill')} listed, ${plural(report.totalTokens, 'token')} (${budget}, ${report.encoding}, ${report.format})`]
  for (const s of report.skills) {
    if (s.decision === 'omitted') lines.push(`omitted ${s.name} (${s.path}${s.cause === 'NO_DESCRIPTION' ? '' : `, ${plural(s.tokens, 'token')}`}): ${describe(s.cause)} [${s.cause}]`)
  }
  return `${lines.join('\n')}\n`
}
