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
export function parseDuration(
  inputName: string,
  raw: string,
  maxMs: number,
  { minutes = true }: { minutes?: boolean } = {}
): number {
  const text = raw.trim().toLowerCase()
  const like = examplesUpTo(maxMs, minutes)
  const expected = `${inputName} must be a duration like ${like}, got "${raw}"`
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
    throw new InputError(`${inputName} must be a positive duration like ${like}, got "${raw}"`)
  }
  if (total > maxMs) {
    throw new InputError(`${inputName} must be at most ${writtenBound(maxMs)}, got "${raw}"`)
  }
  return total
}

/**
 * keep-within: a duration in w, d, h (s and ms too), never m, mo or y. restic reads `6m` in
 * `--keep-within` as six months, this action's other duration inputs as six minutes: either
 * reading deletes what the other keeps, so neither is guessed.
 */
export function parseKeepWithin(raw: string): number {
  const unit = /\d\s*(mo|m(?!s)|y)/i.exec(raw)?.[1]?.toLowerCase()
  if (unit !== undefined) {
    const count = Number(/(\d+)\s*(?:mo|m(?!s)|y)/i.exec(raw)?.[1] ?? 1)
    const days = unit === 'y' ? count * 365 : count * 30
    const reading =
      unit === 'm'
        ? "m means months in restic's --keep-within and minutes in this action's timeout and poll-interval"
        : `${unit} (${unit === 'y' ? 'years' : 'months'}) has no fixed length`
    throw new InputError(
      `keep-within "${raw.trim()}" is refused: ${reading}; write days or hours instead, e.g. ${days}d`
    )
  }
  return parseDuration('keep-within', raw, MAX_AGE_MS, { minutes: false })
}

/** Durations an error message may suggest, with their value: only those the input accepts are shown. */
const EXAMPLES: ReadonlyArray<readonly [string, number]> = [
  ['90', 90_000],
  ['90s', 90_000],
  ['15m', 15 * UNIT_MS.m],
  ['1h30m', 90 * UNIT_MS.m],
  ['2d', 2 * UNIT_MS.d],
  ['1w3d', UNIT_MS.w + 3 * UNIT_MS.d]
]

/** `90, 90s, 15m or 1h30m`: the examples no longer than maxMs, and without minutes where they are refused. */
function examplesUpTo(maxMs: number, minutes: boolean): string {
  const shown = EXAMPLES.filter(([text, ms]) => ms <= maxMs && (minutes || !/m(?!s)/.test(text))).map(([text]) => text)
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}` : shown.join('')
}

/**
 * A bound as README and action.yml write it: in the largest unit it is a whole number of, at least
 * two (`24h` rather than `1d`, `3650d`).
 */
function writtenBound(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    const size = UNIT_MS[unit] ?? 1
    if (ms % size === 0 && ms / size >= 2) return `${ms / size}${unit}`
  }
  return formatDuration(ms)
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
