import { describe, expect, it } from '@jest/globals'
import { MAX_AGE_MS, MAX_TIMER_MS, formatDuration, parseDuration } from '../../src/base/duration.js'
import { InputError } from '../../src/base/errors.js'

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
