/**
 * The slim install (issue 15): the MCP SDK is an optional peer dependency, and the packages
 * that the build bundles are not runtime dependencies. Run against the BUILT package:
 * - dist/ loads no package that package.json does not declare (dependencies, or the
 *   optional peer from the MCP entries only);
 * - without the SDK (a copy of the package in a temporary node_modules that lacks it, with
 *   every other package of the repository linked), `import`/`require` of promptfold/mcp
 *   throw MissingPeerError (MISSING_PEER) naming `npm install @modelcontextprotocol/sdk`;
 *   `promptfold serve` serves all the same (the CLI bundles its own copy of the SDK);
 *   promptfold and promptfold/testing load;
 * - with the SDK, dist/mcp.js and dist/mcp.cjs export what src/mcp/index.ts exports.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import * as barrel from '../../src/mcp/index.js'
import { builtRoot, repoRoot, tempDir } from '../cli/run.js'

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
  peerDependencies: Record<string, string>
  peerDependenciesMeta: Record<string, { optional?: boolean }>
}
const SDK = '@modelcontextprotocol/sdk'
const LINE = 'promptfold/mcp needs @modelcontextprotocol/sdk, which is not installed: run `npm install @modelcontextprotocol/sdk@1`'

describe('package.json', () => {
  it('the MCP SDK is an optional peer dependency (and a dev dependency for the tests), not a dependency', () => {
    expect(pkg.dependencies[SDK]).toBeUndefined()
    expect(pkg.peerDependencies).toEqual({ [SDK]: '^1.32.2' })
    expect(pkg.peerDependenciesMeta).toEqual({ [SDK]: { optional: true } })
    expect(pkg.devDependencies[SDK]).toBe('^1.32.2')
    expect(barrel.MCP_SDK_RANGE).toBe(pkg.peerDependencies[SDK])
  })

  it('the runtime dependencies are the five that dist/ loads (@noble/hashes: SHA-256 in the portable build)', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@noble/hashes', 'commander', 'gray-matter', 'js-tiktoken', 'zod'])
  })
})

/** The package a bare specifier names (`@scope/name` or `name`). */
const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')

describe('dist/ loads only declared packages', () => {
  const dist = join(builtRoot, 'dist')
  const files = readdirSync(dist).filter((f) => /\.(c?js)$/.test(f))
  // import ... from 'x', import('x'), require('x'), localRequire()('x'), export ... from 'x'
  // (a whole string: `require('u' + 'rl')` is no package); lines of comments are skipped.
  const specifiers = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\d?\s*\(\s*|\)\s*\(\s*)(["'])([^"'./][^"']*)\1(?=\s*[);]|\s*$)/gm
  const loads = new Map<string, Set<string>>()
  for (const file of files) {
    const text = readFileSync(join(dist, file), 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\*|\/\*|\/\/)/.test(line))
      .join('\n')
    for (const m of text.matchAll(specifiers)) {
      const name = packageOf(m[2] as string)
      if (name.startsWith('node:') || builtinModules.includes(name) || !/^(@[a-z0-9-]+\/)?[a-z0-9][a-z0-9._-]*$/.test(name)) continue
      if (!loads.has(name)) loads.set(name, new Set())
      loads.get(name)?.add(file)
    }
  }

  it('every package loaded is a dependency, or the SDK', () => {
    // The CLI's serve chunk bundles the MCP SDK and ajv, whose code generator writes
    // `require("ajv/dist/runtime/...")` and `require("ajv-formats/...")` into the text of code it
    // would generate for standalone validators: strings, never loaded.
    const inText = ['ajv', 'ajv-formats']
    for (const name of inText) for (const file of loads.get(name) ?? []) expect(file).toMatch(/^cli-serve-/)
    // src/parse/markdown.ts requires unified and remark-parse only when dist/markdown-engine.cjs
    // (which bundles them) is not there: when running from source.
    const fallback = ['unified', 'remark-parse']
    for (const name of fallback) {
      for (const file of loads.get(name) ?? []) expect(readFileSync(join(dist, file), 'utf8')).toContain('require2("./markdown-engine.cjs")')
    }
    expect(files).toContain('markdown-engine.cjs')
    const declared = new Set([...Object.keys(pkg.dependencies), SDK, ...fallback])
    expect([...loads.keys()].filter((name) => !declared.has(name) && !inText.includes(name))).toEqual([])
    // Every dependency is loaded somewhere (none is there for nothing).
    for (const name of Object.keys(pkg.dependencies)) expect(loads.has(name), name).toBe(true)
  })

  it('the SDK only from the MCP server code, which the entries load behind a check', () => {
    const files = [...(loads.get(SDK) ?? [])].sort()
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) expect(file).toMatch(/^mcp-/)
  })

  it('the CLI loads no SDK: `promptfold serve` bundles its own copy (with zod, English messages only) in its serve chunk', () => {
    const cli = files.filter((f) => f.startsWith('cli'))
    expect(cli.filter((f) => [...(loads.get(SDK) ?? [])].includes(f))).toEqual([])
    const serve = cli.filter((f) => f.startsWith('cli-serve-'))
    expect(serve).toHaveLength(1)
    // The serve chunk and the chunks it imports (which it may share with other commands).
    const closure = new Set<string>()
    const visit = (file: string): void => {
      if (closure.has(file)) return
      closure.add(file)
      for (const m of readFileSync(join(dist, file), 'utf8').matchAll(/from\s*"\.\/(cli-chunk-[A-Z0-9]+\.js)"/g)) visit(m[1] as string)
    }
    visit(serve[0] as string)
    const text = [...closure].map((f) => readFileSync(join(dist, f), 'utf8')).join('\n')
    // (The CLI build is minified: its modules are told by their words, not by path comments.)
    // The SDK's Server (its capability checks), zod's English messages, not its French ones.
    expect(text).toContain('does not support sampling (required for ${method})')
    expect(text).toContain('Invalid discriminator value. Expected')
    expect(text).not.toContain('Entrée invalide')
    // The early listing, loaded before that chunk, is a file of its own that loads nothing else of the package.
    const early = readFileSync(join(dist, 'cli-early-list.js'), 'utf8')
    // (Not worker_threads: the stat thread of a load from a large stored index is src/library/stat-ahead.ts, not the walk's module.)
    expect([...new Set([...early.matchAll(/\bfrom\s*"([^"]+)"/g)].map((m) => m[1]))].sort()).toEqual(['crypto', 'fs', 'path'])
    expect(early.length).toBeLessThan(20_000)
  })
})

describe('without the MCP SDK installed', () => {
  const { dir, cleanup } = tempDir('promptfold-no-sdk-')
  afterAll(cleanup)
  const modules = join(dir, 'node_modules')
  const installed = join(modules, 'promptfold')
  mkdirSync(installed, { recursive: true })
  cpSync(join(builtRoot, 'dist'), join(installed, 'dist'), { recursive: true })
  cpSync(join(builtRoot, 'package.json'), join(installed, 'package.json'))
  // Every package of the repository but the SDK (and promptfold's own folder).
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (name === '.bin' || name === 'promptfold' || name.startsWith('.')) continue
    if (name === '@modelcontextprotocol') continue
    symlinkSync(join(repoRoot, 'node_modules', name), join(modules, name), 'dir')
  }
  const node = (args: string[]) => {
    const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '', NO_COLOR: '1' } })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  const report = '(e) => console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message, cause: e.cause?.code }))'

  it('the SDK cannot be found from there', () => {
    const r = node(['-e', `try { require.resolve('${SDK}/server/index.js'); console.log('found') } catch { console.log('missing') }`])
    expect(r.stdout).toBe('missing\n')
  })

  it('import promptfold/mcp: MissingPeerError, MISSING_PEER, one line naming npm install @modelcontextprotocol/sdk', () => {
    const r = node(['--input-type=module', '-e', `await import('promptfold/mcp').then(() => console.log('loaded'), ${report})`])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({ name: 'MissingPeerError', code: 'MISSING_PEER', message: LINE, cause: 'ERR_MODULE_NOT_FOUND' })
  })

  it('require promptfold/mcp: the same error', () => {
    const r = node(['-e', `try { require('promptfold/mcp'); console.log('loaded') } catch (e) { (${report})(e) }`])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({ name: 'MissingPeerError', code: 'MISSING_PEER', message: LINE, cause: 'MODULE_NOT_FOUND' })
  })

  it('promptfold serve serves without it (the CLI bundles the SDK): initialize, resources/list, an assembled view', () => {
    const lines = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'slim', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'resources/list', params: {} },
      { jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'orchestr8://agents/reviewer?budget=200' } },
    ]
    const r = spawnSync(process.execPath, [join(installed, 'dist/cli.js'), 'serve', join(repoRoot, 'fixtures/testing'), '--no-cache'], {
      cwd: dir,
      encoding: 'utf8',
      input: lines.map((l) => `${JSON.stringify(l)}\n`).join(''),
      env: { ...process.env, NODE_PATH: '', NO_COLOR: '1' },
    })
    expect(r.status).toBe(0)
    const replies = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: number; result?: { serverInfo?: { name: string }; resources?: { uri: string }[]; contents?: { uri: string }[] } })
      .filter((m) => m.id !== undefined)
    expect(replies.map((m) => m.id)).toEqual([1, 2, 3])
    expect(replies[0]?.result?.serverInfo?.name).toBe('promptfold')
    expect(replies[1]?.result?.resources?.map((x) => x.uri).sort()).toEqual(['orchestr8://agents/reviewer', 'orchestr8://examples/long-review', 'orchestr8://examples/short-review'])
    expect(replies[2]?.result?.contents?.map((c) => c.uri)).toEqual(['orchestr8://agents/reviewer?budget=200', 'orchestr8://agents/reviewer?budget=200#report'])
    expect(r.stderr).toBe(`promptfold serve: 3 documents from ${join(repoRoot, 'fixtures/testing')} over stdio\n`)
  })

  it('promptfold serve --help works without it and names no SDK to install', () => {
    const r = node([join(installed, 'dist/cli.js'), 'serve', '--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).not.toContain('@modelcontextprotocol/sdk')
  })

  it('promptfold, promptfold/testing and the other commands load', () => {
    const esm = node(['--input-type=module', '-e', `const p = await import('promptfold'); const t = await import('promptfold/testing'); console.log(typeof p.assemble, typeof t.toFitBudget)`])
    expect(esm).toEqual({ status: 0, stdout: 'function function\n', stderr: '' })
    const cjs = node(['-e', `console.log(typeof require('promptfold').assemble, typeof require('promptfold/testing').promptfoldSerializer.test)`])
    expect(cjs).toEqual({ status: 0, stdout: 'function function\n', stderr: '' })
    const assemble = node([join(installed, 'dist/cli.js'), 'assemble', join(repoRoot, 'fixtures/testing/agents/reviewer.md'), '--root', join(repoRoot, 'fixtures/testing'), '--budget', '200'])
    expect(assemble.status).toBe(0)
    expect(assemble.stdout.startsWith('---\nid: reviewer') || assemble.stdout.includes('# Code Reviewer')).toBe(true)
  })
})

describe('missingSdk: which load errors mean the SDK is missing', () => {
  const error = (code: string, message: string) => Object.assign(new Error(message), { code })

  it('not found from import or require, or a path the installed SDK does not export', () => {
    const found = barrel.missingSdk(error('ERR_MODULE_NOT_FOUND', "Cannot find package '@modelcontextprotocol/sdk' imported from /x/dist/mcp-A.js"))
    expect(found).toBeInstanceOf(barrel.MissingPeerError)
    expect(found).toMatchObject({ code: 'MISSING_PEER', packageName: SDK, feature: 'promptfold/mcp', install: 'npm install @modelcontextprotocol/sdk@1', message: LINE })
    expect(barrel.missingSdk(error('MODULE_NOT_FOUND', "Cannot find module '@modelcontextprotocol/sdk/types.js'\nRequire stack:\n- /x/dist/mcp-server.cjs"))?.code).toBe('MISSING_PEER')
    expect(barrel.missingSdk(error('ERR_PACKAGE_PATH_NOT_EXPORTED', `Package subpath './server/index.js' is not defined by "exports" in /x/node_modules/${SDK}/package.json`))?.code).toBe('MISSING_PEER')
  })

  it('anything else stays as it is: another package missing, another error, not an error', () => {
    expect(barrel.missingSdk(error('ERR_MODULE_NOT_FOUND', "Cannot find package 'zod' imported from /x/node_modules/@modelcontextprotocol/sdk/dist/esm/types.js"))).toBeUndefined()
    expect(barrel.missingSdk(error('EACCES', "permission denied, open '@modelcontextprotocol/sdk'"))).toBeUndefined()
    expect(barrel.missingSdk('@modelcontextprotocol/sdk')).toBeUndefined()
  })
})

describe('with the SDK: the built entries export what the barrel exports', () => {
  const names = Object.keys(barrel).sort()
  const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: builtRoot, encoding: 'utf8' })

  it('dist/mcp.js (ES module)', () => {
    const r = run(['--input-type=module', '-e', `console.log(JSON.stringify(Object.keys(await import('./dist/mcp.js')).sort()))`])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual(names)
  })

  it('dist/mcp.cjs (CommonJS)', () => {
    const r = run(['-e', `console.log(JSON.stringify(Object.keys(require('./dist/mcp.cjs')).sort()))`])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual(names)
  })
})
