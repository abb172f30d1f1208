/**
 * Skills conformance over the shared Agent Skills sample (issue 12), read in place from
 * ../shared/corpus/agent-skills (never copied): eight skill folders of the public
 * `anthropics/skills` repository and a PROVENANCE.md without frontmatter.
 *
 * Every expected value below was worked out by READING the files, and is hard-coded on
 * purpose; where a test also walks the files itself (links, inline-code paths, token counts,
 * bytes and digests), that walk is independent of promptfold's parser:
 * - references: grep of each SKILL.md body outside fenced code for markdown links (`](`) and
 *   for inline code naming a file that exists, relative to the skill folder (the rules of
 *   src/parse/paths.ts: links count either way, paths only when the file exists; patterns
 *   such as `{lang}/claude-api/README.md` or `shared/managed-agents-*.md` name no file);
 * - token counts: js-tiktoken's o200k_base over the files as they are on disk;
 * - lint: the Agent Skills specification's limits (description at most 1,024 characters, a
 *   body under 500 lines and 5,000 tokens, file references one level deep from SKILL.md).
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { getEncoding } from 'js-tiktoken'
import { beforeAll, describe, expect, it } from 'vitest'
import { assemble, assembleTask, BudgetExceededError, type Library, type LintResult, lintLibrary, loadLibrary, skillCatalog } from '../../src/index.js'
import { repoRoot } from '../library/helpers.js'

const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus', 'agent-skills')
const o200k = getEncoding('o200k_base')
const count = (text: string) => o200k.encode(text, [], []).length
const read = (rel: string) => readFileSync(path.join(corpus, rel), 'utf8')
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Every file below `dir`, relative to it, forward slashes, sorted. */
function walk(dir: string, prefix = ''): string[] {
  const out: string[] = []
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? d.name : `${prefix}/${d.name}`
    if (d.isDirectory()) out.push(...walk(path.join(dir, d.name), rel))
    else if (d.isFile()) out.push(rel)
  }
  return out.sort(compare)
}

/** The body of a SKILL.md: the text after the frontmatter's closing `---` line. */
function bodyOf(source: string): string {
  const close = source.indexOf('\n---\n', 4)
  return source.startsWith('---\n') && close !== -1 ? source.slice(close + 5) : source
}

/**
 * The lines of a markdown file (1-based: index 0 is line 1) with the frontmatter and fenced
 * code blocks blanked, so line numbers stay those of the file.
 */
function proseLines(source: string): string[] {
  const lines = source.split('\n')
  let from = 0
  if (lines[0] === '---') {
    const close = lines.indexOf('---', 1)
    if (close !== -1) from = close + 1
  }
  let fence: string | undefined
  return lines.map((line, i) => {
    if (i < from) return ''
    const open = /^\s*(`{3,}|~{3,})/.exec(line)
    if (fence !== undefined) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line)
      if (close && close[1]?.[0] === fence[0] && (close[1]?.length ?? 0) >= fence.length) fence = undefined
      return ''
    }
    if (open) {
      fence = open[1]
      return ''
    }
    return line
  })
}

/** A relative link destination (no scheme, anchor or absolute path), without its `#fragment`. */
function relativeDestination(url: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:|^#|^\//i.test(url)) return undefined
  return url.replace(/[#?].*$/, '')
}

/** Markdown links to relative paths on one line of prose (inline code and images left out). */
function linksOn(line: string): string[] {
  const prose = line.replace(/(`+).+?\1/g, '')
  const out: string[] = []
  for (const m of prose.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const dest = m[1] === '' ? relativeDestination(m[2] as string) : undefined
    if (dest !== undefined) out.push(dest)
  }
  return out
}

/** Inline code spans on one line of prose, outside links, trimmed. */
function codeOn(line: string): string[] {
  const prose = line.replace(/\[[^\]]*\]\([^)]*\)/g, '')
  return [...prose.matchAll(/(`+)(.+?)\1/g)].map((m) => (m[2] as string).trim())
}

/** `kind target Lline` for every link and every inline-code path naming a file (relative to `folder`), as read by the walk. */
function walkReferences(file: string, files: ReadonlySet<string>): string[] {
  const folder = path.posix.dirname(file)
  const out: string[] = []
  proseLines(read(file)).forEach((line, i) => {
    for (const dest of linksOn(line)) out.push(`link ${path.posix.normalize(path.posix.join(folder, dest))} L${i + 1}`)
    for (const code of codeOn(line)) {
      if (code === '' || /\s/.test(code)) continue
      const target = path.posix.normalize(path.posix.join(folder, code))
      if (files.has(target)) out.push(`path ${target} L${i + 1}`)
    }
  })
  return out.sort(compare)
}

const SKILLS = ['brand-guidelines', 'claude-api', 'frontend-design', 'internal-comms', 'mcp-builder', 'skill-creator', 'theme-factory', 'webapp-testing']

let library: Library
let linted: LintResult
let onDisk: string[]
beforeAll(async () => {
  library = await loadLibrary({ root: corpus })
  linted = await lintLibrary(library)
  onDisk = walk(corpus)
})

/** Link and path references of a skill's SKILL.md, as the library parsed them. */
function fileReferences(skill: string) {
  return (library.document(`skill://${skill}`)?.references ?? []).filter((r) => r.kind === 'link' || r.kind === 'path')
}

describe('Agent Skills sample: library entries', () => {
  it('indexes the eight skill folders as skills and PROVENANCE.md as a document', () => {
    expect(library.entries.map((e) => `${e.kind} ${e.uri} ${e.path}`)).toEqual([
      'document orchestr8://PROVENANCE PROVENANCE.md',
      ...SKILLS.map((s) => `skill skill://${s} ${s}/SKILL.md`),
    ])
    const skills = library.entries.filter((e) => e.kind === 'skill')
    // Each SKILL.md's `name:` equals its folder's name (read in the frontmatter of each).
    expect(skills.map((e) => [e.name, e.folder])).toEqual(SKILLS.map((s) => [s, s]))
    for (const s of SKILLS) expect(library.lookup(s).entry?.path).toBe(`${s}/SKILL.md`)
  })

  it('lists every file of each skill folder, with the bytes and SHA-256 of the file on disk', () => {
    // Counted with `find <skill> -type f | wc -l`: LICENSE.txt and SKILL.md in each, plus
    // claude-api 64 language and shared files, internal-comms 4 examples, mcp-builder 4
    // references and 4 scripts, skill-creator 3 agents, 1 asset, 2 eval-viewer files, 1
    // reference and 9 scripts, theme-factory 10 themes, webapp-testing 3 examples and 1 script.
    const counts = Object.fromEntries(library.entries.filter((e) => e.kind === 'skill').map((e) => [e.name, e.files?.length]))
    expect(counts).toEqual({
      'brand-guidelines': 2,
      'claude-api': 66,
      'frontend-design': 2,
      'internal-comms': 6,
      'mcp-builder': 10,
      'skill-creator': 18,
      'theme-factory': 12,
      'webapp-testing': 6,
    })
    for (const entry of library.entries.filter((e) => e.kind === 'skill')) {
      const folder = entry.folder as string
      expect(entry.files?.map((f) => f.path)).toEqual(onDisk.filter((p) => p.startsWith(`${folder}/`)).map((p) => p.slice(folder.length + 1)))
      for (const f of entry.files ?? []) {
        const bytes = readFileSync(path.join(corpus, folder, f.path))
        expect([f.path, f.bytes, f.sha256]).toEqual([f.path, bytes.length, createHash('sha256').update(bytes).digest('hex')])
      }
    }
  })

  it('has no diagnostic but PROVENANCE.md having no frontmatter', () => {
    expect(library.diagnostics.map((d) => `${d.code} ${d.file}:${d.line} ${d.severity}`)).toEqual(['FRONTMATTER_MISSING PROVENANCE.md:1 info'])
  })
})

describe('Agent Skills sample: relative references', () => {
  it('finds these links and paths per skill (total, distinct targets)', () => {
    // Read from each SKILL.md body (outside fenced code): mcp-builder writes its four
    // reference guides as markdown links (lines 58, 62, 66, 83, 84, 155, 204, 216, 223, 231);
    // claude-api, internal-comms (examples/*.md, lines 23-26), skill-creator and
    // webapp-testing (`scripts/with_server.py`, line 12) name files in inline code. The others
    // name no file of theirs: brand-guidelines and frontend-design none at all, theme-factory
    // only `theme-showcase.pdf` (left out of the sample) and the folder `themes/`.
    const table = Object.fromEntries(
      SKILLS.map((s) => {
        const refs = fileReferences(s)
        return [s, { links: refs.filter((r) => r.kind === 'link').length, paths: refs.filter((r) => r.kind === 'path').length, distinct: new Set(refs.map((r) => r.uri)).size }]
      }),
    )
    expect(table).toEqual({
      'brand-guidelines': { links: 0, paths: 0, distinct: 0 },
      'claude-api': { links: 0, paths: 72, distinct: 18 },
      'frontend-design': { links: 0, paths: 0, distinct: 0 },
      'internal-comms': { links: 0, paths: 4, distinct: 4 },
      'mcp-builder': { links: 10, paths: 0, distinct: 4 },
      'skill-creator': { links: 0, paths: 14, distinct: 6 },
      'theme-factory': { links: 0, paths: 0, distinct: 0 },
      'webapp-testing': { links: 0, paths: 1, distinct: 1 },
    })
  })

  it('agrees, reference by reference and line by line, with an independent walk of each SKILL.md', () => {
    const files = new Set(onDisk)
    // 72 + 4 + 10 + 14 + 1 from the table above.
    expect(SKILLS.flatMap((s) => walkReferences(`${s}/SKILL.md`, files))).toHaveLength(101)
    for (const s of SKILLS) {
      const fromLibrary = fileReferences(s)
        .map((r) => `${r.kind} ${r.uri} L${r.position.line}`)
        .sort(compare)
      expect([s, fromLibrary]).toEqual([s, walkReferences(`${s}/SKILL.md`, files)])
    }
  })

  it('claude-api names these 18 files, each counted (grep -o of the backticked paths)', () => {
    const times: Record<string, number> = {}
    for (const r of fileReferences('claude-api')) times[r.uri.replace('claude-api/', '')] = (times[r.uri.replace('claude-api/', '')] ?? 0) + 1
    expect(times).toEqual({
      'csharp/claude-api/README.md': 1,
      'curl/examples.md': 2,
      'curl/managed-agents.md': 4,
      'shared/agent-design.md': 2,
      'shared/anthropic-cli.md': 5,
      'shared/claude-platform-on-aws.md': 2,
      'shared/error-codes.md': 2,
      'shared/live-sources.md': 9,
      'shared/managed-agents-client-patterns.md': 1,
      'shared/managed-agents-onboarding.md': 2,
      'shared/managed-agents-overview.md': 3,
      'shared/managed-agents-scheduled-deployments.md': 1,
      'shared/model-migration.md': 11,
      'shared/models.md': 2,
      'shared/platform-availability.md': 12,
      'shared/prompt-caching.md': 6,
      'shared/token-counting.md': 2,
      'shared/tool-use-concepts.md': 5,
    })
  })

  it('mcp-builder links its four guides in this order of first mention', () => {
    const refs = fileReferences('mcp-builder')
    expect(refs.map((r) => r.position.line)).toEqual([58, 62, 66, 83, 84, 155, 204, 216, 223, 231])
    expect([...new Set(refs.map((r) => r.uri))]).toEqual([
      'mcp-builder/reference/mcp_best_practices.md',
      'mcp-builder/reference/node_mcp_server.md',
      'mcp-builder/reference/python_mcp_server.md',
      'mcp-builder/reference/evaluation.md',
    ])
    expect(new Set(refs.map((r) => r.raw))).toEqual(new Set(['./reference/mcp_best_practices.md', './reference/node_mcp_server.md', './reference/python_mcp_server.md', './reference/evaluation.md']))
  })

  it('takes patterns and paths that name no file for illustrations, not references', () => {
    const claude = read('claude-api/SKILL.md')
    // Written in the body (so this test can fail), but no file by that name: a pattern.
    for (const pattern of ['`{lang}/claude-api/README.md`', '`shared/managed-agents-*.md`', '`{lang}/managed-agents/README.md`']) expect(claude).toContain(pattern)
    const raws = new Set(SKILLS.flatMap((s) => fileReferences(s).map((r) => r.raw)))
    expect([...raws].filter((r) => /[{}*$~<>]/.test(r))).toEqual([])
    // theme-factory names `theme-showcase.pdf` twice (lines 23 and 30); the sample left the PDF out.
    const theme = read('theme-factory/SKILL.md')
    expect(theme.split('`theme-showcase.pdf`').length - 1).toBe(2)
    expect(onDisk.some((p) => p.endsWith('theme-showcase.pdf'))).toBe(false)
    expect(fileReferences('theme-factory')).toEqual([])
  })

  it('has no broken link and no case mismatch: every markdown link of every .md file names a file that is there', () => {
    const files = new Set(onDisk)
    const links: string[] = []
    for (const file of onDisk.filter((p) => p.endsWith('.md'))) {
      proseLines(read(file)).forEach((line, i) => {
        for (const dest of linksOn(line)) links.push(`${file}:${i + 1} ${path.posix.normalize(path.posix.join(path.posix.dirname(file), dest))}`)
      })
    }
    // 10 in mcp-builder/SKILL.md, 22 between claude-api's files (`../../shared/*.md`,
    // `./tool-use.md#...`, `./README.md#...`): 32 relative links. PROVENANCE.md's
    // `[guide](./reference/x.md)` is inline code, not a link.
    expect(links).toHaveLength(32)
    expect(links.filter((l) => !files.has(l.slice(l.indexOf(' ') + 1)))).toEqual([])
    expect(library.graph().dangling).toEqual([])
    expect(linted.findings.filter((f) => f.code === 'LINK_BROKEN' || f.code === 'LINK_CASE_MISMATCH' || f.code === 'LINK_OUTSIDE_ROOT')).toEqual([])
  })
})

describe('Agent Skills sample: assembling mcp-builder under a budget', () => {
  // Independent o200k_base counts of the four guides as they are on disk.
  const GUIDES = {
    mcp_best_practices: 1618,
    node_mcp_server: 6621,
    python_mcp_server: 5565,
    evaluation: 4919,
  } as const
  const guide = (name: string) => `mcp-builder/reference/${name}.md`

  it('counts the body and the four guides exactly, within 5% of what PROVENANCE.md says', () => {
    const measured = Object.fromEntries(Object.keys(GUIDES).map((g) => [g, count(read(guide(g)))]))
    expect(measured).toEqual(GUIDES)
    const body = count(bodyOf(read('mcp-builder/SKILL.md')))
    expect(body).toBe(1864)
    // PROVENANCE.md: "body about 1,860 tokens; its four reference files about 1,600, 6,600,
    // 5,600 and 4,900" (in order of mention in the body).
    const stated: Array<[number, number]> = [
      [body, 1860],
      [GUIDES.mcp_best_practices, 1600],
      [GUIDES.node_mcp_server, 6600],
      [GUIDES.python_mcp_server, 5600],
      [GUIDES.evaluation, 4900],
    ]
    for (const [m, about] of stated) expect(Math.abs(m - about) / about).toBeLessThan(0.05)
  })

  it('inlines exactly the guides that fit, in order of first mention; exact totals, never over budget', async () => {
    const doc = library.document('mcp-builder')
    if (!doc) throw new Error('mcp-builder not loaded')
    // Greedy in order of first mention (best practices, node, python, evaluation): each guide
    // that fits in what the body and the guides before it left is inlined.
    const expected: Array<[number, string[], number]> = [
      [1863, [], 1863],
      [4000, ['mcp_best_practices'], 3491],
      [9000, ['mcp_best_practices', 'evaluation'], 8417],
      [12000, ['mcp_best_practices', 'node_mcp_server'], 10121],
      [16000, ['mcp_best_practices', 'node_mcp_server', 'python_mcp_server'], 15695],
      [25000, ['mcp_best_practices', 'node_mcp_server', 'python_mcp_server', 'evaluation'], 20621],
    ]
    for (const [budget, inlined, total] of expected) {
      const { text, report } = await assemble(doc, { resolver: library, budget })
      const firsts = report.references.filter((r) => r.decision !== 'duplicate')
      expect(firsts.map((r) => r.uri)).toEqual(['mcp_best_practices', 'node_mcp_server', 'python_mcp_server', 'evaluation'].map(guide))
      expect([budget, firsts.filter((r) => r.decision === 'inlined').map((r) => r.uri)]).toEqual([budget, inlined.map(guide)])
      // A guide left out did not fit in what was left.
      for (const r of firsts.filter((x) => x.decision === 'deferred')) {
        expect(r.cause).toBe('BUDGET')
        expect(report.totalTokens + (r.tokens as number)).toBeGreaterThan(budget)
      }
      expect([budget, report.totalTokens]).toEqual([budget, total])
      expect(count(text)).toBe(report.totalTokens)
      expect(report.totalTokens).toBeLessThanOrEqual(budget)
      expect(report.coreTokens).toBe(1863)
      expect(report.diagnostics).toEqual([])
    }
    await expect(assemble(doc, { resolver: library, budget: 1862 })).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED', minimumBudget: 1863 })
    await expect(assemble(doc, { resolver: library, budget: 1862 })).rejects.toBeInstanceOf(BudgetExceededError)
  })

  it('measures the efficiency table: core only, core plus each guide, all embedded, savings 58.8-91%', async () => {
    const doc = library.document('mcp-builder')
    if (!doc) throw new Error('mcp-builder not loaded')
    const { report } = await assemble(doc, { resolver: library, budget: 4000 })
    const everything = await assemble(doc, { resolver: library })
    expect(report.efficiency.coreOnly).toBe(1863)
    expect(report.efficiency.allEmbedded).toBe(count(everything.text))
    expect(report.efficiency.allEmbedded).toBe(20621)
    expect(report.efficiency.withOneExample).toEqual([
      { uri: guide('mcp_best_practices'), tokens: 3491 },
      { uri: guide('node_mcp_server'), tokens: 8493 },
      { uri: guide('python_mcp_server'), tokens: 7437 },
      { uri: guide('evaluation'), tokens: 6789 },
    ])
    // The parts add up: the 9,000 assembly (best practices and evaluation) is the core plus
    // what each adds alone; everything is the core plus what all four add.
    const adds = report.efficiency.withOneExample.map((x) => x.tokens - 1863)
    expect(1863 + (adds[0] as number) + (adds[3] as number)).toBe(8417)
    expect(1863 + adds.reduce((a, b) => a + b, 0)).toBe(20621)
    // min: the largest single guide (node, 8,493): (20,621 - 8,493) / 20,621 = 58.8%;
    // max: the core only: (20,621 - 1,863) / 20,621 = 91.0%.
    expect(report.efficiency.savingsRange).toEqual({ min: 58.8, max: 91 })
    expect(report.efficiency.savingsRange.min).toBe(Math.round(((20621 - 8493) / 20621) * 1000) / 10)
    expect(report.efficiency.savingsRange.max).toBe(Math.round(((20621 - 1863) / 20621) * 1000) / 10)
  })
})

describe('Agent Skills sample: lint against the specification', () => {
  it('finds exactly these problems', () => {
    expect(linted.findings.map((f) => `${f.code} ${f.severity} ${f.file}:${f.line}`)).toEqual([
      'SKILL_DESCRIPTION_INVALID error claude-api/SKILL.md:3',
      'SKILL_BODY_TOO_LONG warning claude-api/SKILL.md:9',
      'LINK_TOO_DEEP warning claude-api/SKILL.md:505',
      'SKILL_BODY_TOO_LONG warning skill-creator/SKILL.md:5',
    ])
  })

  it('claude-api: a description of 1,068 characters, over the limit of 1,024', () => {
    // `description: |-` on line 3, then three lines indented by two spaces (lines 4-6): a
    // literal block, its lines joined by line breaks, no final one.
    const lines = read('claude-api/SKILL.md').split('\n')
    expect(lines[2]).toBe('description: |-')
    expect(lines[6]?.startsWith('license:')).toBe(true)
    const description = lines
      .slice(3, 6)
      .map((l) => l.slice(2))
      .join('\n')
    expect(description.length).toBe(1068)
    expect(library.get('claude-api')?.description).toBe(description)
    expect(linted.findings[0]?.message).toBe('description has 1,068 characters, over the limit of 1,024')
  })

  it('claude-api and skill-creator: bodies over 5,000 tokens (claude-api also over 500 lines)', () => {
    // The body starts after the closing `---` (line 8 of claude-api, 4 of skill-creator).
    const claude = bodyOf(read('claude-api/SKILL.md'))
    const creator = bodyOf(read('skill-creator/SKILL.md'))
    expect([claude.split('\n').length - 1, count(claude)]).toEqual([570, 18337])
    expect([creator.split('\n').length - 1, count(creator)]).toEqual([481, 7172])
    expect(linted.findings[1]?.message).toBe('the body has 570 lines, over 500; the body has 18,337 tokens, over 5,000')
    expect(linted.findings[3]?.message).toBe('the body has 7,172 tokens, over 5,000')
  })

  it('claude-api: one file it names names a further file (`streaming.md` in csharp/claude-api/README.md)', () => {
    // Of the 18 files the SKILL.md names, only csharp/claude-api/README.md (first named on
    // line 505) names a file of the skill that the SKILL.md does not: `streaming.md` on its
    // line 339, i.e. csharp/claude-api/streaming.md. Checked with the walk over each of them.
    const files = new Set(onDisk)
    const direct = new Set(fileReferences('claude-api').map((r) => r.uri))
    const deeper: string[] = []
    for (const target of [...direct].sort(compare)) {
      const further = walkReferences(target, files)
        .map((r) => r.split(' ')[1] as string)
        .filter((t) => t !== target && t !== 'claude-api/SKILL.md' && !direct.has(t) && t.startsWith('claude-api/'))
      if (further.length > 0) deeper.push(`${target} -> ${[...new Set(further)].join(', ')}`)
    }
    expect(deeper).toEqual(['claude-api/csharp/claude-api/README.md -> claude-api/csharp/claude-api/streaming.md'])
    expect(read('claude-api/csharp/claude-api/README.md').split('\n')[338]).toContain('(see `streaming.md`)')
    expect(linted.findings[2]?.message).toBe(
      'csharp/claude-api/README.md references further files (csharp/claude-api/streaming.md); the specification advises keeping references one level deep from SKILL.md',
    )
  })
})

describe('Agent Skills sample: catalog', () => {
  /** Each `<skill>` block of a catalog text, counted alone. */
  const blocks = (text: string) => [...text.matchAll(/<skill>\n[\s\S]*?<\/skill>\n/g)].map((m) => count(m[0]))

  it('lists all eight skills without a budget: 913 tokens', () => {
    const { text, report } = skillCatalog(library)
    expect(report.skills.map((s) => [s.name, s.tokens, s.cause])).toEqual([
      ['brand-guidelines', 79, 'FITS'],
      ['claude-api', 323, 'FITS'],
      ['frontend-design', 68, 'FITS'],
      ['internal-comms', 96, 'FITS'],
      ['mcp-builder', 90, 'FITS'],
      ['skill-creator', 92, 'FITS'],
      ['theme-factory', 91, 'FITS'],
      ['webapp-testing', 64, 'FITS'],
    ])
    expect(blocks(text)).toEqual([79, 323, 68, 96, 90, 92, 91, 64])
    expect(count('<available_skills>\n</available_skills>\n')).toBe(report.wrapperTokens)
    expect(report.wrapperTokens).toBe(10)
    expect(report.totalTokens).toBe(913)
    expect(count(text)).toBe(913)
    expect(report.listed).toBe(8)
  })

  it('with a budget of 500: the first three by name (10 + 79 + 323 + 68 = 480), none of the rest fits in the 20 left', () => {
    const { text, report } = skillCatalog(library, { budget: 500 })
    expect(report.skills.filter((s) => s.decision === 'listed').map((s) => s.name)).toEqual(['brand-guidelines', 'claude-api', 'frontend-design'])
    expect(report.skills.filter((s) => s.decision === 'omitted').every((s) => s.cause === 'BUDGET' && s.tokens > 20)).toBe(true)
    expect(report.totalTokens).toBe(480)
    expect(count(text)).toBe(480)
  })

  it('with a query: matching skills first; with a budget of 300 those that match and fit (232 tokens)', () => {
    const query = 'build an MCP server in typescript'
    const all = skillCatalog(library, { query })
    expect(all.report.skills.map((s) => [s.name, (s.score ?? 0) > 0])).toEqual([
      ['mcp-builder', true],
      ['claude-api', true],
      ['frontend-design', true],
      ['webapp-testing', true],
      ['brand-guidelines', false],
      ['internal-comms', false],
      ['skill-creator', false],
      ['theme-factory', false],
    ])
    expect(all.report.totalTokens).toBe(913)
    const { text, report } = skillCatalog(library, { query, budget: 300 })
    // 10 + mcp-builder 90 = 100; claude-api 323 does not fit; frontend-design 68 (168),
    // webapp-testing 64 (232); none of the 68 left takes a skill that matches nothing (79+).
    expect(report.skills.map((s) => [s.name, s.cause])).toEqual([
      ['mcp-builder', 'FITS'],
      ['claude-api', 'BUDGET'],
      ['frontend-design', 'FITS'],
      ['webapp-testing', 'FITS'],
      ['brand-guidelines', 'NOT_RELEVANT'],
      ['internal-comms', 'NOT_RELEVANT'],
      ['skill-creator', 'NOT_RELEVANT'],
      ['theme-factory', 'NOT_RELEVANT'],
    ])
    expect(report.totalTokens).toBe(232)
    expect(count(text)).toBe(232)
  })
})

describe('Agent Skills sample: assembleTask', () => {
  it('picks mcp-builder for an MCP server in TypeScript, its node guide first', async () => {
    const { text, report } = await assembleTask(library, 'build an MCP server in typescript', { budget: 12000 })
    const taken = report.documents.filter((d) => d.decision === 'inlined').map((d) => `${d.role} ${d.uri}`)
    expect(taken[0]).toBe('agent skill://mcp-builder')
    expect(taken[1]).toBe('linked skill://mcp-builder/reference/node_mcp_server.md')
    expect(report.documents.filter((d) => d.role === 'agent' && d.decision === 'inlined')).toHaveLength(1)
    expect(report.totalTokens).toBe(count(text))
    expect(report.totalTokens).toBeLessThanOrEqual(12000)
    expect(text).toContain(read('mcp-builder/reference/node_mcp_server.md').split('\n').find((l) => l.length > 40 && !l.startsWith('#')))
  })
})
