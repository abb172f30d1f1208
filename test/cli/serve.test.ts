import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliPath, oneErrorLine, plainEnv, repoRoot, resources } from './run.js'

describe('promptfold serve', () => {
  it('speaks MCP JSON-RPC on stdout, one status line on stderr, and exits 0 when stdin ends', () => {
    const requests = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '0' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'orchestr8://agents/mlops-specialist' } },
    ]
    const r = spawnSync(process.execPath, [cliPath, 'serve', resources], {
      cwd: repoRoot,
      env: plainEnv(),
      input: `${requests.map((x) => JSON.stringify(x)).join('\n')}\n`,
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.status).toBe(0)
    const messages = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(messages.map((m) => m.id)).toEqual([1, 2])
    expect(messages[0].result.serverInfo.name).toBe('promptfold')
    // One version source: the server reports what `promptfold --version` prints, package.json's version.
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
    expect(messages[0].result.serverInfo.version).toBe(pkg.version)
    expect(spawnSync(process.execPath, [cliPath, '--version'], { encoding: 'utf8' }).stdout).toBe(`${pkg.version}\n`)
    expect(messages[1].result.contents[0].text).toContain('# MLOps Specialist')
    expect(r.stderr).toMatch(/^promptfold serve: 5 documents from .* over stdio\n$/)
  })

  it('stdin that ends right after the read of an assembled view: the view is answered, then exit 0', () => {
    const requests = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '0' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'orchestr8://agents/mlops-specialist?budget=3000&query=serve%20the%20model' } },
    ]
    const r = spawnSync(process.execPath, [cliPath, 'serve', resources, '--no-cache'], { cwd: repoRoot, env: plainEnv(), input: `${requests.map((x) => JSON.stringify(x)).join('\n')}\n`, encoding: 'utf8', timeout: 60_000 })
    expect(r.status).toBe(0)
    const answers = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((m) => m.id !== undefined)
    expect(answers.map((m) => m.id)).toEqual([1, 2])
    expect(answers[1].result.contents.map((c: { uri: string }) => c.uri)).toEqual([requests[2]?.params?.uri, `${requests[2]?.params?.uri}#report`])
    expect(answers[1].result._meta['promptfold/budget']).toBe(3000)
  })

  it('--max-files N: at most N files indexed, and the status line says where it stopped; 0 is a usage error', () => {
    const r = spawnSync(process.execPath, [cliPath, 'serve', resources, '--max-files', '3', '--no-cache'], { cwd: repoRoot, env: plainEnv(), encoding: 'utf8', input: '' })
    expect(r.status).toBe(0)
    expect(r.stderr).toMatch(/^promptfold serve: 3 documents from .*; indexing stopped at 3 files \(--max-files raises it\) over stdio\n$/)
    const all = spawnSync(process.execPath, [cliPath, 'serve', resources, '--max-files', '5', '--no-cache'], { cwd: repoRoot, env: plainEnv(), encoding: 'utf8', input: '' })
    expect(all.stderr).toMatch(/^promptfold serve: 5 documents from .* over stdio\n$/)
    const zero = spawnSync(process.execPath, [cliPath, 'serve', resources, '--max-files', '0'], { cwd: repoRoot, env: plainEnv(), encoding: 'utf8', input: '' })
    expect(zero.status).toBe(2)
    expect(oneErrorLine(zero.stderr)).toContain("option '--max-files <n>' argument '0' is invalid. expected a whole number of files, at least 1.")
  })

  it('a root that does not exist: exit 2, one error line', () => {
    const r = spawnSync(process.execPath, [cliPath, 'serve', 'no/such/root'], { cwd: repoRoot, env: plainEnv(), encoding: 'utf8', input: '' })
    expect(r.status).toBe(2)
    expect(oneErrorLine(r.stderr)).toBe('error: no/such/root: no such folder')
  })
})
