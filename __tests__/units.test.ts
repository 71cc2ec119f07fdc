import { describe, expect, it } from '@jest/globals'
import { mayBeStoredAs } from '../src/api/backup.js'
import { apiMessage, failure, permissionFor } from '../src/api/messages.js'
import { RETRY_CAP_MS, backoffDelay, parseRetryAfter } from '../src/api/retry.js'
import { isSendableToken, tokenScrubber } from '../src/api/token.js'
import { defaultDescription } from '../src/policy/description.js'
import { MAX_AGE_MS, MAX_TIMER_MS, formatDuration, parseDuration } from '../src/base/duration.js'
import { InputError } from '../src/base/errors.js'
import { pollDelay } from '../src/base/polling.js'
import { excerpt, inertMarkdown, markdownCell, neutraliseWorkflowCommands, safeText } from '../src/base/text.js'

describe('parseDuration', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    [' 2M ', 120_000],
    ['1d', 86_400_000],
    ['1w3d', 10 * 86_400_000],
    ['2d12h', 60 * 3_600_000]
  ])('reads %s', (text, ms) => expect(parseDuration('timeout', text, 365 * 86_400_000)).toBe(ms))

  it.each(['', 'soon', '-5', '0', '0s', '30s1m', '1.5h', '15 m', 'm', '3d1w', '1mo'])(
    'refuses %p naming the input',
    text => {
      expect(() => parseDuration('timeout', text, MAX_TIMER_MS)).toThrow(InputError)
      expect(() => parseDuration('timeout', text, MAX_TIMER_MS)).toThrow(
        /^timeout must be a (positive )?duration like .*, got "/
      )
    }
  )

  it('refuses a duration beyond the largest allowed, which a timer could not hold', () => {
    expect(parseDuration('timeout', '24h', MAX_TIMER_MS)).toBe(MAX_TIMER_MS)
    expect(() => parseDuration('timeout', '24h1s', MAX_TIMER_MS)).toThrow(/^timeout must be at most 24h, got "24h1s"$/)
    expect(() => parseDuration('request-timeout', '99999999999s', MAX_TIMER_MS)).toThrow(
      /^request-timeout must be at most 24h/
    )
    expect(() => parseDuration('timeout', '9'.repeat(30), MAX_TIMER_MS)).toThrow(InputError)
  })

  it('suggests only durations the input accepts, and says its bound as README writes it', () => {
    const message = (name: string, raw: string, maxMs: number): string => {
      try {
        parseDuration(name, raw, maxMs)
      } catch (error) {
        return (error as Error).message
      }
      return 'accepted'
    }
    expect(message('timeout', 'soon', MAX_TIMER_MS)).toBe(
      'timeout must be a duration like 90, 90s, 15m or 1h30m, got "soon"'
    )
    expect(message('keep-within', 'soon', MAX_AGE_MS)).toMatch(/like .*, 2d or 1w3d, got "soon"$/)
    expect(message('timeout', '2d', MAX_TIMER_MS)).toBe('timeout must be at most 24h, got "2d"')
    expect(message('keep-within', '3651d', MAX_AGE_MS)).toBe('keep-within must be at most 3650d, got "3651d"')
  })

  it('formats for people', () => {
    expect(formatDuration(850)).toBe('850ms')
    expect(formatDuration(42_000)).toBe('42s')
    expect(formatDuration(245_000)).toBe('4m05s')
    expect(formatDuration(3_720_000)).toBe('1h02m')
    expect(formatDuration(1_800_000)).toBe('30m00s')
    expect(formatDuration(86_400_000)).toBe('1d')
    expect(formatDuration(183_600_000)).toBe('2d03h')
  })
})

describe('defaultDescription', () => {
  it('names the repository, the short sha and the run', () => {
    expect(defaultDescription({ repository: 'acme/shop', sha: '3f1c2d9e8b7a', runId: 9876543210, runAttempt: 1 })).toBe(
      'Pre-deploy backup: acme/shop@3f1c2d9 (run 9876543210)'
    )
  })
  it('names a re-run attempt', () => {
    expect(defaultDescription({ repository: 'acme/shop', sha: 'abcdef0123', runId: 5, runAttempt: 2 })).toBe(
      'Pre-deploy backup: acme/shop@abcdef0 (run 5, attempt 2)'
    )
  })
  it('still starts with the prefix outside a runner', () => {
    expect(defaultDescription({})).toBe('Pre-deploy backup')
    expect(defaultDescription({ runId: NaN })).toBe('Pre-deploy backup')
    expect(defaultDescription({ runId: 7 })).toBe('Pre-deploy backup: run 7')
    expect(defaultDescription({ repository: 'a/b' })).toBe('Pre-deploy backup: a/b')
  })
})

describe('pollDelay', () => {
  it('checks about every second at first and never more often', () => {
    expect(pollDelay(0, 15_000)).toBe(1000)
    expect(pollDelay(4000, 15_000)).toBe(1000)
  })
  it('lengthens with the time waited, up to poll-interval', () => {
    expect(pollDelay(20_000, 15_000)).toBe(4000)
    expect(pollDelay(600_000, 15_000)).toBe(15_000)
    expect(pollDelay(600_000, 1000)).toBe(1000)
  })
  /** Replays the schedule: when is a backup that completes at `doneAt` noticed, after how many checks. */
  function replay(doneAtMs: number, maxIntervalMs = 15_000): { lateMs: number; checks: number } {
    let t = 0
    let checks = 0
    while (t < doneAtMs) {
      t += pollDelay(t, maxIntervalMs)
      checks++
    }
    return { lateMs: t - doneAtMs, checks }
  }
  it('notices a 4 s backup within 1.5 s and a 20 s one within 3 s in at most 15 checks', () => {
    expect(replay(4000).lateMs).toBeLessThanOrEqual(1500)
    const twenty = replay(20_000)
    expect(twenty.lateMs).toBeLessThanOrEqual(3000)
    expect(twenty.checks).toBeLessThanOrEqual(15)
  })
  it('costs few requests for a long backup', () => {
    expect(replay(30 * 60_000).checks).toBeLessThan(140)
    expect(replay(10 * 60_000, 1000).checks).toBe(600)
  })
})

describe('retry timing', () => {
  it('uses full jitter between 0 and an exponential ceiling capped at 30 s', () => {
    expect(backoffDelay(1, () => 0)).toBe(0)
    expect(backoffDelay(1, () => 0.999)).toBe(999)
    expect(backoffDelay(3, () => 1)).toBe(4000)
    expect(backoffDelay(20, () => 1)).toBe(RETRY_CAP_MS)
  })
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:09 GMT', now)).toBe(9000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
  })
})

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

describe('a 403 names what the request needed', () => {
  it.each([
    ['GET', '/api/v1/backups/?server_id=1', 'read backups'],
    ['POST', '/api/v1/backups/', 'create backups'],
    ['DELETE', '/api/v1/backups/501/', 'delete backups'],
    ['GET', '/api/v1/servers/12345/', 'read servers'],
    ['GET', '/base/api/v1/servers/', 'read servers'],
    ['POST', '/api/v1/servers/12345/restore/', 'restore servers'],
    ['PATCH', '/api/v1/servers/12345/', 'change servers'],
    ['GET', '/api/v1/snapshots/?server_id=1', 'read snapshots'],
    ['POST', '/api/v1/snapshots/', 'create snapshots'],
    ['DELETE', '/api/v1/snapshots/801/', 'delete snapshots'],
    ['POST', '/api/v1/snapshots/801/restore/', 'restore servers from snapshots'],
    ['GET', '/api/v2/other/', 'send GET /api/v2/other/']
  ])('%s %s: %s', (method, path, needed) => {
    expect(permissionFor({ method, path })).toBe(needed)
    const error = failure({ status: 403, headers: {}, body: '{"detail": "No."}' }, { method, path })
    expect(error.message).toBe(
      `the token is not allowed to ${needed} (403 on ${method} ${path}: No.); give it that permission, or use a token that has it`
    )
  })
})

describe('apiMessage', () => {
  it('reads DRF error bodies', () => {
    expect(apiMessage('{"detail":"Not found."}')).toBe('Not found.')
    expect(apiMessage('{"non_field_errors":["Maximum reached."]}')).toBe('Maximum reached.')
    expect(apiMessage('{"server_id":["This field is required."],"description":["Too long."]}')).toBe(
      'server_id: This field is required.; description: Too long.'
    )
  })
  it('copes with empty, non-JSON and HTML bodies', () => {
    expect(apiMessage('')).toBe('empty body')
    expect(apiMessage('Service Unavailable')).toBe('"Service Unavailable"')
    expect(apiMessage('<html><body><h1>502 Bad Gateway</h1></body></html>')).toBe('"502 Bad Gateway"')
    expect(apiMessage('{"detail": "cut')).toBe('"{"detail": "cut"')
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
