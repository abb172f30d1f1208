/**
 * Code samples in the docs, and how they are run.
 *
 * Convention for docs/getting-started.md, format.md, api.md, cli.md, budgeting.md, recipes.md:
 * - A fenced block whose info string is `ts run` (or `js run`) is a TypeScript
 *   program: it is type-checked against the built package and run with tsx.
 *   `ts run vitest` is a vitest test file and is run with vitest.
 * - `sh run` is a shell script run with bash (pipefail, no -e: the exit code is the last
 *   command's); `promptfold` on its PATH is the built
 *   CLI. `exit=N` in the info string is the exit code it must end with (default 0).
 * - The fenced block after a run block, if its info string is `text stdout`,
 *   `text stderr` or `json stdout`, is the exact expected output (the `timings:`
 *   line of a report is compared without its numbers). Prose may sit between them.
 * - `ts norun` / `sh norun` mark samples that are not run (installs, third-party
 *   frameworks); a `ts`, `js` or `sh` block with neither marker fails the test.
 * - Every sample runs in a scratch folder holding a copy of `fixtures/`, as the
 *   working folder, so paths like `fixtures/resources/agents/mlops-specialist.md` work.
 */
import { readFileSync } from 'node:fs'

/** Docs this harness checks. */
export const CHECKED_DOCS = ['getting-started.md', 'format.md', 'api.md', 'cli.md', 'budgeting.md', 'recipes.md', 'skills.md', 'counting.md', 'requests.md', 'testing.md'] as const

export type Lang = 'ts' | 'sh' | 'other'

export interface Block {
  doc: string
  /** 1-based line of the opening fence. */
  line: number
  lang: Lang
  info: string
  flags: Set<string>
  code: string
  /** Expected output, when an output block follows. */
  expect?: { stream: 'stdout' | 'stderr'; text: string; json: boolean; line: number }
  exit: number
}

const CODE_LANGS: Record<string, Lang> = { ts: 'ts', typescript: 'ts', js: 'ts', javascript: 'ts', mjs: 'ts', sh: 'sh', bash: 'sh', shell: 'sh', console: 'sh' }

/** Every fenced block of a markdown file. */
export function fencedBlocks(path: string, doc: string): { line: number; info: string; code: string }[] {
  const lines = readFileSync(path, 'utf8').split('\n')
  const out: { line: number; info: string; code: string }[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(.*)$/.exec(lines[i] ?? '')
    if (!open) continue
    const fence = open[1] as string
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const l = lines[j] ?? ''
      if (l.startsWith(fence) && l.slice(fence.length).trim() === '' && l[0] === fence[0]) break
      body.push(l)
    }
    if (j >= lines.length) throw new Error(`${doc}:${i + 1}: unclosed fence`)
    out.push({ line: i + 1, info: (open[2] ?? '').trim(), code: `${body.join('\n')}\n` })
    i = j
  }
  return out
}

/** The samples of a doc, with their expected outputs attached. */
export function samples(path: string, doc: string): Block[] {
  const fenced = fencedBlocks(path, doc)
  const out: Block[] = []
  for (let k = 0; k < fenced.length; k++) {
    const f = fenced[k] as { line: number; info: string; code: string }
    const [word = '', ...rest] = f.info.split(/\s+/)
    const lang = CODE_LANGS[word.toLowerCase()] ?? 'other'
    const flags = new Set(rest)
    const exitFlag = rest.find((r) => r.startsWith('exit='))
    const block: Block = { doc, line: f.line, lang, info: f.info, flags, code: f.code, exit: exitFlag ? Number(exitFlag.slice(5)) : 0 }
    const next = fenced[k + 1]
    if (flags.has('run') && next) {
      const m = /^(text|json)\s+(stdout|stderr)$/.exec(next.info)
      if (m) {
        block.expect = { stream: m[2] as 'stdout' | 'stderr', text: next.code, json: m[1] === 'json', line: next.line }
        k++
      }
    }
    out.push(block)
  }
  return out
}

/** Outputs compared as the docs show them: report timings without numbers, trailing blank lines trimmed. */
export function normalizeOutput(text: string): string {
  return text
    .replace(/^(\s*)timings: .*(?:\n {2}\S.*)*$/gm, '$1timings: …') // at 80 columns, long timings wrap onto a second line
    .replace(/"(resolveMs|measureMs|selectMs|totalMs)": [\d.]+/g, '"$1": 0')
    .replace(/\s+$/, '')
}
