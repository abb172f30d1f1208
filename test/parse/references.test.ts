import { describe, expect, it } from 'vitest'
import { parseDocument } from '../../src/parse/document.js'
import { isBareScheme } from '../../src/parse/references.js'

const refs = (source: string) => {
  const doc = parseDocument(source, { path: 'guides/uris.md' })
  return {
    references: doc.references.map((r) => [r.kind, r.raw, r.position.line]),
    diagnostics: doc.diagnostics.filter((d) => d.code.startsWith('REFERENCE')).map((d) => [d.code, d.line]),
  }
}

describe('a bare scheme is not a reference', () => {
  it('isBareScheme: a scheme with nothing after it but slashes', () => {
    expect(['orchestr8://', '@orchestr8://', 'orchestr8:///', 'ORCHESTR8:////'].map(isBareScheme)).toEqual([true, true, true, true])
    expect(['orchestr8://x', 'orchestr8:///etc/passwd', 'orchestr8://?q', 'orchestr8:'].map(isBareScheme)).toEqual([false, false, false, false])
  })

  it('in inline code, prose, headings, lists, tables and prose fences with other text: no reference, no diagnostic', () => {
    const source = [
      '# Writing `orchestr8://` links',
      '',
      'Link fragments with `orchestr8://` URIs, never with orchestr8:// alone.',
      '',
      '- every orchestr8:/// prefix is stripped',
      '',
      '| Scheme | Use |',
      '|---|---|',
      '| `orchestr8://` | references |',
      '',
      '```',
      'Prefix: orchestr8://',
      '```',
      '',
      'See orchestr8://skills/real for one, and @orchestr8:// for the old form.',
      '',
    ].join('\n')
    expect(refs(source)).toEqual({ references: [['mention', 'orchestr8://skills/real', 15]], diagnostics: [] })
  })

  it('standing alone where a slot would be, it is still an (invalid) slot: an emptied slot is reported', () => {
    const source = ['# Slots', '', '**→ Load:** orchestr8://', '', '```', 'orchestr8://', '```', ''].join('\n')
    expect(refs(source)).toEqual({
      references: [
        ['slot', 'orchestr8://', 3],
        ['slot', 'orchestr8://', 6],
      ],
      diagnostics: [
        ['REFERENCE_INVALID', 3],
        ['REFERENCE_INVALID', 6],
      ],
    })
  })

  it('a scheme with a path is still reported when invalid', () => {
    expect(refs('See orchestr8:///etc/passwd and orchestr8://a/%zz here.\n')).toEqual({
      references: [
        ['mention', 'orchestr8:///etc/passwd', 1],
        ['mention', 'orchestr8://a/%zz', 1],
      ],
      diagnostics: [
        ['REFERENCE_INVALID', 1],
        ['REFERENCE_INVALID', 1],
      ],
    })
  })
})
