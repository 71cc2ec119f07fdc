import { describe, expect, it } from '@jest/globals'
import { mayBeStoredAs } from '../../src/api/backup.js'

describe('reconciling a create: may the API have stored our description as this?', () => {
  const sent = 'Pre-deploy backup: acme/shop@3f1c2d9 (run 1)\r\nline two  '
  it.each([
    ['the same', sent, true],
    ['trimmed, with \\n line endings', 'Pre-deploy backup: acme/shop@3f1c2d9 (run 1)\nline two', true],
    ['shortened', 'Pre-deploy backup: acme/shop@3f1c2d9', true],
    ['another run', 'Pre-deploy backup: acme/shop@3f1c2d9 (run 2)\nline two', false],
    ['a too short prefix', 'Pre-deploy backup', false],
    ['longer', `${sent} and more`, false]
  ])('%s', (_case, stored, expected) => {
    expect(mayBeStoredAs(sent, stored)).toBe(expected)
  })
})
