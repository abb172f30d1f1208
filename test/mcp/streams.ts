/**
 * Shared by the tests of serve's early answers (handshake, early listing): a session over
 * in-memory stdio, the newline-delimited JSON-RPC messages written to its stdout, and a way to
 * wait for one.
 */
import { PassThrough } from 'node:stream'
import { expect } from 'vitest'

/** A JSON-RPC message as these tests read it. */
export type Message = { id?: number | string; method?: string; result?: Record<string, unknown>; error?: { code: number } }

/** Streams for a session, the messages written to stdout, `send` (one line per message) and `until` (polls up to `tries` x 10 ms). */
export function streams(tries = 500) {
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  const messages: Message[] = []
  let buffer = ''
  stdout.setEncoding('utf8').on('data', (d: string) => {
    buffer += d
    for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
      messages.push(JSON.parse(buffer.slice(0, i)) as Message)
      buffer = buffer.slice(i + 1)
    }
  })
  const send = (...lines: object[]) => stdin.write(lines.map((l) => `${JSON.stringify(l)}\n`).join(''))
  const until = async (found: () => boolean) => {
    for (let i = 0; i < tries && !found(); i++) await new Promise((r) => setTimeout(r, 10))
    expect(found()).toBe(true)
  }
  return { stdin, stdout, messages, send, until }
}
