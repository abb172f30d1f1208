/**
 * The rank table built on another thread (src/count/rank-table-worker.ts, built as
 * dist/rank-table.cjs and required by the parser's worker, see rankTableOffThread): the same
 * table as the one built here, and taken once by the next load (expectRankTable).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { parseRankFile } from '../../src/count/packed.js'
import { expectRankTable, loadRankTable, type RankTable, type RankTableFields, rankTableArrival, rankTableFields, tableFromFields, tableFromPacked } from '../../src/count/ranks.js'
import { builtRoot } from '../cli/run.js'

/** The bytes of a typed array (compared at once, where an element-by-element comparison of 4 MB takes seconds). */
const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)

/** The fields of the o200k_base table as a worker thread requiring the built module sends them. */
function fromWorker(): Promise<RankTableFields> {
  const code = `const { parentPort, workerData } = require('node:worker_threads')
parentPort.postMessage(require(workerData).rankTableFieldsOf('o200k_base'))`
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: join(builtRoot, 'dist/rank-table.cjs') })
    worker.once('message', (m: RankTableFields) => {
      resolve(m)
      void worker.terminate()
    })
    worker.once('error', reject)
  })
}

describe('a rank table built on another thread', () => {
  it('is the table built here (every field), from the build rank file', async () => {
    const fields = await fromWorker()
    expect(fields.source).toBe('rank file')
    // Built here from the same rank file (test/count/packed-exact.test.ts checks that file against js-tiktoken's ranks).
    const file = readFileSync(join(builtRoot, 'dist/ranks/o200k_base.bin'))
    const packed = parseRankFile(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), 'o200k_base')
    if (typeof packed === 'string' || packed === undefined) throw new Error(`no rank file: ${packed}`)
    const here = rankTableFields(tableFromPacked(packed, 'rank file'))
    const table = tableFromFields(fields)
    for (const key of Object.keys(here) as (keyof RankTableFields)[]) {
      const [a, b] = [table[key], here[key]]
      if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) expect(a.constructor === b.constructor && bytesOf(a).equals(bytesOf(b)), key).toBe(true)
      else expect(a, key).toEqual(b)
    }
    expect(table.tokenIndex.length).toBeGreaterThan(400_000)
  }, 60_000)

  it('is taken once by the next load of its encoding when expected; a failed, missing or other table changes nothing', async () => {
    const given = { encoding: 'cl100k_base' } as RankTable
    expectRankTable('cl100k_base', Promise.resolve(given))
    await rankTableArrival('cl100k_base')
    expect(loadRankTable('cl100k_base')).toBe(given)
    // Nothing expected now: the arrival is at once.
    await expect(rankTableArrival('cl100k_base')).resolves.toBeUndefined()
    // A table that does not come, fails, or is of another encoding: the next load builds its own.
    for (const arriving of [Promise.resolve(undefined), Promise.reject(new Error('worker gone')), Promise.resolve({ encoding: 'o200k_base' } as RankTable)]) {
      expectRankTable('cl100k_base', arriving)
      await rankTableArrival('cl100k_base')
    }
    const built = loadRankTable('cl100k_base')
    expect(built.encoding).toBe('cl100k_base')
    expect(built.tokenIndex.length).toBeGreaterThan(200_000)
  }, 60_000)
})
