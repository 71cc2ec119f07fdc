/** When and how long to wait before sending a failed request again. */

export const RETRY_BASE_MS = 1000
export const RETRY_CAP_MS = 30_000
/** Attempts of one request, the first included. */
export const MAX_ATTEMPTS = 6

/** Statuses that say "try again later" rather than "this request is wrong". */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * Exponential backoff with full jitter: a random pause between 0 and base·2^(n-1), capped, so
 * that many runners hitting the same outage do not retry in lock step.
 */
export function backoffDelay(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, failures - 1))
  return Math.round(random() * ceiling)
}

/**
 * `Retry-After` as milliseconds to wait: delta-seconds or an HTTP date. A date is a wait of (date −
 * `now`), where `now` is the same answer's `Date` (the API's clock; the runner's only without one).
 * Undefined when the header is missing or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (!text) return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
