import { describe, expect, it } from '@jest/globals'
import { isSendableToken, tokenScrubber } from '../../src/api/token.js'

describe('the token scrubber', () => {
  const token = 'vps_ab/c"d\\e+f'
  const scrub = tokenScrubber(token)

  it.each([
    ['as it is', token],
    ['JSON-escaped', JSON.stringify(token).slice(1, -1)],
    ['JSON with escaped slashes', JSON.stringify(token).slice(1, -1).replace(/\//g, '\\/')],
    ['JSON with \\u escapes', [...token].map(c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
    ['URL-encoded', encodeURIComponent(token)],
    ['URL-encoded, lower-case hex', encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, m => m.toLowerCase())],
    ['every character percent-encoded', [...token].map(c => `%${c.charCodeAt(0).toString(16)}`).join('')]
  ])('removes the token %s', (_form, encoded) => {
    const text = `{"detail": "bad token ${encoded} here"}`
    expect(scrub(text)).toBe('{"detail": "bad token *** here"}')
  })

  it('leaves other text alone', () => {
    expect(scrub('vps_ab/c nothing')).toBe('vps_ab/c nothing')
  })

  it('only printable ASCII without spaces can be sent as a token', () => {
    expect(isSendableToken('vps_abc123-._~+/=')).toBe(true)
    for (const bad of ['a b', 'a\tb', 'tökén', 'a\u2028b', 'ab\u0000', '€uro']) expect(isSendableToken(bad)).toBe(false)
  })
})
