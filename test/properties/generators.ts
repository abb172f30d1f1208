/**
 * fast-check generators for whole scenarios: a root document and a library of documents
 * with frontmatter, headings, prose, fences of various languages, slots of every kind,
 * mentions, related resources, cycles (to the root and among documents), self references,
 * missing targets, invalid and dynamic references, special-token strings and odd Unicode.
 */
import fc from 'fast-check'

/** Root document path and URI. */
export const ROOT_PATH = 'agents/root.md'
export const ROOT_URI = 'orchestr8://agents/root'

/** Fixed seed of every property in this folder; override with FC_SEED=<n> to explore. */
export const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 20_261_128

/** Options for fc.assert: fixed seed, run count, and the seed in every failure message. */
export function runs(numRuns: number): fc.Parameters<unknown> {
  return {
    seed: SEED,
    numRuns,
    reporter: (details) => {
      if (details.failed) {
        const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)
        throw new Error(
          `${fc.defaultReportMessage(details)}\nFailure: ${cause}\nReproduce with: FC_SEED=${details.seed} (path ${details.counterexamplePath ?? '?'})`,
        )
      }
    },
  }
}

/** A scenario: the root source and the library (URI -> source) its references may reach. */
export interface Scenario {
  root: string
  library: Record<string, string>
  /** URIs of library documents, in order. */
  docs: string[]
  /** Whether the generated text uses CRLF line ends. */
  crlf: boolean
}

const WORDS = [
  'model', 'registry', 'pipeline', 'serving', 'monitoring', 'experiment', 'tracking', 'drift', 'latency', 'canary',
  'deploy', 'feature', 'store', 'batch', 'stream', 'the', 'a', 'of', 'and', 'with', 'for', 'MLflow', 'Kubeflow',
  'FastAPI', 'Prometheus', 'A/B', 'p99', '42', '3.14', 'naïve', 'café', '日本語', '🙂', 'emoji👍🏽', 'x_y', 'foo-bar',
  '<|endoftext|>', '<|im_start|>', '<|im_end|>', '**bold**', '_it_', '`code`', '[link](http://example.com)',
  '\ud800', '\udc00', '\t', '  ', 'https://example.com/a', 'skill://other/scheme', '→', '—',
]

const word = fc.constantFrom(...WORDS)
const words = (min: number, max: number) => fc.array(word, { minLength: min, maxLength: max }).map((w) => w.join(' '))

/** A target of a reference: a library document, a missing one, the root, or an odd spelling. */
function target(docs: number): fc.Arbitrary<string> {
  const lib = docs > 0 ? [fc.integer({ min: 0, max: docs - 1 }).map((i) => `orchestr8://lib/d${i}`)] : []
  return fc.oneof(
    ...lib.map((a) => ({ arbitrary: a, weight: 8 })),
    { arbitrary: fc.integer({ min: 0, max: 3 }).map((i) => `orchestr8://lib/missing${i}`), weight: 2 },
    { arbitrary: fc.constant(ROOT_URI), weight: 1 },
    { arbitrary: fc.constantFrom('orchestr8://lib/%zz', 'orchestr8://', 'orchestr8:///abs', 'orchestr8://lib/a%00b'), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: Math.max(0, docs - 1) }).map((i) => `@orchestr8://lib/d${i}`), weight: docs > 0 ? 1 : 0 },
    { arbitrary: fc.integer({ min: 0, max: Math.max(0, docs - 1) }).map((i) => `orchestr8://lib/d${i}.md`), weight: docs > 0 ? 1 : 0 },
    { arbitrary: fc.constantFrom('orchestr8://match?query=model%20serving', 'orchestr8://match?query=${task}&categories=lib'), weight: 1 },
  )
}

/** One block of markdown (no trailing newline). */
function block(docs: number, depth: number): fc.Arbitrary<string> {
  const t = target(docs)
  const code = fc.constantFrom('print("hi")', 'const x = 1', 'key: value', '{"a": 1}', 'echo $HOME', 'SELECT 1;')
  return fc.oneof(
    { arbitrary: fc.tuple(fc.integer({ min: 1, max: 4 }), words(1, 4)).map(([d, w]) => `${'#'.repeat(Math.min(6, d + depth))} ${w || 'Title'}`), weight: 3 },
    { arbitrary: words(3, 20), weight: 5 },
    // Mentions: in prose, inline code, lists with other text, tables, with a hint.
    { arbitrary: fc.tuple(words(1, 6), t, words(1, 6)).map(([a, u, b]) => `${a} see ${u} for more ${b}.`), weight: 2 },
    { arbitrary: fc.tuple(t, fc.integer({ min: 1, max: 3000 })).map(([u, n]) => `- \`${u}\` (~${n} tokens) holds the example`), weight: 1 },
    { arbitrary: fc.tuple(t, fc.integer({ min: 1, max: 3000 })).map(([u, n]) => `${u} (~${n} tokens)`), weight: 1 },
    { arbitrary: fc.tuple(words(1, 3), t).map(([w, u]) => `| ${w} | ${u} |\n| --- | --- |\n| a | b |`), weight: 1 },
    { arbitrary: fc.tuple(words(1, 4), t).map(([w, u]) => `- ${w}\n- also ${u} here`), weight: 1 },
    // Slots of every kind.
    { arbitrary: fc.array(t, { minLength: 1, maxLength: 3 }).map((us) => `\`\`\`\n${us.join('\n')}\n\`\`\``), weight: 4 },
    { arbitrary: fc.tuple(fc.constantFrom('markdown', 'md', 'text'), t).map(([l, u]) => `\`\`\`${l}\n${u}\n\`\`\``), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom('**→ Load:**', '→ Load:', '**Example:**', '**→ See:**', ''), t).map(([d, u]) => `${d}${d ? ' ' : ''}${u}`), weight: 4 },
    { arbitrary: t.map((u) => `- ${u}`), weight: 3 },
    { arbitrary: t.map((u) => `> ${u}`), weight: 1 },
    { arbitrary: fc.tuple(t, t).map(([a, b]) => `- ${a}\n- ${b}`), weight: 1 },
    // Code: references inside a programming-language fence are code, not references.
    { arbitrary: fc.tuple(fc.constantFrom('python', 'ts', 'yaml', 'json', 'bash', 'sql'), code, t).map(([l, c, u]) => `\`\`\`${l}\n${c}\n# ${u}\n\`\`\``), weight: 2 },
    { arbitrary: fc.tuple(words(1, 5), t).map(([w, u]) => `\`\`\`\n${w}\n${u}\n\`\`\``), weight: 1 },
  )
}

/** Frontmatter (sometimes broken, sometimes legacy `@`), or none. */
function frontmatter(id: string, docs: number): fc.Arbitrary<string> {
  const t = target(docs)
  return fc.oneof(
    { arbitrary: fc.constant(''), weight: 2 },
    {
      arbitrary: fc
        .record({
          tags: fc.array(word, { maxLength: 3 }),
          useWhen: fc.array(words(1, 4), { maxLength: 2 }),
          estimated: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
          related: fc.array(t, { maxLength: 3 }),
          legacy: fc.boolean(),
        })
        .map(({ tags, useWhen, estimated, related, legacy }) => {
          const lines = [`id: ${id}`, `tags: ${JSON.stringify(tags)}`, `useWhen: ${JSON.stringify(useWhen)}`]
          if (estimated !== undefined) lines.push(`estimatedTokens: ${estimated}`)
          if (related.length > 0) lines.push('relatedResources:', ...related.map((r) => (legacy ? `  - @${r.replace(/^@/, '')}` : `  - ${JSON.stringify(r)}`)))
          return `---\n${lines.join('\n')}\n---\n`
        }),
      weight: 6,
    },
    { arbitrary: fc.constantFrom('---\nid: [broken\n---\n', '---\n- a list\n---\n', '---\nid: open\n', '\ufeff---\nid: bom\n---\n'), weight: 1 },
  )
}

function documentArb(id: string, docs: number, depth: number, maxBlocks: number): fc.Arbitrary<string> {
  return fc
    .tuple(frontmatter(id, docs), words(1, 4), fc.array(block(docs, depth), { minLength: 0, maxLength: maxBlocks }))
    .map(([fm, title, blocks]) => `${fm}# ${title || id}\n\n${blocks.join('\n\n')}\n`)
}

/** A whole scenario: 0-6 library documents (which may refer to each other and to the root) and a root. */
export const scenario: fc.Arbitrary<Scenario> = fc.integer({ min: 0, max: 6 }).chain((n) =>
  fc
    .record({
      docs: fc.tuple(...Array.from({ length: n }, (_, i) => documentArb(`d${i}`, n, 1, 5))),
      root: documentArb('root', n, 0, 12),
      crlf: fc.boolean(),
      crlfDocs: fc.boolean(),
    })
    .map(({ docs, root, crlf, crlfDocs }) => {
      const eol = (s: string, on: boolean) => (on ? s.replace(/\n/g, '\r\n') : s)
      const library: Record<string, string> = {}
      const uris = docs.map((_, i) => `orchestr8://lib/d${i}`)
      docs.forEach((d, i) => {
        library[uris[i] as string] = eol(d, crlfDocs)
      })
      return { root: eol(root, crlf), library, docs: uris, crlf }
    }),
)

/** A budget as a fraction of the way from the core to the traditional total (may fall below the core). */
export const budgetFraction = fc.oneof(
  { arbitrary: fc.double({ min: 0, max: 1.1, noNaN: true }), weight: 8 },
  { arbitrary: fc.constantFrom(0, 1, -0.01), weight: 2 },
)

/** Pick a budget between core and traditional from a fraction; fractional budgets too. */
export function budgetFrom(core: number, traditional: number, fraction: number, fractional: boolean): number {
  const raw = core + fraction * (traditional - core)
  return Math.max(0, fractional ? raw : Math.floor(raw))
}
