import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, mlops, tempDir } from './run.js'

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
})
