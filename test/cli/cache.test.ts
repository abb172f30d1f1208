import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, mlops, resources, tempDir } from './run.js'

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
      const lib = join(dir, 'lib')
      cpSync(resources, lib, { recursive: true })
      const agent = join(lib, 'agents/mlops-specialist.md')
      const env = { XDG_CACHE_HOME: join(dir, 'cache') }
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
