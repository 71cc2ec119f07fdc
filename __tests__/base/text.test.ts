import { describe, expect, it } from '@jest/globals'
import { excerpt, inertMarkdown, markdownCell, neutraliseWorkflowCommands, safeText } from '../../src/base/text.js'

describe('untrusted text', () => {
  it('neutralises workflow commands on every line', () => {
    const text = neutraliseWorkflowCommands('ok\n::add-mask::x\n  ::error::boom\nsee ##[set-env name=A]1')
    for (const line of text.split('\n')) {
      expect(line.trimStart().startsWith('::')).toBe(false)
      expect(line).not.toContain('##[')
    }
    expect(text).toContain('add-mask')
  })
  it('leaves plain text as it is and still catches commands behind the fast path', () => {
    for (const plain of [
      'web-server-01 (12345)',
      '2026-01-01T00:00:00.000Z',
      'Pre-deploy backup: acme/shop@3f1c2d9 (run 1)'
    ]) {
      expect(safeText(plain)).toBe(plain)
    }
    for (const hostile of ['::add-mask::x', ' ::error::x', 'a ##[set-env name=A]1', 'a\n::error::b', 'x:\n::y']) {
      const safe = safeText(hostile)
      expect(safe.trimStart().startsWith('::')).toBe(false)
      expect(safe).not.toContain('##[')
      expect(safe).not.toContain('\n')
    }
  })
  it('makes one safe line', () => {
    expect(safeText('a\n::error::b\r\n\tc')).toBe('a ::error::b c')
    expect(safeText('x'.repeat(300), 10)).toBe('xxxxxxxxx…')
  })
  it('reduces HTML pages to their text', () => {
    expect(excerpt('<html><head><style>p{}</style></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>')).toBe(
      '502 Bad Gateway nginx'
    )
  })
  it('escapes Markdown table cells', () => {
    expect(markdownCell('a | <b>\nc')).toBe('a \\| &lt;b&gt; c')
  })
})

describe('text from the API in the job summary', () => {
  it('becomes a code span: no link, image, autolink or HTML survives', () => {
    expect(inertMarkdown('[Restore now](https://evil.example/x)')).toBe('`[Restore now](https://evil.example/x)`')
    expect(inertMarkdown('![x](https://evil.example/i.png)')).toBe('`![x](https://evil.example/i.png)`')
    expect(inertMarkdown('<img src=x onerror=alert(1)>')).toBe('`<img src=x onerror=alert(1)>`')
    expect(inertMarkdown('plain')).toBe('`plain`')
    expect(inertMarkdown('')).toBe('')
  })
  it('keeps the span closed around backticks, and the table intact around pipes and newlines', () => {
    expect(inertMarkdown('a `b` c')).toBe('``a `b` c``')
    expect(inertMarkdown('`x``')).toBe('``` `x`` ```')
    expect(inertMarkdown('a | b\n| c')).toBe('`a \\| b \\| c`')
  })
})
