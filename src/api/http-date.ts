/**
 * The API's clock, as its answers give it: the HTTP `Date` header (RFC 9110 §6.6.1), read
 * strictly in the three formats RFC 9110 §5.6.7 asks a recipient to accept. Pure, apart from the
 * clock `ApiClock` is given.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)'
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)'
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})'
/** `Sun, 06 Nov 1994 08:49:37 GMT`, the format senders must use. */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`)
/** `Sunday, 06-Nov-94 08:49:37 GMT`, obsolete. */
const RFC850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`)
/** `Sun Nov  6 08:49:37 1994`, obsolete (C's asctime). */
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`)

/** Epoch ms of a UTC calendar time, or undefined when a field is out of range (31 Feb, 25:00). */
export function utcTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms = 0
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  // A day past the month's end rolls into the next month: refuse it rather than move it.
  if (date.getUTCMonth() !== month - 1) return undefined
  // A leap second (60) is read as the last moment of its minute.
  date.setUTCHours(hour, minute, Math.min(second, 59), second === 60 ? 999 : ms)
  return date.getTime()
}

/** An HTTP-date as epoch ms, or undefined when the text is not one. */
export function parseHttpDate(text: string, receivedAt: number): number | undefined {
  const month = (name: string): number => MONTHS.indexOf(name.toLowerCase()) + 1
  let match = IMF_FIXDATE.exec(text)
  if (match) {
    const [, d, mon, y, h, mi, s] = match
    return utcTime(Number(y), month(mon), Number(d), Number(h), Number(mi), Number(s))
  }
  match = RFC850.exec(text)
  if (match) {
    const [, d, mon, yy, h, mi, s] = match
    // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
    const thisYear = new Date(receivedAt).getUTCFullYear()
    let year = Math.floor(thisYear / 100) * 100 + Number(yy)
    if (year > thisYear + 50) year -= 100
    return utcTime(year, month(mon), Number(d), Number(h), Number(mi), Number(s))
  }
  match = ASCTIME.exec(text)
  if (match) {
    const [, mon, d, h, mi, s, y] = match
    return utcTime(Number(y), month(mon), Number(d.trim()), Number(h), Number(mi), Number(s))
  }
  return undefined
}

/** Two clocks further apart than this are named in a warning (see VpsApi.deletionNow). */
export const CLOCKS_APART_MS = 10 * 60_000

/** A "now", and whose clock it was read on, for the messages that measure from it. */
export interface ClockReading {
  at: number
  clock: "the API's" | "the runner's"
}

/**
 * "Now" by the API's clock: the last readable `Date` header plus the time elapsed since it was
 * received, on a monotonic clock (so a runner whose wall clock jumps does not move it).
 */
export class ApiClock {
  private seen: { apiMs: number; monotonicMs: number } | undefined

  constructor(
    private readonly monotonic: () => number = () => performance.now(),
    private readonly wall: () => number = () => Date.now()
  ) {}

  /**
   * Records an answer's Date header and returns it (epoch ms); an unreadable or missing one leaves
   * the last reading, and gives undefined.
   */
  note(header: string | string[] | undefined): number | undefined {
    const text = Array.isArray(header) ? header[0] : header
    if (text === undefined) return undefined
    const apiMs = parseHttpDate(text.trim(), this.wall())
    if (apiMs !== undefined) this.seen = { apiMs, monotonicMs: this.monotonic() }
    return apiMs
  }

  /** Now by the API's clock, or undefined when no answer carried a readable Date header. */
  now(): number | undefined {
    if (this.seen === undefined) return undefined
    return this.seen.apiMs + (this.monotonic() - this.seen.monotonicMs)
  }
}
