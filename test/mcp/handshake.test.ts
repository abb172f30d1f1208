/**
 * The early `initialize` of `promptfold serve` (src/mcp/handshake.ts): answered without the SDK
 * with exactly the SDK's own answer, handed on to the SDK without a second answer, and left to
 * the SDK whenever the first line is anything else.
 */
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { answerInitializeEarly, initializeResult, PROTOCOL_VERSIONS, SERVER_CAPABILITIES } from '../../src/mcp/handshake.js'
import { serve } from '../../src/mcp/index.js'
import { VERSION } from '../../src/version.js'
import { fixtureLibrary } from '../library/helpers.js'
import { streams } from './streams.js'

const identity = { name: 'promptfold', version: VERSION, scheme: 'orchestr8' }
const initialize = (protocolVersion: string, id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: { roots: { listChanged: true } }, clientInfo: { name: 'test', version: '1' } },
})


describe('the early initialize of promptfold serve', () => {
  it('negotiates the protocol versions of the SDK', () => {
    expect(PROTOCOL_VERSIONS).toEqual(SUPPORTED_PROTOCOL_VERSIONS)
    expect(PROTOCOL_VERSIONS[0]).toBe(LATEST_PROTOCOL_VERSION)
  })

  it('gives the result the SDK gives, for supported and unsupported versions', async () => {
    for (const version of ['2025-06-18', '2024-11-05', '1999-01-01']) {
      const s = streams(400)
      const done = serve(fixtureLibrary, { stdin: s.stdin, stdout: s.stdout, log: null, watch: false, warm: false })
      s.send(initialize(version))
      await s.until(() => s.messages.some((m) => m.id === 1))
      s.stdin.end()
      await done
      const ours = initializeResult(initialize(version).params, identity)
      expect(s.messages.find((m) => m.id === 1)?.result).toEqual(ours)
      expect(ours?.protocolVersion).toBe(version === '1999-01-01' ? LATEST_PROTOCOL_VERSION : version)
      expect(ours?.capabilities).toEqual(SERVER_CAPABILITIES)
    }
  })

  it('answers before serve starts, once; serve reads on from the next line', async () => {
    const s = streams(400)
    answerInitializeEarly(s.stdin, s.stdout, identity)
    s.send(initialize('2025-06-18', 'a'), { jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 2, method: 'resources/templates/list' })
    await s.until(() => s.messages.some((m) => m.id === 'a'))
    expect(s.messages).toEqual([{ jsonrpc: '2.0', id: 'a', result: initializeResult(initialize('2025-06-18').params, identity) }])
    const done = serve(fixtureLibrary, { stdin: s.stdin, stdout: s.stdout, log: null, watch: false, warm: false })
    s.send({ jsonrpc: '2.0', id: 3, method: 'ping' })
    await s.until(() => s.messages.some((m) => m.id === 3))
    s.stdin.end()
    await done
    // One answer each (ping does not wait for the library, so it may come before 2).
    const ids = s.messages.map((m) => m.id)
    expect(ids[0]).toBe('a')
    expect([...ids.slice(1)].sort()).toEqual([2, 3])
    expect((s.messages.find((m) => m.id === 2)?.result?.resourceTemplates as unknown[]).length).toBe(2)
  })

  it('leaves any other first line to the SDK', async () => {
    const s = streams(400)
    answerInitializeEarly(s.stdin, s.stdout, identity)
    // initialize without clientInfo: not answered early; the SDK answers it (with its own error).
    s.send({ ...initialize('2025-06-18'), params: { protocolVersion: '2025-06-18', capabilities: {} } }, { jsonrpc: '2.0', id: 2, method: 'ping' })
    await new Promise((r) => setTimeout(r, 50))
    expect(s.messages).toEqual([])
    const done = serve(fixtureLibrary, { stdin: s.stdin, stdout: s.stdout, log: null, watch: false, warm: false })
    await s.until(() => s.messages.some((m) => m.id === 2))
    s.stdin.end()
    await done
    expect(s.messages.map((m) => m.id)).toEqual([1, 2])
    expect(s.messages[0]?.error?.code).toBe(-32603)
  })
})
