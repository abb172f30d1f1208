/**
 * Race out of the root (issue 17, item 1): a child process swaps, with `rename()`, an in-root
 * file between a regular file and a symbolic link to a secret next to the root, and an in-root
 * folder between a real folder and a link to a folder outside, while `fileSystemResolver` and
 * `loadLibrary` read the same paths thousands of times. What is read must be what was checked:
 * every answer is the in-root text, not found, or a typed refusal; the secret never appears.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AccessDeniedError } from '../../src/errors.js'
import { loadLibrary } from '../../src/library/index.js'
import { checkOpenedSync, CONFINED_OPEN_FLAGS, readDirConfinedSync } from '../../src/resolve/confined.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'

const SECRET = 'SECRET-7c41d9-DO-NOT-LEAK'
const DOC = '# Doc\n\nThe in-root document.\n'
const INNER = '# Inner\n\nThe in-root inner document.\n'
const STABLE = '# Stable\n\nNever swapped.\n'
/** How long the swapper runs, at most (it also stops after `MAX_SWAPS` swaps or when killed). */
const SWAP_SECONDS = 3
const MAX_SWAPS = 200_000

/**
 * The swapper, run with `node -e`. Arguments: the root, the secret file, the outside folder,
 * seconds, swaps. Each round: `doc.md` becomes a link to the secret, then a regular file again;
 * `inner` becomes a link to the outside folder, then the real folder again. Every step is one
 * `rename()` over the old name, so the names never dangle except `inner` between its two steps.
 */
const SWAPPER = `
const fs = require('node:fs'), path = require('node:path')
const [root, secret, outside, seconds, swaps] = process.argv.slice(1)
const until = Date.now() + Number(seconds) * 1000
const doc = path.join(root, 'doc.md'), inner = path.join(root, 'inner'), hold = path.join(root, '.hold')
let n = 0
for (; n < Number(swaps) && Date.now() < until; n++) {
  fs.symlinkSync(secret, path.join(root, '.link'))
  fs.renameSync(path.join(root, '.link'), doc)
  fs.writeFileSync(path.join(root, '.file'), ${JSON.stringify(DOC)})
  fs.renameSync(path.join(root, '.file'), doc)
  fs.renameSync(inner, hold)
  fs.symlinkSync(outside, path.join(root, '.dir'))
  fs.renameSync(path.join(root, '.dir'), inner)
  fs.renameSync(inner, path.join(root, '.dir'))
  fs.unlinkSync(path.join(root, '.dir'))
  fs.renameSync(hold, inner)
}
process.stdout.write(String(n))
`

let dir: string
let root: string
let swapper: ChildProcess | undefined

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'promptfold-race-')))
  root = join(dir, 'root')
  mkdirSync(join(root, 'inner'), { recursive: true })
  writeFileSync(join(root, 'doc.md'), DOC)
  writeFileSync(join(root, 'inner', 'deep.md'), INNER)
  writeFileSync(join(root, 'stable.md'), STABLE)
  // In-root links (loadLibrary reads these as `linked`): to the swapped file and into the swapped folder.
  symlinkSync('doc.md', join(root, 'link.md'))
  symlinkSync('inner/deep.md', join(root, 'inner-link.md'))
  writeFileSync(join(dir, 'secret.md'), `# Secret\n\n${SECRET}\n`)
  mkdirSync(join(dir, 'outside'))
  writeFileSync(join(dir, 'outside', 'deep.md'), `# Outside\n\n${SECRET}\n`)
  // Only outside: its name must not even be listed by a walk that meets the swapped folder.
  writeFileSync(join(dir, 'outside', 'only-outside.md'), `# Only outside\n\n${SECRET}\n`)
})
afterEach(async () => {
  const child = swapper
  swapper = undefined
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill()
    await exited
  }
  rmSync(dir, { recursive: true, force: true })
})

/** Start the swapper; resolves with a `running()` probe and a promise of its swap count. */
function startSwapper(): { running: () => boolean; done: Promise<number> } {
  const child = spawn(process.execPath, ['-e', SWAPPER, root, join(dir, 'secret.md'), join(dir, 'outside'), String(SWAP_SECONDS), String(MAX_SWAPS)], { stdio: ['ignore', 'pipe', 'pipe'] })
  swapper = child
  let out = ''
  let err = ''
  let alive = true
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()))
  // Never rejects (a test that fails early kills the swapper): the caller checks the exit.
  const done = new Promise<number>((resolve) => {
    child.on('exit', (code) => {
      alive = false
      resolve(code === 0 ? Number(out) : Number.NaN)
      if (code !== 0 && err !== '') process.stderr.write(`swapper: ${err}\n`)
    })
  })
  return { running: () => alive, done }
}

/** What a text, error or value shows, checked for the secret. */
function expectNoSecret(value: unknown): void {
  const text = value instanceof Error ? `${value.message} ${String(value.stack)}` : String(JSON.stringify(value))
  expect(text).not.toContain(SECRET)
  expect(text).not.toContain('DO-NOT-LEAK')
}

describe('race out of the root', () => {
  it('fileSystemResolver: under a rename loop, every answer is the in-root text, not found or AccessDeniedError', async () => {
    const resolve = fileSystemResolver({ root })
    const expected: Record<string, string> = { 'orchestr8://doc': DOC, 'orchestr8://link': DOC, 'orchestr8://inner/deep': INNER, 'orchestr8://inner-link': INNER, 'orchestr8://stable': STABLE }
    const uris = Object.keys(expected)
    const tally = { text: 0, missing: 0, refused: 0, calls: 0 }
    const swap = startSwapper()
    const started = Date.now()
    while (swap.running() && tally.calls < 100_000 && Date.now() - started < 8_000) {
      for (const uri of uris) {
        tally.calls++
        try {
          const doc = await resolve(uri, {})
          expectNoSecret(doc)
          if (doc === undefined) tally.missing++
          else {
            expect(typeof doc === 'object' && doc !== null ? doc.source : doc).toBe(expected[uri])
            tally.text++
          }
        } catch (error) {
          expectNoSecret(error)
          expect(error).toBeInstanceOf(AccessDeniedError)
          expect((error as AccessDeniedError).code).toBe('ACCESS_DENIED')
          tally.refused++
        }
      }
    }
    const swaps = await swap.done
    // The race was live: the swapper ran, and answers saw both states of the swapped names.
    expect(swaps).toBeGreaterThan(100)
    expect(tally.calls).toBeGreaterThan(1_000)
    expect(tally.text).toBeGreaterThan(0)
    expect(tally.missing + tally.refused).toBeGreaterThan(0)
    expect(tally.text + tally.missing + tally.refused).toBe(tally.calls)
    // The file that is never swapped is always read.
    expect(await resolve('orchestr8://stable', {})).toMatchObject({ source: STABLE })
  }, 20_000)

  it('loadLibrary: under a rename loop, sources are in-root text or absent, refusals are SYMLINK_OUTSIDE_ROOT', async () => {
    const expected: Record<string, string> = { 'doc.md': DOC, 'link.md': DOC, 'inner/deep.md': INNER, 'inner-link.md': INNER, 'stable.md': STABLE }
    // What a quiet load reports (no frontmatter and the like), plus what a swap may add.
    const quiet = await loadLibrary({ root })
    const allowed = new Set(['SYMLINK_OUTSIDE_ROOT', 'SYMLINK_BROKEN', 'FILE_UNREADABLE', 'DIRECTORY_UNREADABLE', ...quiet.diagnostics.map((d) => d.code)])
    expect(quiet.diagnostics.filter((d) => d.severity !== 'info')).toEqual([])
    const tally = { loads: 0, sources: 0, absent: 0 }
    const codes = new Set<string>()
    const swap = startSwapper()
    const started = Date.now()
    while (swap.running() && tally.loads < 20_000 && Date.now() - started < 8_000) {
      const library = await loadLibrary({ root })
      tally.loads++
      expectNoSecret(library.entries)
      expectNoSecret(library.diagnostics)
      expect(JSON.stringify([library.entries, library.diagnostics])).not.toContain('only-outside')
      for (const entry of library.entries) expect(Object.keys(expected)).toContain(entry.path)
      for (const entry of library.entries) {
        const source = library.source(entry.uri)
        if (source === undefined) tally.absent++
        else {
          // A path found through the swapped folder while it was a link is never read.
          expect(source, entry.path).toBe(expected[entry.path])
          tally.sources++
        }
      }
      for (const d of library.diagnostics) {
        expect(allowed, `${d.code}: ${d.message}`).toContain(d.code)
        codes.add(d.code)
      }
      expect(library.source('orchestr8://stable')).toBe(STABLE)
    }
    const swaps = await swap.done
    expect(swaps).toBeGreaterThan(100)
    expect(tally.loads).toBeGreaterThan(50)
    expect(tally.sources).toBeGreaterThan(tally.loads)
    // Links were seen leading out (the walk's warning or the read's refusal).
    expect(codes.has('SYMLINK_OUTSIDE_ROOT')).toBe(true)
  }, 20_000)
})

describe('checkOpenedSync', () => {
  it('accepts a descriptor of an in-root file and refuses one that a swapped folder led outside, with /proc and without', () => {
    const inside = join(root, 'inner', 'deep.md')
    for (const proc of [true, false]) {
      const fd = openSync(inside, CONFINED_OPEN_FLAGS)
      try {
        expect(checkOpenedSync(fd, inside, realpathSync(root), { proc })).toBe(true)
      } finally {
        closeSync(fd)
      }
    }
    // Open through `inner` while it links outside, then put the real folder back before the check:
    // the path now names an in-root file, but the descriptor is the secret.
    renameSync(join(root, 'inner'), join(root, '.hold'))
    symlinkSync(join(dir, 'outside'), join(root, 'inner'))
    const fds = [true, false].map(() => openSync(inside, CONFINED_OPEN_FLAGS))
    rmSync(join(root, 'inner'))
    renameSync(join(root, '.hold'), join(root, 'inner'))
    try {
      expect(checkOpenedSync(fds[0] as number, inside, realpathSync(root), { proc: true })).toBe(false)
      expect(checkOpenedSync(fds[1] as number, inside, realpathSync(root), { proc: false })).toBe(false)
    } finally {
      for (const fd of fds) closeSync(fd)
    }
  })

  it('opens with O_NOFOLLOW and O_NONBLOCK: a final symbolic link is not followed', () => {
    expect(CONFINED_OPEN_FLAGS & constants.O_NOFOLLOW).toBe(constants.O_NOFOLLOW)
    expect(CONFINED_OPEN_FLAGS & constants.O_NONBLOCK).toBe(constants.O_NONBLOCK)
    expect(() => openSync(join(root, 'link.md'), CONFINED_OPEN_FLAGS)).toThrow(expect.objectContaining({ code: 'ELOOP' }))
  })

  it('readDirConfinedSync lists an in-root folder, lists nothing reached through a folder link out, and refuses a final link', () => {
    const base = realpathSync(root)
    mkdirSync(join(dir, 'outside', 'sub'))
    writeFileSync(join(dir, 'outside', 'sub', 'far.md'), SECRET)
    symlinkSync(join(dir, 'outside'), join(root, 'out'))
    expect(readDirConfinedSync(join(base, 'inner'), base)?.map((d) => d.name)).toEqual(['deep.md'])
    expect(readDirConfinedSync(join(base, 'out', 'sub'), base)).toBeUndefined()
    // Linux answers ENOTDIR for O_DIRECTORY | O_NOFOLLOW on a link, other systems ELOOP.
    expect(() => readDirConfinedSync(join(base, 'out'), base)).toThrow(/^(ENOTDIR|ELOOP):/)
  })
})
