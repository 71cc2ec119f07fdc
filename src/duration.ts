import { InputError } from './errors.js'

const UNIT_MS: Record<string, number> = {
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1
}

/**
 * The longest `timeout`, `poll-interval` or `request-timeout`: far beyond any step (a GitHub-hosted
 * job ends after 6 hours), and well within what a Node.js timer can hold (about 24.8 days; a
 * longer one fires at once).
 */
export const MAX_TIMER_MS = 24 * 3_600_000

/** The longest keep-within: ten years (3650d). */
export const MAX_AGE_MS = 3650 * 86_400_000

/**
 * Parses `90`, `90s`, `15m`, `1h`, `1h30m`, `1m30s`, `500ms`, `2d`, `1w3d` into milliseconds. A
 * bare number is seconds; `m` is minutes. Units must come largest first and at most once each, so
 * `30s1m` is a typo, not 90 s.
 */
export function parseDuration(inputName: string, raw: string, maxMs: number): number {
  const text = raw.trim().toLowerCase()
  const expected = `${inputName} must be a duration like 90, 90s, 15m, 1h30m, 2d or 1w3d, got "${raw}"`
  let total: number
  if (/^\d+$/.test(text)) {
    total = Number(text) * 1000
  } else {
    const match = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text)
    if (!match || text === '') throw new InputError(expected)
    const [, w, d, h, m, s, ms] = match
    total =
      Number(w ?? 0) * UNIT_MS.w +
      Number(d ?? 0) * UNIT_MS.d +
      Number(h ?? 0) * UNIT_MS.h +
      Number(m ?? 0) * UNIT_MS.m +
      Number(s ?? 0) * UNIT_MS.s +
      Number(ms ?? 0)
  }
  if (!Number.isSafeInteger(total) || total <= 0) {
    throw new InputError(`${inputName} must be a positive duration like 90s, 15m, 1h30m or 2d, got "${raw}"`)
  }
  if (total > maxMs) {
    throw new InputError(`${inputName} must be at most ${formatDuration(maxMs)}, got "${raw}"`)
  }
  return total
}

/** Renders milliseconds for people: `850ms`, `42s`, `4m05s`, `1h02m`, `1d`, `2d03h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`
  const totalSeconds = Math.round(ms / 1000)
  if (totalSeconds < 60) return `${totalSeconds}s`
  const days = Math.floor(totalSeconds / 86_400)
  const hours = Math.floor((totalSeconds % 86_400) / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = totalSeconds % 60
  const pad = (n: number): string => String(n).padStart(2, '0')
  if (days > 0) return hours > 0 ? `${days}d${pad(hours)}h` : `${days}d`
  return hours > 0 ? `${hours}h${pad(minutes)}m` : `${minutes}m${pad(seconds)}s`
}
