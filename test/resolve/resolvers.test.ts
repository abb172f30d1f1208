import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AccessDeniedError, LimitExceededError } from '../../src/errors.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { composeResolvers, memoryResolver } from '../../src/resolve/resolver.js'

const SECRET = 'TOP-SECRET-7f3a9c'
let dir: string
let root: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'promptfold-fs-'))
  root = join(dir, 'root')
  mkdirSync(join(root, 'examples/ml'), { recursive: true })
  writeFileSync(join(root, 'examples/ml/x.md'), '# X\n')
  writeFileSync(join(root, 'examples/big.md'), 'a'.repeat(2000))
  writeFileSync(join(root, 'examples/latin1.md'), Buffer.from([0x23, 0x20, 0xe9, 0x0a]))
  writeFileSync(join(dir, 'secret.md'), SECRET)
  mkdirSync(join(dir, 'outside'))
  writeFileSync(join(dir, 'outside/leak.md'), SECRET)
  symlinkSync(join(dir, 'secret.md'), join(root, 'examples/link.md'))
  symlinkSync(join(dir, 'outside'), join(root, 'linked-dir'))
  symlinkSync(join(root, 'examples/ml/x.md'), join(root, 'examples/inside-link.md'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('fileSystemResolver', () => {
  it('maps scheme://path to <root>/path.md', async () => {
    const resolve = fileSystemResolver({ root })
    expect(await resolve('orchestr8://examples/ml/x', {})).toEqual({ source: '# X\n', uri: 'orchestr8://examples/ml/x', path: 'examples/ml/x.md' })
    expect(await resolve('orchestr8://examples/ml/none', {})).toBeUndefined()
    expect(await resolve('orchestr8://examples/inside-link', {})).toMatchObject({ source: '# X\n' })
  })

  it.each([
    'orchestr8://../secret',
    'orchestr8://examples/../../secret',
    'orchestr8://examples/%2e%2e/%2e%2e/secret',
    'orchestr8://examples/%252e%252e/secret',
    'orchestr8://..\\secret',
    'orchestr8:///etc/passwd',
    'orchestr8://C:/secret',
    'orchestr8://examples/x%00',
    'orchestr8://examples/link',
    'orchestr8://linked-dir/leak',
  ])('refuses %s with AccessDeniedError and never shows the secret', async (uri) => {
    const resolve = fileSystemResolver({ root })
    const error = await Promise.resolve(resolve(uri, {})).then(
      (v) => v,
      (e: unknown) => e,
    )
    if (error === undefined) return // not found inside the root is also safe
    expect(error).toBeInstanceOf(AccessDeniedError)
    expect((error as AccessDeniedError).code).toBe('ACCESS_DENIED')
    expect(String((error as Error).message)).not.toContain(SECRET)
    expect(String((error as Error).message)).not.toContain(dir)
  })

  it('refuses the symlinks that lead out (not merely "not found")', async () => {
    const resolve = fileSystemResolver({ root })
    await expect(resolve('orchestr8://examples/link', {})).rejects.toBeInstanceOf(AccessDeniedError)
    await expect(resolve('orchestr8://linked-dir/leak', {})).rejects.toBeInstanceOf(AccessDeniedError)
    await expect(resolve('orchestr8://../secret', {})).rejects.toBeInstanceOf(AccessDeniedError)
  })

  it('limits file size and flags invalid UTF-8', async () => {
    await expect(fileSystemResolver({ root, maxBytes: 1000 })('orchestr8://examples/big', {})).rejects.toBeInstanceOf(LimitExceededError)
    const doc = await fileSystemResolver({ root })('orchestr8://examples/latin1', {})
    expect(doc).toMatchObject({ source: '# \uFFFD\n', diagnostics: [expect.objectContaining({ code: 'INVALID_UTF8' })] })
  })

  it('returns undefined for bare ids and match queries', async () => {
    const resolve = fileSystemResolver({ root })
    expect(await resolve('x', {})).toBeUndefined()
    expect(await resolve('orchestr8://match?query=x', {})).toBeUndefined()
  })
})

describe('memoryResolver and composeResolvers', () => {
  it('normalizes keys and lookups', async () => {
    const r = memoryResolver({ '@orchestr8://a/b.md': 'A' })
    expect(await r('orchestr8://a/b', {})).toEqual({ source: 'A', uri: 'orchestr8://a/b' })
    expect(await r('orchestr8://a/c', {})).toBeUndefined()
  })

  it('first hit wins; failures surface only when nobody finds it; access denial stops at once', async () => {
    const failing = () => {
      throw new Error('down')
    }
    const mem = memoryResolver({ 'orchestr8://a/b': 'A' })
    expect(await composeResolvers(failing, mem)('orchestr8://a/b', {})).toMatchObject({ source: 'A' })
    await expect(composeResolvers(failing, mem)('orchestr8://a/z', {})).rejects.toThrow('down')
    const denying = () => {
      throw new AccessDeniedError('u', 'no')
    }
    await expect(composeResolvers(denying, mem)('orchestr8://a/b', {})).rejects.toBeInstanceOf(AccessDeniedError)
  })
})
