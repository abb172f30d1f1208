import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, mlops, oneErrorLine, resources, tempDir } from './run.js'

/** The fixture library copied under `dir` (lib/), its MLOps agent, and an environment whose cache folder is `dir`/cache. */
function fixtureCopy(dir: string): { lib: string; agent: string; env: { XDG_CACHE_HOME: string } } {
  const lib = join(dir, 'lib')
  cpSync(resources, lib, { recursive: true })
  return { lib, agent: join(lib, 'agents/mlops-specialist.md'), env: { XDG_CACHE_HOME: join(dir, 'cache') } }
}

describe('promptfold assemble: the persistent library index', () => {
  it('writes one index for the root; run again, the same bytes; after a document is added, the same bytes as without the cache', () => {
    const { dir, cleanup } = tempDir()
    try {
      const { lib, agent, env } = fixtureCopy(dir)
      const indexes = join(dir, 'cache', 'promptfold', 'library-v1')
      const first = cli(['assemble', agent, '--budget', '3000'], { env })
      expect(first.status).toBe(0)
      // Its two values: the index, and the details read on first use.
      expect(readdirSync(indexes).filter((f) => f.endsWith('.idx'))).toHaveLength(2)
      const second = cli(['assemble', agent, '--budget', '3000'], { env })
      expect(second.stdout).toBe(first.stdout)
      expect(second.stdout).toBe(cli(['assemble', agent, '--budget', '3000', '--no-cache'], { env }).stdout)
      // A new document below the root: the run with the index agrees with a run without any cache.
      writeFileSync(join(lib, 'examples/ml/extra.md'), '---\nid: extra\n---\n# Extra\n\nNew example.\n')
      const graph = cli(['report', agent, '--json'], { env })
      expect(graph.status).toBe(0)
      expect(cli(['report', agent, '--json', '--no-cache'], { env }).stdout).toBe(graph.stdout)
      expect(readdirSync(indexes).filter((f) => f.endsWith('.idx'))).toHaveLength(2)
    } finally {
      cleanup()
    }
  })
})

describe('promptfold assemble: persistent count cache', () => {
  it('writes counts under $XDG_CACHE_HOME/promptfold and gives the same bytes when run again', () => {
    const { dir, cleanup } = tempDir()
    try {
      const env = { XDG_CACHE_HOME: dir }
      const first = cli(['assemble', mlops, '--budget', '3000'], { env })
      expect(first.status).toBe(0)
      const file = join(dir, 'promptfold', 'counts-v1.json')
      const entries = Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>)
      expect(entries.length).toBeGreaterThan(5)
      for (const [key, value] of entries) {
        expect(key).toMatch(/^o200k_base:[A-Za-z0-9+/]{43}=$/)
        expect(Number.isInteger(value)).toBe(true)
      }
      const second = cli(['assemble', mlops, '--budget', '3000'], { env })
      expect(second.stdout).toBe(first.stdout)
      expect(second.status).toBe(0)
    } finally {
      cleanup()
    }
  })

  it('--no-cache neither reads nor writes it', () => {
    const { dir, cleanup } = tempDir()
    try {
      const run = cli(['assemble', mlops, '--budget', '3000', '--no-cache'], { env: { XDG_CACHE_HOME: dir } })
      expect(run.status).toBe(0)
      expect(existsSync(join(dir, 'promptfold'))).toBe(false)
    } finally {
      cleanup()
    }
  })

  it('keeps parsed documents too: run again, the same bytes from stored parses; an edited file is parsed again', () => {
    const { dir, cleanup } = tempDir()
    try {
      const { agent, env } = fixtureCopy(dir)
      const parsed = join(dir, 'cache', 'promptfold', 'parsed-v1')
      const first = cli(['assemble', agent, '--budget', '3000'], { env })
      expect(first.status).toBe(0)
      expect(readdirSync(parsed)).toHaveLength(5) // the agent and its four examples
      const fresh = cli(['assemble', agent, '--budget', '3000', '--no-cache'], { env })
      const second = cli(['assemble', agent, '--budget', '3000'], { env })
      expect(second.stdout).toBe(first.stdout)
      expect(second.stdout).toBe(fresh.stdout)
      expect(readdirSync(parsed)).toHaveLength(5)
      // Edit the agent: a new entry, and the change shows.
      writeFileSync(agent, readFileSync(agent, 'utf8').replace('# MLOps Specialist', '# MLOps Specialist (edited)'))
      const third = cli(['assemble', agent, '--budget', '3000'], { env })
      expect(third.status).toBe(0)
      expect(third.stdout.startsWith('# MLOps Specialist (edited)')).toBe(true)
      expect(readdirSync(parsed)).toHaveLength(6)
      const report = cli(['report', agent, '--json'], { env })
      expect(report.status).toBe(0)
      expect(readdirSync(parsed)).toHaveLength(6)
      expect(cli(['report', agent, '--json', '--no-cache'], { env }).stdout).toBe(report.stdout)
    } finally {
      cleanup()
    }
  })
})

/**
 * Cache path faults (issue 17, item 6): each was an exit 1 with no output, a hang or a spin.
 * Now each run finishes at once, prints the same bytes as `--no-cache`, and says so in one
 * warning line on stderr.
 */
describe('promptfold assemble and report: a faulty cache is untrusted input', () => {
  const ARGS = ['assemble', mlops, '--budget', '3000', '--quiet']
  const plain = cli([...ARGS, '--no-cache'])
  const plainReport = cli(['report', mlops, '--json', '--no-cache'])

  /** Run `args` with `XDG_CACHE_HOME=home`: quick, exit 0, one warning naming the cache and `--no-cache`. */
  function faulty(args: readonly string[], home: string, warning: RegExp): string {
    const start = Date.now()
    const run = cli(args, { env: { XDG_CACHE_HOME: home } })
    expect(Date.now() - start).toBeLessThan(15_000)
    expect(run.status).toBe(0)
    const lines = run.stderr.split('\n').filter((l) => l !== '')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^warning: Cache .*; working without the cache \(fix or remove .*, or use --no-cache\)$/)
    expect(lines[0]).toMatch(warning)
    return run.stdout
  }

  it('sanity: the runs without a cache succeed', () => {
    expect(plain.status).toBe(0)
    expect(plain.stdout.startsWith('# MLOps Specialist')).toBe(true)
    expect(plainReport.status).toBe(0)
  })

  it('a regular file where the cache folder should be (was: exit 1, ENOTDIR, no output)', () => {
    const { dir, cleanup } = tempDir()
    try {
      writeFileSync(join(dir, 'promptfold'), 'not a folder')
      expect(faulty(ARGS, dir, /ENOTDIR: a folder on its path is not a folder\): .*promptfold\/counts-v1\.json;/)).toBe(plain.stdout)
      expect(faulty(['report', mlops, '--json'], dir, /ENOTDIR/)).toBe(plainReport.stdout)
      expect(readFileSync(join(dir, 'promptfold'), 'utf8')).toBe('not a folder')
    } finally {
      cleanup()
    }
  })

  it('the cache folder a symbolic link to /dev/null (was: exit 1, ENOTDIR, no output)', () => {
    const { dir, cleanup } = tempDir()
    try {
      symlinkSync('/dev/null', join(dir, 'promptfold'))
      expect(faulty(ARGS, dir, /ENOTDIR/)).toBe(plain.stdout)
    } finally {
      cleanup()
    }
  })

  it('the count file and every parse entry a FIFO (was: a hang for ever)', () => {
    const { dir, cleanup } = tempDir()
    try {
      const cache = join(dir, 'promptfold')
      mkdirSync(cache)
      execFileSync('mkfifo', [join(cache, 'counts-v1.json')])
      expect(faulty(ARGS, dir, /^warning: Cache entry is not a regular file: .*counts-v1\.json;/)).toBe(plain.stdout)
      // Now the parse entries: fill them with a good run, then make each one a FIFO.
      rmSync(join(cache, 'counts-v1.json'))
      expect(cli(ARGS, { env: { XDG_CACHE_HOME: dir } }).stderr).toBe('')
      const parsed = join(cache, 'parsed-v1')
      const names = readdirSync(parsed)
      expect(names).toHaveLength(5)
      for (const name of names) {
        rmSync(join(parsed, name))
        execFileSync('mkfifo', [join(parsed, name)])
      }
      expect(faulty(ARGS, dir, /^warning: Cache entry is not a regular file: .*parsed-v1\/[\w-]+\.json;/)).toBe(plain.stdout)
    } finally {
      cleanup()
    }
  })

  it('the count file and every parse entry a link to /dev/zero (was: 16.8 GB read, then an abort after 45 s)', () => {
    const { dir, cleanup } = tempDir()
    try {
      const cache = join(dir, 'promptfold')
      expect(cli(ARGS, { env: { XDG_CACHE_HOME: dir } }).stderr).toBe('')
      const parsed = join(cache, 'parsed-v1')
      for (const name of readdirSync(parsed)) {
        rmSync(join(parsed, name))
        symlinkSync('/dev/zero', join(parsed, name))
      }
      expect(faulty(ARGS, dir, /^warning: Cache entry cannot be read \(ELOOP: a symbolic link\): .*parsed-v1\//)).toBe(plain.stdout)
      rmSync(join(cache, 'counts-v1.json'))
      symlinkSync('/dev/zero', join(cache, 'counts-v1.json'))
      expect(faulty(ARGS, dir, /ELOOP: a symbolic link\): .*counts-v1\.json;/)).toBe(plain.stdout)
    } finally {
      cleanup()
    }
  })

  it('XDG_CACHE_HOME=/proc/self (was: a recursive mkdir spinning for ever)', () => {
    expect(faulty(ARGS, '/proc/self', /^warning: Cache file cannot be written \(ENOENT: a folder on its path cannot be created\): \/proc\/self\/promptfold\/counts-v1\.json;/)).toBe(
      plain.stdout,
    )
  })

  it('--out /proc/nope/x.md: one error line, exit 1, at once (was: a recursive mkdir spinning for ever)', () => {
    const start = Date.now()
    const run = cli([...ARGS, '--no-cache', '--out', '/proc/nope/x.md'])
    expect(Date.now() - start).toBeLessThan(15_000)
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    expect(oneErrorLine(run.stderr)).toBe("error: ENOENT: no such file or directory, mkdir '/proc/nope'")
  })

  it('--save-report=/proc/nope: one error line, exit 1, at once (was: the same spin)', () => {
    const start = Date.now()
    const run = cli([...ARGS, '--no-cache', '--save-report=/proc/nope'])
    expect(Date.now() - start).toBeLessThan(15_000)
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    expect(oneErrorLine(run.stderr)).toBe("error: ENOENT: no such file or directory, mkdir '/proc/nope'")
  })

  it('--out into folders that do not exist yet still makes them', () => {
    const { dir, cleanup } = tempDir()
    try {
      const out = join(dir, 'a', 'b', 'x.md')
      const run = cli([...ARGS, '--no-cache', '--out', out])
      expect(run.status).toBe(0)
      expect(readFileSync(out, 'utf8')).toBe(plain.stdout)
    } finally {
      cleanup()
    }
  })
})
