import { InputError } from './errors.js'

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }

/**
 * Parses `90`, `90s`, `15m`, `1h`, `1h30m`, `1m30s`, `500ms` into milliseconds. A bare number is
 * seconds. Units must come largest first and at most once each, so `30s1m` is a typo, not 90 s.
 */
export function parseDuration(inputName: string, raw: string): number {
  const text = raw.trim().toLowerCase()
  const expected = `${inputName} must be a duration like 90, 90s, 15m, 1h or 1h30m, got "${raw}"`
  if (/^\d+$/.test(text)) {
    return positive(Number(text) * 1000, inputName, raw)
  }
  const match = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text)
  if (!match || text === '') {
    throw new InputError(expected)
  }
  const [, h, m, s, ms] = match
  const total = Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s + Number(ms ?? 0)
  return positive(total, inputName, raw)
}

function positive(ms: number, inputName: string, raw: string): number {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new InputError(`${inputName} must be a positive duration like 90s, 15m or 1h30m, got "${raw}"`)
  }
  return ms
}

/** Renders milliseconds for people: `850ms`, `42s`, `4m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`
  const totalSeconds = Math.round(ms / 1000)
  if (totalSeconds < 60) return `${totalSeconds}s`
  const hours = Math.floor(totalSeconds / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = totalSeconds % 60
  const pad = (n: number): string => String(n).padStart(2, '0')
  return hours > 0 ? `${hours}h${pad(minutes)}m` : `${minutes}m${pad(seconds)}s`
}
